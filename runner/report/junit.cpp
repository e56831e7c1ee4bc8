// JUnit XML for CI test views (Jenkins, GitLab): one <testsuite> per contract × operation ×
// target, one <testcase> per case × check. A deviation is a <failure> (type = its id); a skipped
// case or check is <skipped>; an unreachable target is an <error> (an environment problem,
// never a deviation). The shape is the common Jenkins junit-10 one
// (tests/report/fixtures/junit.xsd).

#include <algorithm>
#include <map>
#include <tuple>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

using internal::escape_xml;

std::string attr(std::string_view text) {
    return escape_xml(text, true);
}

struct Testcase {
    std::string name;
    double seconds = 0;
    std::string skipped;  // reason
    std::string failures; // <failure> elements
    std::string error;    // <error> element
    std::string system_out;
    std::size_t failure_count = 0;
};

struct Suite {
    std::string name;
    std::vector<Testcase> cases;
    double seconds = 0;
    std::vector<std::pair<std::string, std::string>> properties;
};

std::string failure_text(const CaseResult& c, const CheckResult& check, std::size_t i) {
    const core::Deviation& d = check.deviations[i];
    std::string text = "expected: " + d.expected + "\nactual:   " + d.actual +
                       "\npointer:  " + internal::pointer_text(d.instance_pointer);
    if (d.count > 1)
        text += " (x" + std::to_string(d.count) + ")";
    if (!d.schema_pointer.empty())
        text += "\nschema:   " + d.schema_pointer;
    if (!d.kind.empty())
        text += "\nkind:     " + d.kind;
    text += "\nseverity: " + std::string(core::name_of(d.severity));
    if (const std::string source = internal::source_text(d); !source.empty())
        text += "\ndoc:      " + source;
    const nlohmann::json* exchange = internal::exchange_of(c, check, i);
    const std::string request = exchange ? internal::request_line(*exchange) : c.url;
    if (!request.empty())
        text += "\nrequest:  " + request;
    if (exchange)
        if (const std::string response = internal::response_line(*exchange); !response.empty())
            text += "\nresponse: " + response;
    text += "\nfingerprint: " + d.fingerprint();
    return text;
}

std::string environment_text(const CaseResult& c) {
    std::string out;
    for (const std::string& line : internal::step_lines(c, true))
        out += "step " + line + "\n";
    for (const std::string& note : c.environment)
        out += "environment: " + note + "\n";
    return out;
}

void add_check(Suite& suite, const CaseResult& c, const CheckResult& check, double seconds) {
    Testcase t;
    t.name = c.name + "/" + check.name;
    t.seconds = seconds;
    t.skipped = !c.skipped.empty() ? c.skipped : check.skipped;
    for (std::size_t i = 0; i < check.deviations.size() && t.skipped.empty(); ++i) {
        const core::Deviation& d = check.deviations[i];
        const std::string message =
            d.message.empty() ? "expected " + d.expected + ", got " + d.actual : d.message;
        t.failures += "      <failure type=\"" + attr(core::name_of(d.id)) + "\" message=\"" +
                      attr(message) + "\">" + escape_xml(failure_text(c, check, i), false) +
                      "</failure>\n";
        ++t.failure_count;
    }
    t.system_out = environment_text(c);
    for (const core::Deviation& d : check.accepted)
        t.system_out += "accepted by the baseline: " + std::string(core::name_of(d.id)) + " at " +
                        internal::pointer_text(d.instance_pointer) + ": " + d.message + "\n";
    suite.cases.push_back(std::move(t));
}

std::string render_testcase(const std::string& classname, const Testcase& t) {
    std::string out = "    <testcase classname=\"" + attr(classname) + "\" name=\"" + attr(t.name) +
                      "\" time=\"" + internal::format_seconds(t.seconds) + "\"";
    if (t.skipped.empty() && t.failures.empty() && t.error.empty() && t.system_out.empty())
        return out + "/>\n";
    out += ">\n";
    if (!t.skipped.empty())
        out += "      <skipped message=\"" + attr(t.skipped) + "\"/>\n";
    out += t.error;
    out += t.failures;
    if (!t.system_out.empty())
        out += "      <system-out>" + escape_xml(t.system_out, false) + "</system-out>\n";
    return out + "    </testcase>\n";
}

