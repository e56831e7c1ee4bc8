// Markdown for a pull request comment or a CI job summary (GitHub-flavoured): totals, the
// case × target matrix, one table row per deviation, and collapsed <details> with the request
// and response excerpt of every exchange a deviation points at.

#include <algorithm>
#include <set>
#include <utility>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

using internal::escape_markdown_cell;
using internal::markdown_code;

std::string cell(const CaseResult* c) {
    const std::string text = internal::cell_text(c);
    return c && !c->skipped.empty() ? "skip" : c && !c->passed() ? "**" + text + "**" : text;
}

void matrix(std::string& out, const ReportModel& model) {
    const internal::Matrix m = internal::build_matrix(model);
    if (m.rows.empty())
        return;
    out += "\n### Matrix\n\n| contract | operation | case |";
    for (const std::string& t : m.targets)
        out += " " + escape_markdown_cell(t) + " |";
    out += "\n|---|---|---|";
    for (std::size_t i = 0; i < m.targets.size(); ++i)
        out += "---|";
    out += "\n";
    for (const internal::MatrixRow& row : m.rows) {
        out += "| " + escape_markdown_cell(row.contract) + " | " +
               escape_markdown_cell(row.operation) + " | " + markdown_code(row.case_name) + " |";
        for (const CaseResult* c : row.cells)
            out += " " + cell(c) + " |";
        out += "\n";
    }
}

// One <details> per exchange of c that shows a deviation, in exchange order.
void exchange_details(std::string& out, const CaseResult& c) {
    std::vector<std::pair<std::size_t, std::vector<const core::Deviation*>>> shown;
    for (const CheckResult& check : c.checks)
        for (std::size_t i = 0; i < check.deviations.size(); ++i) {
            const auto index = check.exchange_index(i);
            if (!index || *index >= c.exchanges.size())
                continue;
            auto it = std::find_if(shown.begin(), shown.end(),
                                   [&](const auto& s) { return s.first == *index; });
            if (it == shown.end()) {
                shown.push_back({*index, {}});
                it = shown.end() - 1;
            }
            it->second.push_back(&check.deviations[i]);
        }
    std::sort(shown.begin(), shown.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [index, list] : shown) {
        const nlohmann::json& exchange = c.exchanges[index];
        std::string ids;
        std::set<std::string_view> seen;
        for (const core::Deviation* d : list)
            if (seen.insert(core::name_of(d->id)).second)
                ids += (ids.empty() ? "" : ", ") + std::string(core::name_of(d->id));
        out += "\n<details><summary>" +
               internal::escape_html(internal::case_label(c) + " @ " + c.target + ", exchange " +
                                     std::to_string(index + 1) + ": " + ids) +
               "</summary>\n\n";
        if (const std::string request = internal::request_line(exchange); !request.empty())
            out += "Request: " + markdown_code(request) + "\n\n";
        if (const std::string response = internal::response_line(exchange); !response.empty())
            out += "Response: " + markdown_code(response) + "\n\n";
        bool sources = false;
        for (const core::Deviation* d : list)
            if (const std::string source = internal::source_text(*d); !source.empty()) {
                out += "- " + markdown_code(core::name_of(d->id)) + " contradicts " +
                       markdown_code(source) + "\n";
                sources = true;
            }
        if (sources)
            out += "\n";
        if (const std::string body = internal::response_body(exchange); !body.empty()) {
            const std::string fence = internal::markdown_fence(body);
            const bool is_json = body.front() == '{' || body.front() == '[';
            out += fence + (is_json ? "json" : "") + "\n" + body + "\n" + fence + "\n\n";
        }
        out += "</details>\n";
    }
}

// A scenario's steps, one <details> per scenario case.
void scenario_details(std::string& out, const ReportModel& model) {
    for (const CaseResult& c : model.cases) {
        const std::vector<std::string> steps = internal::step_lines(c, true);
        if (steps.empty())
            continue;
        out += "\n<details><summary>" +
               internal::escape_html(internal::case_label(c) + " @ " + c.target + ": " +
                                     std::to_string(steps.size()) + " steps") +
               "</summary>\n\n";
        for (const std::string& line : steps)
            out += markdown_code(line) + "<br>\n";
        out += "\n</details>\n";
    }
}

void deviations_table(std::string& out, const ReportModel& model) {
    const auto groups = internal::group_by_id(model.cases);
    if (groups.empty())
        return;
    out += "\n### Deviations\n\n"
           "| id | severity | pointer | expected | actual | case | target |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const auto& [id, list] : groups)
        for (const internal::Occurrence& o : list) {
            const core::Deviation& d = o.deviation();
            std::string pointer = markdown_code(internal::pointer_text(d.instance_pointer));
            if (d.count > 1)
                pointer += " (x" + std::to_string(d.count) + ")";
            out += "| " + markdown_code(core::name_of(id)) + " | " +
                   std::string(core::name_of(d.severity)) + " | " + pointer + " | " +
                   escape_markdown_cell(d.expected) + " | " + escape_markdown_cell(d.actual) +
                   " | " + markdown_code(internal::case_label(*o.case_result)) + " | " +
                   escape_markdown_cell(o.case_result->target) + " |\n";
        }
    for (const CaseResult& c : model.cases)
        exchange_details(out, c);
    scenario_details(out, model);
}

