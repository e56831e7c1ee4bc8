// The importer on pages written for these tests (tests/docs/fixtures, inline pages): both
// families, both languages, other operations, and every way a page can be unreadable.

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/docs/docs_test_support.hpp"

using namespace conform;
using nlohmann::json;
using test::has_warning;
using test::import_text;
using test::json_file;
using test::line_containing;

namespace {

const std::filesystem::path k_fixtures = CONFORM_DOCS_FIXTURES;

docs::ImportResult import_fixture(const std::string& name) {
    auto result = docs::import_file(k_fixtures / name, {});
    INFO(name);
    if (!result)
        FAIL(result.error().to_string());
    return std::move(result).value();
}

const char* k_minimal_response = "## Output Parameters\n\n"
                                 "| Parameter Name | Description | Type |\n"
                                 "|---|---|---|\n"
                                 "| code | status | Int |\n";

} // namespace

TEST_CASE("Tencent-style Chinese page: 是/否, 字段详细说明, named sub-tables", "[docs][import]") {
    const std::string doc = "acme-tcr.DescribeWidgets.zh.md";
    const std::string page = test::read_text(k_fixtures / doc);
    const docs::ImportResult result = import_fixture(doc);
    CHECK(result.operation == "DescribeWidgets");
    CHECK(result.warnings.empty());

    const json request = json_file(result, "DescribeWidgets.request.schema.json");
    CHECK(request["required"] == json::array({"zoneId"}));
    CHECK(request["properties"]["limit"]["default"] == 50);
    CHECK(request["properties"]["offset"]["default"] == 0);
    CHECK(request["properties"]["color"]["default"] == "blue");
    CHECK(request["properties"]["zoneId"]["x-source"] ==
          test::source(doc, line_containing(page, "| zoneId | 是 |")));

    const json response = json_file(result, "DescribeWidgets.response.schema.json");
    CHECK(response["properties"]["widgetSet"]["items"]["$ref"] == "#/$defs/WidgetInfo");
    const json& widget = response["$defs"]["WidgetInfo"];
    CHECK(widget["additionalProperties"] == false);
    CHECK(widget["properties"]["owner"]["$ref"] == "#/$defs/owner");
    CHECK(widget["properties"]["labels"]["items"] == json{{"type", "string"}});
    CHECK(response["$defs"]["owner"]["properties"]["uin"]["minimum"] == 0);

    const json operation = json_file(result, "DescribeWidgets.operation.json");
    CHECK(operation["source"] ==
          test::source(doc, line_containing(page, "本接口（DescribeWidgets）")));
    CHECK(operation["pagination"] == json{{"offset_param", "offset"},
                                          {"offset_default", 0},
                                          {"limit_param", "limit"},
                                          {"limit_default", 50},
                                          {"items_pointer", "/widgetSet"},
                                          {"total_pointer", "/totalCount"},
                                          {"item_key", "widgetId"}});

    const json sample =
        json::parse(test::file_named(result, "DescribeWidgets.samples.jsonl")->content);
    CHECK(sample["request"]["query"] ==
          json::parse(R"([["Action","DescribeWidgets"],["offset","0"],["limit","2"]])"));
    CHECK(sample["response"]["body"]["widgetSet"][0]["owner"]["uin"] == 42);
}

