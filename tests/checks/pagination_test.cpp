#include <catch2/catch.hpp>

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

json page(int items, json total) {
    json set = json::array();
    for (int i = 0; i < items; ++i)
        set.push_back({{"RepoName", "r" + std::to_string(i)}});
    return {{"RetCode", 0}, {"TotalCount", std::move(total)}, {"RepoSet", std::move(set)}};
}

} // namespace

TEST_CASE("a page that keeps its promises yields nothing") {
    CHECK(checks::check_page(uhub(), {{"Limit", "3"}, {"Offset", "0"}}, page(3, 10), "GetRepo")
              .empty());
    CHECK(checks::check_page(uhub(), {}, page(20, 45), "GetRepo").empty());
    CHECK(checks::check_page(uhub(), {}, page(5, 5), "GetRepo").empty()); // last page, short
    CHECK(checks::check_page(uhub(), {{"Offset", "10"}}, page(0, 10), "GetRepo").empty());
}

TEST_CASE("over-limit: 9 items for Limit=3") {
    auto all = checks::check_page(uhub(), {{"Limit", "3"}}, page(9, 100), "GetRepo");
    REQUIRE(test::ids(all) == std::vector{DeviationId::pagination_over_limit});
    CHECK(all[0].actual == "9 items");
}

TEST_CASE("items-exceed-total: TotalCount below the items returned, even as a string") {
    auto all = checks::check_page(uhub(), {{"Limit", "20"}}, page(9, "2"), "GetRepo");
    REQUIRE(test::ids(all) == std::vector{DeviationId::pagination_items_exceed_total});
}

TEST_CASE("default-limit: without Limit the page is not 20 items") {
    CHECK(test::ids(checks::check_page(uhub(), {}, page(25, 100), "GetRepo")) ==
          std::vector{DeviationId::pagination_default_limit});
    CHECK(test::ids(checks::check_page(uhub(), {}, page(10, 100), "GetRepo")) ==
          std::vector{DeviationId::pagination_default_limit});
}

TEST_CASE("past-end: items at an offset at or past the total") {
    CHECK(test::ids(checks::check_page(uhub(), {{"Offset", "10"}, {"Limit", "5"}}, page(2, 10),
                                       "GetRepo")) ==
          std::vector{DeviationId::pagination_past_end});
}

TEST_CASE("no list, no verdict: a body without the items array is left to the schema check") {
    CHECK(checks::check_page(uhub(), {{"Limit", "3"}}, json{{"RepoSet", "x"}}, "GetRepo").empty());
}

namespace {

// Pages of a walk over `total` items with page size `limit`, produced by `serve(offset)`.
std::vector<json> bodies;
std::vector<checks::WalkPage> walk(int total, int limit,
                                   const std::function<json(int offset)>& serve) {
    bodies.clear();
    for (int offset = 0; offset <= total + limit; offset += limit) {
        bodies.push_back(serve(offset));
        if (static_cast<int>(bodies.back()["RepoSet"].size()) < limit)
            break;
    }
    std::vector<checks::WalkPage> pages;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        pages.push_back({{{"Limit", std::to_string(limit)},
                          {"Offset", std::to_string(static_cast<int>(i) * limit)}},
                         bodies[i]});
    return pages;
}

} // namespace

TEST_CASE("a correct walk yields nothing") {
    auto pages = walk(23, 7, [](int o) { return slice(o, std::min(o + 7, 23), 23); });
    CHECK(pages.size() == 4);
    CHECK(checks::check_walk(uhub(), pages, 7, "GetRepo").empty());
}

TEST_CASE("walk: duplicates when pages overlap by one (off-by-one)") {
    auto pages = walk(23, 7, [](int o) {
        return slice(std::max(0, o - 1), std::min(std::max(0, o - 1) + 7, 23), 23);
    });
    // One list to search: iterators of different temporaries cannot be compared.
    const auto found = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    REQUIRE_FALSE(found.empty());
    CHECK(std::find(found.begin(), found.end(), DeviationId::pagination_duplicate) != found.end());

    // Overlapping by two: r5 and r6 come back on page 2; counted both, the first one named.
    auto twice = walk(23, 7, [](int o) {
        return slice(std::max(0, o - 2), std::min(std::max(0, o - 2) + 7, 23), 23);
    });
    const auto all = checks::check_walk(uhub(), twice, 7, "GetRepo");
    const auto duplicate = std::find_if(all.begin(), all.end(), [](const core::Deviation& d) {
        return d.id == DeviationId::pagination_duplicate;
    });
    REQUIRE(duplicate != all.end());
    CHECK(duplicate->count == 2);
    CHECK(duplicate->message.ends_with("first r5"));
}

TEST_CASE("walk: a gap when items are skipped, told apart from a wrong total by a full listing") {
    auto pages =
        walk(23, 7, [](int o) { return slice(o + o / 7, std::min(o + o / 7 + 7, 23), 23); });
    const json everything = slice(0, 23, 23);
    auto found = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo", everything));
    CHECK(std::find(found.begin(), found.end(), DeviationId::pagination_gap) != found.end());
    CHECK(std::find(found.begin(), found.end(), DeviationId::pagination_total_mismatch) ==
          found.end());
    auto without = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    CHECK(std::find(without.begin(), without.end(), DeviationId::pagination_total_mismatch) !=
          without.end());
}

