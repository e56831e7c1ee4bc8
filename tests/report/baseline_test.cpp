#include <catch2/catch.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/report/baseline.hpp"
#include "runner/schema/schema.hpp"
#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;

namespace {

// Collects what the triage passes on.
class Collect final : public report::Reporter {
public:
    void case_ended(const report::CaseResult& c) override { cases.push_back(c); }
    void baseline_compared(const report::BaselineOutcome& b) override { baseline = b; }
    core::Result<void> run_ended(const report::RunSummary& s) override {
        summary = s;
        return {};
    }
    std::vector<report::CaseResult> cases;
    std::optional<report::BaselineOutcome> baseline;
    report::RunSummary summary;
};

struct Triaged {
    Collect seen;
    bool failing = false;
    report::Baseline next;
};

Triaged triage(const std::vector<report::CaseResult>& cases, report::TriageOptions options,
               std::optional<int> accept_days = {}) {
    Triaged out;
    report::Triage t(std::move(options), out.seen);
    for (const auto& c : cases)
        t.case_ended(c);
    REQUIRE(t.run_ended({}));
    out.failing = t.failing();
    out.next = t.next_baseline(accept_days);
    return out;
}

report::TriageOptions on(const std::string& today, const report::Baseline* baseline = nullptr) {
    report::TriageOptions o;
    o.today = today;
    o.baseline = baseline;
    o.baseline_file = baseline ? "conform-baseline.json" : "";
    return o;
}

std::vector<std::string> ids(const std::vector<report::CaseResult>& cases) {
    std::vector<std::string> out;
    for (const auto& c : cases)
        for (const auto& check : c.checks)
            for (const auto& d : check.deviations)
                out.push_back(c.target + " " + c.name + " " + std::string(core::name_of(d.id)));
    return out;
}

template <class Cases> auto& doc_sample_default_page(Cases& cases) {
    for (auto& c : cases)
        if (c.target == "doc-sample" && c.name == "default-page")
            return c;
    FAIL("no doc-sample default-page in the sample run");
    return cases.front();
}

} // namespace

TEST_CASE("without a baseline, triage only recounts: the sample run's two errors fail it") {
    const auto run = test::sample_run();
    const auto t = triage(run.cases, on("2026-12-01"));
    CHECK(t.failing);
    CHECK(t.seen.summary.errors == 2);
    CHECK(t.seen.summary.accepted == 0);
    CHECK_FALSE(t.seen.baseline);
    CHECK(t.next.entries.size() == 2);
}

TEST_CASE(
    "severities: --severity overrides an id's severity and --fail-on warning fails on warnings") {
    const auto run = test::sample_run();
    auto options = on("2026-12-01");
    options.severities[core::DeviationId::type_mismatch] = core::Severity::warning;
    options.severities[core::DeviationId::pagination_over_limit] = core::Severity::warning;
    const auto lenient = triage(run.cases, options);
    CHECK_FALSE(lenient.failing);
    CHECK(lenient.seen.summary.errors == 0);
    CHECK(lenient.seen.summary.warnings == 2);
    CHECK(doc_sample_default_page(lenient.seen.cases).checks[0].deviations[0].severity ==
          core::Severity::warning);

    options.fail_on = core::Severity::warning;
    CHECK(triage(run.cases, options).failing);
    options.severities[core::DeviationId::type_mismatch] = core::Severity::info;
    options.severities[core::DeviationId::pagination_over_limit] = core::Severity::info;
    CHECK_FALSE(triage(run.cases, options).failing); // info never fails

    CHECK(report::parse_severity_override("field.unexpected=error"));
    CHECK_FALSE(report::parse_severity_override("field.unexpected"));
    CHECK_FALSE(report::parse_severity_override("field.nope=error"));
    CHECK_FALSE(report::parse_severity_override("field.unexpected=fatal"));
}

