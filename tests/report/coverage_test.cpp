// Coverage as the report module holds it: the recorder fed exchange by exchange (the engine's
// seam), the gate (--min-coverage, --fail-on-unobserved), shards merged, report.json and back,
// and every format's section.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "runner/core/json_parse.hpp"
#include "runner/report/baseline.hpp"
#include "runner/report/report.hpp"
#include "runner/schema/schema.hpp"
#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;
using conform::test::has;
using report::CoverageMetric;
using report::PageShape;
namespace fs = std::filesystem;

namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

// A small family: a listing with an enum, an indexed parameter and nested items, and a write.
report::ContractDoc cov_family_doc() {
    report::ContractDoc c;
    c.contract = "uhub";
    c.status_pointer = "/RetCode";
    report::OperationDoc get;
    get.name = "GetRepo";
    get.params = {
        {"Disks.N.Size", {}}, {"Limit", {}}, {"Offset", {}}, {"Type", {"private", "public"}}};
    get.fields = {
        "/Action",  "/Message",   "/RepoSet", "/RepoSet/*/CreateTime", "/RepoSet/*/RepoName",
        "/RetCode", "/TotalCount"};
    get.codes = {0};
    get.pages = true;
    report::OperationDoc del;
    del.name = "DeleteRepo";
    del.params = {{"RepoName", {}}};
    del.fields = {"/Action", "/RetCode"};
    del.codes = {0};
    c.operations = {get, del};
    return c;
}

// One exchange of GetRepo, its body read through an nlohmann tree.
void cov_see(report::CoverageRecorder& recorder, const std::string& target, const Query& query,
             const nlohmann::json& body, std::uint8_t pages = 0,
             const std::string& operation = "GetRepo") {
    report::ExchangeSeen x;
    x.contract = "uhub";
    x.target = target;
    x.operation = operation;
    x.params = query;
    x.body = core::JsonView(body);
    x.pages = pages;
    recorder.exchange_seen(x);
}

const nlohmann::json k_page = nlohmann::json::parse(R"({
    "Action": "GetRepoResponse", "RetCode": 0, "TotalCount": 3, "Extra": {"RepoName": "x"},
    "RepoSet": [{"RepoName": "a"}, {"RepoName": "b"}, {"RepoName": "c", "CreateTime": "t"}]})");
const nlohmann::json k_refusal =
    nlohmann::json::parse(R"({"Action": "GetRepoResponse", "RetCode": 230, "Message": "no"})");

const report::OperationCoverage& cov_op(const report::Coverage& c, const std::string& target,
                                        const std::string& name) {
    for (const auto& row : c.targets)
        if (row.target == target)
            for (const auto& op : row.operations)
                if (op.name == name)
                    return op;
    FAIL("no " << target << "/" << name);
    throw std::logic_error("unreachable");
}

std::string cov_join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines)
        out += l + "\n";
    return out;
}

report::Coverage cov_measured() {
    report::CoverageRecorder recorder({cov_family_doc()});
    recorder.target_seen("uhub", "quiet"); // never answers
    cov_see(recorder, "ref",
            {{"Action", "GetRepo"},
             {"Limit", "3"},
             {"Type", "private"},
             {"Disks.0.Size", "1"},
             {"Signature", "REDACTED"}},
            k_page, report::bit_of(PageShape::first));
    cov_see(recorder, "ref", {{"Action", "GetRepo"}, {"Type", "bogus"}}, k_refusal);
    return recorder.result();
}

} // namespace