TEST_CASE("UCloud-style English page: nested data models and the Action row", "[docs][import]") {
    const std::string doc = "acme-cloud.ListBuckets.en.md";
    const std::string page = test::read_text(k_fixtures / doc);
    const docs::ImportResult result = import_fixture(doc);
    CHECK(result.operation == "ListBuckets");
    CHECK(result.warnings.empty());

    const json request = json_file(result, "ListBuckets.request.schema.json");
    CHECK(request["required"] == json::array({"Region"}));
    CHECK(request["properties"]["Limit"]["default"] == 30);
    CHECK(request["properties"]["WithTags"]["default"] == false);
    CHECK_FALSE(request.contains("additionalProperties")); // signing parameters ride along

    const json response = json_file(result, "ListBuckets.response.schema.json");
    CHECK(response["required"] == json::array({"RetCode", "Action", "TotalCount", "DataSet"}));
    CHECK(response["properties"]["DataSet"]["items"]["$ref"] == "#/$defs/BucketInfo");
    CHECK(response["$defs"]["BucketInfo"]["properties"]["Tags"]["items"]["$ref"] ==
          "#/$defs/TagPair");
    CHECK(response["$defs"]["TagPair"]["required"] == json::array({"Key", "Value"}));
    CHECK(response["$defs"]["BucketInfo"]["properties"]["BucketName"]["x-source"] ==
          test::source(doc, line_containing(page, "| **BucketName** |")));

    const json operation = json_file(result, "ListBuckets.operation.json");
    CHECK(operation["source"]["line"] == line_containing(page, "| **Action**"));
    CHECK(operation["pagination"]["item_key"] == "BucketName");
    CHECK(operation["pagination"]["items_pointer"] == "/DataSet");
}

TEST_CASE("Tencent API 3.0 English page: common rows, request models, POST sample",
          "[docs][import]") {
    const std::string doc = "acme-tcr.DescribeGadgets.en.md";
    const std::string page = test::read_text(k_fixtures / doc);
    const docs::ImportResult result = import_fixture(doc);
    CHECK(result.operation == "DescribeGadgets");

    const json request = json_file(result, "DescribeGadgets.request.schema.json");
    CHECK_FALSE(request["properties"].contains("Action"));
    CHECK_FALSE(request["properties"].contains("Version"));
    CHECK(request["properties"]["Filters.N"]["items"]["$ref"] == "#/$defs/Filter");
    CHECK(request["$defs"]["Filter"]["required"] == json::array({"Name", "Values"}));

    // "Array of [Gadget](...)" names a model documented on another page: a warning, and the
    // items keep a $comment instead of a silent {}.
    const std::size_t gadget_line = line_containing(page, "| GadgetSet |");
    CHECK(has_warning(result, gadget_line, "unknown type word 'Gadget'"));
    const json response = json_file(result, "DescribeGadgets.response.schema.json");
    const json& gadgets = response["properties"]["GadgetSet"];
    CHECK(gadgets["type"] == json::array({"array", "null"})); // "may return null"
    CHECK(gadgets["items"]["$comment"].get<std::string>().find("Gadget") != std::string::npos);

    const json sample =
        json::parse(test::file_named(result, "DescribeGadgets.samples.jsonl")->content);
    CHECK(sample["request"]["method"] == "POST");
    CHECK(sample["request"]["url"] == "https://gadget.example.com/");
    CHECK(sample["request"]["body"] == json{{"Limit", 1}});
    CHECK(json_file(result, "DescribeGadgets.operation.json")["method"] == "POST");
}

TEST_CASE("an unnamed sub-table belongs to the Object Array field, and a disagreeing sample warns",
          "[docs][import]") {
    const std::string doc = "acme-tcr.GetThings.zh.md";
    const std::string page = test::read_text(k_fixtures / doc);
    const docs::ImportResult result = import_fixture(doc);
    CHECK(result.operation == "GetThings"); // the prose wins over the sample's Action=ThingHub
    CHECK(has_warning(result, line_containing(page, "Action=ThingHub"), "ThingHub"));
    const json response = json_file(result, "GetThings.response.schema.json");
    CHECK(response["properties"]["thingInfo"]["items"]["$ref"] == "#/$defs/thingInfo");
    CHECK(response["$defs"]["thingInfo"]["properties"]["isShared"]["type"] == "boolean");
    const json sample = json::parse(test::file_named(result, "GetThings.samples.jsonl")->content);
    CHECK(sample["request"]["query"] == json::parse(R"([["Action","ThingHub"],["offset","0"]])"));
}