// Coverage as properties: a suite "<contract>.coverage.<target>" per row, holding each measure
// (coverage.fields = "12/14 85.7%") and per operation what it left uncovered; with a gate, a
// testcase "coverage gate" failing once per reason (a suite "coverage" takes reasons of no row).
void coverage_suites(std::vector<Suite>& suites, const ReportModel& model) {
    if (!model.coverage)
        return;
    const Coverage& c = *model.coverage;
    std::vector<bool> placed(c.failures.size(), false);
    const auto gate_case = [&](Suite& suite, const std::string& prefix) {
        Testcase t;
        t.name = "coverage gate";
        for (std::size_t i = 0; i < c.failures.size(); ++i) {
            if (placed[i] || !c.failures[i].starts_with(prefix))
                continue;
            placed[i] = true;
            t.failures += "      <failure type=\"coverage.gate\" message=\"" + attr(c.failures[i]) +
                          "\">" + escape_xml(c.failures[i], false) + "</failure>\n";
            ++t.failure_count;
        }
        suite.cases.push_back(std::move(t));
    };
    for (const TargetCoverage& row : c.targets) {
        Suite suite{row.contract + ".coverage." + row.target, {}, 0, {}};
        for (const MetricInfo& m : k_coverage_metrics)
            suite.properties.emplace_back("coverage." + std::string(m.name),
                                          internal::ratio_text(row.ratio(m.metric)));
        for (const OperationCoverage& op : row.operations) {
            suite.properties.emplace_back("coverage." + op.name + ".exchanges",
                                          std::to_string(op.exchanges));
            const std::string text = internal::uncovered_text(op, 0);
            if (!text.empty())
                suite.properties.emplace_back("coverage." + op.name + ".not-covered", text);
        }
        if (!c.gate.empty() && model.run.shard.empty())
            gate_case(suite, row.contract + " @ " + row.target + ": ");
        suites.push_back(std::move(suite));
    }
    if (std::find(placed.begin(), placed.end(), false) != placed.end()) {
        Suite rest{"coverage", {}, 0, {}};
        gate_case(rest, "");
        suites.push_back(std::move(rest));
    }
}

// The suites: one per contract, operation and target, a testcase per check of each case; one
// per unreachable target; the coverage gate's.
std::vector<Suite> suites_of(const ReportModel& model) {
    std::vector<Suite> suites;
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
    const auto suite_for = [&](const std::string& contract, const std::string& operation,
                               const std::string& target) -> Suite& {
        auto [it, inserted] =
            index.emplace(std::make_tuple(contract, operation, target), suites.size());
        if (inserted)
            suites.push_back(Suite{contract + "." + operation + "." + target, {}, 0, {}});
        return suites[it->second];
    };

    for (const CaseResult& c : model.cases) {
        Suite& suite = suite_for(c.contract, c.operation, c.target);
        suite.seconds += c.seconds;
        if (c.checks.empty()) {
            // Nothing was checked (skipped before any check ran): the case itself is the test.
            Testcase t;
            t.name = c.name;
            t.seconds = c.seconds;
            t.skipped = c.skipped;
            t.system_out = environment_text(c);
            suite.cases.push_back(std::move(t));
            continue;
        }
        // A case's time is shared by its checks (they run on the same exchanges).
        const double each = c.seconds / static_cast<double>(c.checks.size());
        for (const CheckResult& check : c.checks)
            add_check(suite, c, check, each);
    }
    for (const TargetRecord& t : model.targets) {
        if (t.reachable)
            continue;
        Suite& suite = suite_for(t.info.contract, "unreachable", t.info.display_name());
        Testcase test;
        test.name = t.info.display_name();
        test.error = "      <error type=\"target.unreachable\" message=\"" + attr(t.error) + "\">" +
                     escape_xml(t.info.target + ": " + t.error, false) + "</error>\n";
        suite.cases.push_back(std::move(test));
    }
    coverage_suites(suites, model);
    return suites;
}

} // namespace

std::string render_junit(const ReportModel& model) {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    std::string body;
    for (const Suite& suite : suites_of(model)) {
        std::size_t s_failures = 0, s_errors = 0, s_skipped = 0;
        for (const Testcase& t : suite.cases) {
            s_failures += t.failure_count > 0;
            s_errors += !t.error.empty();
            s_skipped += !t.skipped.empty();
        }
        body += "  <testsuite name=\"" + attr(suite.name) + "\" tests=\"" +
                std::to_string(suite.cases.size()) + "\" failures=\"" + std::to_string(s_failures) +
                "\" errors=\"" + std::to_string(s_errors) + "\" skipped=\"" +
                std::to_string(s_skipped) + "\" time=\"" + internal::format_seconds(suite.seconds) +
                "\"";
        if (!model.run.started_at.empty())
            body += " timestamp=\"" + attr(model.run.started_at) + "\"";
        body += ">\n";
        if (!suite.properties.empty()) {
            body += "    <properties>\n";
            for (const auto& [name, value] : suite.properties)
                body +=
                    "      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n";
            body += "    </properties>\n";
        }
        for (const Testcase& t : suite.cases)
            body += render_testcase(suite.name, t);
        body += "  </testsuite>\n";
        tests += suite.cases.size();
        failures += s_failures;
        errors += s_errors;
        skipped += s_skipped;
        seconds += suite.seconds;
    }
    if (model.summary.seconds > 0)
        seconds = model.summary.seconds;
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"conform\" tests=\"" +
           std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
           std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
           internal::format_seconds(seconds) + "\">\n" + body + "</testsuites>\n";
}

} // namespace conform::report
