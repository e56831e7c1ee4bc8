#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/checks/pagination.hpp"

using namespace conform;
using core::DeviationId;
using nlohmann::json;

namespace {

checks::PageModel uhub() {
    checks::PageModel m;
    m.offset_param = "Offset";
    m.limit_param = "Limit";
    m.items_pointer = "/RepoSet";
    m.total_pointer = "/TotalCount";
    m.item_key = "RepoName";
    return m;
}

json page(int items, json total) {
    json set = json::array();
    for (int i = 0; i < items; ++i)
        set.push_back({{"RepoName", "r" + std::to_string(i)}});
    return {{"RetCode", 0}, {"TotalCount", std::move(total)}, {"RepoSet", std::move(set)}};
}

std::vector<DeviationId> ids(const std::vector<core::Deviation>& all) {
    std::vector<DeviationId> out;
    for (const auto& d : all)
        out.push_back(d.id);
    return out;
}

} // namespace

TEST_CASE("a page that keeps its promises yields nothing") {
    CHECK(checks::check_page(uhub(), {{"Limit", "3"}, {"Offset", "0"}}, page(3, 10), "GetRepo").empty());
    CHECK(checks::check_page(uhub(), {}, page(20, 45), "GetRepo").empty());
    CHECK(checks::check_page(uhub(), {}, page(5, 5), "GetRepo").empty()); // last page, short
    CHECK(checks::check_page(uhub(), {{"Offset", "10"}}, page(0, 10), "GetRepo").empty());
}

TEST_CASE("over-limit: 9 items for Limit=3") {
    auto all = checks::check_page(uhub(), {{"Limit", "3"}}, page(9, 100), "GetRepo");
    REQUIRE(ids(all) == std::vector{DeviationId::pagination_over_limit});
    CHECK(all[0].actual == "9 items");
}

TEST_CASE("items-exceed-total: TotalCount below the items returned, even as a string") {
    auto all = checks::check_page(uhub(), {{"Limit", "20"}}, page(9, "2"), "GetRepo");
    REQUIRE(ids(all) == std::vector{DeviationId::pagination_items_exceed_total});
}

TEST_CASE("default-limit: without Limit the page is not 20 items") {
    CHECK(ids(checks::check_page(uhub(), {}, page(25, 100), "GetRepo")) ==
          std::vector{DeviationId::pagination_default_limit});
    CHECK(ids(checks::check_page(uhub(), {}, page(10, 100), "GetRepo")) ==
          std::vector{DeviationId::pagination_default_limit});
}

TEST_CASE("past-end: items at an offset at or past the total") {
    CHECK(ids(checks::check_page(uhub(), {{"Offset", "10"}, {"Limit", "5"}}, page(2, 10),
                                 "GetRepo")) == std::vector{DeviationId::pagination_past_end});
}

TEST_CASE("no list, no verdict: a body without the items array is left to the schema check") {
    CHECK(checks::check_page(uhub(), {{"Limit", "3"}}, json{{"RepoSet", "x"}}, "GetRepo").empty());
}
