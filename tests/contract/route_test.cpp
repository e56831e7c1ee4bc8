// Contract::route: which operation an exchange is, from the routing query parameter.

#include <catch2/catch.hpp>

#include "runner/contract/contract.hpp"
#include "tests/contract/contract_test_support.hpp"

using namespace conform;
using Catch::Matchers::Contains;

namespace {

const contract::Contract& ucloud() {
    static const contract::Contract c = [] {
        auto loaded = contract::load_contract(test::seed_schemas_dir() / "ucloud-uhub");
        if (!loaded)
            throw std::runtime_error(loaded.error().to_string());
        return std::move(loaded).value();
    }();
    return c;
}

} // namespace

TEST_CASE("route picks the operation the Action parameter names", "[route]") {
    auto op = ucloud().route({{"ProjectId", "DPQzQxpe"},
                              {"Action", "GetRepo"},
                              {"Limit", "3"},
                              {"ProjectId", "uhpPXDet"}});
    if (!op)
        FAIL(op.error().to_string());
    CHECK((*op)->name == "GetRepo");
    CHECK(*op == ucloud().find_operation("GetRepo"));
}

TEST_CASE("route accepts the routing parameter repeated with the same value", "[route]") {
    auto op = ucloud().route({{"Action", "GetRepo"}, {"Action", "GetRepo"}});
    REQUIRE(op);
    CHECK((*op)->name == "GetRepo");
}

TEST_CASE("route reports an unknown operation with what the contract has", "[route]") {
    auto unknown = ucloud().route({{"Action", "DeleteTag"}});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().message ==
          "Action=DeleteTag names no operation of ucloud-uhub (it has: CreateRepo, DeleteRepo, "
          "DeleteRepoImage, GetImageTag, GetRepo, GetRepoImage, UpdateRepo)");

    auto near = ucloud().route({{"Action", "GetRepos"}});
    REQUIRE_FALSE(near);
    CHECK_THAT(near.error().message, Contains("(did you mean GetRepo?)"));
}

TEST_CASE("route reports a missing, empty or ambiguous Action", "[route]") {
    auto missing = ucloud().route({{"Limit", "3"}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message ==
          "the query has no \"Action\" parameter, which names the ucloud-uhub operation");

    auto no_query = ucloud().route({});
    REQUIRE_FALSE(no_query);
    CHECK_THAT(no_query.error().message, Contains("no \"Action\" parameter"));

    auto lower = ucloud().route({{"action", "GetRepo"}});
    REQUIRE_FALSE(lower);
    CHECK_THAT(lower.error().message,
               Contains("(it has \"action\"; parameter names are case-sensitive)"));

    auto empty = ucloud().route({{"Action", ""}});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "the query's \"Action\" parameter is empty");

    auto twice = ucloud().route({{"Action", "GetRepo"}, {"Action", "DeleteRepo"}});
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message ==
          "the query names two operations: Action=GetRepo and Action=DeleteRepo");
}