TEST_CASE(
    "baseline round trip: written, then the same run is clean, and a new deviation alone fails") {
    const auto run = test::sample_run();
    const auto first = triage(run.cases, on("2026-11-01"));
    const report::Baseline baseline = first.next;
    REQUIRE(baseline.entries.size() == 2);
    CHECK(baseline.entries[0].first_seen == "2026-11-01");
    CHECK(baseline.entries[0].target == "doc-sample");

    SECTION("the same deviations are accepted: not counted, not failing, still shown") {
        const auto again = triage(run.cases, on("2026-12-01", &baseline));
        CHECK_FALSE(again.failing);
        CHECK(again.seen.summary.deviations == 0);
        CHECK(again.seen.summary.accepted == 2);
        CHECK(again.seen.summary.failed == 0);
        REQUIRE(again.seen.baseline);
        CHECK(again.seen.baseline->accepted == 2);
        CHECK(again.seen.baseline->fixed.empty());
        auto cases = again.seen.cases;
        CHECK(doc_sample_default_page(cases).checks[0].accepted.size() == 1);
        // first_seen kept, last_seen moved on
        REQUIRE(again.next.entries.size() == 2);
        CHECK(again.next.entries[0].first_seen == "2026-11-01");
        CHECK(again.next.entries[0].last_seen == "2026-12-01");
    }
    SECTION("reordered cases and a moved array index are the same deviations") {
        auto cases = run.cases;
        std::reverse(cases.begin(), cases.end());
        doc_sample_default_page(cases).checks[0].deviations[0].instance_pointer = "/RepoSet/7";
        const auto again = triage(cases, on("2026-12-01", &baseline));
        CHECK_FALSE(again.failing);
        CHECK(again.seen.summary.accepted == 2);
    }
    SECTION("a new deviation fails, and only it is counted") {
        auto cases = run.cases;
        core::Deviation missing;
        missing.id = core::DeviationId::field_missing;
        missing.operation = "GetRepo";
        missing.instance_pointer = "/RepoSet/0";
        missing.schema_pointer = "/properties/RepoSet/items/required";
        missing.message = "RepoName is missing";
        doc_sample_default_page(cases).checks[0].deviations.push_back(missing);
        const auto again = triage(cases, on("2026-12-01", &baseline));
        CHECK(again.failing);
        CHECK(ids(again.seen.cases) ==
              std::vector<std::string>{"doc-sample default-page field.missing"});
        CHECK(again.seen.summary.accepted == 2);
    }
    SECTION("the same deviation on another named target is new") {
        auto cases = run.cases;
        for (auto& c : cases)
            if (c.target == "doc-sample")
                c.target = "candidate";
        CHECK(triage(cases, on("2026-12-01", &baseline)).failing);
    }
    SECTION("a fixed deviation is listed as fixed and dropped from the next baseline") {
        auto cases = run.cases;
        doc_sample_default_page(cases).checks[2].deviations.clear();
        doc_sample_default_page(cases).checks[2].exchange_of.clear();
        const auto again = triage(cases, on("2026-12-01", &baseline));
        CHECK_FALSE(again.failing);
        REQUIRE(again.seen.baseline);
        REQUIRE(again.seen.baseline->fixed.size() == 1);
        CHECK(again.seen.baseline->fixed[0].id == "pagination.over-limit");
        CHECK(again.seen.summary.fixed == 1);
        CHECK(again.next.entries.size() == 1);
    }
    SECTION("entries of cases this run did not run are neither fixed nor lost") {
        std::vector<report::CaseResult> reference_only;
        for (const auto& c : run.cases)
            if (c.target == "reference")
                reference_only.push_back(c);
        const auto again = triage(reference_only, on("2026-12-01", &baseline));
        CHECK(again.seen.baseline->fixed.empty());
        CHECK(again.next.entries.size() == 2);
    }
    SECTION("past its expiry date an entry no longer accepts") {
        report::Baseline expiring = baseline;
        expiring.entries[0].expires = "2026-11-30";
        const auto again = triage(run.cases, on("2026-12-01", &expiring));
        CHECK(again.failing);
        CHECK(again.seen.baseline->expired == 1);
        CHECK(again.seen.summary.accepted == 1);
        bool said = false;
        for (const auto& c : again.seen.cases)
            for (const auto& check : c.checks)
                for (const auto& d : check.deviations)
                    said |= d.message.find("accepted this until 2026-11-30") != std::string::npos;
        CHECK(said);
        // on its last day it still accepts
        CHECK_FALSE(triage(run.cases, on("2026-11-30", &expiring)).failing);
    }
    SECTION("--accept-for gives new entries an expiry; old entries keep theirs") {
        const auto next = triage(run.cases, on("2026-11-01"), 30).next;
        CHECK(next.entries[0].expires == "2026-12-01");
        const auto kept = triage(run.cases, on("2026-12-01", &baseline), 30).next;
        CHECK(kept.entries[0].expires.empty());
    }
}

