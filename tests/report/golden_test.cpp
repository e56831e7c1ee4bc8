// Golden files (STYLE.md lesson 12): every format rendered from a real run, compared byte for
// byte with tests/report/golden/. The run is `conform run --contract ucloud-uhub` against the
// embedded reference server (personas reference and doc-sample) at a fixed clock, so its
// report.json is the same every time but for the servers' ephemeral ports, which are written
// as 40001, 40002... After an intended change, regenerate them with
// scripts/promote-report-golden (it sets CONFORM_PROMOTE_GOLDEN=1) and review the diff.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "runner/core/clock.hpp"
#include "runner/engine/run.hpp"
#include "tests/report/report_test_support.hpp"
#include "tests/support/exit_status.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
    return fs::path(CONFORM_SOURCE_DIR) / "tests/report/golden";
}

// 2026-01-02T03:04:05Z: the fixed clock the golden run reads (its duration is then 0).
constexpr std::int64_t k_started = 1767323045;

// Each distinct 127.0.0.1:<port> as 127.0.0.1:40001, :40002... in order of appearance.
std::string fixed_ports(const std::string& text) {
    static const std::regex loopback(R"(127\.0\.0\.1:(\d+))");
    std::map<std::string, int> ports;
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), loopback), end; it != end; ++it) {
        const int n =
            ports.emplace((*it)[1].str(), 40001 + static_cast<int>(ports.size())).first->second;
        out.append(last, (*it)[0].first);
        out += "127.0.0.1:" + std::to_string(n);
        last = (*it)[0].second;
    }
    out.append(last, text.cend());
    return out;
}

// The golden run, its report.json read back (ports fixed) as every reporter sees it.
report::ReportModel golden_run() {
    const fs::path dir = test::fresh_dir("golden-run");
    core::ManualClock clock(k_started);
    http::RandomNonceSource nonces(1);
    engine::RunJob job;
    job.contracts = {"ucloud-uhub"};
    job.schemas_dir = fs::path(CONFORM_SOURCE_DIR) / "schemas";
    job.cases_dir = fs::path(CONFORM_SOURCE_DIR) / "cases";
    job.report.dir = dir;
    job.report.console.quiet = true;
    job.arguments = {"conform", "run", "--contract", "ucloud-uhub"};
    job.clock = &clock;
    job.nonces = &nonces;
    std::ostringstream out, err;
    const int code = test::exit_status(engine::run_run(job, out, err));
    INFO(out.str() << err.str());
    REQUIRE(code == 1); // doc-sample deviates from the documented tables
    test::write(dir / "fixed.json", fixed_ports(test::slurp(dir / "report.json")));
    auto model = report::load_report(dir / "fixed.json");
    if (!model)
        FAIL(model.error().to_string());
    fs::remove_all(dir);
    return std::move(*model);
}

bool promoting() {
    const char* v = std::getenv("CONFORM_PROMOTE_GOLDEN");
    return v && std::string(v) == "1";
}

std::string console_text(const report::ReportModel& model, report::ConsoleOptions options) {
    std::ostringstream out;
    auto console = report::console_reporter(out, options);
    REQUIRE(report::replay(model, *console));
    return out.str();
}

// The first line where two texts differ, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
    std::istringstream a(expected), b(actual);
    std::string la, lb;
    for (std::size_t line = 1;; ++line) {
        const bool ga = static_cast<bool>(std::getline(a, la));
        const bool gb = static_cast<bool>(std::getline(b, lb));
        if (!ga && !gb)
            return "texts differ only in their final newline";
        if (!ga || !gb || la != lb)
            return "line " + std::to_string(line) + ":\n  golden: " + (ga ? la : "<end>") +
                   "\n  actual: " + (gb ? lb : "<end>");
    }
}

void compare_with_golden(const std::string& name, const std::string& actual) {
    const fs::path file = golden_dir() / name;
    // Always leave the actual output in the build tree for inspection.
    const fs::path actual_dir = fs::path(CONFORM_BINARY_DIR) / "tests/report/golden-actual";
    fs::create_directories(actual_dir);
    test::write(actual_dir / name, actual);
    if (promoting()) {
        test::write(file, actual);
        WARN("promoted " << file.string());
        return;
    }
    REQUIRE(fs::exists(file));
    const std::string expected = test::slurp(file);
    INFO(name << " differs from its golden file (actual: " << (actual_dir / name).string()
              << "; review, then scripts/promote-report-golden)\n"
              << (expected == actual ? "" : first_difference(expected, actual)));
    CHECK(expected == actual);
}

} // namespace

TEST_CASE("golden: every report format of the golden run", "[golden]") {
    const auto model = golden_run();
    compare_with_golden("console.txt", console_text(model, {}));
    compare_with_golden("console-verbose.txt", console_text(model, {.verbose = true}));
    compare_with_golden("console-quiet.txt", console_text(model, {.quiet = true}));
    for (const auto& f : report::k_formats)
        if (f.render)
            compare_with_golden(std::string(f.file_name), f.render(model));
}

TEST_CASE("golden: the run and its rendering do not depend on when they run", "[golden]") {
    // Two runs at the fixed clock render identically: no wall time, no durations, no
    // addresses, no map order, cases in plan order whatever the workers' timing.
    const auto a = golden_run();
    const auto b = golden_run();
    for (const auto& f : report::k_formats)
        if (f.render)
            CHECK(f.render(a) == f.render(b));
    CHECK(console_text(a, {}) == console_text(b, {}));
}

TEST_CASE("golden: the goldens re-render from the golden report.json", "[golden]") {
    if (promoting())
        return;
    auto loaded = report::load_report(golden_dir() / "report.json");
    if (!loaded)
        FAIL(loaded.error().to_string());
    for (const auto& f : report::k_formats)
        if (f.render) {
            INFO(f.name);
            CHECK(f.render(*loaded) == test::slurp(golden_dir() / f.file_name));
        }
    CHECK(console_text(*loaded, {}) == test::slurp(golden_dir() / "console.txt"));
}
