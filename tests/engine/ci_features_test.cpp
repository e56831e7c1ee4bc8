// The CI features of `conform run` end to end on the embedded reference server: --shard K/N
// with `report merge` equals the unsharded run, and the baseline round trip (write, rerun
// clean, add a persona's deviation: exit 1 naming only it), --fail-on and --severity.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/engine/run.hpp"
#include "runner/report/baseline.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

struct Ran {
    core::Verdict verdict = core::Verdict::bad_input;
    std::string out, err;
    report::ReportModel model;
};

Ran run(engine::RunJob job, const fs::path& dir) {
    job.report.dir = dir;
    job.report.console.quiet = true;
    std::ostringstream out, err;
    Ran r;
    auto verdict = engine::run_run(job, out, err);
    r.out = out.str();
    r.err = err.str();
    INFO(r.out << r.err);
    REQUIRE(verdict);
    r.verdict = *verdict;
    auto model = report::load_report(dir / "report.json");
    INFO(r.out << r.err);
    REQUIRE(model);
    r.model = std::move(*model);
    return r;
}

// What a case concluded, without times: target, label, status, deviation fingerprints.
std::vector<std::string> conclusions(const report::ReportModel& m) {
    std::vector<std::string> out;
    for (const report::CaseResult& c : m.cases) {
        std::string line = c.target + " " + c.contract + "/" + c.operation + "/" + c.name + " " +
                           (c.skipped.empty() ? (c.passed() ? "passed" : "failed") : "skipped");
        for (const auto& check : c.checks)
            for (const auto& d : check.deviations)
                line += " " + d.fingerprint();
        out.push_back(std::move(line));
    }
    return out;
}

std::set<std::string> deviation_targets(const report::ReportModel& m) {
    std::set<std::string> out;
    for (const report::CaseResult& c : m.cases)
        if (c.deviation_count())
            out.insert(c.target);
    return out;
}

} // namespace

TEST_CASE("shards: --shard K/N splits the cases evenly; merged shards equal the unsharded run") {
    const fs::path dir = test::fresh_dir("ci-shards");
    engine::RunJob job;
    const Ran whole = run(job, dir / "whole");
    REQUIRE(whole.model.cases.size() > 30);

    std::vector<report::NamedReport> shards;
    std::size_t smallest = SIZE_MAX, largest = 0;
    std::set<std::string> seen;
    for (int k = 1; k <= 3; ++k) {
        engine::RunJob part = job;
        part.settings.shard = {k, 3};
        const Ran r = run(part, dir / ("shard-" + std::to_string(k)));
        CHECK(r.model.run.shard == std::to_string(k) + "/3");
        smallest = std::min(smallest, r.model.cases.size());
        largest = std::max(largest, r.model.cases.size());
        for (const auto& c : r.model.cases) // no case in two shards
            CHECK(
                seen.insert(c.target + "/" + c.contract + "/" + c.operation + "/" + c.name).second);
        shards.push_back(
            {(dir / ("shard-" + std::to_string(k)) / "report.json").string(), r.model});
    }
    // Evenly: per target and contract the share differs by at most one case.
    CHECK(largest - smallest <= 2 * 2);
    auto joined = report::merge_reports(std::move(shards));
    REQUIRE(joined);
    // As report.json holds it (cases grouped by target, each in plan order).
    auto merged = report::parse_report(nlohmann::json(report::to_report_json(*joined)));
    REQUIRE(merged);
    CHECK(conclusions(*merged) == conclusions(whole.model));
    REQUIRE(whole.model.coverage);
    CHECK(merged->coverage == whole.model.coverage); // every contract x target, exactly
    CHECK(merged->summary.deviations == whole.model.summary.deviations);
    CHECK(merged->summary.failed == whole.model.summary.failed);

    CHECK_FALSE(engine::parse_shard("0/3"));
    CHECK_FALSE(engine::parse_shard("4/3"));
    CHECK_FALSE(engine::parse_shard("1-3"));
    CHECK(engine::parse_shard("3/3"));
    fs::remove_all(dir);
}

TEST_CASE("baseline round trip: write, rerun clean, a persona's new deviation alone fails") {
    const fs::path dir = test::fresh_dir("ci-baseline");
    fs::create_directories(dir);
    const fs::path baseline = dir / "baseline.json";
    engine::RunJob job; // reference + doc-sample: the doc samples deviate
    job.report.write_baseline = baseline;
    const Ran first = run(job, dir / "1");
    CHECK(first.verdict == core::Verdict::deviations);
    auto written = report::load_baseline(baseline);
    REQUIRE(written);
    CHECK(written->entries.size() == first.model.summary.deviations);

    engine::RunJob again;
    again.report.baseline = baseline;
    const Ran clean = run(again, dir / "2");
    INFO(clean.err);
    CHECK(clean.verdict == core::Verdict::conformant);
    CHECK(clean.model.summary.deviations == 0);
    CHECK(clean.model.summary.accepted == first.model.summary.deviations);
    REQUIRE(clean.model.baseline);
    CHECK(clean.model.baseline->fixed.empty());

    engine::RunJob more = again;
    more.personas = {"reference", "doc-sample", "ignore-limit"};
    const Ran worse = run(more, dir / "3");
    CHECK(worse.verdict == core::Verdict::deviations);
    CHECK(deviation_targets(worse.model) == std::set<std::string>{"ignore-limit"});
    CHECK(worse.model.summary.accepted == first.model.summary.deviations);

    // --severity: ignore-limit's deviations made warnings pass (exit 0), unless --fail-on warning.
    engine::RunJob lenient = more;
    for (const report::CaseResult& c : worse.model.cases)
        for (const auto& check : c.checks)
            for (const auto& d : check.deviations)
                lenient.report.severities[d.id] = core::Severity::warning;
    REQUIRE_FALSE(lenient.report.severities.empty());
    const Ran warned = run(lenient, dir / "4");
    CHECK(warned.verdict == core::Verdict::conformant);
    CHECK(warned.model.summary.errors == 0);
    CHECK(warned.model.summary.warnings == worse.model.summary.deviations);
    lenient.report.fail_on = core::Severity::warning;
    CHECK(run(lenient, dir / "5").verdict == core::Verdict::deviations);
    fs::remove_all(dir);
}

TEST_CASE("a baseline that cannot be read is exit 2 naming it, before anything runs") {
    const fs::path dir = test::fresh_dir("ci-bad-baseline");
    fs::create_directories(dir);
    std::ofstream(dir / "b.json") << "{\"conform_baseline\": 1, \"entries\": [{}]}";
    engine::RunJob job;
    job.report.dir = dir / "out";
    job.report.console.quiet = true;
    job.report.baseline = dir / "b.json";
    std::ostringstream out, err;
    const auto verdict = engine::run_run(job, out, err);
    REQUIRE_FALSE(verdict);
    CHECK_THAT(verdict.error().to_string(),
               Catch::Contains("b.json") && Catch::Contains("/entries/0"));
    CHECK_FALSE(fs::exists(dir / "out" / "report.json"));
    fs::remove_all(dir);
}
