// Issue 16: a target declared unresponsive is listed so, with its evidence, in report.json
// (valid against the schema, read back unchanged), the console, Markdown and HTML; the shards'
// merge keeps it.
#include <catch2/catch.hpp>

#include <sstream>

#include "runner/core/json_parse.hpp"
#include "runner/schema/schema.hpp"
#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using conform::test::has;

using namespace conform;

namespace {

// The sample run with doc-sample unresponsive; nothing checked: unreachable as well.
report::ReportModel with_unresponsive(bool nothing_checked) {
    report::ReportModel model = test::sample_run();
    report::TargetRecord& t = model.targets[1];
    t.unresponsive = report::Unresponsive{
        "3 requests in a row got no answer (--unresponsive-after 3)",
        {"GetRepo/limit-1: read timeout after 5000 ms from 127.0.0.1:40002 (3 attempts)",
         "GetRepo/limit-100: read timeout after 5000 ms from 127.0.0.1:40002 (3 attempts)",
         "GetRepo/type-private: connection refused by 127.0.0.1:40002"}};
    if (nothing_checked) {
        t.reachable = false;
        t.error = "unresponsive: " + t.unresponsive->reason;
        model.summary.unreachable_targets = 1;
    }
    return model;
}

std::string console_text(const report::ReportModel& model) {
    std::ostringstream out;
    auto console = report::console_reporter(out, {.quiet = true});
    REQUIRE(report::replay(model, *console));
    return out.str();
}

} // namespace

TEST_CASE("an unresponsive target in report.json: valid, read back, rendered the same") {
    const bool nothing_checked = GENERATE(false, true);
    const report::ReportModel model = with_unresponsive(nothing_checked);
    const std::string text = report::render_json(model);
    const auto doc = nlohmann::json::parse(text);
    const auto& endpoint = doc["targets"][1]["endpoints"][0];
    CHECK(endpoint["reachable"] == !nothing_checked);
    CHECK(endpoint["unresponsive"]["reason"] ==
          "3 requests in a row got no answer (--unresponsive-after 3)");
    CHECK(endpoint["unresponsive"]["evidence"].size() == 3);
    CHECK_FALSE(doc["targets"][0]["endpoints"][0].contains("unresponsive"));

    const auto schema_file =
        std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas/report.schema.json";
    static schema::Registry registry;
    auto schema_doc = core::load_json_file(schema_file);
    REQUIRE(schema_doc);
    auto compiled = schema::compile(*schema_doc, registry, {.origin = schema_file.string()});
    REQUIRE(compiled);
    CHECK(compiled->validate(doc).valid);
    auto no_evidence = doc;
    no_evidence["targets"][1]["endpoints"][0]["unresponsive"].erase("evidence");
    CHECK_FALSE(compiled->validate(no_evidence).valid);

    auto loaded = report::parse_report(doc, "r.json");
    REQUIRE(loaded);
    REQUIRE(loaded->targets[1].unresponsive);
    CHECK(loaded->targets[1].unresponsive->evidence == model.targets[1].unresponsive->evidence);
    CHECK(report::render_json(*loaded) == text);
    for (const auto& f : report::k_formats)
        if (f.render)
            CHECK(f.render(*loaded) == f.render(model));
}

TEST_CASE("the console, Markdown and HTML list an unresponsive target with its evidence") {
    const bool nothing_checked = GENERATE(false, true);
    const report::ReportModel model = with_unresponsive(nothing_checked);
    const std::string console = console_text(model);
    INFO(console);
    CHECK(has(console, "\nUnresponsive targets\n  UNRESPONSIVE  ucloud-uhub @ doc-sample "
                       "(http://127.0.0.1:40002/): 3 requests in a row got no answer "
                       "(--unresponsive-after 3)"));
    CHECK(has(console, "\n    GetRepo/type-private: connection refused by 127.0.0.1:40002\n"));
    CHECK(has(console, "nothing on it could be checked") == nothing_checked);
    CHECK_FALSE(has(console, "Unreachable targets")); // listed once, with its evidence

    const std::string md = report::render_markdown(model);
    CHECK(has(md, "### Unresponsive targets\n\n- ucloud-uhub @ doc-sample: 3 requests in a row"));
    CHECK(has(md, "\n  - GetRepo/limit-1: read timeout after 5000 ms"));
    const std::string html = report::render_html(model);
    CHECK(has(html, "<h2>Unresponsive targets</h2>"));
    CHECK(has(html, "<li>GetRepo/limit-100: read timeout after 5000 ms"));

    // A run without one shows none of it.
    CHECK_FALSE(has(console_text(test::sample_run()), "Unresponsive"));
    CHECK_FALSE(has(report::render_markdown(test::sample_run()), "Unresponsive"));
    CHECK_FALSE(has(report::render_html(test::sample_run()), "Unresponsive"));
}

TEST_CASE("merging shards keeps an unresponsive target's evidence") {
    report::ReportModel one = with_unresponsive(false);
    report::ReportModel two = test::sample_run();
    one.run.shard = "1/2";
    two.run.shard = "2/2";
    // Each shard holds half the cases.
    std::vector<report::CaseResult> cases = one.cases;
    one.cases.clear();
    two.cases.clear();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        cases[i].plan_index = i;
        (i % 2 ? two : one).cases.push_back(cases[i]);
    }
    auto merged = report::merge_reports({{"b.json", two}, {"a.json", one}});
    if (!merged)
        FAIL(merged.error().to_string());
    REQUIRE(merged->targets.size() == 2);
    const auto& t =
        merged->targets[1].info.name == "doc-sample" ? merged->targets[1] : merged->targets[0];
    REQUIRE(t.unresponsive);
    CHECK(t.unresponsive->evidence.size() == 3);
}
