#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;
using report::Format;

namespace {

// Records the events it hears; fails run_ended when told to.
class Recorder final : public report::Reporter {
public:
    explicit Recorder(std::vector<std::string>& log, std::string name, bool fail = false)
        : m_log(log), m_name(std::move(name)), m_fail(fail) {}
    void run_starting(const report::RunInfo&) override { m_log.push_back(m_name + ":run"); }
    void target_starting(const report::TargetInfo& t) override {
        m_log.push_back(m_name + ":target " + t.display_name());
    }
    void case_ended(const report::CaseResult& c) override {
        m_log.push_back(m_name + ":case " + c.target + "/" + c.name);
    }
    void target_unreachable(const report::TargetInfo& t, const std::string& why) override {
        m_log.push_back(m_name + ":unreachable " + t.display_name() + " " + why);
    }
    core::Result<void> run_ended(const report::RunSummary&) override {
        m_log.push_back(m_name + ":end");
        if (m_fail) {
            core::Location where;
            where.file = m_name + ".out";
            return core::fail(m_name + " broke", where);
        }
        return {};
    }

private:
    std::vector<std::string>& m_log;
    std::string m_name;
    bool m_fail;
};

} // namespace

TEST_CASE("deviation_count counts Deviation values over every check; passed needs none") {
    const auto model = test::sample_run();
    const auto& fail = model.cases[3];
    CHECK(fail.deviation_count() == 2); // the folded type.mismatch (count 9) counts once
    CHECK_FALSE(fail.passed());
    CHECK(model.cases[0].passed());
    CHECK_FALSE(model.cases[2].passed()); // skipped is not passed
}

TEST_CASE("summarize counts cases by status and deviations by severity") {
    auto model = test::sample_run();
    model.cases[3].checks[2].deviations[0].severity = core::Severity::warning;
    const auto s = report::summarize(model.cases);
    CHECK(s.cases == 6);
    CHECK(s.passed == 3);
    CHECK(s.failed == 1);
    CHECK(s.skipped == 2);
    CHECK(s.deviations == 2);
    CHECK(s.errors == 1);
    CHECK(s.warnings == 1);
}

TEST_CASE("MultiReporter fans out in order and reports every failure of run_ended") {
    std::vector<std::string> log;
    report::MultiReporter multi;
    multi.add(std::make_unique<Recorder>(log, "a"));
    multi.add(std::make_unique<Recorder>(log, "b", true));
    multi.add(std::make_unique<Recorder>(log, "c", true));
    multi.run_starting({});
    report::CaseResult c;
    c.target = "t";
    c.name = "x";
    multi.case_ended(c);
    auto done = multi.run_ended({});
    REQUIRE_FALSE(done);
    CHECK(done.error().where.file == "b.out");
    CHECK(done.error().message.find("b broke") != std::string::npos);
    CHECK(done.error().message.find("c broke") != std::string::npos);
    CHECK(log == std::vector<std::string>{"a:run", "b:run", "c:run", "a:case t/x", "b:case t/x",
                                          "c:case t/x", "a:end", "b:end", "c:end"});
}

TEST_CASE("replay feeds a model back as events: the targets, then the cases in run order") {
    auto model = test::sample_run();
    model.targets[1].reachable = false;
    model.targets[1].error = "connection refused";
    std::vector<std::string> log;
    Recorder r(log, "r");
    REQUIRE(report::replay(model, r));
    CHECK(log == std::vector<std::string>{
                     "r:run", "r:target reference", "r:target doc-sample",
                     "r:unreachable doc-sample connection refused", "r:case reference/default-page",
                     "r:case reference/walk-limit-3", "r:case reference/unsigned",
                     "r:case doc-sample/default-page", "r:case doc-sample/walk-limit-3",
                     "r:case doc-sample/unsigned", "r:end"});
}

TEST_CASE("the format table names every format once, with its file") {
    std::set<std::string_view> names, files;
    for (const auto& f : report::k_formats) {
        CHECK(names.insert(f.name).second);
        CHECK(report::parse_format(f.name) == f.format);
        CHECK(&report::info(f.format) == &f);
        CHECK((f.render == nullptr) == f.file_name.empty());
        if (!f.file_name.empty())
            CHECK(files.insert(f.file_name).second);
    }
    CHECK(report::info(Format::json).file_name == "report.json");
    CHECK(report::info(Format::junit).file_name == "junit.xml");
    CHECK(report::info(Format::markdown).file_name == "report.md");
    CHECK(report::info(Format::html).file_name == "report.html");
    CHECK_FALSE(report::parse_format("xml"));
    CHECK(report::format_names() == "console, json, junit, md, html");
}

TEST_CASE("file reporters write their file when the run ends, the same as render()") {
    const auto dir = test::fresh_dir("formats") / "out";
    const auto model = test::sample_run();
    for (const auto& f : report::k_formats) {
        if (!f.render)
            continue;
        INFO(f.name);
        auto reporter = report::make_reporter(f.format, {.output_dir = dir});
        reporter->run_starting(model.run);
        CHECK_FALSE(std::filesystem::exists(dir / f.file_name)); // nothing before the end
        REQUIRE(report::replay(model, *reporter));
        auto expected = model;
        expected.tool = std::string("conform ") + CONFORM_VERSION;
        CHECK(test::slurp(dir / f.file_name) == f.render(expected));
    }
    // No temp file is left behind.
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        CHECK(entry.path().string().find(".tmp") == std::string::npos);
}

TEST_CASE("a report that cannot be written is an error from run_ended naming the file") {
    const auto dir = test::fresh_dir("unwritable");
    test::write(dir / "blocker", "a file where a directory should be");
    const auto file = dir / "blocker" / "report.json";
    auto reporter = report::json_reporter(file);
    auto done = report::replay(test::sample_run(), *reporter);
    REQUIRE_FALSE(done);
    CHECK(done.error().where.file == file.string());
    CHECK(done.error().message.find("cannot write the report") != std::string::npos);

    SECTION("the rename into place failing is reported too, and the temp file removed") {
        std::filesystem::create_directories(dir / "taken" / "report.json" / "child");
        auto r = report::write_file_atomically(dir / "taken" / "report.json", "{}");
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("rename") != std::string::npos);
        std::size_t files = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "taken"))
            ++files;
        CHECK(files == 1);
    }
}

TEST_CASE("write_file_atomically replaces an existing file whole") {
    const auto dir = test::fresh_dir("atomic");
    test::write(dir / "r.json", "old");
    REQUIRE(report::write_file_atomically(dir / "r.json", "new text\n"));
    CHECK(test::slurp(dir / "r.json") == "new text\n");
}

TEST_CASE("an empty run renders in every format") {
    const report::ReportModel empty;
    for (const auto& f : report::k_formats)
        if (f.render) {
            INFO(f.name);
            CHECK_FALSE(f.render(empty).empty());
        }
    std::ostringstream out;
    auto console = report::console_reporter(out, {});
    REQUIRE(report::replay(empty, *console));
    CHECK(out.str().find("no cases ran") != std::string::npos);
    // a replay whose cases all passed keeps none case by case: it says so, not "no cases ran"
    report::ReportModel all_passed;
    all_passed.summary.cases = all_passed.summary.passed = 108;
    std::ostringstream passed_out;
    auto passed_console = report::console_reporter(passed_out, {});
    REQUIRE(report::replay(all_passed, *passed_console));
    CHECK(passed_out.str().find("no cases ran") == std::string::npos);
    CHECK(passed_out.str().find("every case passed") != std::string::npos);
    // an empty report.json reads back
    CHECK(report::parse_report(nlohmann::json::parse(report::render_json(empty))));
}
