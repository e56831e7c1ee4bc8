// The named checks on hand-made exchanges: each check reports the deviation it exists for, and
// stays silent on the conforming answer (a check that cannot fail is a defect).
#include <catch2/catch.hpp>

#include <memory>

#include <nlohmann/json.hpp>

#include "runner/checks/checks.hpp"
#include "tests/support/contracts.hpp"

using namespace conform;
using core::DeviationId;
using nlohmann::json;

namespace {

http::Exchange answer(const json& body, http::QueryParams query = {}, int status = 200,
                      std::string type = "application/json") {
    http::Exchange x;
    x.request.base_url = "http://127.0.0.1:1/";
    x.request.query = std::move(query);
    x.response = http::Response{status, {{"Content-Type", std::move(type)}}, body.dump()};
    return x;
}

json item(int i) {
    return {{"RepoName", "repo-" + std::to_string(i)},
            {"Description", "d"},
            {"CreateTime", "2026-01-01 00:00:00"},
            {"UpdateTime", "2026-01-02 00:00:00"},
            {"IsShared", "true"},
            {"IsOutSide", "false"}};
}

json page(int from, int count, int total) {
    json items = json::array();
    for (int i = from; i < from + count; ++i)
        items.push_back(item(i));
    return {{"Action", "GetRepoResponse"},
            {"RetCode", 0},
            {"Message", ""},
            {"TotalCount", total},
            {"RepoSet", items}};
}

// Runs one named check over the exchanges and returns the ids it found. found_once: read as
// replay reads them, parsed by simdjson with success and listing found once (find_once).
std::vector<DeviationId> run(std::string_view check, const contract::Case& c,
                             const std::vector<http::Exchange>& xs,
                             const std::vector<checks::Observed::Role>& roles = {},
                             bool found_once = false) {
    std::vector<checks::Observed> observed;
    std::vector<std::unique_ptr<core::FastParser>> parsers;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const auto role = i < roles.size() ? roles[i] : checks::Observed::Role::page;
        if (!found_once) {
            observed.push_back(checks::Observed::of(xs[i], role));
            continue;
        }
        auto& parser = *parsers.emplace_back(std::make_unique<core::FastParser>());
        observed.push_back(checks::Observed::of(xs[i], parser, role));
        observed.back().find_once(test::ucloud_contract(),
                                  test::ucloud_contract().find_operation("GetRepo"));
    }
    const checks::CheckInfo* info = checks::find_check(check);
    REQUIRE(info);
    checks::CheckContext ctx{test::ucloud_contract(),
                             test::ucloud_contract().find_operation("GetRepo"), c, observed};
    std::vector<DeviationId> out;
    for (const checks::Finding& f : info->run(ctx)) {
        CHECK(f.exchange < xs.size());
        out.push_back(f.deviation.id);
    }
    return out;
}

contract::Case single(contract::CaseKind kind = contract::CaseKind::single,
                      contract::Expectation expect = contract::Expectation::success) {
    contract::Case c;
    c.name = "t";
    c.kind = kind;
    c.expect = expect;
    return c;
}

const json k_error = {{"Action", "GetRepoResponse"}, {"RetCode", 230}, {"Message", "bad Limit"}};

} // namespace

TEST_CASE("registry: one row per check, names as DESIGN.md and the cases files use them") {
    std::vector<std::string> names;
    for (const auto& c : checks::checks())
        names.emplace_back(c.name);
    CHECK(names == std::vector<std::string>{"http", "envelope", "schema", "pagination.page",
                                            "pagination.walk", "negative", "auth", "state"});
    // the write scenarios judge state themselves: no case kind runs it from here
    for (const contract::CaseKind kind : {contract::CaseKind::single, contract::CaseKind::walk,
                                          contract::CaseKind::negative, contract::CaseKind::auth})
        CHECK_FALSE(checks::applies(*checks::find_check("state"), single(kind)));
    CHECK(checks::find_check("nope") == nullptr);
    auto c = single();
    c.checks = {"schema"};
    CHECK(checks::applies(*checks::find_check("schema"), c));
    CHECK_FALSE(checks::applies(*checks::find_check("http"), c));
    CHECK_FALSE(checks::applies(*checks::find_check("auth"), single()));
}