TEST_CASE("a baseline file round-trips, validates against its schema, and bad ones are named") {
    const auto run = test::sample_run();
    report::Baseline baseline = triage(run.cases, on("2026-11-01")).next;
    baseline.entries[1].expires = "2027-01-31";
    const std::string text = report::render_baseline(baseline);
    auto parsed = report::parse_baseline(nlohmann::json::parse(text), "b.json");
    REQUIRE(parsed);
    CHECK(report::render_baseline(*parsed) == text);

    static schema::Registry registry;
    const auto schema_file =
        std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas/baseline.schema.json";
    auto document = core::load_json_file(schema_file);
    REQUIRE(document);
    auto compiled = schema::compile(*document, registry, {});
    REQUIRE(compiled);
    CHECK(compiled->validate(nlohmann::json::parse(text)).valid);

    const auto error_of = [](nlohmann::json doc) {
        auto r = report::parse_baseline(doc, "b.json");
        REQUIRE_FALSE(r);
        return r.error().to_string();
    };
    auto doc = nlohmann::json::parse(text);
    auto bad = doc;
    bad["entries"][0]["first_seen"] = "yesterday";
    CHECK_THAT(error_of(bad),
               Catch::Contains("b.json") && Catch::Contains("/entries/0/first_seen"));
    bad = doc;
    bad["entries"][1] = bad["entries"][0];
    CHECK_THAT(error_of(bad), Catch::Contains("/entries/1") && Catch::Contains("twice"));
    bad = doc;
    bad["entries"][0]["id"] = "type.wrong";
    CHECK_THAT(error_of(bad), Catch::Contains("/entries/0/id"));
    bad = doc;
    bad["conform_baseline"] = 2;
    CHECK_THAT(error_of(bad), Catch::Contains("version"));
    CHECK_THAT(error_of(nlohmann::json::array()), Catch::Contains("JSON object"));

    const auto dir = test::fresh_dir("baseline");
    test::write(dir / "broken.json", "{\"conform_baseline\": 1,\n \"entries\": [}\n");
    auto broken = report::load_baseline(dir / "broken.json");
    REQUIRE_FALSE(broken);
    CHECK_THAT(broken.error().to_string(), Catch::Contains("broken.json:2"));
}

TEST_CASE("dates: ISO days, arithmetic across months and leap years") {
    CHECK(report::is_iso_date("2026-12-01"));
    CHECK_FALSE(report::is_iso_date("2026-02-30"));
    CHECK_FALSE(report::is_iso_date("2026-12-01T00:00:00Z"));
    CHECK(report::add_days("2026-12-01", 31) == "2027-01-01");
    CHECK(report::add_days("2028-02-28", 1) == "2028-02-29");
    CHECK_FALSE(report::add_days("soon", 1));
}

TEST_CASE("every format shows the baseline: accepted counts and fixed entries") {
    auto run = test::sample_run();
    const auto first = triage(run.cases, on("2026-11-01"));
    auto cases = run.cases;
    doc_sample_default_page(cases).checks[2].deviations.clear();
    doc_sample_default_page(cases).checks[2].exchange_of.clear();
    const auto again = triage(cases, on("2026-12-01", &first.next));
    report::ReportModel model = run;
    model.cases = again.seen.cases;
    model.summary = again.seen.summary;
    model.baseline = again.seen.baseline;

    const std::string line = "baseline conform-baseline.json: 1 accepted, 0 expired, 1 fixed";
    CHECK_THAT(report::render_markdown(model), Catch::Contains("1 accepted, 0 expired, 1 fixed"));
    CHECK_THAT(report::render_html(model), Catch::Contains(line));
    CHECK_THAT(report::render_junit(model),
               Catch::Contains("accepted by the baseline: type.mismatch"));
    std::ostringstream out;
    auto console = report::console_reporter(out, {});
    REQUIRE(report::replay(model, *console));
    CHECK_THAT(out.str(), Catch::Contains(line) &&
                              Catch::Contains("fixed     ucloud-uhub/GetRepo/default-page @ "
                                              "doc-sample: pagination.over-limit"));
    const auto back = report::parse_report(nlohmann::json::parse(report::render_json(model)));
    REQUIRE(back);
    REQUIRE(back->baseline);
    CHECK(back->baseline->fixed.size() == 1);
    CHECK(back->summary.accepted == 1);
    CHECK(report::render_json(*back) == report::render_json(model));
}
