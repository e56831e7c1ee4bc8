// Contract coverage end to end (issue 19): what the contracts document, the embedded run of a
// whole family (every read-only operation exercised; the write named as not), a replay of a
// recording that covers part of it (missing operations and never-seen fields named), the gate
// (--min-coverage, --fail-on-unobserved: exit 1 naming what is missing, 0 when met), and shards
// merged equal to the unsharded run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/engine/internal/coverage.hpp"
#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"
#include "tests/support/exit_status.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
using report::CoverageMetric;
using report::PageShape;
namespace fs = std::filesystem;

namespace {

fs::path family_schemas() {
    return fs::path(CONFORM_SOURCE_DIR) / "tests/contract/fixtures/family";
}

const contract::Contract& family_contract() {
    static const contract::Contract c = [] {
        auto loaded = contract::load_contract(family_schemas() / "uhub-family");
        REQUIRE(loaded);
        return std::move(loaded).value();
    }();
    return c;
}

struct CoverageRan {
    int status = -1;
    std::string out, err;
    report::ReportModel model;
};

// A finished job: its exit status, what it printed, and the report.json it wrote.
CoverageRan finished(const core::Result<core::Verdict>& verdict, const std::ostringstream& out,
                     const std::ostringstream& err, const fs::path& report_dir) {
    CoverageRan r;
    r.status = test::exit_status(verdict);
    r.out = out.str();
    r.err = err.str();
    auto model = report::load_report(report_dir / "report.json");
    INFO(r.out << r.err);
    REQUIRE(model);
    r.model = std::move(*model);
    return r;
}

// `conform run --contract uhub-family` on the embedded reference server (the family has no
// cases file and no dataset: its cases are generated and its data synthesized).
CoverageRan run_family(const fs::path& dir, const std::string& persona = "reference",
                       report::CoverageGate gate = {}, engine::Shard shard = {}) {
    fs::create_directories(dir / "no-cases");
    engine::RunJob job;
    job.schemas_dir = family_schemas();
    job.cases_dir = dir / "no-cases";
    job.contracts = {"uhub-family"};
    job.personas = {persona};
    job.report.dir = dir / "report";
    job.report.coverage_gate = std::move(gate);
    job.settings.shard = shard;
    job.arguments = {"conform", "run", "--contract", "uhub-family"};
    std::ostringstream out, err;
    const auto verdict = engine::run_run(job, out, err);
    return finished(verdict, out, err, job.report.dir);
}

const report::TargetCoverage& only_row(const report::ReportModel& m) {
    REQUIRE(m.coverage);
    REQUIRE(m.coverage->targets.size() == 1);
    return m.coverage->targets.front();
}

const report::OperationCoverage& operation(const report::TargetCoverage& row,
                                           const std::string& name) {
    for (const auto& op : row.operations)
        if (op.name == name)
            return op;
    FAIL("no operation " << name);
    throw std::logic_error("unreachable");
}

// A recording of part of the family: two GetRepo pages (the second without IsShared) and one
// GetRepoImage page whose images never carry PullCount; nothing else.
std::string partial_day() {
    // [["name", "value"], ...] (a braced list of pairs would become a JSON object).
    const auto pairs_of = [](std::initializer_list<std::pair<std::string, std::string>> list) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : list)
            out.push_back(nlohmann::json::array({p.first, p.second}));
        return out;
    };
    const auto line = [&](const std::string& query, const nlohmann::json& pairs,
                          const nlohmann::json& body) {
        nlohmann::json j = {
            {"target", "day"},
            {"request",
             {{"method", "GET"}, {"url", "https://api.example.test/?" + query}, {"query", pairs}}},
            {"response",
             {{"status", 200},
              {"headers", pairs_of({{"Content-Type", "application/json"}})},
              {"body", body}}}};
        return j.dump() + "\n";
    };
    const nlohmann::json repo_a = {{"RepoName", "a"}, {"CreateTime", "t"}, {"IsShared", "true"}};
    const nlohmann::json repo_b = {{"RepoName", "b"}, {"CreateTime", "t"}, {"IsShared", "false"}};
    const nlohmann::json repo_c = {{"RepoName", "c"}, {"CreateTime", "t"}};
    std::string text;
    text += line("Action=GetRepo&Offset=0&Limit=2",
                 pairs_of({{"Action", "GetRepo"}, {"Offset", "0"}, {"Limit", "2"}}),
                 {{"Action", "GetRepoResponse"},
                  {"RetCode", 0},
                  {"TotalCount", 3},
                  {"RepoSet", nlohmann::json::array({repo_a, repo_b})}});
    text += line(
        "Action=GetRepo&Offset=2&Limit=2&Type=private",
        pairs_of({{"Action", "GetRepo"}, {"Offset", "2"}, {"Limit", "2"}, {"Type", "private"}}),
        {{"Action", "GetRepoResponse"},
         {"RetCode", 0},
         {"TotalCount", 3},
         {"RepoSet", nlohmann::json::array({repo_c})}});
    text += line(
        "Action=GetRepoImage&RepoName=a", pairs_of({{"Action", "GetRepoImage"}, {"RepoName", "a"}}),
        {{"Action", "GetRepoImageResponse"},
         {"RetCode", 0},
         {"TotalCount", 1},
         {"ImageSet", nlohmann::json::array({{{"ImageName", "web"}, {"RepoName", "a"}}})}});
    return text;
}