TEST_CASE("coverage recorder: operations, parameters and enum values, fields, codes, pages") {
    const report::Coverage c = cov_measured();
    CHECK(c.contracts == std::vector<std::string>{"uhub"});
    REQUIRE(c.targets.size() == 2); // sorted by target: quiet (no answer) then ref
    CHECK(c.targets[0].target == "quiet");
    CHECK_FALSE(cov_op(c, "quiet", "GetRepo").exercised());

    const report::OperationCoverage& get = cov_op(c, "ref", "GetRepo");
    CHECK(get.exchanges == 2);
    std::map<std::string, bool> sent;
    for (const auto& p : get.params)
        sent[p.name] = p.sent;
    CHECK(sent == std::map<std::string, bool>{
                      {"Disks.N.Size", true}, {"Limit", true}, {"Offset", false}, {"Type", true}});
    const auto type = std::find_if(get.params.begin(), get.params.end(),
                                   [](const auto& p) { return p.name == "Type"; });
    CHECK(type->values_sent == std::vector<std::string>{"private"}); // "bogus" is no value of it
    // CreateTime only in the third item: every item is looked at until all fields are seen;
    // /Extra/RepoName is no documented field.
    CHECK(get.fields_missing.empty());
    CHECK(get.codes_observed == std::vector<nlohmann::json>{0, 230});
    CHECK(get.pages_seen == std::vector<PageShape>{PageShape::first});

    const report::OperationCoverage& del = cov_op(c, "ref", "DeleteRepo");
    CHECK_FALSE(del.exercised());
    CHECK(del.fields_missing == del.fields);

    const report::TargetCoverage& ref = c.targets[1];
    CHECK(ref.ratio(CoverageMetric::operations).covered == 1);
    CHECK(ref.ratio(CoverageMetric::operations).documented == 2);
    CHECK(ref.ratio(CoverageMetric::params).covered == 3);
    CHECK(ref.ratio(CoverageMetric::params).documented == 5);
    CHECK(ref.ratio(CoverageMetric::values).covered == 1);
    CHECK(ref.ratio(CoverageMetric::fields).covered == 7);
    CHECK(ref.ratio(CoverageMetric::fields).documented == 9);
    CHECK(ref.ratio(CoverageMetric::codes).covered == 1);
    CHECK(ref.ratio(CoverageMetric::codes).documented == 2);
    CHECK(ref.ratio(CoverageMetric::pages).covered == 1);
    CHECK(ref.ratio(CoverageMetric::pages).documented == 4);
}

TEST_CASE("coverage recorder: a body read through simdjson counts as through nlohmann") {
    report::CoverageRecorder tree({cov_family_doc()}), tape({cov_family_doc()});
    cov_see(tree, "ref", {}, k_page);
    core::FastParser parser;
    const std::string text = k_page.dump();
    auto view = parser.parse(text, "body");
    REQUIRE(view);
    report::ExchangeSeen x;
    x.contract = "uhub";
    x.target = "ref";
    x.operation = "GetRepo";
    x.body = *view;
    tape.exchange_seen(x);
    CHECK(tape.result() == tree.result());
    CHECK(cov_op(tape.result(), "ref", "GetRepo").fields_missing ==
          std::vector<std::string>{"/Message"});
}

TEST_CASE("coverage recorder: each thread's last row is its own recorder's and target's") {
    // A recorder made where the one before was freed (the same address, likely) counts its
    // own exchanges only; targets alternating in one thread each keep their own counts.
    for (int round = 0; round < 3; ++round) {
        auto recorder = std::make_unique<report::CoverageRecorder>(
            std::vector<report::ContractDoc>{cov_family_doc()});
        for (int i = 0; i <= round; ++i) {
            cov_see(*recorder, "a", {}, k_page);
            cov_see(*recorder, "b", {}, k_page);
            cov_see(*recorder, "b", {}, k_page);
        }
        const report::Coverage c = recorder->result();
        CHECK(cov_op(c, "a", "GetRepo").exchanges == static_cast<std::size_t>(round + 1));
        CHECK(cov_op(c, "b", "GetRepo").exchanges == static_cast<std::size_t>(2 * (round + 1)));
    }
    // Threads at once, on one recorder: every exchange counted.
    report::CoverageRecorder shared({cov_family_doc()});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&shared, t] {
            for (int i = 0; i < 50; ++i)
                cov_see(shared, t % 2 ? "odd" : "even", {}, k_page);
        });
    for (std::thread& t : threads)
        t.join();
    CHECK(cov_op(shared.result(), "even", "GetRepo").exchanges == 100);
    CHECK(cov_op(shared.result(), "odd", "GetRepo").exchanges == 100);
}

