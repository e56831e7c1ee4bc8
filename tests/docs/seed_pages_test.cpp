// The three seed pages from ../shared/api-docs: key facts of each import, and the committed
// contract files in schemas/<contract>/ must be exactly what the importer makes of them today.

#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/docs/docs_test_support.hpp"
#include "tests/support/shared.hpp"

using namespace conform;
using nlohmann::json;
using test::json_file;
using test::line_containing;

using test::k_schemas;

namespace {

struct Seed {
    const char* page; // under ../shared/api-docs
    const char* doc;  // the page's file name, as x-source and contract.json name it
    const char* contract;
    const char* operation;
};
// ucloud-uhub is the UHub family folder; its GetRepo page is the seed page's text in UCloud's
// own layout.
constexpr Seed k_seeds[] = {
    {"tencent-ccr.GetFavor.en.md", "tencent-ccr.GetFavor.en.md", "tencent-ccr", "GetFavor"},
    {"ucloud/uhub-api/get_repo.md", "get_repo.md", "ucloud-uhub", "GetRepo"},
    {"genesissai-uhub.GetRepo.en.md", "genesissai-uhub.GetRepo.en.md", "genesissai-uhub",
     "GetRepo"},
};

std::filesystem::path page_path(const Seed& seed) {
    return *test::shared_dir() / "api-docs" / seed.page;
}

// Imports with the committed overlays, as `conform import` does for schemas/<contract>/.
docs::ImportResult import_seed(const Seed& seed) {
    auto result = docs::import_file(page_path(seed), {seed.contract, k_schemas / seed.contract});
    INFO(seed.page);
    INFO(seed.doc);
    if (!result)
        FAIL(result.error().to_string());
    return std::move(result).value();
}

} // namespace

TEST_CASE("Tencent CCR GetFavor page", "[docs][seed]") {
    CONFORM_REQUIRE_SHARED("Tencent GetFavor import");
    const Seed& seed = k_seeds[0];
    const std::string page = test::read_text(page_path(seed));
    const docs::ImportResult result = import_seed(seed);
    CHECK(result.operation == "GetFavor");
    CHECK(result.warnings.empty());
    CHECK(result.overlay_applied == "GetFavor.overlay.json");

    const json request = json_file(result, "GetFavor.request.schema.json");
    CHECK(request["properties"]["limit"]["default"] == 20);
    CHECK(request["properties"]["offset"]["default"] == 0);
    CHECK(request["properties"]["limit"]["type"] == "integer");
    CHECK(request["properties"]["limit"]["x-source"] ==
          test::source(seed.doc, line_containing(page, "| limit |")));

    const json response = json_file(result, "GetFavor.response.schema.json");
    CHECK(response["$schema"] == "https://json-schema.org/draft/2020-12/schema");
    CHECK(response["$id"] ==
          "https://conform.dev/schemas/tencent-ccr/GetFavor.response.schema.json");
    CHECK(response["additionalProperties"] == false);
    // the table says String although the sample sends 1: the table is the contract
    CHECK(response["properties"]["totalCount"]["type"] == "string");
    CHECK(response["properties"]["totalCount"]["x-source"] ==
          test::source(seed.doc, line_containing(page, "| totalCount |")));
    CHECK(response["properties"]["repoInfo"]["items"]["$ref"] == "#/$defs/repoInfo");
    CHECK(response["$defs"]["repoInfo"]["properties"]["isQcloudOfficial"]["type"] == "boolean");
    CHECK(response["$defs"]["repoInfo"]["properties"]["reponame"]["x-source"] ==
          test::source(seed.doc, line_containing(page, "| reponame |")));
    // the overlay: the status envelope and the documented list are required, so the sample's
    // "data" wrapper is reported rather than absorbed
    for (const char* field : {"code", "codeDesc", "message", "repoInfo", "totalCount"})
        CHECK(std::find(response["required"].begin(), response["required"].end(), field) !=
              response["required"].end());
    CHECK_FALSE(response["properties"].contains("data"));

    const json operation = json_file(result, "GetFavor.operation.json");
    CHECK(operation["name"] == "GetFavor");
    CHECK(operation["method"] == "GET");
    CHECK(operation["source"] ==
          test::source(seed.doc, line_containing(page, "This API (GetFavor)")));
    CHECK(operation["pagination"] == json{{"offset_param", "offset"},
                                          {"offset_default", 0},
                                          {"limit_param", "limit"},
                                          {"limit_default", 20},
                                          {"items_pointer", "/repoInfo"},
                                          {"total_pointer", "/totalCount"},
                                          {"item_key", "reponame"}});

    const json sample = json::parse(test::file_named(result, "GetFavor.samples.jsonl")->content);
    CHECK(sample["request"]["query"] ==
          json::parse(R"([["Action","GetFavor"],["limit","20"],["offset","0"]])"));
    CHECK(sample["response"]["status"] == 200);
    CHECK(sample["response"]["body"]["data"]["totalCount"] == 1);
    CHECK(sample["source"] == test::source(seed.doc, line_containing(page, "?Action=GetFavor")));
}

