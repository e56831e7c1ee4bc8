// Issue 17: write scenarios derived from a family's names and shared identifier, or declared in
// contract.json where the names do not show them.
#include <catch2/catch.hpp>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "tests/contract/contract_test_support.hpp"

using namespace conform;

TEST_CASE("scenarios: derived by name and by the listing's item key", "[contract][scenarios]") {
    test::SchemasCopy copy;
    auto uhub = contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir());
    REQUIRE(uhub);
    const auto scenarios = contract::scenarios_of(*uhub);
    REQUIRE(scenarios.size() == 1);
    CHECK(scenarios[0] == contract::Scenario{"Repo",
                                             "CreateRepo",
                                             "UpdateRepo",
                                             "DeleteRepo",
                                             "GetRepo",
                                             "RepoName",
                                             false,
                                             {"DeleteRepoImage"}});
    // DeleteRepoImage requires RepoName too: a delete of what lives inside a Repo
    CHECK(contract::to_json(scenarios[0])["dependents"] == nlohmann::json{"DeleteRepoImage"});
    CHECK(contract::to_json(scenarios[0])["source"] == "derived");
    // a read-only contract has none
    auto tencent = contract::load_contract(copy.dir() / "tencent-ccr", copy.dir());
    REQUIRE(tencent);
    CHECK(contract::scenarios_of(*tencent).empty());

    SECTION("a write that does not require the key is no scenario") {
        copy.edit("ucloud-uhub/DeleteRepo.request.schema.json",
                  [](nlohmann::json& j) { j["required"] = nlohmann::json::array(); });
        auto c = contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir());
        REQUIRE(c);
        CHECK(contract::scenarios_of(*c).empty());
    }
}

TEST_CASE("scenarios: declared in contract.json, checked at load", "[contract][scenarios]") {
    test::SchemasCopy copy;
    SECTION("a declared scenario replaces the derived one of the same create") {
        copy.edit("ucloud-uhub/contract.json", [](nlohmann::json& j) {
            j["scenarios"] = {{{"resource", "Repository"},
                               {"create", "CreateRepo"},
                               {"delete", "DeleteRepo"},
                               {"listing", "GetRepo"}}};
        });
        auto c = contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir());
        REQUIRE(c);
        const auto scenarios = contract::scenarios_of(*c);
        REQUIRE(scenarios.size() == 1);
        CHECK(scenarios[0].name == "Repository");
        CHECK(scenarios[0].update.empty());
        CHECK(scenarios[0].key == "RepoName");
        CHECK(scenarios[0].declared);
    }
    SECTION("a read-only write is an error at its pointer") {
        copy.edit("ucloud-uhub/contract.json", [](nlohmann::json& j) {
            j["scenarios"] = {{{"resource", "Repo"},
                               {"create", "CreateRepo"},
                               {"delete", "GetRepoImage"},
                               {"listing", "GetRepo"}}};
        });
        auto c = contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir());
        REQUIRE_FALSE(c);
        CHECK(c.error().to_string().find("#/scenarios/0/delete") != std::string::npos);
    }
    SECTION("a listing that does not page is an error") {
        copy.edit("ucloud-uhub/contract.json", [](nlohmann::json& j) {
            j["scenarios"] = {{{"resource", "Repo"},
                               {"create", "CreateRepo"},
                               {"delete", "DeleteRepo"},
                               {"listing", "UpdateRepo"}}};
        });
        auto c = contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir());
        REQUIRE_FALSE(c);
        CHECK(c.error().to_string().find("#/scenarios/0/listing") != std::string::npos);
    }
    SECTION("an unknown key is refused by contract.schema.json") {
        copy.edit("ucloud-uhub/contract.json", [](nlohmann::json& j) {
            j["scenarios"] = {{{"resource", "Repo"},
                               {"create", "CreateRepo"},
                               {"delete", "DeleteRepo"},
                               {"listing", "GetRepo"},
                               {"remove", "DeleteRepo"}}};
        });
        CHECK_FALSE(contract::load_contract(copy.dir() / "ucloud-uhub", copy.dir()));
    }
}