TEST_CASE("coverage recorder: a field only in a later item, or only in a later exchange, counts") {
    report::CoverageRecorder recorder({cov_family_doc()});
    cov_see(recorder, "ref", {}, nlohmann::json::parse(R"({"RepoSet": [{"RepoName": "a"}]})"));
    CHECK(cov_op(recorder.result(), "ref", "GetRepo").fields_missing ==
          std::vector<std::string>{"/Action", "/Message", "/RepoSet/*/CreateTime", "/RetCode",
                                   "/TotalCount"});
    // Once RepoName was seen, the items are walked for CreateTime alone, to the last one.
    cov_see(recorder, "ref", {},
            nlohmann::json::parse(R"({"RepoSet": [{}, {}, {}, {"CreateTime": "t"}]})"));
    // A list of scalars where objects are documented holds no item field.
    cov_see(recorder, "ref", {}, nlohmann::json::parse(R"({"RepoSet": ["x"], "RetCode": 0})"));
    CHECK(cov_op(recorder.result(), "ref", "GetRepo").fields_missing ==
          std::vector<std::string>{"/Action", "/Message", "/TotalCount"});
    // Exchanges of an undocumented contract or operation are no one's coverage.
    cov_see(recorder, "ref", {}, k_page, 0, "NoSuchOperation");
    report::ExchangeSeen other;
    other.contract = "other";
    other.target = "ref";
    other.operation = "GetRepo";
    recorder.exchange_seen(other);
    CHECK(recorder.result().targets.size() == 1);
}

TEST_CASE(
    "gate --min-coverage: parsed by measure name, percent 0..100; bad ones say what is expected") {
    auto parsed = report::parse_min_coverage("operations=90,fields=80%");
    REQUIRE(parsed);
    CHECK(parsed->size() == 2);
    CHECK(parsed->at(0).first == CoverageMetric::operations);
    CHECK(parsed->at(1).second == 80);
    for (const char* bad : {"operations", "bogus=1", "fields=101", "fields=x", "fields=1,fields=2",
                            "", "fields=80,"}) {
        INFO(bad);
        const auto r = report::parse_min_coverage(bad);
        REQUIRE_FALSE(r);
        CHECK(has(r.error().message, "operations, params, values, fields, codes, pages"));
    }
    CHECK(report::check_unobserved_item("/RepoSet/*/RepoName"));
    CHECK(report::check_unobserved_item("GetRepo:230"));
    CHECK_FALSE(report::check_unobserved_item("GetRepo:"));
    CHECK_FALSE(report::check_unobserved_item("/bad~2escape"));
}

TEST_CASE("the gate: below a minimum fails naming what is missing; met, it is silent") {
    report::Coverage c = cov_measured();
    CHECK(report::judge_coverage(c).empty()); // no gate

    c.gate.minimum = {{CoverageMetric::operations, 90}, {CoverageMetric::fields, 70}};
    auto failures = report::judge_coverage(c);
    INFO(cov_join(failures));
    REQUIRE(failures.size() == 3); // quiet: operations and fields; ref: operations (fields 7/9)
    CHECK(has(failures[0], "uhub @ quiet: operations 0% (0 of 2) is below --min-coverage "
                           "operations=90; not exercised: DeleteRepo, GetRepo"));
    CHECK(has(failures[1], "uhub @ ref: operations 50% (1 of 2)"));
    CHECK(has(failures[1], "not exercised: DeleteRepo"));
    CHECK(has(failures[2], "uhub @ quiet: fields 0% (0 of 9)"));

    c.gate.minimum = {{CoverageMetric::fields, 78}}; // 7/9 is 77.7%: exactly below
    failures = report::judge_coverage(c);
    REQUIRE(failures.size() == 2);
    CHECK(has(failures[1], "uhub @ ref: fields 77.7% (7 of 9) is below --min-coverage "
                           "fields=78; never observed: DeleteRepo /Action, DeleteRepo /RetCode"));
    c.gate.minimum = {{CoverageMetric::fields, 77.7}};
    CHECK(report::judge_coverage(c).size() == 1); // quiet only
    c.targets.erase(c.targets.begin());
    CHECK(report::judge_coverage(c).empty());
    // A contract no exchange reached fails the operations minimum by name.
    c.contracts.push_back("tencent");
    c.gate.minimum = {{CoverageMetric::operations, 10}};
    failures = report::judge_coverage(c);
    REQUIRE(failures.size() == 1);
    CHECK(has(failures[0], "tencent: no exchange reached it"));
}