// One table per contract: a row per target and operation (and the target's totals), what each
// left uncovered, then the gate's failures.
void coverage_tables(std::string& out, const ReportModel& model) {
    if (!model.coverage)
        return;
    const Coverage& c = *model.coverage;
    out += "\n### Coverage\n";
    std::vector<std::string> contracts;
    for (const TargetCoverage& row : c.targets)
        if (std::find(contracts.begin(), contracts.end(), row.contract) == contracts.end())
            contracts.push_back(row.contract);
    const auto ratio = [](const Ratio& r) { return escape_markdown_cell(internal::ratio_text(r)); };
    constexpr CoverageMetric k_measures[] = {CoverageMetric::params, CoverageMetric::values,
                                             CoverageMetric::fields, CoverageMetric::codes,
                                             CoverageMetric::pages};
    for (const std::string& contract : contracts) {
        out += "\n#### " + escape_markdown_cell(contract) +
               "\n\n| target | operation | exchanges | operations | params | values | fields | "
               "codes | pages | not covered |\n|---|---|---|---|---|---|---|---|---|---|\n";
        for (const TargetCoverage& row : c.targets) {
            if (row.contract != contract)
                continue;
            std::size_t exchanges = 0;
            std::vector<std::string> idle;
            for (const OperationCoverage& op : row.operations) {
                exchanges += op.exchanges;
                if (!op.exercised())
                    idle.push_back(op.name);
            }
            out += "| " + escape_markdown_cell(row.target) + " | **all** | " +
                   std::to_string(exchanges) + " | " + ratio(row.ratio(CoverageMetric::operations));
            for (CoverageMetric m : k_measures)
                out += " | " + ratio(row.ratio(m));
            std::string text;
            for (const std::string& name : idle)
                text += (text.empty() ? "not exercised: " : ", ") + name;
            out += " | " + escape_markdown_cell(text) + " |\n";
            for (const OperationCoverage& op : row.operations) {
                const TargetCoverage one{row.contract, row.target, {op}};
                out += "| " + escape_markdown_cell(row.target) + " | " +
                       escape_markdown_cell(op.name) + " | " + std::to_string(op.exchanges) +
                       " | " + (op.exercised() ? "yes" : "**no**");
                for (CoverageMetric m : k_measures)
                    out += " | " + ratio(one.ratio(m));
                out += " | " + escape_markdown_cell(internal::uncovered_text(op, 8)) + " |\n";
            }
        }
    }
    if (const auto unreached = c.unreached(); !unreached.empty()) {
        out += "\nNo exchange reached:";
        for (const std::string& name : unreached)
            out += " " + markdown_code(name);
        out += "\n";
    }
    if (!c.failures.empty()) {
        out += "\n**Coverage below the gate:**\n\n";
        for (const std::string& f : c.failures)
            out += "- " + escape_markdown_cell(f) + "\n";
    }
}

} // namespace

std::string render_markdown(const ReportModel& model) {
    const RunSummary& s = model.summary;
    std::string out = "## conform: ";
    if (s.unreachable_targets)
        out += "target unreachable";
    else if (s.deviations)
        out += internal::plural(s.deviations, "deviation", "deviations") + " in " +
               internal::plural(s.failed, "case", "cases");
    else
        out += "conformant";
    out += "\n\n**" + internal::plural(s.cases, "case", "cases") +
           "**: " + std::to_string(s.passed) + " passed, " + std::to_string(s.failed) +
           " failed, " + std::to_string(s.skipped) + " skipped · **" +
           internal::plural(s.deviations, "deviation", "deviations") + "** (" +
           std::to_string(s.errors) + " errors, " + std::to_string(s.warnings) + " warnings) · " +
           internal::format_seconds(s.seconds) + " s";
    if (!model.run.started_at.empty())
        out += " · started " + escape_markdown_cell(model.run.started_at);
    out += "\n";
    if (model.baseline) {
        out += "\n**Baseline** " + markdown_code(model.baseline->file) + ": " +
               std::to_string(model.baseline->accepted) + " accepted, " +
               std::to_string(model.baseline->expired) + " expired, " +
               std::to_string(model.baseline->fixed.size()) + " fixed\n";
        for (const BaselineEntry& e : model.baseline->fixed)
            out += "- fixed: " + escape_markdown_cell(internal::fixed_entry_text(e)) + "\n";
    }

    bool any_unreachable = false;
    for (const TargetRecord& t : model.targets)
        if (!t.reachable) {
            if (!any_unreachable)
                out += "\n### Unreachable targets\n\n";
            any_unreachable = true;
            out += "- " + escape_markdown_cell(t.info.contract) + " @ " +
                   escape_markdown_cell(t.info.display_name()) + " (" +
                   markdown_code(t.info.target) + "): " + escape_markdown_cell(t.error) + "\n";
        }
    bool any_unresponsive = false;
    for (const TargetRecord& t : model.targets)
        if (t.unresponsive) {
            if (!any_unresponsive)
                out += "\n### Unresponsive targets\n\n";
            any_unresponsive = true;
            out += "- " + escape_markdown_cell(t.info.contract) + " @ " +
                   escape_markdown_cell(t.info.display_name()) + ": " +
                   escape_markdown_cell(t.unresponsive->reason) + "\n";
            for (const std::string& line : t.unresponsive->evidence)
                out += "  - " + escape_markdown_cell(line) + "\n";
        }

    matrix(out, model);
    deviations_table(out, model);
    coverage_tables(out, model);

    bool any_environment = false;
    for (const CaseResult& c : model.cases)
        for (const std::string& note : c.environment) {
            if (!any_environment)
                out += "\n### Environment (not deviations)\n\n";
            any_environment = true;
            out += "- " + markdown_code(internal::case_label(c)) + " @ " +
                   escape_markdown_cell(c.target) + ": " + escape_markdown_cell(note) + "\n";
        }
    return out;
}

} // namespace conform::report