CoverageRan replay_partial(const fs::path& dir, report::CoverageGate gate = {}) {
    fs::create_directories(dir);
    std::ofstream(dir / "day.jsonl") << partial_day();
    engine::ReplayJob job;
    job.files = {dir / "day.jsonl"};
    job.schemas_dir = family_schemas();
    job.cases_dir = dir / "no-cases";
    job.contracts = {"uhub-family"};
    job.report.dir = dir / "report";
    job.report.coverage_gate = std::move(gate);
    job.arguments = {"conform", "replay", "day.jsonl"};
    std::ostringstream out, err;
    const auto verdict = engine::run_replay(job, out, err);
    return finished(verdict, out, err, job.report.dir);
}

} // namespace

TEST_CASE("documented: parameters and enums, fields through $refs and items, codes, paging") {
    const report::ContractDoc doc = engine::internal::documented(family_contract());
    CHECK(doc.contract == "uhub-family");
    CHECK(doc.status_pointer == "/RetCode");
    REQUIRE(doc.operations.size() == 5);
    const auto get = std::find_if(doc.operations.begin(), doc.operations.end(),
                                  [](const auto& o) { return o.name == "GetRepo"; });
    REQUIRE(get != doc.operations.end());
    CHECK(get->pages);
    CHECK(get->fields == std::vector<std::string>{"/Action", "/Message", "/RepoSet",
                                                  "/RepoSet/*/CreateTime", "/RepoSet/*/IsShared",
                                                  "/RepoSet/*/RepoName", "/RetCode",
                                                  "/TotalCount"});
    REQUIRE(get->params.size() == 3);
    CHECK(get->params[2].name == "Type");
    CHECK(get->params[2].values == std::vector<std::string>{"private", "public"});
    CHECK(get->codes == std::vector<nlohmann::json>{0}); // the family records no error table
    const auto del = std::find_if(doc.operations.begin(), doc.operations.end(),
                                  [](const auto& o) { return o.name == "DeleteRepo"; });
    CHECK_FALSE(del->pages);
}

TEST_CASE("page shapes: first, middle, last, past the end") {
    const contract::Pagination model = *family_contract().find_operation("GetRepo")->pagination;
    const auto shapes = [&](const contract::Query& q, const std::string& body) {
        return engine::internal::page_shapes(model, q, core::JsonView(nlohmann::json::parse(body)));
    };
    using report::bit_of;
    const std::string two_of_five = R"({"TotalCount": 5, "RepoSet": [{}, {}]})";
    CHECK(shapes({{"Offset", "0"}, {"Limit", "2"}}, two_of_five) == bit_of(PageShape::first));
    CHECK(shapes({{"Limit", "2"}}, two_of_five) == bit_of(PageShape::first));
    CHECK(shapes({{"Offset", "2"}, {"Limit", "2"}}, two_of_five) == bit_of(PageShape::middle));
    CHECK(shapes({{"Offset", "3"}, {"Limit", "2"}}, two_of_five) == bit_of(PageShape::last));
    CHECK(shapes({{"Offset", "0"}, {"Limit", "9"}}, R"({"TotalCount": 2, "RepoSet": [{}, {}]})") ==
          (bit_of(PageShape::first) | bit_of(PageShape::last)));
    CHECK(shapes({{"Offset", "7"}, {"Limit", "2"}}, R"({"TotalCount": 5, "RepoSet": []})") ==
          bit_of(PageShape::past_end));
    // Without a total, a short page is the last.
    CHECK(shapes({{"Offset", "4"}, {"Limit", "2"}}, R"({"RepoSet": [{}]})") ==
          bit_of(PageShape::last));
    CHECK(shapes({{"Offset", "4"}, {"Limit", "2"}}, R"({"RepoSet": [{}, {}]})") ==
          bit_of(PageShape::middle));
    CHECK(shapes({}, R"({"RetCode": 230})") == 0); // no list: no page
}

