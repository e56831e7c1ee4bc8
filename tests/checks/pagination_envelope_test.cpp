// Pagination over a list found under another parent (issue 16): an implementation that nests
// the documented list and total under "data" (Tencent's own sample) is still paged. Each walk
// fault is built once as flat pages and then wrapped in the envelope: the enveloped walk must
// report exactly the ids of the flat one, point at the list where it was found and say so.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include "runner/checks/checks.hpp"
#include "tests/checks/pages_support.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
using core::DeviationId;
using nlohmann::json;

using test::slice;
using test::uhub;

namespace {

// The data-envelope shape: the list and the total one level down, under "data".
json enveloped(json flat) {
    json out = flat;
    out.erase("RepoSet");
    out.erase("TotalCount");
    out["data"] = {{"RepoSet", flat["RepoSet"]}, {"TotalCount", flat["TotalCount"]}};
    return out;
}

// One walk: the pages a server answers for Offset = 0, limit, 2*limit... until a short page,
// and the full listing (Offset=0 and a limit above everything).
struct Walk {
    std::vector<json> bodies;
    std::vector<contract::Query> queries;
    json full;
};

using Serve = std::function<json(int offset, int limit)>;

Walk walk(int limit, const Serve& serve) {
    Walk w;
    for (int offset = 0; offset < 200; offset += limit) {
        w.bodies.push_back(serve(offset, limit));
        w.queries.push_back({{"Limit", std::to_string(limit)}, {"Offset", std::to_string(offset)}});
        if (static_cast<int>(w.bodies.back()["RepoSet"].size()) < limit)
            break;
    }
    w.full = serve(0, 1000);
    return w;
}

Walk wrap(const Walk& flat) {
    Walk w = flat;
    for (json& b : w.bodies)
        b = enveloped(b);
    w.full = enveloped(w.full);
    return w;
}

std::vector<core::Deviation> check(const Walk& w, int limit) {
    std::vector<checks::WalkPage> pages;
    for (std::size_t i = 0; i < w.bodies.size(); ++i)
        pages.push_back({w.queries[i], w.bodies[i]});
    return checks::check_walk(uhub(), pages, limit, "GetRepo", core::JsonView(w.full));
}

bool has(const std::vector<DeviationId>& ids, DeviationId id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

constexpr int k_total = 23;

// The five walk faults of issue 16, each as a server over k_total items.
struct Fault {
    const char* name;
    DeviationId shows;
    Serve serve;
    int limit = 7; // the walk's page size
};

const std::vector<Fault>& faults() {
    static const std::vector<Fault> all = {
        {"repeat items", DeviationId::pagination_duplicate,
         [](int o, int l) {
             const int from = o > 0 ? o - 1 : 0; // each later page starts one early
             return slice(from, std::min(from + l, k_total), k_total);
         }},
        {"skip items", DeviationId::pagination_gap,
         [](int o, int l) {
             const int from = o > 0 ? o + 1 : 0; // each later page starts one late
             return slice(std::min(from, k_total), std::min(from + l, k_total), k_total);
         }},
        {"ignore the limit", DeviationId::pagination_over_limit,
         [](int o, int) { return slice(std::min(o, k_total), k_total, k_total); }},
        {"cap the limit at 10", DeviationId::pagination_total_mismatch,
         [](int o, int l) {
             const int n = std::min(l, 10);
             return slice(std::min(o, k_total), std::min(o + n, k_total), k_total);
         },
         12}, // a short first page: the walk ends after 10 of 23 items
        {"a changing total", DeviationId::pagination_total_unstable,
         [](int o, int l) {
             const bool inside = o > 0 && o + l < k_total;
             return slice(o, std::min(o + l, k_total), inside ? k_total + 1 : k_total);
         }},
    };
    return all;
}

} // namespace

TEST_CASE("locate_listing: the documented place first, else one level down, as misplaced") {
    const json flat = slice(0, 3, 10);
    const checks::Listing here = checks::locate_listing(uhub(), flat);
    REQUIRE(here.items);
    CHECK(here.items->size() == 3);
    CHECK(here.items_pointer == "/RepoSet");
    CHECK(here.total == 10);
    CHECK_FALSE(here.relocated);

    json moved = enveloped(slice(0, 3, "10")); // a string total still counts
    const checks::Listing there = checks::locate_listing(uhub(), moved);
    REQUIRE(there.items);
    CHECK(there.items->size() == 3);
    CHECK(there.items_pointer == "/data/RepoSet");
    CHECK(there.total_pointer == "/data/TotalCount");
    CHECK(there.total == 10);
    CHECK(there.relocated);

    // A documented list that is there but not an array is the schema check's: not relocated.
    json wrong = moved;
    wrong["RepoSet"] = "x";
    CHECK_FALSE(checks::locate_listing(uhub(), wrong).items);
    // Nothing anywhere: no list, no total.
    const checks::Listing none = checks::locate_listing(uhub(), json{{"RetCode", 0}});
    CHECK_FALSE(none.items);
    CHECK_FALSE(none.total);
    // The total beside the relocated list wins over another member's.
    json two = moved;
    two["aaa"] = {{"TotalCount", 99}};
    CHECK(checks::locate_listing(uhub(), two).total == 10);
}

TEST_CASE("a correct enveloped walk yields nothing") {
    const Walk w =
        wrap(walk(7, [](int o, int l) { return slice(o, std::min(o + l, k_total), k_total); }));
    CHECK(w.bodies.size() == 4);
    CHECK(check(w, 7).empty());
}

TEST_CASE("each walk fault is reported for an enveloped listing exactly as for a flat one") {
    for (const Fault& fault : faults()) {
        INFO(fault.name);
        const Walk flat = walk(fault.limit, fault.serve);
        const auto flat_found = check(flat, fault.limit);
        const auto flat_ids = test::ids(flat_found);
        REQUIRE(has(flat_ids, fault.shows)); // the fault is one the checks see at all

        const auto found = check(wrap(flat), fault.limit);
        CHECK(test::ids(found) == flat_ids);
        for (const core::Deviation& d : found) {
            INFO(d.message);
            CHECK(d.message.find("(list at /data/RepoSet)") != std::string::npos);
            CHECK(d.instance_pointer.starts_with("/data/"));
        }
    }
}

TEST_CASE("single enveloped pages: over-limit, default-limit, items-exceed-total, past-end") {
    const auto model = uhub();
    auto ids = [&](contract::Query q, const json& flat) {
        const json body = enveloped(flat);
        const auto found = checks::check_page(model, q, body, "GetRepo");
        for (const core::Deviation& d : found)
            CHECK(d.message.ends_with("(list at /data/RepoSet)"));
        CHECK(test::ids(found) == test::ids(checks::check_page(model, q, flat, "GetRepo")));
        return test::ids(found);
    };
    CHECK(ids({{"Limit", "3"}}, slice(0, 9, 100)) ==
          std::vector{DeviationId::pagination_over_limit});
    // A default page capped at 10 where 45 exist (the documented default is 20).
    CHECK(ids({}, slice(0, 10, 45)) == std::vector{DeviationId::pagination_default_limit});
    CHECK(ids({{"Limit", "20"}}, slice(0, 9, 2)) ==
          std::vector{DeviationId::pagination_items_exceed_total});
    CHECK(ids({{"Offset", "10"}, {"Limit", "5"}}, slice(0, 2, 10)) ==
          std::vector{DeviationId::pagination_past_end});
    CHECK(ids({{"Limit", "3"}, {"Offset", "0"}}, slice(0, 3, 10)).empty());

    const json body = enveloped(slice(0, 9, 2));
    const auto exceed = checks::check_page(model, {{"Limit", "20"}}, body, "GetRepo");
    REQUIRE(exceed.size() == 1);
    CHECK(exceed[0].instance_pointer == "/data/TotalCount");
    CHECK(exceed[0].message == "9 items returned but data/TotalCount is 2 (list at /data/RepoSet)");
}