TEST_CASE("walk: without the per-page checks, only what needs several pages") {
    // Eight items on pages of seven (over-limit, a page-level finding), the first seven of
    // every page the same as the page before (offset ignored, a walk-level one).
    bodies = {slice(0, 8, 23), slice(0, 8, 23)};
    std::vector<checks::WalkPage> pages;
    pages.push_back({{{"Limit", "7"}, {"Offset", "0"}}, bodies[0]});
    pages.push_back({{{"Limit", "7"}, {"Offset", "7"}}, bodies[1]});
    const auto all = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    CHECK(std::find(all.begin(), all.end(), DeviationId::pagination_over_limit) != all.end());
    CHECK(std::find(all.begin(), all.end(), DeviationId::pagination_offset_ignored) != all.end());
    const auto walk_level = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo", {}, false));
    CHECK(walk_level == std::vector{DeviationId::pagination_offset_ignored});
}

TEST_CASE("walk: an unstable total") {
    int call = 0;
    auto pages = walk(23, 7, [&](int o) { return slice(o, std::min(o + 7, 23), 23 + call++); });
    auto found = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    CHECK(std::find(found.begin(), found.end(), DeviationId::pagination_total_unstable) !=
          found.end());
}

TEST_CASE("walk: offset ignored") {
    std::vector<checks::WalkPage> pages;
    bodies = {slice(0, 7, 23), slice(0, 7, 23)};
    pages.push_back({{{"Limit", "7"}, {"Offset", "0"}}, bodies[0]});
    pages.push_back({{{"Limit", "7"}, {"Offset", "7"}}, bodies[1]});
    auto found = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    CHECK(found == std::vector{DeviationId::pagination_offset_ignored});
}

TEST_CASE("walk: the total disagrees with what a full walk returned") {
    auto pages = walk(23, 7, [](int o) { return slice(o, std::min(o + 7, 23), 30); });
    auto found = test::ids(checks::check_walk(uhub(), pages, 7, "GetRepo"));
    CHECK(std::find(found.begin(), found.end(), DeviationId::pagination_total_mismatch) !=
          found.end());
}

namespace {

// The walk-level findings from the pages' facts (as replay judges a walk: each page's facts
// taken when it was judged, the bodies gone since), as "id: message" lines.
std::vector<std::string> from_facts(const std::vector<checks::WalkPage>& pages) {
    std::vector<checks::PageFacts> facts;
    for (const checks::WalkPage& p : pages)
        facts.push_back(checks::page_facts(uhub(), p.body));
    bodies.clear(); // the facts own what they read
    std::vector<const checks::PageFacts*> walked;
    for (const checks::PageFacts& f : facts)
        walked.push_back(&f);
    std::vector<std::string> out;
    for (const core::Deviation& d : checks::check_walk(uhub(), walked, 7, "GetRepo"))
        out.push_back(std::string(core::name_of(d.id)) + ": " + d.message);
    return out;
}

std::vector<std::string> from_pages(const std::vector<checks::WalkPage>& pages) {
    std::vector<std::string> out;
    for (const core::Deviation& d : checks::check_walk(uhub(), pages, 7, "GetRepo", {}, false))
        out.push_back(std::string(core::name_of(d.id)) + ": " + d.message);
    return out;
}

} // namespace

TEST_CASE("walk: from the pages' facts, the same findings as from the pages") {
    const std::vector<std::function<json(int)>> servers = {
        [](int o) { return slice(o, std::min(o + 7, 23), 23); }, // correct
        [](int o) { return slice(std::max(0, o - 1), std::min(std::max(0, o - 1) + 7, 23), 23); },
        [](int o) { return slice(o + o / 7, std::min(o + o / 7 + 7, 23), 23); }, // gap
        [](int o) { return slice(o, std::min(o + 7, 23), 23 + o); },             // unstable
        [](int o) { return slice(o, std::min(o + 7, 23), 30); },                 // mismatch
        [](int) { return slice(0, 7, 23); },                                     // ignored
    };
    std::size_t deviating = 0;
    for (const auto& serve : servers) {
        auto pages = walk(23, 7, serve);
        if (pages.size() > 5)
            pages.resize(5); // an ignored offset never ends
        const auto expected = from_pages(pages);
        deviating += expected.empty() ? 0 : 1;
        CHECK(from_facts(pages) == expected);
    }
    CHECK(deviating == servers.size() - 1);
}

TEST_CASE("page facts: identities by the key, else the whole item; a relocated list said") {
    const json keyless = {{"RetCode", 0},
                          {"TotalCount", 2},
                          {"RepoSet", json::array({json{{"Other", 1}}, json{{"RepoName", 7}}})}};
    const checks::PageFacts f = checks::page_facts(uhub(), keyless);
    REQUIRE(f.items() == 2);
    CHECK(f.id(0) == R"({"Other":1})");
    CHECK(f.id(1) == "7");
    CHECK(f.total == 2);
    CHECK_FALSE(f.relocated);

    const json nested = {{"RetCode", 0}, {"data", {{"RepoSet", slice(0, 3, 3)["RepoSet"]}}}};
    const checks::PageFacts moved = checks::page_facts(uhub(), nested);
    CHECK(moved.has_list);
    CHECK(moved.relocated);
    CHECK(moved.items_pointer == "/data/RepoSet");
}