TEST_CASE("coverage of the embedded family run: every read-only operation exercised") {
    const fs::path dir = test::fresh_dir("coverage-family");
    const CoverageRan r = run_family(dir);
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    const report::TargetCoverage& row = only_row(r.model);
    CHECK(row.contract == "uhub-family");
    CHECK(row.target == "reference");
    for (const std::string& name : family_contract().read_only) {
        INFO(name);
        CHECK(operation(row, name).exercised());
    }
    // The write: live mode sends read-only operations only, and coverage says so.
    CHECK_FALSE(operation(row, "DeleteRepo").exercised());
    CHECK(row.ratio(CoverageMetric::operations).covered == 4);
    const report::OperationCoverage& get = operation(row, "GetRepo");
    CHECK(get.fields_missing.empty());
    CHECK(get.pages_seen.size() == report::k_page_shapes);
    for (const auto& p : get.params)
        CHECK(p.values_sent == p.values); // every enum value is a generated case
    CHECK(std::count(get.codes_observed.begin(), get.codes_observed.end(), 0) == 1);
    // Undocumented codes the reference answers refusals with are listed, not counted.
    CHECK(get.codes_observed.size() > 1);
    CHECK(r.out.find("Coverage\ncontract     target     operations") != std::string::npos);
    CHECK(r.out.find("    DeleteRepo: not exercised") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("coverage names the field a persona forgot (missing-field)") {
    const fs::path dir = test::fresh_dir("coverage-forgot");
    const CoverageRan r = run_family(dir, "missing-field");
    INFO(r.out);
    const report::TargetCoverage& row = only_row(r.model);
    // The first required item field other than the item key is dropped from every item.
    CHECK(operation(row, "GetRepo").fields_missing ==
          std::vector<std::string>{"/RepoSet/*/CreateTime"});
    CHECK(operation(row, "GetRepoImage").fields_missing ==
          std::vector<std::string>{"/ImageSet/*/RepoName"});
    CHECK(r.out.find("fields never observed: /RepoSet/*/CreateTime") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("coverage of a replay: what this day of traffic covered, and what it did not") {
    const fs::path dir = test::fresh_dir("coverage-replay");
    const CoverageRan r = replay_partial(dir);
    INFO(r.out << r.err);
    const report::TargetCoverage& row = only_row(r.model);
    CHECK(row.target == "day");
    std::vector<std::string> idle;
    for (const auto& op : row.operations)
        if (!op.exercised())
            idle.push_back(op.name);
    CHECK(idle == std::vector<std::string>{"DeleteRepo", "DescribeQuota", "GetImageTag"});
    const report::OperationCoverage& get = operation(row, "GetRepo");
    CHECK(get.exchanges == 2); // the walk of both pages counts no exchange twice
    CHECK(get.fields_missing == std::vector<std::string>{"/Message"});
    CHECK(get.pages_seen == std::vector<PageShape>{PageShape::first, PageShape::last});
    const auto type = std::find_if(get.params.begin(), get.params.end(),
                                   [](const auto& p) { return p.name == "Type"; });
    CHECK(type->values_sent == std::vector<std::string>{"private"});
    CHECK(operation(row, "GetRepoImage").fields_missing ==
          std::vector<std::string>{"/ImageSet/*/PullCount", "/Message"});
    CHECK(r.out.find("    GetImageTag: not exercised") != std::string::npos);
    CHECK(r.out.find("GetRepoImage: params never sent: Limit, Offset; fields never observed: "
                     "/ImageSet/*/PullCount, /Message") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("gate --min-coverage: below it exit 1 naming what was missing; met, exit 0") {
    const fs::path dir = test::fresh_dir("coverage-gate");
    report::CoverageGate gate;
    gate.minimum = {{CoverageMetric::operations, 90}, {CoverageMetric::fields, 80}};
    CoverageRan r = run_family(dir / "below", "reference", gate);
    CHECK(r.status == 1);
    REQUIRE(r.model.coverage);
    REQUIRE(r.model.coverage->failures.size() == 1); // fields are at 35 of 38 (92.1%)
    CHECK(r.model.coverage->failures[0] ==
          "uhub-family @ reference: operations 80% (4 of 5) is below --min-coverage "
          "operations=90; not exercised: DeleteRepo");
    CHECK(r.out.find("coverage below the gate (operations=90%,fields=80%):\n  uhub-family @ "
                     "reference: operations 80%") != std::string::npos);

    gate.minimum = {{CoverageMetric::operations, 80}, {CoverageMetric::fields, 80}};
    r = run_family(dir / "met", "reference", gate);
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.model.coverage->failures.empty());
    CHECK(r.out.find("coverage gate met (operations=80%,fields=80%)") != std::string::npos);

    // Replay: "what did this day of traffic cover" held to a minimum too.
    gate.minimum = {{CoverageMetric::operations, 50}};
    r = replay_partial(dir / "replay", gate);
    CHECK(r.status == 1);
    REQUIRE(r.model.coverage->failures.size() == 1);
    CHECK(r.model.coverage->failures[0].find(
              "operations 40% (2 of 5) is below --min-coverage operations=50; not exercised: "
              "DeleteRepo, DescribeQuota, GetImageTag") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("gate --fail-on-unobserved: a field the implementation forgot fails the run by name") {
    const fs::path dir = test::fresh_dir("coverage-unobserved");
    report::CoverageGate gate;
    gate.observe = {"GetRepo:/RepoSet/*/CreateTime", "0"};
    CoverageRan r = run_family(dir / "forgot", "missing-field", gate);
    INFO(r.out);
    CHECK(r.status == 1);
    REQUIRE(r.model.coverage->failures.size() == 1);
    CHECK(r.model.coverage->failures[0] ==
          "uhub-family @ missing-field: /RepoSet/*/CreateTime (GetRepo) was never observed "
          "(--fail-on-unobserved GetRepo:/RepoSet/*/CreateTime)");
    r = run_family(dir / "kept", "reference", gate);
    CHECK(r.status == 0);
    fs::remove_all(dir);
}

TEST_CASE("shards: merged coverage equals the unsharded run's, and the gate judges the whole") {
    const fs::path dir = test::fresh_dir("coverage-shards");
    report::CoverageGate gate;
    gate.minimum = {{CoverageMetric::operations, 90}};
    const CoverageRan whole = run_family(dir / "whole", "reference", gate);
    CHECK(whole.status == 1);
    std::vector<report::NamedReport> shards;
    for (int k = 1; k <= 3; ++k) {
        const CoverageRan part =
            run_family(dir / ("shard-" + std::to_string(k)), "reference", gate, {k, 3});
        // A shard covers less by design: its coverage is not judged (merge judges the whole).
        CHECK(part.status == 0);
        CHECK(part.model.coverage->failures.empty());
        CHECK_FALSE(part.model.coverage == whole.model.coverage);
        shards.push_back({"shard-" + std::to_string(k), part.model});
    }
    auto merged = report::merge_reports(std::move(shards));
    REQUIRE(merged);
    REQUIRE(merged->coverage);
    // Through report.json, as `conform report merge` writes it.
    auto written = report::parse_report(nlohmann::json(report::to_report_json(*merged)));
    REQUIRE(written);
    CHECK(*written->coverage == *whole.model.coverage);
    CHECK(written->coverage->failures.size() == 1);
    fs::remove_all(dir);
}

TEST_CASE(
    "coverage of the embedded UHub run: every operation exercised, writes by their scenario") {
    const fs::path dir = test::fresh_dir("coverage-uhub");
    engine::RunJob job;
    job.contracts = {"ucloud-uhub"};
    job.personas = {"reference"};
    job.report.dir = dir / "report";
    std::ostringstream out, err;
    const auto verdict = engine::run_run(job, out, err);
    const CoverageRan r = finished(verdict, out, err, job.report.dir);
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    const report::TargetCoverage& row = only_row(r.model);
    CHECK(row.contract == "ucloud-uhub");
    // Seven documented operations: three read-only, four writes (CreateRepo, UpdateRepo and
    // DeleteRepo in the Repo scenario; DeleteRepoImage as its delete of a missing child).
    CHECK(row.operations.size() == 7);
    for (const report::OperationCoverage& op : row.operations) {
        INFO(op.name);
        CHECK(op.exercised());
    }
    CHECK(row.ratio(CoverageMetric::operations).covered == 7);
    CHECK(r.out.find("not exercised") == std::string::npos);
    fs::remove_all(dir);
}
