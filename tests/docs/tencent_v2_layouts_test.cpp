// Tencent API 2.0 layouts the seed pages do not show: nested output fields written as dotted
// names ("subnetSet.n.cidr"), samples in HTML <pre> blocks, indexed parameters typed "Array of
// String", "String List". The pages are written here, in the vendor's layout.

#include <fstream>

#include <catch2/catch.hpp>

#include "runner/checks/doc_lint.hpp"
#include "tests/docs/docs_test_support.hpp"

using namespace conform;
using nlohmann::json;
using test::has_warning;
using test::import_text;
using test::json_file;
using test::line_containing;

namespace {

// DescribeSubnets: a listing whose items, their tags, a quota object and an id list are
// documented as dotted rows of the output table; the sample in a fence.
constexpr std::string_view k_subnets = R"(## 1. API Description

This API (DescribeSubnets) lists subnets.

Domain name for API request: vpc.api.qcloud.com

## 2. Input Parameters

| Parameter Name | Required | Type | Description |
|---------|---------|---------|---------|
| vpcId | No | String | Filter by network. |
| instanceIds.n | No | Array of String | Filter by attached instances. |
| offset | No | Int | Offset. Default is 0. |
| limit | No | Int | Number of results. Default is 20. |

## 3. Output Parameters

| Parameter Name | Type | Description |
|---------|---------|---------|
| code | Int | Common error code. 0: succeeded. |
| message | String | Module error message. |
| totalCount | Int | Number of subnets. |
| subnetSet | Array | The subnets. |
| subnetSet.n.subnetId | String | Subnet ID. |
| subnetSet.n.cidr | String | Address range. |
| subnetSet.n.zoneId | Int | Zone. |
| subnetSet.n.tags.n.key | String | Tag key. |
| subnetSet.n.tags.n.value | String | Tag value. |
| subnetSet.n.dnsServers | String List | DNS servers. |
| subnetSet.owner | String | Written without the index its siblings have. |
| quota.used | Int | Subnets in use. |
| quota.limit | Int | Subnets allowed. |
| zoneIds.n | Int | Zones with subnets. |

## 4. Example

Input
```
https://vpc.api.qcloud.com/v2/index.php?Action=DescribeSubnets
&<Common request parameters>
&limit=1
```

Output
```
{
    "code": 0,
    "message": "",
    "totalCount": 2,
    "subnetSet": [
        {"subnetId": "subnet-1", "cidr": "10.0.0.0/24", "zoneId": "ap-guangzhou-3",
         "tags": [{"key": "team", "value": "a"}], "dnsServers": ["10.0.0.2"]}
    ],
    "quota": {"used": 2, "limit": 10},
    "zoneIds": [100003]
}
```
)";

} // namespace

TEST_CASE("dotted output names nest as data models: items, members, element types",
          "[docs][import][tencent-v2]") {
    const std::string doc = "vpc.DescribeSubnets.en.md";
    const docs::ImportResult result = import_text(k_subnets, doc);
    const json response = json_file(result, "DescribeSubnets.response.schema.json");
    const json& properties = response["properties"];
    for (const auto& [name, _] : properties.items())
        CHECK(name.find('.') == std::string::npos);

    // subnetSet.n.* are the items' fields; their own tags.n.* nest once more.
    CHECK(properties["subnetSet"]["type"] == "array");
    CHECK(properties["subnetSet"]["items"]["$ref"] == "#/$defs/subnetSet");
    const json& subnet = response["$defs"]["subnetSet"];
    CHECK(subnet["additionalProperties"] == false);
    CHECK(subnet["properties"]["zoneId"]["type"] == "integer");
    CHECK(subnet["properties"]["subnetId"]["x-source"] ==
          test::source(doc, line_containing(k_subnets, "| subnetSet.n.subnetId |")));
    CHECK(subnet["properties"]["tags"]["items"]["$ref"] == "#/$defs/tags");
    CHECK(response["$defs"]["tags"]["properties"]["key"]["type"] == "string");
    CHECK(subnet["properties"]["dnsServers"]["items"]["type"] == "string");
    CHECK_FALSE(subnet["properties"].contains("owner"));
    CHECK(has_warning(result, line_containing(k_subnets, "| subnetSet.owner |"),
                      "field subnetSet.owner has no index"));

    // quota.* with no index: an object of those members, its parent row made.
    CHECK(properties["quota"]["$ref"] == "#/$defs/quota");
    CHECK(response["$defs"]["quota"]["properties"]["limit"]["type"] == "integer");
    // zoneIds.n alone: the type of its elements.
    CHECK(properties["zoneIds"]["type"] == "array");
    CHECK(properties["zoneIds"]["items"]["type"] == "integer");

    // The listing pages by the items' own identifier.
    const json operation = json_file(result, "DescribeSubnets.operation.json");
    CHECK(operation["pagination"]["items_pointer"] == "/subnetSet");
    CHECK(operation["pagination"]["item_key"] == "subnetId");
}