TEST_CASE("a list documented inside a data object pages through it", "[docs][import]") {
    const docs::ImportResult result = import_fixture("acme-tcr.ListQueues.en.md");
    CHECK(result.operation == "ListQueues");
    const json response = json_file(result, "ListQueues.response.schema.json");
    CHECK(response["properties"]["data"]["$ref"] == "#/$defs/data");
    CHECK(response["$defs"]["data"]["properties"]["queueList"]["items"]["$ref"] ==
          "#/$defs/queueList");
    const json operation = json_file(result, "ListQueues.operation.json");
    CHECK(operation["pagination"] == json{{"offset_param", "offset"},
                                          {"offset_default", 0},
                                          {"limit_param", "limit"},
                                          {"limit_default", 20},
                                          {"items_pointer", "/data/queueList"},
                                          {"total_pointer", "/data/totalCount"},
                                          {"item_key", "queueId"}});
    // no sample on this page: nothing to pair, nothing written
    CHECK(test::file_named(result, "ListQueues.samples.jsonl") == nullptr);
}

TEST_CASE("importing is deterministic and the files are canonical JSON", "[docs][import]") {
    for (const auto& entry : std::filesystem::directory_iterator(k_fixtures)) {
        const std::string name = entry.path().filename().string();
        INFO(name);
        const docs::ImportResult first = import_fixture(name);
        const docs::ImportResult second = import_fixture(name);
        REQUIRE(first.files.size() == second.files.size());
        for (std::size_t i = 0; i < first.files.size(); ++i) {
            CHECK(first.files[i].name == second.files[i].name);
            CHECK(first.files[i].content == second.files[i].content);
            const std::string& content = first.files[i].content;
            REQUIRE_FALSE(content.empty());
            CHECK(content.back() == '\n');
            if (first.files[i].name.ends_with(".json"))
                CHECK(json::parse(content).dump(2) + "\n" == content);
        }
    }
}

TEST_CASE("an unknown type word is a warning naming the file and line", "[docs][import]") {
    const std::string page = "# Thing - GetThing\n\n"
                             "### Request Parameters\n\n"
                             "| Parameter Name | Type | Description | Required |\n"
                             "|---|---|---|---|\n"
                             "| Id | Varchar | the id | Yes |\n"
                             "| Size | | no type | No |\n\n"
                             "### Response Field\n\n"
                             "| Field Name | Type | Description | Required |\n"
                             "|---|---|---|---|\n"
                             "| RetCode | int | status | Yes |\n";
    const docs::ImportResult result = import_text(page, "some/dir/vendor.GetThing.md");
    REQUIRE(result.warnings.size() == 2);
    CHECK(result.warnings[0].to_string() ==
          "vendor.GetThing.md:7: warning: unknown type word 'Varchar' for Id; its values are "
          "not type-checked");
    CHECK(result.warnings[1].where.line == 8);
    const json request = json_file(result, "GetThing.request.schema.json");
    const json& id = request["properties"]["Id"];
    CHECK(id["$comment"] == "unknown type word 'Varchar' at vendor.GetThing.md:7");
    CHECK(id["x-source"] == test::source("vendor.GetThing.md", 7));
    CHECK_FALSE(id.contains("type"));
}

TEST_CASE("pages without parameter tables are errors naming the file and line", "[docs][import]") {
    SECTION("no tables at all") {
        auto result = docs::import_page("# Title - GetX\n\nJust prose.\n", "v.GetX.md", {});
        REQUIRE_FALSE(result);
        CHECK(result.error().where.file == "v.GetX.md");
        CHECK(result.error().where.line == 1);
        CHECK(result.error().to_string().starts_with("v.GetX.md:1: no markdown tables"));
    }
    SECTION("tables under no recognised heading") {
        auto result = docs::import_page("# T - GetX\n\n## Something\n\n| Name | Type |\n|---|---|\n"
                                        "| a | int |\n",
                                        "v.GetX.md", {});
        REQUIRE_FALSE(result);
        CHECK(result.error().where.line == 5);
    }
    SECTION("a missing file") {
        auto result = docs::import_file(k_fixtures / "no-such-page.md", {});
        REQUIRE_FALSE(result);
        CHECK(result.error().to_string().find("no-such-page.md") != std::string::npos);
    }
    SECTION("no operation name anywhere") {
        auto result = docs::import_page(k_minimal_response, "v.md", {});
        REQUIRE_FALSE(result);
        CHECK(result.error().message.find("operation name") != std::string::npos);
    }
}