TEST_CASE("gate --fail-on-unobserved: fields and codes, anywhere or where a qualifier says") {
    report::Coverage c = cov_measured();
    c.targets.erase(c.targets.begin()); // ref only
    const auto failures_for = [&](std::vector<std::string> items) {
        c.gate.observe = std::move(items);
        return report::judge_coverage(c);
    };
    CHECK(failures_for({"/RepoSet/*/CreateTime", "230", "GetRepo:0", "uhub/GetRepo:/Message"})
              .empty());
    auto f = failures_for({"DeleteRepo:/Action"});
    REQUIRE(f.size() == 1);
    CHECK(f[0] == "uhub @ ref: /Action (DeleteRepo) was never observed (--fail-on-unobserved "
                  "DeleteRepo:/Action)");
    f = failures_for({"170"});
    REQUIRE(f.size() == 1);
    CHECK(has(f[0], "status code 170 was never observed"));
    // /Action unqualified: GetRepo observed it, so it was observed.
    CHECK(failures_for({"/Action"}).empty());
    f = failures_for({"/Nope", "Nope:0"});
    REQUIRE(f.size() == 2);
    CHECK(has(f[0], "no operation of the contracts this run judged documents it"));
    CHECK(has(f[1], "no contract or operation of this run is named Nope"));
}

TEST_CASE("merge: the shards' coverage adds up to the whole's") {
    report::CoverageRecorder whole({cov_family_doc()}), one({cov_family_doc()}),
        two({cov_family_doc()});
    const Query first = {{"Limit", "3"}, {"Type", "private"}};
    const Query second = {{"Type", "public"}, {"Offset", "3"}};
    for (report::CoverageRecorder* r : {&whole, &one})
        cov_see(*r, "ref", first, k_page, report::bit_of(PageShape::first));
    for (report::CoverageRecorder* r : {&whole, &two}) {
        cov_see(*r, "ref", second, k_refusal, report::bit_of(PageShape::past_end));
        cov_see(*r, "other", second, k_refusal);
    }
    for (report::CoverageRecorder* r : {&whole, &one, &two})
        r->target_seen("uhub", "idle");
    report::Coverage a = one.result(), b = two.result();
    a.gate.minimum = b.gate.minimum = {{CoverageMetric::operations, 100}};
    const report::Coverage merged = report::merge_coverage({&b, &a});
    report::Coverage want = whole.result();
    want.gate = a.gate;
    CHECK(merged == want);
    CHECK(report::judge_coverage(merged).size() == 3);
    // Not vacuous: one shard alone is not the whole.
    CHECK_FALSE(report::merge_coverage({&a}) == want);
}

TEST_CASE("report.json carries coverage, valid against its schema, and reads it back") {
    report::ReportModel model = test::sample_run();
    model.coverage = cov_measured();
    model.coverage->gate = {{{CoverageMetric::fields, 80}}, {"GetRepo:/Message"}};
    model.coverage->failures = report::judge_coverage(*model.coverage);
    const nlohmann::json doc = nlohmann::json::parse(report::render_json(model));
    CHECK(doc.at("coverage").at("targets").at(1).at("totals").at("fields").at("covered") == 7);

    static schema::Registry registry;
    const fs::path schema_file = fs::path(CONFORM_SOURCE_DIR) / "schemas/report.schema.json";
    auto document = core::load_json_file(schema_file);
    REQUIRE(document);
    schema::CompileOptions options;
    options.origin = schema_file.string();
    auto compiled = schema::compile(*document, registry, options);
    REQUIRE(compiled);
    CHECK(compiled->validate(doc).valid);
    nlohmann::json bad = doc;
    bad["coverage"]["targets"][0]["operations"][0]["pages"]["seen"][0] = "sideways";
    CHECK_FALSE(compiled->validate(bad).valid);

    auto back = report::parse_report(doc, "r.json");
    REQUIRE(back);
    REQUIRE(back->coverage);
    CHECK(*back->coverage == *model.coverage);
    const auto error = report::parse_report(bad, "r.json");
    REQUIRE_FALSE(error);
    CHECK(has(error.error().to_string(), "/coverage/targets/0/operations/0/pages/seen/0"));
    CHECK(has(error.error().to_string(), "sideways"));
}

