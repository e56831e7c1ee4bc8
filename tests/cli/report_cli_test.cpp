// The CI features as a CI job uses them: report formats, `conform report` re-rendering,
// --shard + `report merge`, baselines, --fail-on and --severity, and their usage errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/cli/run_conform.hpp"

using conform::test::run_conform;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

nlohmann::json report_of(const fs::path& dir) {
    return nlohmann::json::parse(slurp(dir / "report.json"));
}

// "FAIL  contract/op/case @ target: ..." lines of a console run, by target.
std::set<std::string> failing_targets(const std::string& out) {
    std::set<std::string> targets;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("FAIL  ", 0) == 0) {
            const auto at = line.find(" @ ");
            targets.insert(line.substr(at + 3, line.find(':', at) - at - 3));
        }
    return targets;
}

} // namespace

TEST_CASE("run --format writes every file; conform report re-renders them identically") {
    conform::test::TempDir dir;
    const fs::path first = dir.path() / "run";
    auto r = run_conform({"run", "--quiet", "--report-dir", first.string(), "--format", "junit,md",
                          "--format", "html"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    for (const char* file : {"report.json", "junit.xml", "report.md", "report.html"})
        CHECK(fs::exists(first / file));
    CHECK_THAT(r.err, Catch::Contains("junit.xml") && Catch::Contains("report.html"));

    const fs::path again = dir.path() / "again";
    r = run_conform({"report", (first / "report.json").string(), "--format", "md,html,junit",
                     "--out", again.string()});
    INFO(r.err);
    CHECK(r.exit_code == 1); // the report's verdict
    CHECK(slurp(again / "report.md") == slurp(first / "report.md"));
    CHECK(slurp(again / "report.html") == slurp(first / "report.html"));
    CHECK(slurp(again / "junit.xml") == slurp(first / "junit.xml"));

    r = run_conform({"report", (first / "report.json").string()}); // console by default
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("Summary") && Catch::Contains("doc-sample"));

    const auto bad = dir.write("bad.json", "{\"conform_report\": 1, \"tool\": 7}");
    r = run_conform({"report", bad.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.json") && Catch::Contains("/tool"));
    CHECK(run_conform({"run", "--format", "pdf"}).exit_code == 2);
}

TEST_CASE("run --shard K/N then report merge: the unsharded run's report") {
    conform::test::TempDir dir;
    const fs::path whole = dir.path() / "whole";
    REQUIRE(run_conform({"run", "-q", "--report-dir", whole.string()}).exit_code == 1);
    std::vector<std::string> merge = {"report", "merge"};
    std::size_t cases = 0;
    for (int k = 1; k <= 2; ++k) {
        const fs::path shard = dir.path() / ("shard-" + std::to_string(k));
        auto r = run_conform(
            {"run", "-q", "--shard", std::to_string(k) + "/2", "--report-dir", shard.string()});
        INFO(r.err);
        CHECK(r.exit_code == 1);
        cases += report_of(shard).at("summary").at("cases").get<std::size_t>();
        merge.push_back((shard / "report.json").string());
    }
    const auto expected = report_of(whole).at("summary");
    CHECK(cases == expected.at("cases").get<std::size_t>());

    const fs::path merged = dir.path() / "merged";
    merge.insert(merge.end(), {"--out", merged.string(), "--quiet"});
    auto r = run_conform(merge);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto summary = report_of(merged).at("summary");
    for (const char* key : {"cases", "passed", "failed", "skipped", "deviations", "errors"})
        CHECK(summary.at(key) == expected.at(key));

    merge.erase(merge.begin() + 3); // drop shard 2
    r = run_conform(merge);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("shard 2/2 is missing"));
    CHECK(run_conform({"run", "--shard", "3/2"}).exit_code == 2);
}

TEST_CASE("baselines: write, rerun clean, then only a new persona's deviations fail") {
    conform::test::TempDir dir;
    const std::string baseline = (dir.path() / "conform-baseline.json").string();
    auto r = run_conform(
        {"run", "-q", "--report-dir", (dir.path() / "1").string(), "--write-baseline", baseline});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("baseline written to"));

    r = run_conform({"run", "--report-dir", (dir.path() / "2").string(), "--baseline", baseline});
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(failing_targets(r.out).empty());
    CHECK_THAT(r.out, Catch::Contains("0 expired, 0 fixed"));

    r = run_conform({"run", "--report-dir", (dir.path() / "3").string(), "--baseline", baseline,
                     "--persona", "reference", "--persona", "doc-sample", "--persona",
                     "total-as-string"});
    CHECK(r.exit_code == 1);
    CHECK(failing_targets(r.out) == std::set<std::string>{"total-as-string"});

    // Made warnings, its deviations pass unless --fail-on warning.
    std::vector<std::string> lenient = {"run",          "-q",
                                        "--report-dir", (dir.path() / "4").string(),
                                        "--baseline",   baseline,
                                        "--persona",    "total-as-string",
                                        "--severity",   "type.mismatch=warning"};
    r = run_conform(lenient);
    INFO(r.out);
    CHECK(r.exit_code == 0);
    lenient.insert(lenient.end(), {"--fail-on", "warning"});
    CHECK(run_conform(lenient).exit_code == 1);

    CHECK(run_conform({"run", "--fail-on", "fatal"}).exit_code == 2);
    r = run_conform({"run", "--severity", "type.nope=error"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("type.nope"));
    CHECK(run_conform({"run", "--accept-for", "30d"}).exit_code == 2); // needs --write-baseline
}

TEST_CASE("coverage gate: --min-coverage and --fail-on-unobserved exit 1 naming what is missing") {
    conform::test::TempDir dir;
    const std::vector<std::string> base = {"run",         "-q",        "--contract",
                                           "ucloud-uhub", "--persona", "reference"};
    const auto with = [&](std::vector<std::string> more, const std::string& sub) {
        std::vector<std::string> args = base;
        args.insert(args.end(), {"--report-dir", (dir.path() / sub).string()});
        args.insert(args.end(), more.begin(), more.end());
        return run_conform(args);
    };
    // Met: exit 0, and the console says so.
    auto r = with({"--min-coverage", "values=100,pages=100"}, "met");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("coverage gate met (values=100%,pages=100%)"));
    // The generated cases never send ProjectId (it is optional everywhere in the family).
    r = with({"--min-coverage", "params=100"}, "below");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("ucloud-uhub @ reference: params ") &&
                          Catch::Contains("is below --min-coverage params=100; never sent: ") &&
                          Catch::Contains(" ProjectId"));
    r = with({"--fail-on-unobserved", "GetRepo:/RepoSet/*/RepoName", "--fail-on-unobserved", "171"},
             "observed");
    CHECK(r.exit_code == 0);
    r = with({"--fail-on-unobserved", "GetRepo:172"}, "unobserved");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("status code 172 was never observed"));
    // Usage errors: exit 2 naming the flag and what it expects.
    r = with({"--min-coverage", "lines=80"}, "bad");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--min-coverage") &&
                          Catch::Contains("operations, params, values, fields, codes, pages"));
    r = with({"--fail-on-unobserved", "GetRepo:"}, "bad2");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--fail-on-unobserved"));
    // --help documents the measures.
    r = run_conform({"replay", "--help"});
    CHECK_THAT(r.out, Catch::Contains("--min-coverage") &&
                          Catch::Contains("fields: documented response fields observed"));
}

TEST_CASE("coverage gate on shards: not judged per shard; report merge judges the whole") {
    conform::test::TempDir dir;
    std::vector<std::string> merge = {"report", "merge"};
    for (int k = 1; k <= 2; ++k) {
        const fs::path shard = dir.path() / ("shard-" + std::to_string(k));
        auto r = run_conform({"run", "-q", "--contract", "ucloud-uhub", "--persona", "reference",
                              "--shard", std::to_string(k) + "/2", "--report-dir", shard.string(),
                              "--min-coverage", "params=100"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.out, Catch::Contains("not judged on a shard"));
        merge.push_back((shard / "report.json").string());
    }
    merge.insert(merge.end(), {"--out", (dir.path() / "merged").string()});
    auto r = run_conform(merge);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("never sent: ") && Catch::Contains(" ProjectId"));
    // And `conform report` of the merged report gives the same verdict.
    r = run_conform({"report", (dir.path() / "merged" / "report.json").string()});
    CHECK(r.exit_code == 1);
}