TEST_CASE("an indexed parameter typed Array of String is sent element by element",
          "[docs][import][tencent-v2][indexed]") {
    const docs::ImportResult result = import_text(k_subnets, "vpc.DescribeSubnets.en.md");
    const json request = json_file(result, "DescribeSubnets.request.schema.json");
    CHECK_FALSE(request["properties"].contains("instanceIds.n"));
    const json& element = request["patternProperties"]["^instanceIds\\.(0|[1-9][0-9]*)$"];
    CHECK(element["type"] == "string");
    CHECK(element["x-indexed"] == "instanceIds.N");

    // typed a bare "Array", each element is of a type the page does not say, not an array
    std::string bare(k_subnets);
    bare.replace(bare.find("| instanceIds.n | No | Array of String |"),
                 std::string_view("| instanceIds.n | No | Array of String |").size(),
                 "| instanceIds.n | Yes | Array |");
    const json untyped = json_file(import_text(bare, "vpc.DescribeSubnets.en.md"),
                                   "DescribeSubnets.request.schema.json");
    const json& any = untyped["patternProperties"]["^instanceIds\\.(0|[1-9][0-9]*)$"];
    CHECK_FALSE(any.contains("type"));
    CHECK(any["x-indexed"] == "instanceIds.N");
    CHECK(untyped["required"] == json::array({"instanceIds.0"}));
}

TEST_CASE("the sample is linted against the nested fields the dotted rows document",
          "[docs][lint][tencent-v2]") {
    const std::filesystem::path page =
        test::scratch_dir("tencent-v2-dotted-lint") / "vpc.DescribeSubnets.en.md";
    std::ofstream(page, std::ios::binary) << k_subnets;
    auto lint = checks::lint_docs({{page}, {}});
    REQUIRE(lint);
    std::vector<std::string> pointers;
    for (const checks::LintFinding& f : lint->findings)
        pointers.push_back(f.deviation.instance_pointer);
    // zoneId is documented Int, the sample's is a zone name: the one finding.
    CHECK(pointers == std::vector<std::string>{"/subnetSet/0/zoneId"});
}

TEST_CASE("samples in <pre> blocks are the page's samples", "[docs][import][tencent-v2]") {
    // The request in <pre> with its link to the common parameters, the answer in <pre> with
    // entities, as API 2.0 pages write them.
    const std::string page = R"(## 1. API Description

This API (DeleteTopic) deletes a topic.

Domain name for API request: cmq.api.qcloud.com

## 2. Input Parameters

| Parameter Name | Required | Type | Description |
|---------|---------|---------|---------|
| topicName | Yes | String | The topic. |

## 3. Output Parameters

| Parameter Name | Type | Description |
|---------|---------|---------|
| code | Int | Common error code. |
| message | String | Module error message. |
| requestId | String | Request ID. |

## 4. Example

Input:
<pre>
https://cmq.api.qcloud.com/v2/index.php?Action=DeleteTopic
&<<a href="https://example.com/common">Common request parameters</a>>
&topicName=orders
</pre>

Output:
<pre>
{
    &quot;code&quot;: 0,
    &quot;message&quot;: &quot;&quot;,
    &quot;requestId&quot;: &quot;a&amp;b&quot;
}
</pre>
)";
    const docs::ImportResult result = import_text(page, "cmq.DeleteTopic.en.md");
    CHECK_FALSE(
        has_warning(result, line_containing(page, "Action=DeleteTopic"), "no JSON response block"));
    const docs::GeneratedFile* samples = test::file_named(result, "DeleteTopic.samples.jsonl");
    REQUIRE(samples != nullptr);
    const json sample = json::parse(samples->content.substr(0, samples->content.find('\n')));
    CHECK(sample["request"]["query"] == json::array({json::array({"Action", "DeleteTopic"}),
                                                     json::array({"topicName", "orders"})}));
    CHECK(sample["response"]["body"] == json({{"code", 0}, {"message", ""}, {"requestId", "a&b"}}));
}

