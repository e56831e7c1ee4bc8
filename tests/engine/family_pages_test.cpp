// Real vendor pages, imported as families and run against the embedded reference with no
// hand-written file: each operation here once stopped its whole family (a synthesized answer
// its own schema refused, or a default request the reference refused). Reads the pages from
// ../shared/api-docs; skipped, visibly, without it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/docs/docs.hpp"
#include "tests/engine/family_run.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

struct Expect {
    const char* folder;    // under ../shared/api-docs
    const char* operation; // must run at least one case, every case passing
    const char* why;       // what once went wrong
};

// clang-format off
constexpr Expect k_expected[] = {
    {"ucloud/pathx-api", "DescribeUPath", "the page documents no Message: the answer carries none"},
    {"ucloud/ucdn-api", "GetAuthConfig", "items nested five deep are synthesized whole"},
    {"ucloud/uddos-api", "GetBGPServiceIP", "a documented field beside the list is synthesized too"},
    {"ucloud/vpc-api", "DescribeNATGWPolicy", "the item key is PolicyId, not the NATGWId filter"},
    {"ucloud/uec-api", "GetUEcVHostData", "the required indexed Type.N is sent as Type.0"},
    {"tencent-v2/cvm", "DescribeKeyPairs", "no page of the family documents codeDesc"},
    {"ucloud/ussl-api", "GetUnconfirmedComplementInfo", "its integer Type links to no string Type"},
};
// clang-format on

} // namespace

TEST_CASE("real families run against the reference with no deviation and no written file",
          "[engine][family][shared]") {
    CONFORM_REQUIRE_SHARED("real vendor families against the reference");
    const fs::path dir = test::fresh_dir("engine-family-pages");
    const fs::path schemas = dir / "schemas";
    std::vector<std::string> contracts;
    for (const Expect& e : k_expected) {
        const std::string name = fs::path(e.folder).filename().string();
        if (std::find(contracts.begin(), contracts.end(), name) != contracts.end())
            continue;
        docs::FamilyImportRequest request;
        request.inputs = {*test::shared_dir() / "api-docs" / e.folder};
        request.contract = name;
        request.out_dir = schemas / name;
        const auto imported = docs::run_family_import(request);
        REQUIRE(imported);
        contracts.push_back(name);
    }
    const auto run = test::run_family(schemas, dir, contracts);
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    CHECK(run.err.find("has no data") == std::string::npos);

    std::map<std::string, std::size_t> passed;
    std::string type_sent;
    for (const auto& target : run.report.at("targets"))
        for (const auto& c : target.at("cases")) {
            INFO(c.dump(1).substr(0, 2000));
            CHECK(c.at("deviation_count") == 0);
            if (c.at("status") == "passed")
                ++passed[c.at("operation").get<std::string>()];
            if (c.at("operation") == "GetUEcVHostData" && c.at("case") == "default-request")
                type_sent = c.at("exchanges").dump();
        }
    for (const Expect& e : k_expected) {
        INFO(e.folder << " " << e.operation << ": " << e.why);
        CHECK(passed[e.operation] > 0);
    }
    CHECK(type_sent.find("Type.0=") != std::string::npos);
    fs::remove_all(dir);
}

namespace {

// A UCloud-style page: its request and response tables (name, type, required), then a sample.
std::string ucloud_page(const std::string& action, const std::string& request,
                        const std::string& response, const std::string& models = "") {
    const std::string head = "| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n";
    return "# 标签 - " + action + "\n\n### 请求参数\n\n" + head + request + "\n### 响应字段\n\n" +
           head + "| **RetCode** | int | 返回状态码 |**Yes**|\n" +
           "| **Action** | string | 操作指令名称 |**Yes**|\n" + response + "\n" + models +
           "\n## 示例\n\n```\nhttps://api.ucloud.cn/?Action=" + action + "\n```\n\n```json\n" +
           "{\"Action\": \"" + action + "Response\", \"RetCode\": 0}\n```\n";
}

// The pages (file name, text) written to dir/pages and imported as the family `name` into
// dir/schemas/name; its folder.
fs::path import_pages(const fs::path& dir, const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& pages) {
    fs::create_directories(dir / "pages");
    for (const auto& [file, text] : pages)
        std::ofstream(dir / "pages" / file) << text;
    docs::FamilyImportRequest request;
    request.inputs = {dir / "pages"};
    request.contract = name;
    request.out_dir = dir / "schemas" / name;
    REQUIRE(docs::run_family_import(request));
    return request.out_dir;
}

} // namespace

