#include "tests/report/sample_run.hpp"

namespace conform::test {
namespace {

using report::CaseResult;
using report::CheckResult;

CaseResult base(std::string target, std::string persona, std::string port, std::string name,
                std::string kind) {
    CaseResult c;
    c.contract = "ucloud-uhub";
    c.operation = "GetRepo";
    c.target = std::move(target);
    c.persona = std::move(persona);
    c.url = "http://127.0.0.1:" + port + "/";
    c.name = std::move(name);
    c.kind = std::move(kind);
    c.expect = "success";
    return c;
}

nlohmann::json exchange(const std::string& port, const std::string& query, nlohmann::json body) {
    return {{"request",
             {{"method", "GET"},
              {"url", "http://127.0.0.1:" + port + "/?" + query +
                          "&PublicKey=REDACTED&Signature=REDACTED"}}},
            {"response",
             {{"status", 200}, {"content_type", "application/json"}, {"body", std::move(body)}}}};
}

} // namespace

report::ReportModel sample_run() {
    report::ReportModel m;
    m.tool = "conform (golden)";
    m.run.started_at = "2026-01-02T03:04:05Z";
    m.run.arguments = {"conform", "run"};
    m.targets.resize(2);
    m.targets[0].info = {"ucloud-uhub", "http://127.0.0.1:40001/", "conforming", "reference"};
    m.targets[1].info = {"ucloud-uhub", "http://127.0.0.1:40002/", "doc-sample", "doc-sample"};

    const nlohmann::json good_page = {{"Action", "GetRepoResponse"},
                                      {"RetCode", 0},
                                      {"TotalCount", 2},
                                      {"RepoSet",
                                       {{{"RepoName", "uhub-demo"},
                                         {"Description", "demo <images> & \"tools\""},
                                         {"IsShared", "false"},
                                         {"IsOutSide", "false"},
                                         {"CreateTime", 1600000000},
                                         {"UpdateTime", 1600000000}},
                                        {{"RepoName", "base"},
                                         {"Description", ""},
                                         {"IsShared", "true"},
                                         {"IsOutSide", "false"},
                                         {"CreateTime", 1600000001},
                                         {"UpdateTime", 1600000001}}}}};

    // reference
    CaseResult pass = base("reference", "conforming", "40001", "default-page", "single");
    pass.description = "the first page with the documented defaults";
    pass.checks = {CheckResult{"schema", {}, {}, ""}, CheckResult{"envelope", {}, {}, ""},
                   CheckResult{"pagination", {}, {}, ""}};
    pass.exchanges = {exchange("40001", "Action=GetRepo&ProjectId=org-xxx", good_page)};
    pass.environment = {"throttled once (RetCode 172), retried after 1.000 s"};
    pass.seconds = 0.25;
    m.cases.push_back(pass);

    CaseResult walk = base("reference", "conforming", "40001", "walk-limit-3", "walk");
    walk.description = "walk every page with Limit=3";
    walk.checks = {CheckResult{"schema", {}, {}, ""}, CheckResult{"pagination.walk", {}, {}, ""}};
    walk.exchanges = {exchange("40001", "Action=GetRepo&Limit=3&Offset=0", good_page)};
    walk.seconds = 0.5;
    m.cases.push_back(walk);

    CaseResult unsigned_case = base("reference", "conforming", "40001", "unsigned", "auth");
    unsigned_case.expect = "refusal";
    unsigned_case.skipped = "no credentials: UCLOUD_PUBLIC_KEY is not set";
    m.cases.push_back(unsigned_case);

    // doc-sample: answers with the documentation's own sample
    nlohmann::json strings = nlohmann::json::array();
    for (int i = 0; i < 9; ++i)
        strings.push_back(i == 0 ? "uhub-demo" : "repo-" + std::to_string(i));
    const nlohmann::json sample = {
        {"Action", "GetRepoResponse"}, {"RetCode", 0}, {"RepoSet", strings}, {"TotalCount", 2}};

    CaseResult fail = base("doc-sample", "doc-sample", "40002", "default-page", "single");
    fail.description = pass.description;
    core::Deviation type;
    type.id = core::DeviationId::type_mismatch;
    type.kind = "scalar-for-object";
    type.operation = "GetRepo";
    type.instance_pointer = "/RepoSet/0";
    type.schema_pointer = "/properties/RepoSet/items/type";
    type.expected = "object (RepoSet)";
    type.actual = "string \"uhub-demo\"";
    type.message = "RepoSet items are strings; the table documents RepoSet objects";
    type.count = 9;
    type.source = core::DocSource{"ucloud-uhub.GetRepo.zh.md", 47};
    core::Deviation over;
    over.id = core::DeviationId::pagination_over_limit;
    over.operation = "GetRepo";
    over.instance_pointer = "/RepoSet";
    over.expected = "at most 3 items (Limit=3)";
    over.actual = "9 items";
    over.message = "the page holds more items than Limit asked for";
    over.source = core::DocSource{"ucloud-uhub.GetRepo.zh.md", 37};
    fail.checks = {CheckResult{"schema", {type}, {0}, ""}, CheckResult{"envelope", {}, {}, ""},
                   CheckResult{"pagination", {over}, {0}, ""}};
    fail.exchanges = {exchange("40002", "Action=GetRepo&Limit=3&ProjectId=org-xxx", sample)};
    fail.seconds = 0.125;
    m.cases.push_back(fail);

    CaseResult walk_skip = base("doc-sample", "doc-sample", "40002", "walk-limit-3", "walk");
    walk_skip.description = walk.description;
    walk_skip.skipped = "the doc-sample persona serves one page only";
    m.cases.push_back(walk_skip);

    CaseResult auth = base("doc-sample", "doc-sample", "40002", "unsigned", "auth");
    auth.expect = "refusal";
    auth.checks = {CheckResult{"envelope", {}, {}, ""},
                   CheckResult{"auth", {}, {}, "the persona does not verify signatures"}};
    auth.exchanges = {
        {{"request", {{"method", "GET"}, {"url", "http://127.0.0.1:40002/?Action=GetRepo"}}},
         {"response",
          {{"status", 200},
           {"content_type", "application/json"},
           {"body", {{"RetCode", 171}, {"Message", "Signature VerifyAC Error"}}}}}}};
    auth.seconds = 0.0625;
    m.cases.push_back(auth);

    m.summary = report::summarize(m.cases);
    m.summary.seconds = 1.5;
    return m;
}

} // namespace conform::test