TEST_CASE("check http: transport failure, status, non-JSON body, media type") {
    CHECK(run("http", single(), {answer(page(0, 2, 2))}).empty());
    http::Exchange failed;
    failed.failure = http::TransportFailure{http::FailureKind::read_timeout, "read timeout"};
    CHECK(run("http", single(), {failed}) == std::vector{DeviationId::http_transport});
    CHECK(run("http", single(), {answer(page(0, 2, 2), {}, 500)}) ==
          std::vector{DeviationId::http_status});
    http::Exchange html = answer({});
    html.response->status = 502;
    html.response->headers = {{"Content-Type", "text/html"}};
    html.response->body = "<html>Bad Gateway</html>";
    CHECK(run("http", single(), {html}) ==
          std::vector{DeviationId::http_status, DeviationId::http_content_type});
    CHECK(run("http", single(), {answer(page(0, 1, 1), {}, 200, "text/plain")}) ==
          std::vector{DeviationId::http_content_type});
}

TEST_CASE("check schema: RepoSet strings are one type.mismatch; errors are not schema-checked") {
    CHECK(run("schema", single(), {answer(page(0, 3, 3))}).empty());
    json strings = page(0, 0, 9);
    for (int i = 0; i < 9; ++i)
        strings["RepoSet"].push_back("repo-" + std::to_string(i));
    CHECK(run("schema", single(), {answer(strings)}) == std::vector{DeviationId::type_mismatch});
    CHECK(run("schema", single(), {answer(k_error)}).empty());
}

TEST_CASE("check envelope and negative: refusal expected, success given") {
    CHECK(run("envelope", single(), {answer(page(0, 1, 1))}).empty());
    CHECK(run("envelope", single(), {answer(k_error)}) ==
          std::vector{DeviationId::envelope_status});
    const auto negative =
        single(contract::CaseKind::negative, contract::Expectation::refusal_preferred);
    CHECK(run("negative", negative, {answer(k_error)}).empty());
    CHECK(run("negative", negative, {answer(page(0, 1, 1))}) ==
          std::vector{DeviationId::envelope_status});
    CHECK(run("negative", negative, {answer({{"RetCode", 230}})}) ==
          std::vector{DeviationId::envelope_shape, DeviationId::envelope_shape});
}

TEST_CASE("check auth: an accepted unsigned or wrongly signed request") {
    auto c = single(contract::CaseKind::auth, contract::Expectation::refusal);
    c.signing = contract::Signing::none;
    const json refused = {
        {"Action", "GetRepoResponse"}, {"RetCode", 170}, {"Message", "Missing Signature"}};
    CHECK(run("auth", c, {answer(refused)}).empty());
    CHECK(run("auth", c, {answer(page(0, 1, 1))}) ==
          std::vector{DeviationId::auth_unsigned_accepted});
    c.signing = contract::Signing::bad_signature;
    CHECK(run("auth", c, {answer(page(0, 1, 1))}) ==
          std::vector{DeviationId::auth_bad_signature_accepted});
}

TEST_CASE("check pagination.page: Limit=3 answered with 9 items") {
    http::QueryParams q{{"Action", "GetRepo"}, {"Limit", "3"}};
    CHECK(run("pagination.page", single(), {answer(page(0, 3, 9), q)}).empty());
    CHECK(run("pagination.page", single(), {answer(page(0, 9, 9), q)}) ==
          std::vector{DeviationId::pagination_over_limit});
}

TEST_CASE("check pagination.walk: a duplicate across pages, found through the exchanges") {
    auto c = single(contract::CaseKind::walk);
    c.walk_limit = 2;
    using Role = checks::Observed::Role;
    auto q = [](int offset) {
        return http::QueryParams{
            {"Action", "GetRepo"}, {"Offset", std::to_string(offset)}, {"Limit", "2"}};
    };
    const std::vector<Role> roles{Role::page, Role::page, Role::page, Role::full_listing};
    CHECK(run("pagination.walk", c,
              {answer(page(0, 2, 5), q(0)), answer(page(2, 2, 5), q(2)),
               answer(page(4, 1, 5), q(4)), answer(page(0, 5, 5), q(0))},
              roles)
              .empty());
    CHECK(run("pagination.walk", c,
              {answer(page(0, 2, 5), q(0)), answer(page(1, 2, 5), q(2)),
               answer(page(3, 1, 5), q(4)), answer(page(0, 5, 5), q(0))},
              roles) ==
          std::vector{DeviationId::pagination_duplicate, DeviationId::pagination_gap});
}