TEST_CASE("a write scenario's answers carry the fields their pages document", "[engine][family]") {
    // CreateTag answers the new tag's TagId (required); the listing shows names only. The
    // reference answered every scenario write with the envelope alone: field.missing /TagId.
    // The create sends one Hosts value where the listing shows a list of them: it stored the
    // string, and its own listing broke its schema (type.mismatch /DataSet/0/Hosts).
    const fs::path dir = test::fresh_dir("engine-family-write-answer");
    import_pages(
        dir, "tags",
        {{"create_tag.md",
          ucloud_page("CreateTag",
                      "| **TagName** | string | 名称 |**Yes**|\n| **Hosts** | string | 主机 |No|\n",
                      "| **TagId** | int | 新标签的编号 |**Yes**|\n")},
         {"delete_tag.md",
          ucloud_page("DeleteTag", "| **TagName** | string | 名称 |**Yes**|\n", "")},
         {"describe_tag.md",
          ucloud_page(
              "DescribeTag",
              "| **Offset** | int | 偏移，默认为0 |No|\n| **Limit** | int | 数量，默认为20 |No|\n",
              "| **DataSet** | array[[*TagSet*](#TagSet)] | 标签 |No|\n"
              "| **TotalCount** | int | 总数 |No|\n",
              "#### 数据模型\n\n#### TagSet\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n"
              "|:---|:---|:---|:---|\n| **TagName** | string | 名称 |No|\n"
              "| **Hosts** | array[string] | 主机 |No|\n")}});

    const auto run = test::run_family(dir / "schemas", dir, {"tags"});
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    std::size_t scenarios = 0;
    for (const auto& target : run.report.at("targets"))
        for (const auto& c : target.at("cases"))
            if (c.at("kind") == "scenario") {
                INFO(c.dump(1));
                ++scenarios;
                CHECK(c.at("status") == "passed");
            }
    CHECK(scenarios == 1);
}

TEST_CASE("a write scenario needs its required values: skipped naming them or sent as given",
          "[engine][family]") {
    // CreateRule requires a Zone nothing in the family gives: such a scenario was derived for
    // no family (a declared one sent the create without it and blamed the refusal on the
    // target); now it is derived, and skipped naming what it needs. With --param Zone and GroupId,
    // the create sends both as given (it made a GroupId up, and the read-back filtered by the
    // user's found nothing).
    const fs::path dir = test::fresh_dir("engine-family-write-params");
    import_pages(
        dir, "rules",
        {{"create_rule.md",
          ucloud_page(
              "CreateRule",
              "| **RuleName** | string | 名称 |**Yes**|\n| **GroupId** | string | 分组 |**Yes**|\n"
              "| **Zone** | string | 可用区 |**Yes**|\n",
              "")},
         {"delete_rule.md",
          ucloud_page("DeleteRule", "| **RuleName** | string | 名称 |**Yes**|\n", "")},
         {"describe_rule.md",
          ucloud_page(
              "DescribeRule",
              "| **GroupId** | string | 按分组过滤 |No|\n| **Offset** | int | 偏移，默认为0 |No|\n"
              "| **Limit** | int | 数量，默认为20 |No|\n",
              "| **DataSet** | array[[*RuleSet*](#RuleSet)] | 规则 |No|\n"
              "| **TotalCount** | int | 总数 |No|\n",
              "#### 数据模型\n\n#### RuleSet\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n"
              "|:---|:---|:---|:---|\n| **RuleName** | string | 名称 |No|\n"
              "| **GroupId** | string | 分组 |No|\n")}});
    auto scenario_of = [](const nlohmann::json& report) {
        for (const auto& target : report.at("targets"))
            for (const auto& c : target.at("cases"))
                if (c.at("kind") == "scenario")
                    return c;
        return nlohmann::json();
    };
    // The family run clean against the reference with these --param values: its scenario case.
    auto scenario_run = [&](const std::string& name, std::vector<std::string> params) {
        const auto run = test::run_family(dir / "schemas", dir / name, {"rules"}, std::move(params),
                                          dir / (name + ".jsonl"));
        INFO(run.console);
        REQUIRE(run.verdict);
        CHECK(*run.verdict == core::Verdict::conformant);
        return scenario_of(run.report);
    };
    const auto skipped = scenario_run("bare", {});
    INFO(skipped.dump(1));
    CHECK(skipped.value("status", "") == "skipped");
    CHECK(skipped.value("skipped_reason", "").find("CreateRule: Zone") != std::string::npos);

    const auto passed = scenario_run("given", {"Zone=cn-z1", "GroupId=group-7"});
    INFO(passed.dump(1));
    CHECK(passed.value("status", "") == "passed");
    std::size_t creates = 0;
    for (const auto& exchange : test::recorded(dir / "given.jsonl"))
        if (exchange.value("operation", "") == "CreateRule") {
            ++creates;
            const std::string query = exchange.at("request").at("query").dump();
            CHECK(query.find(R"(["GroupId","group-7"])") != std::string::npos);
            CHECK(query.find(R"(["Zone","cn-z1"])") != std::string::npos);
        }
    CHECK(creates >= 2); // the create, and the create twice

    // Replayed, the scenario reads what --param gave back from its recorded create: judged
    // again, clean (it had no --param: skipped, or a made-up GroupId against the user's).
    const auto replayed =
        test::replay_family(dir / "given.jsonl", dir / "schemas", dir / "replayed", {"rules"});
    INFO(replayed.console);
    REQUIRE(replayed.verdict);
    CHECK(*replayed.verdict == core::Verdict::conformant);
    // (replay lists what did not pass; the scenario passes: nothing skipped, nothing failed)
    INFO(replayed.report.at("summary").dump());
    CHECK(replayed.report.at("summary").at("skipped") == 0);
    CHECK(replayed.report.at("summary").at("failed") == 0);
}
