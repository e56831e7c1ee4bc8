// Families: `conform import PAGE_OR_DIR...` and `conform docs lint` over folders. Synthetic
// pages (written here, in the vendors' layouts) pin each convention; the UCloud UHub folder and
// the seed contracts in ../shared pin the real thing.

#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "runner/checks/doc_lint.hpp"
#include "runner/contract/contract.hpp"
#include "runner/schema/schema.hpp"
#include "tests/docs/docs_test_support.hpp"
#include "tests/support/shared.hpp"

using namespace conform;
using nlohmann::json;
namespace fs = std::filesystem;

using test::k_schemas;

namespace {

void write(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// A UCloud-layout page; `request_rows` and `sample_query` vary per test.
std::string ucloud_page(std::string_view op, std::string_view request_rows,
                        std::string_view sample_query) {
    std::string page = "# Thing - " + std::string(op) +
                       "\n\n## 定义\n\n### 公共参数\n\n"
                       "| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n"
                       "| **Action** | string | 当前 API 为 `" +
                       std::string(op) +
                       "` | **Yes** |\n\n### 请求参数\n\n"
                       "| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n";
    page += std::string(request_rows);
    page += "\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n"
            "| **RetCode** | int | code |**Yes**|\n| **Action** | string | name |**Yes**|\n\n"
            "## 示例\n\n### 请求示例\n\n```\nhttps://api.ucloud.cn/?Action=" +
            std::string(op) + "\n" + std::string(sample_query) +
            "```\n\n### 响应示例\n\n```json\n{\"Action\": \"" + std::string(op) +
            "Response\", \"RetCode\": 0}\n```\n";
    return page;
}

constexpr std::string_view k_indexed_rows = "| **Name** | string | a name |**Yes**|\n"
                                            "| **Disks.N.Size** | int | size |**Yes**|\n"
                                            "| **Disks.N.Type** | string | kind |No|\n"
                                            "| **Ids.N** | string | ids |No|\n";

constexpr std::string_view k_rest_page = "# Upload - PutThing\n\n## 定义\n\n```\n"
                                         "PUT /<key> HTTP/1.1\nHost: <bucket>.example.com\n```\n\n"
                                         "### 请求参数\n\n| Name | Type | Description |\n"
                                         "|---|---|---|\n| Authorization | String | sig |\n";

constexpr std::string_view k_index_page = "# API 索引\n\n| API | 描述信息 |\n|:---|:---|\n"
                                          "|[GetThing](api/x/get_thing)|get one|\n";

// A family folder: two read-only operations, one writing, one indexed, a REST page, an index
// page and a page that claims an operation but documents nothing.
fs::path make_family(std::string_view name) {
    const fs::path dir = test::scratch_dir(name) / "thing-api";
    write(dir / "get_thing.md",
          ucloud_page("GetThing", "| **Limit** | int | n |No|\n", "&Limit=1\n"));
    write(dir / "describe_things.md",
          ucloud_page("DescribeThings", "| **Id** | string | i |No|\n", "&Id=a\n"));
    write(dir / "create_thing.md",
          ucloud_page("CreateThing", k_indexed_rows, "&Name=a\n&Disks.N.Size=20\n&Ids.0=x\n"));
    write(dir / "put_thing.md", k_rest_page);
    write(dir / "index.md", k_index_page);
    write(dir / "broken.md", "# Broken - DeleteThing\n\n### 请求参数\n\nnothing here\n");
    return dir;
}

docs::FamilyImportReport import_dir(const fs::path& dir, const fs::path& out, bool check = false) {
    docs::FamilyImportRequest request;
    request.inputs = {dir};
    request.out_dir = out;
    request.check = check;
    auto report = docs::run_family_import(request);
    if (!report)
        FAIL(report.error().to_string());
    return std::move(report).value();
}

const docs::PageOutcome& outcome(const docs::FamilyImportReport& r, std::string_view file) {
    for (const docs::PageOutcome& p : r.pages)
        if (p.page.filename() == file)
            return p;
    FAIL("no outcome for " << file);
    return r.pages.front();
}

json load(const fs::path& path) {
    return json::parse(test::read_text(path));
}

} // namespace

TEST_CASE("family import: every page handled, none stops the batch", "[docs][family]") {
    const fs::path dir = make_family("family-batch");
    const fs::path out = dir.parent_path() / "ucloud-thing";
    const docs::FamilyImportReport r = import_dir(dir, out);
    CHECK(r.count(docs::PageStatus::imported) == 3);
    CHECK(r.count(docs::PageStatus::skipped) == 2);
    CHECK(r.count(docs::PageStatus::failed) == 1);
    CHECK(outcome(r, "index.md").message.find("not an API page (index page)") == 0);
    CHECK(outcome(r, "put_thing.md").message.find("REST-style page (`PUT /<key> HTTP/1.1`)") == 0);
    // the failure names the page as given and the line
    CHECK(outcome(r, "broken.md").message.find((dir / "broken.md").string() + ":1: ") == 0);

    const json contract = load(out / "contract.json");
    CHECK(contract["name"] == "ucloud-thing");
    CHECK(contract["vendor"] == "UCloud");
    CHECK(contract["base_url"] == "https://api.ucloud.cn");
    CHECK(contract["signing"] == "ucloud-sha1");
    CHECK(contract["routing"] == json{{"in", "query"}, {"param", "Action"}});
    CHECK(contract["envelope"]["code"] == json{{"pointer", "/RetCode"}, {"success", 0}});
    CHECK(contract["envelope"]["action"]["suffix"] == "Response");
    CHECK(contract["read_only"] == json{"DescribeThings", "GetThing"});
    CHECK(contract["operations"].size() == 3);
    CHECK(contract["operations"]["CreateThing"]["doc"] == "create_thing.md");
    // what import writes, the contract loader accepts
    auto loaded = contract::load_contract(out, k_schemas);
    if (!loaded)
        FAIL(loaded.error().to_string());
    CHECK(loaded->operations.size() == 3);
}

TEST_CASE("family import merges contract.json, and --check names stale files", "[docs][family]") {
    const fs::path dir = make_family("family-merge");
    const fs::path out = dir.parent_path() / "ucloud-thing";
    import_dir(dir, out);
    json edited = load(out / "contract.json");
    edited["title"] = "Things, by hand";
    edited["read_only"] = json{"GetThing"}; // a person says DescribeThings writes after all
    edited["base_url"] = "https://api.example.test";
    write(out / "contract.json", edited.dump(2) + "\n");

    // a new page: its verb decides; the person's choices stand
    write(dir / "list_things.md",
          ucloud_page("ListThings", "| **Id** | string | i |No|\n", "&Id=a\n"));
    import_dir(dir, out);
    const json merged = load(out / "contract.json");
    CHECK(merged["title"] == "Things, by hand");
    CHECK(merged["base_url"] == "https://api.example.test");
    CHECK(merged["read_only"] == json{"GetThing", "ListThings"});
    CHECK(merged["operations"].contains("ListThings"));

    // a fresh import changes nothing; a hand-edited generated file is named, and left alone
    CHECK(import_dir(dir, out, true).stale.empty());
    write(out / "GetThing.request.schema.json", "{}\n");
    const docs::FamilyImportReport check = import_dir(dir, out, true);
    REQUIRE(check.stale.size() == 1);
    CHECK(check.stale.front() == out / "GetThing.request.schema.json");
    CHECK(check.written.empty());
    CHECK(test::read_text(out / "GetThing.request.schema.json") == "{}\n");
}

TEST_CASE("indexed parameters Name.N are arrays on the wire", "[docs][family][indexed]") {
    const std::string page =
        ucloud_page("CreateThing", k_indexed_rows, "&Name=a\n&Disks.N.Size=20\n&Ids.0=x\n");
    auto imported = docs::import_page(page, "create_thing.md", {"ucloud-thing", {}});
    REQUIRE(imported);
    const json request = test::json_file(*imported, "CreateThing.request.schema.json");
    CHECK_FALSE(request["properties"].contains("Disks.N.Size"));
    CHECK(request["required"] == json{"Name", "Disks.0.Size"});
    const json* size = contract::request_property(request, "Disks.3.Size");
    REQUIRE(size != nullptr);
    CHECK((*size)["x-indexed"] == "Disks.N.Size");
    CHECK((*size)["type"] == "integer");
    CHECK(contract::request_property(request, "Ids.12") != nullptr);
    CHECK(contract::request_property(request, "Disks.N.Size") == nullptr);

    schema::Registry registry;
    auto compiled = schema::compile(request, registry, {});
    REQUIRE(compiled);
    CHECK(
        compiled->validate(json{{"Name", "a"}, {"Disks.0.Size", 20}, {"Disks.1.Size", 40}}).valid);
    CHECK_FALSE(compiled->validate(json{{"Name", "a"}, {"Disks.0.Size", "big"}}).valid);
    CHECK_FALSE(compiled->validate(json{{"Name", "a"}}).valid); // index 0 is required

    // the sample's literal Disks.N.Size is the page's placeholder, not a missing field
    const fs::path dir = test::scratch_dir("family-indexed") / "thing-api";
    write(dir / "create_thing.md", page);
    auto lint = checks::lint_docs({{dir}, {}});
    REQUIRE(lint);
    std::vector<std::string> ids;
    for (const checks::LintFinding& f : lint->findings)
        ids.emplace_back(core::name_of(f.deviation.id));
    CHECK(ids == std::vector<std::string>{"doc.placeholder"});
    CHECK(lint->findings.front().deviation.instance_pointer == "/Disks.N.Size");
}

TEST_CASE("docs lint walks a folder: skips, summary, no exception on REST pages",
          "[docs][family][lint]") {
    const fs::path dir = make_family("family-lint");
    auto lint = checks::lint_docs({{dir}, {}});
    REQUIRE(lint);
    CHECK(lint->pages_linted == 3);
    REQUIRE(lint->skipped.size() == 3);
    const std::string summary = checks::lint_summary(*lint);
    CHECK(summary.find("pages: 3 linted, 2 skipped, 1 failed") != std::string::npos);
    CHECK(summary.find("doc.placeholder 1") != std::string::npos);
    CHECK(checks::lint_json(*lint).is_array());
}

TEST_CASE("the UCloud UHub folder imports as one family", "[docs][family][shared]") {
    CONFORM_REQUIRE_SHARED("UHub family import");
    const fs::path dir = *test::shared_dir() / "api-docs" / "ucloud" / "uhub-api";
    const fs::path out = test::scratch_dir("family-uhub") / "ucloud-uhub";
    docs::FamilyImportRequest request;
    request.inputs = {dir};
    request.out_dir = out;
    auto r = docs::run_family_import(request);
    REQUIRE(r);
    CHECK(r->count(docs::PageStatus::imported) == 7);
    CHECK(r->count(docs::PageStatus::failed) == 0);
    const json contract = load(out / "contract.json");
    CHECK(contract["name"] == "ucloud-uhub"); // from the folder: uhub-api -> ucloud-uhub
    std::vector<std::string> ops;
    for (const auto& [name, entry] : contract["operations"].items())
        ops.push_back(name);
    CHECK(ops == std::vector<std::string>{"CreateRepo", "DeleteRepo", "DeleteRepoImage",
                                          "GetImageTag", "GetRepo", "GetRepoImage", "UpdateRepo"});
    CHECK(contract["read_only"] == json{"GetImageTag", "GetRepo", "GetRepoImage"});
    auto loaded = contract::load_contract(out, k_schemas);
    if (!loaded)
        FAIL(loaded.error().to_string());

    // IsShared: boolean in CreateRepo, string in UpdateRepo and GetRepo
    auto lint = checks::lint_docs({{dir}, {}});
    REQUIRE(lint);
    bool drift = false;
    for (const checks::LintFinding& f : lint->findings)
        drift = drift || (f.deviation.id == core::DeviationId::doc_family_drift &&
                          f.deviation.instance_pointer == "/IsShared" &&
                          f.deviation.operation == "CreateRepo");
    CHECK(drift);
}

TEST_CASE("re-importing the pages into the committed contracts changes nothing",
          "[docs][family][shared]") {
    // Byte for byte: the whole UHub folder into schemas/ucloud-uhub, each other seed page into
    // its contract.
    CONFORM_REQUIRE_SHARED("committed contracts --check");
    const std::pair<const char*, const char*> k_sources[] = {
        {"ucloud/uhub-api", "ucloud-uhub"},
        {"tencent-ccr.GetFavor.en.md", "tencent-ccr"},
        {"genesissai-uhub.GetRepo.en.md", "genesissai-uhub"},
    };
    for (const auto& [source, contract] : k_sources) {
        INFO(source);
        docs::FamilyImportRequest request;
        request.inputs = {*test::shared_dir() / "api-docs" / source};
        request.out_dir = k_schemas / contract;
        request.check = true;
        auto r = docs::run_family_import(request);
        REQUIRE(r);
        CHECK(r->count(docs::PageStatus::imported) ==
              (std::string_view(contract) == "ucloud-uhub" ? 7u : 1u));
        CHECK(r->count(docs::PageStatus::failed) == 0);
        for (const fs::path& stale : r->stale)
            FAIL_CHECK("stale: " << stale.string());
    }
}

TEST_CASE("a sample that sends a structure whole is one placeholder finding",
          "[docs][family][lint][shared]") {
    // UWSC's CreatePOPGW documents BWConf.Name, BWConf.BwMax, ... as required, and its sample
    // sends "BWConf=LVGDeccZ" and every member but BWConf.Name: one doc.placeholder naming what
    // the stand-in leaves out, not a field.missing.
    CONFORM_REQUIRE_SHARED("structure parameters sent whole");
    const fs::path page = *test::shared_dir() / "api-docs/ucloud/uwsc-api/create_popgw.md";
    auto lint = checks::lint_docs({{page}, {}});
    REQUIRE(lint);
    bool placeholder = false;
    for (const checks::LintFinding& f : lint->findings) {
        const core::Deviation& d = f.deviation;
        INFO(core::name_of(d.id) << " " << d.instance_pointer << " " << d.message);
        CHECK_FALSE((d.id == core::DeviationId::field_missing &&
                     d.instance_pointer.starts_with("/BWConf.")));
        if (d.id == core::DeviationId::doc_placeholder && d.instance_pointer == "/BWConf") {
            placeholder = true;
            CHECK(d.message.find("BWConf.Name") != std::string::npos);
            CHECK(d.message.find("BWConf.PayMode") == std::string::npos); // the sample sends it
            CHECK(d.message.find("BWConf.BwMax") == std::string::npos);
        }
    }
    CHECK(placeholder);
}

TEST_CASE("an item's key is its own identifier, not the parent the request filters by",
          "[docs][family][pagination][shared]") {
    // VPC's DescribeNATGWPolicy lists policies of one NAT gateway: the items carry NATGWId
    // (the request's filter) and PolicyId (their own).
    CONFORM_REQUIRE_SHARED("item keys of real listings");
    const fs::path out = test::scratch_dir("family-item-key") / "vpc";
    docs::FamilyImportRequest request;
    request.inputs = {*test::shared_dir() / "api-docs/ucloud/vpc-api/describe_natgw_policy.md"};
    request.contract = "vpc";
    request.out_dir = out;
    REQUIRE(docs::run_family_import(request));
    const json contract = load(out / "contract.json");
    CHECK(contract["operations"]["DescribeNATGWPolicy"]["pagination"]["item_key"] == "PolicyId");

    // ...and its own identifier though the request filters by it too: UGAId over UGAName,
    // ImageId over ImageName, GroupId over GroupName (two resources may share a name, and a
    // walk keyed on names found false repeats).
    struct Own {
        const char* page;
        const char* operation;
        const char* key;
    };
    const Own owns[] = {
        {"pathx-api/describe_uga_instance.md", "DescribeUGAInstance", "UGAId"},
        {"uhost-api/describe_image.md", "DescribeImage", "ImageId"},
        {"uhost-api/describe_isolation_group.md", "DescribeIsolationGroup", "GroupId"}};
    request.inputs.clear();
    for (const Own& o : owns)
        request.inputs.push_back(*test::shared_dir() / "api-docs/ucloud" / o.page);
    request.contract = "own-ids";
    request.out_dir = out.parent_path() / "own-ids";
    REQUIRE(docs::run_family_import(request));
    const json own = load(request.out_dir / "contract.json");
    for (const Own& o : owns)
        CHECK(own["operations"][o.operation]["pagination"]["item_key"] == o.key);
}

TEST_CASE("every operation answers in the family's envelope, documented on its page or not",
          "[docs][family][envelope]") {
    // Tencent API 2.0: one page lists codeDesc, the next leaves it (and code) out; the
    // contract's envelope has it, so both answers declare it.
    auto page = [](std::string_view op, std::string_view envelope_rows) {
        return "## 1. API Description\n\nThis API (" + std::string(op) +
               ") works on queues.\n\nDomain name for API request: cmq.api.qcloud.com\n\n"
               "## 2. Input Parameters\n\n| Parameter Name | Required | Type | Description |\n"
               "|---|---|---|---|\n| queueName | No | String | The queue. |\n\n"
               "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n"
               "|---|---|---|\n" +
               std::string(envelope_rows) + "| requestId | String | Request ID. |\n";
    };
    const fs::path dir = test::scratch_dir("family-envelope") / "cmq";
    write(dir / "DescribeQueue.en.md",
          page("DescribeQueue", "| code | Int | Error code. |\n| message | String | Error. |\n"
                                "| codeDesc | String | Error code at business side. |\n"));
    write(dir / "DeleteQueue.en.md", page("DeleteQueue", "| message | String | Error. |\n"));
    const fs::path out = test::scratch_dir("family-envelope-out") / "tencent-cmq";
    const docs::FamilyImportReport report = import_dir(dir, out);
    CHECK(report.count(docs::PageStatus::imported) == 2);
    const json contract = load(out / "contract.json");
    CHECK(contract["envelope"]["description"]["pointer"] == "/codeDesc");
    for (const char* op : {"DescribeQueue", "DeleteQueue"}) {
        INFO(op);
        const json response = load(out / (std::string(op) + ".response.schema.json"));
        CHECK(response["properties"]["code"]["type"] == "integer");
        CHECK(response["properties"]["codeDesc"]["type"] == "string");
        CHECK(response["properties"]["message"]["type"] == "string");
    }
    // What the page documents stays its own: its row, with its line.
    CHECK(load(out / "DescribeQueue.response.schema.json")["properties"]["codeDesc"].contains(
        "x-source"));
    CHECK(load(out / "DeleteQueue.response.schema.json")["properties"]["codeDesc"].contains(
        "$comment"));
}

TEST_CASE("the read-only verbs: whole camel-case words, price inquiries, a noun's List", "[docs]") {
    for (const char* name :
         {"GetRepo", "DescribeInstances", "InquiryPriceRunInstances", "InquirePriceRenewInstances",
          "ListThings", "Is2FAEnabled", "DomainList", "RecordList"})
        CHECK(docs::is_read_only_verb(name));
    for (const char* name : {"Getaway", "CreateRepo", "Inquiryx", "ModifyInstances", "Listen",
                             "RecordCreate", "AddBlackList", "BlackWhiteList"})
        CHECK_FALSE(docs::is_read_only_verb(name));
}

TEST_CASE("paging read off the names pages use: the count beside a size, a quota, string defaults",
          "[docs][family][pagination]") {
    // DescribeBuckets lists a TotalSize before its TotalCount, and types Offset and Limit as
    // string with 默认为0 and 默认为20; CreateCluster takes a MemoryLimit beside no offset.
    // Before: the total was /TotalSize, the listing was "incomplete" and taken as not paging,
    // and the create was warned about an incomplete pagination model.
    const std::string head = "| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n";
    auto page = [&](std::string_view op, std::string_view request, std::string_view response,
                    std::string_view models) {
        return "# Bucket - " + std::string(op) + "\n\n### 请求参数\n\n" + head +
               std::string(request) + "\n### 响应字段\n\n" + head +
               "| **RetCode** | int | code |**Yes**|\n| **Action** | string | name |**Yes**|\n" +
               std::string(response) + "\n" + std::string(models) +
               "\n## 示例\n\n```\nhttps://api.ucloud.cn/?Action=" + std::string(op) +
               "\n```\n\n```json\n{\"Action\": \"" + std::string(op) +
               "Response\", \"RetCode\": 0}\n```\n";
    };
    const fs::path dir = test::scratch_dir("family-paging-names");
    write(dir / "pages" / "describe_buckets.md",
          page("DescribeBuckets",
               "| **Offset** | string | 偏移，默认为0 |No|\n| **Limit** | string | 数量，默认为20 "
               "|No|\n",
               "| **TotalSize** | int | 总容量 |No|\n"
               "| **DataSet** | array[[*BucketInfo*](#BucketInfo)] | 列表 |No|\n"
               "| **TotalCount** | int | 总数 |No|\n",
               "#### BucketInfo\n\n" + head + "| **BucketId** | string | id |No|\n"));
    write(dir / "pages" / "create_cluster.md",
          page("CreateCluster",
               "| **Name** | string | name |**Yes**|\n| **MemoryLimit** | int | 内存上限 |No|\n",
               "", ""));
    docs::FamilyImportRequest request;
    request.inputs = {dir / "pages"};
    request.contract = "buckets";
    request.out_dir = dir / "buckets";
    const auto report = docs::run_family_import(request);
    REQUIRE(report);
    for (const docs::PageOutcome& p : report->pages)
        for (const docs::Warning& w : p.warnings) {
            INFO(p.page << ": " << w.message);
            CHECK(w.message.find("pagination") == std::string::npos);
        }
    const json contract = load(dir / "buckets" / "contract.json");
    CHECK(contract["operations"]["DescribeBuckets"]["pagination"] ==
          json({{"offset_param", "Offset"},
                {"offset_default", 0},
                {"limit_param", "Limit"},
                {"limit_default", 20},
                {"items_pointer", "/DataSet"},
                {"total_pointer", "/TotalCount"},
                {"item_key", "BucketId"}}));
    CHECK(contract["operations"]["CreateCluster"].value("pagination", json()).is_null());
}