TEST_CASE("a sample answer that is not JSON is left to the import's warning, not linted as null",
          "[docs][lint][tencent-v2]") {
    const std::filesystem::path page =
        test::scratch_dir("tencent-v2-broken-sample") / "cmq.ListTopics.en.md";
    std::ofstream(page, std::ios::binary)
        << "## 1. API Description\n\nThis API (ListTopics) lists topics.\n\n"
           "Domain name for API request: cmq.api.qcloud.com\n\n"
           "## 2. Input Parameters\n\n| Parameter Name | Required | Type | Description |\n"
           "|---|---|---|---|\n| prefix | No | String | Name prefix. |\n\n"
           "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n|---|---|---|\n"
           "| code | Int | Error code. |\n| message | String | Error. |\n\n"
           "## 4. Example\n\n```\nhttps://cmq.api.qcloud.com/v2/index.php?Action=ListTopics\n"
           "&prefix=a\n```\n\n```\n{\n  \"code\": 0,\n  \"message\": \"\"\n  \"topics\": []\n}\n"
           "```\n";
    auto lint = checks::lint_docs({{page}, {}});
    REQUIRE(lint);
    CHECK(lint->pages_linted == 1);
    for (const checks::LintFinding& f : lint->findings)
        FAIL_CHECK(f.deviation.message);
}

TEST_CASE("a type nested deeper than any answer is an unknown type, not a schema too deep to load",
          "[docs][import][types]") {
    std::string type;
    for (int i = 0; i < 300; ++i)
        type += "array[";
    type += "Int" + std::string(300, ']');
    const std::string page = "## 1. API Description\n\nThis API (GetDeep) reads.\n\n"
                             "Domain name for API request: cmq.api.qcloud.com\n\n"
                             "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n"
                             "|---|---|---|\n| code | Int | Error code. |\n| deep | " +
                             type + " | Nested. |\n";
    const docs::ImportResult result = import_text(page, "cmq.GetDeep.en.md");
    CHECK(has_warning(result, line_containing(page, "| deep |"), "nests 300 arrays, more than 8"));
    const json response = json_file(result, "GetDeep.response.schema.json");
    CHECK(response["properties"]["deep"].contains("$comment"));
    CHECK_FALSE(response["properties"]["deep"].contains("items"));
}

TEST_CASE("a table row with no name is skipped with a warning, not silently", "[docs][import]") {
    const std::string page = "## 1. API Description\n\nThis API (GetThing) reads.\n\n"
                             "Domain name for API request: cmq.api.qcloud.com\n\n"
                             "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n"
                             "|---|---|---|\n| code | Int | Error code. |\n|  | String | Lost. |\n"
                             "| | | |\n";
    const docs::ImportResult result = import_text(page, "cmq.GetThing.en.md");
    CHECK(has_warning(result, line_containing(page, "| Lost. |"), "a row with no name"));
    CHECK_FALSE(has_warning(result, line_containing(page, "| | | |"), "a row with no name"));
}

TEST_CASE("table rows that make no table, and pages of another host, are said",
          "[docs][import][family]") {
    // The request table lost its |---| row: its parameters cannot be read, and the import says
    // so once, at its first line.
    const std::string page = "## 1. API Description\n\nThis API (GetThing) reads.\n\n"
                             "Domain name for API request: cmq.api.qcloud.com\n\n"
                             "## 2. Input Parameters\n\n| Parameter Name | Required | Type |\n"
                             "| thingId | Yes | String |\n| other | No | Int |\n\n"
                             "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n"
                             "|---|---|---|\n| code | Int | Error code. |\n";
    const docs::ImportResult result = import_text(page, "cmq.GetThing.en.md");
    CHECK(has_warning(result, line_containing(page, "| Parameter Name | Required"),
                      "a table row with no table"));
    CHECK_FALSE(has_warning(result, line_containing(page, "| thingId |"), "no table"));

    // One folder, two products: the second page's host is not the contract's.
    const std::filesystem::path dir = test::scratch_dir("family-two-hosts") / "pages";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "GetThing.en.md", std::ios::binary) << page;
    std::string other = page;
    other.replace(other.find("cmq.api"), 3, "cvm");
    other.replace(other.find("(GetThing)"), 10, "(GetOther)");
    std::ofstream(dir / "GetOther.en.md", std::ios::binary) << other;
    docs::FamilyImportRequest request;
    request.inputs = {dir};
    request.contract = "mixed";
    request.out_dir = dir.parent_path() / "out";
    auto report = docs::run_family_import(request);
    REQUIRE(report);
    // The page read second is the one warned, at its host's line, naming the first.
    REQUIRE(report->pages.size() == 2);
    std::vector<std::string> said;
    for (const docs::PageOutcome& outcome : report->pages)
        for (const docs::Warning& w : outcome.warnings)
            if (w.message.find("one contract has one base_url") != std::string::npos) {
                said.push_back(outcome.page.filename().string());
                CHECK(w.where.line == line_containing(page, "Domain name"));
                CHECK(w.message.find(report->pages.front().page.filename().string()) !=
                      std::string::npos);
            }
    CHECK(said == std::vector<std::string>{report->pages.back().page.filename().string()});
}