TEST_CASE("is_throttled: 429 and rate-limit envelopes, never a plain error") {
    auto observed = [](const http::Exchange& x) { return checks::Observed::of(x); };
    const auto throttled = answer({}, {}, 429);
    CHECK(checks::is_throttled(test::ucloud_contract(), observed(throttled)));
    CHECK_FALSE(checks::is_throttled(test::ucloud_contract(), observed(answer(k_error))));
    const auto limited = answer({{"RetCode", 151}, {"Message", "Rate limit exceeded"}});
    CHECK(checks::is_throttled(test::ucloud_contract(), observed(limited)));
    CHECK_FALSE(checks::is_throttled(test::ucloud_contract(), observed(answer(page(0, 1, 1)))));
}

TEST_CASE("what several checks read of a page, found once, gives the same findings") {
    json strings = page(0, 0, 9);
    for (int i = 0; i < 9; ++i)
        strings["RepoSet"].push_back("repo-" + std::to_string(i));
    json string_total = page(0, 3, 3);
    string_total["TotalCount"] = "3";
    json relocated = {{"Action", "GetRepoResponse"}, {"RetCode", 0}, {"Message", ""}};
    relocated["Data"] = {{"TotalCount", 2}, {"RepoSet", page(0, 2, 2)["RepoSet"]}};
    const std::vector<http::Exchange> pages = {
        answer(page(0, 3, 3)),                     // conforming
        answer(page(0, 9, 100), {{"Limit", "3"}}), // over-limit
        answer(page(5, 3, 4), {{"Offset", "5"}}),  // past the total
        answer(strings),
        answer(string_total),
        answer(relocated),
        answer(k_error)};
    std::size_t found = 0;
    for (const http::Exchange& x : pages)
        for (const checks::CheckInfo& check : checks::checks()) {
            if (check.id == checks::CheckId::pagination_walk)
                continue; // several pages: below
            INFO(check.name << " on " << x.response->body);
            const auto once = run(check.name, single(), {x}, {}, true);
            CHECK(once == run(check.name, single(), {x}));
            found += once.size();
        }
    CHECK(found >= 4); // the pages above deviate: the comparison is not of empty lists only
    auto walk = single(contract::CaseKind::walk);
    walk.walk_limit = 2;
    const std::vector<http::Exchange> walked = {
        answer(page(0, 2, 3), {{"Limit", "2"}}),
        answer(page(1, 2, 3), {{"Limit", "2"}, {"Offset", "2"}})};
    const auto walk_once = run("pagination.walk", walk, walked, {}, true);
    CHECK(walk_once == run("pagination.walk", walk, walked));
    CHECK_FALSE(walk_once.empty());

    // Found once only over a viewed body, and only for the envelope and model it was found for.
    const contract::Contract& ucloud = test::ucloud_contract();
    const contract::Operation* get_repo = ucloud.find_operation("GetRepo");
    const http::Exchange over = answer(page(0, 9, 100), {{"Limit", "3"}});
    checks::Observed own = checks::Observed::of(over);
    own.find_once(ucloud, get_repo);
    CHECK_FALSE(own.found);
    core::FastParser parser;
    checks::Observed viewed = checks::Observed::of(over, parser);
    viewed.find_once(ucloud, get_repo);
    REQUIRE(viewed.found);
    CHECK(viewed.found->success);
    REQUIRE(viewed.found->listing.items);
    CHECK(viewed.found->listing.items->size() == 9);
    CHECK(viewed.found->listing.total == 100);
    contract::Envelope refusing = ucloud.envelope;
    refusing.code.success = 230;
    CHECK(viewed.succeeded(ucloud.envelope));
    CHECK_FALSE(viewed.succeeded(refusing)); // found for another envelope: found anew
    contract::Pagination other = *get_repo->pagination;
    other.items_pointer = "/Nowhere";
    CHECK_FALSE(viewed.listing_in(other).items);
    CHECK(viewed.listing_in(*get_repo->pagination).items->size() == 9);
}