TEST_CASE("a page without samples writes no samples file", "[docs][import]") {
    const docs::ImportResult result =
        import_text(std::string("This API (GetX) does x.\n\n") + k_minimal_response);
    CHECK(result.operation == "GetX");
    CHECK(test::file_named(result, "GetX.samples.jsonl") == nullptr);
    const json operation = json_file(result, "GetX.operation.json");
    CHECK(operation["files"]["samples"].is_null());
    CHECK(operation["pagination"].is_null());
}

TEST_CASE("overlays are merge patches, and every change states its reason", "[docs][overlay]") {
    const std::string page = std::string("This API (GetX) does x.\n\n") + k_minimal_response;
    const auto dir = test::scratch_dir("overlay");
    auto write = [&](const std::string& text) { std::ofstream(dir / "GetX.overlay.json") << text; };
    docs::ImportOptions options{"vendor", dir};

    write(
        R"({"$comment": "why", "response": {"required": ["code"], "$comment": "code is always sent",
              "properties": {"code": {"minimum": 0, "$comment": "never negative"}}}})");
    auto result = docs::import_page(page, "v.GetX.md", options);
    REQUIRE(result);
    CHECK(result->overlay_applied == "GetX.overlay.json");
    const json response = json_file(*result, "GetX.response.schema.json");
    CHECK(response["required"] == json::array({"code"}));
    CHECK(response["properties"]["code"]["minimum"] == 0);
    CHECK(response["properties"]["code"]["type"] == "integer");
    CHECK(json_file(*result, "GetX.operation.json")["files"]["overlay"] == "GetX.overlay.json");

    write(R"({"response": {"properties": {"code": {"minimum": 0}}}})");
    result = docs::import_page(page, "v.GetX.md", options);
    REQUIRE_FALSE(result);
    CHECK(result.error().where.pointer == "/response/properties/code");
    CHECK(result.error().message.find("$comment") != std::string::npos);

    write(R"({"reponse": {}})");
    result = docs::import_page(page, "v.GetX.md", options);
    REQUIRE_FALSE(result);
    CHECK(result.error().where.pointer == "/reponse");

    write("{ not json");
    result = docs::import_page(page, "v.GetX.md", options);
    REQUIRE_FALSE(result);
    CHECK(result.error().where.file.ends_with("GetX.overlay.json"));
}

TEST_CASE("run_import writes into the contract directory", "[docs][import]") {
    const auto out = test::scratch_dir("run-import");
    docs::ImportRequest request;
    request.doc = k_fixtures / "acme-cloud.ListBuckets.en.md";
    request.out_dir = out;
    auto report = docs::run_import(request);
    REQUIRE(report);
    REQUIRE(report->written.size() == 4);
    for (const auto& path : report->written)
        CHECK(std::filesystem::exists(path));
    const json response = json::parse(test::read_text(out / "ListBuckets.response.schema.json"));
    CHECK(response["$id"] ==
          "https://conform.dev/schemas/acme-cloud/ListBuckets.response.schema.json");
    CHECK(docs::contract_from_doc_name("dir/ucloud-uhub.GetRepo.zh.md") == "ucloud-uhub");
}

TEST_CASE("odd pages never crash the importer", "[docs][import]") {
    const char* pages[] = {
        "",
        "|",
        "| a |\n|---|\n",
        "## 输入参数\n| 参数名称 | 类型 |\n|---|---|\n|\n| x |\n",
        "## Output Parameters\n| Name | Type |\n|--|--|\n| a | Object |\n| a | Int |\n"
        "```\nhttps://h/?Action=GetA&&=&x\n```\n```\n{\"a\": \n```\n",
        "## Request Parameters\n| Name | Type | Required |\n|-|-|-|\n| L | array[array[ | maybe |\n"
        "```\nGET /x HTTP/1.1\n```\n",
        "```\n# fence never closes\n",
    };
    for (const char* page : pages) {
        INFO(page);
        auto result = docs::import_page(page, "odd.md", {});
        if (result)
            CHECK_FALSE(result->files.empty());
        else
            CHECK(result.error().where.file == "odd.md");
    }
}