TEST_CASE("triage judges the gate: a failing gate fails the verdict; a shard is not judged") {
    for (const bool shard : {false, true}) {
        INFO("shard " << shard);
        report::Reporter nowhere;
        report::TriageOptions options;
        options.coverage_gate.minimum = {{CoverageMetric::operations, 90}};
        report::Triage triage(options, nowhere);
        triage.run_starting({"", {}, shard ? "1/2" : ""});
        triage.coverage_measured(cov_measured());
        REQUIRE(triage.run_ended({}));
        CHECK(triage.coverage_failing() == !shard);
        CHECK(triage.verdict() == (shard ? core::Verdict::conformant : core::Verdict::deviations));
    }
    // A saved report's gate is judged again by `conform report` (no options of its own).
    report::ReportModel model = test::sample_run();
    model.cases.clear();
    model.summary = {};
    model.coverage = cov_measured();
    model.coverage->gate.minimum = {{CoverageMetric::operations, 90}};
    report::Reporter nowhere;
    report::Triage again({}, nowhere);
    REQUIRE(report::replay(model, again));
    CHECK(again.verdict() == core::Verdict::deviations);
    model.coverage->gate.minimum = {{CoverageMetric::operations, 0}};
    report::Triage met({}, nowhere);
    REQUIRE(report::replay(model, met));
    CHECK(met.verdict() == core::Verdict::conformant);
}

TEST_CASE("every format shows coverage: console, Markdown, sortable HTML, JUnit properties") {
    report::ReportModel model = test::sample_run();
    model.coverage = cov_measured();
    model.coverage->gate.minimum = {{CoverageMetric::operations, 90}};
    model.coverage->failures = report::judge_coverage(*model.coverage);

    std::ostringstream out;
    auto console = report::console_reporter(out, {});
    REQUIRE(report::replay(model, *console));
    const std::string text = out.str();
    INFO(text);
    CHECK(has(text, "\nCoverage\ncontract  target  operations"));
    CHECK(has(text, "uhub      ref        1/2 50%"));
    CHECK(has(text, "    GetRepo: params never sent: Offset; enum values never sent: "
                    "Type=public; page shapes never seen: middle, last, past-end; codes "
                    "observed, not documented: 230"));
    CHECK(has(text, "    DeleteRepo: not exercised; params never sent: RepoName; fields never "
                    "observed: /Action, /RetCode; codes never observed: 0"));
    CHECK(has(text, "coverage below the gate (operations=90%):\n  uhub @ quiet: operations 0%"));
    std::ostringstream quiet_out;
    auto quiet = report::console_reporter(quiet_out, {.quiet = true});
    REQUIRE(report::replay(model, *quiet));
    CHECK(has(quiet_out.str(), "uhub      ref        1/2 50%"));
    CHECK_FALSE(has(quiet_out.str(), "params never sent"));
    CHECK(has(quiet_out.str(), "coverage below the gate"));

    const std::string md = report::render_markdown(model);
    CHECK(has(md, "### Coverage\n\n#### uhub\n\n| target | operation | exchanges | operations |"));
    CHECK(has(md, "| ref | DeleteRepo | 0 | **no** |"));
    CHECK(has(md, "**Coverage below the gate:**"));

    const std::string html = report::render_html(model);
    CHECK(has(html, "<table class=\"coverage sortable\">"));
    CHECK(has(html, "<td data-sort=\"50.000\" class=\"partial\">1/2 50%</td>"));
    CHECK(has(html, "querySelectorAll('table.sortable')"));
    CHECK_FALSE(has(html, "src=")); // no external resource
    CHECK_FALSE(has(html, "href=\"http"));

    const std::string xml = report::render_junit(model);
    CHECK(has(xml, "<testsuite name=\"uhub.coverage.ref\""));
    CHECK(has(xml, "<property name=\"coverage.fields\" value=\"7/9 77.7%\"/>"));
    CHECK(has(xml, "<property name=\"coverage.DeleteRepo.not-covered\" value=\"not exercised;"));
    CHECK(has(xml, "<failure type=\"coverage.gate\" message=\"uhub @ ref: operations 50%"));
}