TEST_CASE("UCloud UHub GetRepo pages, Chinese and English", "[docs][seed]") {
    CONFORM_REQUIRE_SHARED("UCloud GetRepo import");
    for (const Seed& seed : {k_seeds[1], k_seeds[2]}) {
        INFO(seed.doc);
        const std::string page = test::read_text(page_path(seed));
        const docs::ImportResult result = import_seed(seed);
        CHECK(result.operation == "GetRepo");
        CHECK(result.warnings.empty());

        const json request = json_file(result, "GetRepo.request.schema.json");
        CHECK(request["properties"]["Limit"]["default"] == 20);
        CHECK(request["properties"]["Offset"]["default"] == 0);
        CHECK(request["properties"]["Limit"]["x-source"] ==
              test::source(seed.doc, line_containing(page, "| **Limit** |")));
        CHECK_FALSE(request.contains("required"));
        // each page keeps its own words for the Type enum (the overlay)
        const json expected_enum = std::string(seed.contract) == "ucloud-uhub"
                                       ? json::array({"private", "public"})
                                       : json::array({"Private", "Public"});
        CHECK(request["properties"]["Type"]["enum"] == expected_enum);

        const json response = json_file(result, "GetRepo.response.schema.json");
        CHECK(response["properties"]["RepoSet"]["items"]["$ref"] == "#/$defs/RepoSet");
        CHECK(response["properties"]["TotalCount"]["type"] == "integer");
        CHECK(response["required"] == json::array({"RetCode", "Action", "TotalCount", "RepoSet"}));
        const json& repo = response["$defs"]["RepoSet"];
        CHECK(repo["additionalProperties"] == false);
        CHECK(repo["required"].size() == 6);
        CHECK(repo["properties"]["IsShared"]["type"] == "string");
        CHECK(repo["properties"]["RepoName"]["x-source"] ==
              test::source(seed.doc, line_containing(page, "| **RepoName** |")));

        const json operation = json_file(result, "GetRepo.operation.json");
        CHECK(operation["source"] == test::source(seed.doc, line_containing(page, "`GetRepo`")));
        CHECK(operation["pagination"] == json{{"offset_param", "Offset"},
                                              {"offset_default", 0},
                                              {"limit_param", "Limit"},
                                              {"limit_default", 20},
                                              {"items_pointer", "/RepoSet"},
                                              {"total_pointer", "/TotalCount"},
                                              {"item_key", "RepoName"}});

        const json sample = json::parse(test::file_named(result, "GetRepo.samples.jsonl")->content);
        // order and the repeated ProjectId are kept
        CHECK(sample["request"]["query"] ==
              json::parse(R"([["Action","GetRepo"],["ProjectId","DPQzQxpe"],["Type","EzVxntiX"],
                             ["Offset","1"],["Limit","3"],["ProjectId","uhpPXDet"]])"));
        CHECK(sample["response"]["body"]["RepoSet"].size() == 9);
    }
}

TEST_CASE("the committed contract files are what the importer makes of the pages today",
          "[docs][seed][staleness]") {
    CONFORM_REQUIRE_SHARED("staleness of schemas/<contract>/");
    for (const Seed& seed : k_seeds) {
        const docs::ImportResult result = import_seed(seed);
        for (const docs::GeneratedFile& file : result.files) {
            const std::filesystem::path committed = k_schemas / seed.contract / file.name;
            auto text = core::read_text_file(committed);
            const bool fresh = text && *text == file.content;
            INFO("stale: schemas/" << seed.contract << "/" << file.name
                                   << " differs from a fresh import of " << seed.doc
                                   << "; run: conform import ../shared/api-docs/" << seed.page);
            CHECK(fresh);
        }
    }
}

TEST_CASE("importing a seed page twice gives the same bytes", "[docs][seed]") {
    CONFORM_REQUIRE_SHARED("seed import determinism");
    for (const Seed& seed : k_seeds) {
        INFO(seed.doc);
        const docs::ImportResult first = import_seed(seed);
        const docs::ImportResult second = import_seed(seed);
        REQUIRE(first.files.size() == 4);
        REQUIRE(second.files.size() == 4);
        for (std::size_t i = 0; i < first.files.size(); ++i) {
            CHECK(first.files[i].name == second.files[i].name);
            CHECK(first.files[i].content == second.files[i].content);
        }
    }
}

TEST_CASE("contract.json agrees with the imported operations", "[docs][seed]") {
    CONFORM_REQUIRE_SHARED("contract.json against the imports");
    for (const Seed& seed : k_seeds) {
        INFO(seed.contract);
        const std::filesystem::path dir = k_schemas / seed.contract;
        auto contract = core::load_json_file(dir / "contract.json");
        REQUIRE(contract);
        CHECK((*contract)["name"] == seed.contract);
        CHECK((*contract)["routing"] == json{{"in", "query"}, {"param", "Action"}});
        const json& op = (*contract)["operations"][seed.operation];
        CHECK(op["doc"] == seed.doc);
        CHECK(std::filesystem::exists(page_path(seed)));
        for (const char* key :
             {"operation", "request_schema", "response_schema", "samples", "overlay"})
            CHECK(std::filesystem::exists(dir / op[key].get<std::string>()));
        auto operation = core::load_json_file(dir / op["operation"].get<std::string>());
        REQUIRE(operation);
        CHECK(op["pagination"] == (*operation)["pagination"]);
        CHECK(op["method"] == (*operation)["method"]);
        const json& read_only = (*contract)["read_only"];
        CHECK(std::find(read_only.begin(), read_only.end(), seed.operation) != read_only.end());
        const std::string base = (*contract)["base_url"];
        if (std::string(seed.contract) != "tencent-ccr") // Tencent's sample host is "domain"
            CHECK(json::parse(
                      test::read_text(dir / op["samples"].get<std::string>()))["request"]["url"]
                      .get<std::string>()
                      .starts_with(base));
    }
}
