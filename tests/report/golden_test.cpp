// Golden files (STYLE.md lesson 12): every format rendered from the fixed sample run, compared
// byte for byte with tests/report/golden/. After an intended change, regenerate them with
// scripts/promote-report-golden (it sets CONFORM_PROMOTE_GOLDEN=1) and review the diff.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
    return fs::path(CONFORM_SOURCE_DIR) / "tests/report/golden";
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

TEST_CASE("golden: every report format of the sample run", "[golden]") {
    const auto model = test::sample_run();
    compare_with_golden("console.txt", console_text(model, {}));
    compare_with_golden("console-verbose.txt", console_text(model, {.verbose = true}));
    compare_with_golden("console-quiet.txt", console_text(model, {.quiet = true}));
    for (const auto& f : report::k_formats)
        if (f.render)
            compare_with_golden(std::string(f.file_name), f.render(model));
}

TEST_CASE("golden: rendering does not depend on when it runs", "[golden]") {
    // Two renderings of the same model are identical: no clock, no addresses, no map order.
    const auto a = test::sample_run();
    const auto b = test::sample_run();
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