TEST_CASE("JUnit with coverage still validates against the Jenkins XSD") {
    const std::string tool = CONFORM_XMLLINT;
    if (tool.empty() || !fs::exists(tool)) {
        WARN("SKIPPED: xmllint is absent; JUnit coverage properties not validated");
        return;
    }
    report::ReportModel model = test::sample_run();
    model.coverage = cov_measured();
    model.coverage->gate.observe = {"/Nope"};
    model.coverage->failures = report::judge_coverage(*model.coverage);
    const auto dir = test::fresh_dir("coverage-junit");
    test::write(dir / "junit.xml", report::render_junit(model));
    const fs::path xsd = fs::path(CONFORM_SOURCE_DIR) / "tests/report/fixtures/junit.xsd";
    const std::string command = "'" + tool + "' --noout --schema '" + xsd.string() + "' '" +
                                (dir / "junit.xml").string() + "' > '" +
                                (dir / "out.txt").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    INFO(test::slurp(dir / "out.txt"));
    CHECK(status == 0);
    CHECK(has(test::slurp(dir / "junit.xml"), "<testsuite name=\"coverage\""));
    fs::remove_all(dir);
}

TEST_CASE("HTML coverage table in headless Chromium: a click on a header sorts by it") {
    const std::string tool = CONFORM_CHROMIUM;
    if (tool.empty() || !fs::exists(tool)) {
        std::cerr << "SKIPPED: coverage table sorting in a browser: chromium not found\n";
        WARN("SKIPPED: chromium is absent; the coverage table was not sorted in a browser");
        return;
    }
    report::ReportModel model = test::sample_run();
    model.coverage = cov_measured();
    std::string page = report::render_html(model);
    // Click the "fields" header twice (ascending, then descending), as a person would.
    const std::string clicks =
        "<script>var h=document.querySelectorAll('table.coverage th')[6];h.click();"
        "document.title=Array.prototype.map.call(document.querySelectorAll('table.coverage "
        "tbody tr'),function(r){return r.cells[6].getAttribute('data-sort');}).join(',');"
        "h.click();</script>\n</body>";
    page.replace(page.rfind("</body>"), 7, clicks);
    const auto dir = test::fresh_dir("coverage-chromium");
    test::write(dir / "report.html", page);
    const std::string command =
        "timeout 120 '" + tool +
        "' --headless --no-sandbox --disable-gpu --no-first-run "
        "--disable-extensions --user-data-dir='" +
        (dir / "profile").string() + "' --dump-dom 'file://" + (dir / "report.html").string() +
        "' > '" + (dir / "dom.html").string() + "' 2> '" + (dir / "chromium.log").string() + "'";
    const int status = std::system(command.c_str());
    INFO(test::slurp(dir / "chromium.log"));
    REQUIRE(status == 0);
    const std::string dom = test::slurp(dir / "dom.html");
    // Ascending: the rows by their fields percentage, smallest first.
    CHECK(has(dom, "<title>0.000,0.000,0.000,0.000,77.778,100.000</title>"));
    // Then descending, the header saying so.
    const auto table = dom.find("<table class=\"coverage sortable\">");
    REQUIRE(table != std::string::npos);
    CHECK(has(dom, "<th aria-sort=\"descending\">fields</th>"));
    const auto first_row = dom.find("<tr", dom.find("<tbody>", table));
    CHECK(dom.substr(first_row, 60).find("<td>ref</td><td>GetRepo</td>") != std::string::npos);
    fs::remove_all(dir);
}
