// The console: for people at a terminal or reading a CI log. Streams a line per case as it
// ends; when the run ends, the summary table, environment notes, deviations grouped by id and
// (several targets) the case × target matrix.

#include <ostream>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

using internal::Occurrence;

// SGR codes; empty = plain.
constexpr std::string_view k_red = "31", k_green = "32", k_yellow = "33", k_bold = "1", k_dim = "2";

struct Cell {
    std::string text;
    std::string_view colour = {};
};

// Display width: code points (every seed name and pointer is ASCII or CJK-free).
std::size_t width_of(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char ch : s)
        n += (ch & 0xC0) != 0x80;
    return n;
}

std::string_view severity_colour(core::Severity s) {
    return s == core::Severity::error ? k_red : s == core::Severity::warning ? k_yellow : k_dim;
}

class ConsoleReporter final : public internal::ModelBuilder {
public:
    ConsoleReporter(std::ostream& out, ConsoleOptions options) : m_out(out), m_options(options) {}

    void case_ended(const CaseResult& c) override {
        ModelBuilder::case_ended(c);
        if (m_options.quiet)
            return;
        const std::string label = internal::case_label(c) + " @ " + c.target;
        if (!c.skipped.empty()) {
            m_out << paint(k_yellow, "SKIP") << "  " << label << ": " << c.skipped << '\n';
        } else if (const std::size_t n = c.deviation_count()) {
            m_out << paint(k_red, "FAIL") << "  " << label << ": "
                  << internal::plural(n, "deviation", "deviations") << " (" << ids_of(c) << ")\n";
            steps(c);
        } else if (m_options.verbose) {
            m_out << paint(k_green, "PASS") << "  " << label << '\n';
            steps(c);
        }
    }

    // A scenario's steps, under its line (the requests are in the report files).
    void steps(const CaseResult& c) {
        for (const std::string& line : internal::step_lines(c, false))
            m_out << "        " << line << '\n';
    }

    void target_unreachable(const TargetInfo& t, const std::string& why) override {
        ModelBuilder::target_unreachable(t, why);
        if (!m_options.quiet)
            m_out << paint(k_red, "UNREACHABLE") << "  " << t.contract << " @ " << t.display_name()
                  << " (" << t.target << "): " << why << '\n';
    }

    core::Result<void> run_ended(const RunSummary& s) override {
        CONFORM_CHECK(ModelBuilder::run_ended(s));
        const ReportModel& m = model();
        summary_table(m);
        unreachable(m);
        unresponsive(m);
        if (!m_options.quiet) {
            environment(m);
            deviations(m);
            matrix(m);
        }
        coverage(m);
        baseline(m);
        totals(s);
        m_out.flush();
        return {};
    }

private:
    std::string paint(std::string_view code, std::string_view text) const {
        if (!m_options.colour || code.empty())
            return std::string(text);
        return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
    }

    void heading(std::string_view text) { m_out << '\n' << paint(k_bold, text) << '\n'; }

    static std::string ids_of(const CaseResult& c) {
        std::string out;
        for (const CheckResult& check : c.checks)
            for (const core::Deviation& d : check.deviations) {
                const std::string_view name = core::name_of(d.id);
                if (out.find(name) != std::string::npos)
                    continue;
                out += out.empty() ? "" : ", ";
                out += name;
            }
        return out;
    }

    // Columns padded to their widest cell, two spaces apart; numbers right-aligned. Colour is
    // applied after padding so that escape codes never skew the columns.
    void table(const std::vector<std::vector<Cell>>& rows, std::size_t first_numeric) {
        std::vector<std::size_t> widths;
        for (const auto& row : rows)
            for (std::size_t i = 0; i < row.size(); ++i) {
                widths.resize(std::max(widths.size(), row.size()));
                widths[i] = std::max(widths[i], width_of(row[i].text));
            }
        for (std::size_t r = 0; r < rows.size(); ++r) {
            std::string line;
            for (std::size_t i = 0; i < rows[r].size(); ++i) {
                const Cell& cell = rows[r][i];
                const std::string pad(widths[i] - width_of(cell.text), ' ');
                const bool right = i >= first_numeric;
                const std::string padded = right ? pad + cell.text : cell.text + pad;
                if (i)
                    line += "  ";
                line += r == 0 ? paint(k_bold, padded) : paint(cell.colour, padded);
            }
            while (!line.empty() && line.back() == ' ')
                line.pop_back();
            m_out << line << '\n';
        }
    }

    void summary_table(const ReportModel& m) {
        heading("Summary");
        std::vector<std::vector<Cell>> rows = {{{"contract"},
                                                {"operation"},
                                                {"target"},
                                                {"cases"},
                                                {"passed"},
                                                {"skipped"},
                                                {"deviations"},
                                                {"errors"},
                                                {"warnings"}}};
        for (const internal::SummaryRow& r : internal::summary_rows(m.cases))
            rows.push_back(
                {{r.contract},
                 {r.operation},
                 {r.target},
                 {std::to_string(r.cases)},
                 {std::to_string(r.passed)},
                 {std::to_string(r.skipped)},
                 {std::to_string(r.deviations), r.deviations ? k_red : std::string_view{}},
                 {std::to_string(r.errors)},
                 {std::to_string(r.warnings)}});
        if (rows.size() == 1 && m.summary.cases > 0) // replay keeps no passing case by case
            m_out << "every case passed; none is listed\n";
        else if (rows.size() == 1)
            m_out << "no cases ran\n";
        else
            table(rows, 3);
    }

    void unreachable(const ReportModel& m) {
        bool any = false;
        for (const TargetRecord& t : m.targets) {
            if (t.reachable || t.unresponsive) // an unresponsive one is listed with its evidence
                continue;
            if (!any)
                heading("Unreachable targets");
            any = true;
            m_out << "  " << t.info.contract << " @ " << t.info.display_name() << " ("
                  << t.info.target << "): " << t.error << '\n';
        }
    }

    // Issue 16: why its remaining cases were skipped, and the failures that showed it.
    void unresponsive(const ReportModel& m) {
        bool any = false;
        for (const TargetRecord& t : m.targets) {
            if (!t.unresponsive)
                continue;
            if (!any)
                heading("Unresponsive targets");
            any = true;
            m_out << "  " << paint(k_red, "UNRESPONSIVE") << "  " << t.info.contract << " @ "
                  << t.info.display_name() << " (" << t.info.target
                  << "): " << t.unresponsive->reason
                  << (t.reachable ? "" : "; nothing on it could be checked") << '\n';
            for (const std::string& line : t.unresponsive->evidence)
                m_out << "    " << line << '\n';
        }
    }

    void environment(const ReportModel& m) {
        bool any = false;
        for (const CaseResult& c : m.cases)
            for (const std::string& note : c.environment) {
                if (!any)
                    heading("Environment (not deviations)");
                any = true;
                m_out << "  " << internal::case_label(c) << " @ " << c.target << ": " << note
                      << '\n';
            }
    }

    void deviations(const ReportModel& m) {
        const auto groups = internal::group_by_id(m.cases);
        if (groups.empty())
            return;
        heading("Deviations");
        for (const auto& [id, list] : groups) {
            m_out << paint(k_bold, core::name_of(id)) << " (" << list.size() << ")\n";
            const std::size_t shown =
                m_options.verbose ? list.size() : std::min<std::size_t>(list.size(), 8);
            for (std::size_t i = 0; i < shown; ++i)
                occurrence(list[i]);
            if (shown < list.size())
                m_out << "  ... " << list.size() - shown << " more (--verbose shows them)\n";
        }
    }

    void occurrence(const Occurrence& o) {
        const core::Deviation& d = o.deviation();
        const CaseResult& c = *o.case_result;
        m_out << "  " << paint(severity_colour(d.severity), core::name_of(d.severity)) << "  "
              << internal::case_label(c) << " @ " << c.target << "  [" << o.check->name << "]";
        if (!d.kind.empty())
            m_out << "  " << d.kind;
        m_out << '\n';
        m_out << "    at " << internal::pointer_text(d.instance_pointer);
        if (d.count > 1)
            m_out << " (x" << d.count << ")";
        if (!d.schema_pointer.empty())
            m_out << "  schema " << d.schema_pointer;
        m_out << '\n';
        // The classifier's messages open with this very line ("expected object, got string
        // ... (scalar-for-object) (9 occurrences, ...)"): print it once, the fuller one.
        const std::string expected_line = "expected " + d.expected + ", got " + d.actual;
        if (!d.message.starts_with(expected_line))
            m_out << "    " << expected_line << '\n';
        if (!d.message.empty())
            m_out << "    " << d.message << '\n';
        if (const std::string source = internal::source_text(d); !source.empty())
            m_out << "    doc " << source << '\n';
        if (const nlohmann::json* exchange = internal::exchange_of(c, *o.check, o.index))
            if (const std::string request = internal::request_line(*exchange); !request.empty())
                m_out << "    request " << request << '\n';
    }

    void matrix(const ReportModel& m) {
        const internal::Matrix matrix = internal::build_matrix(m);
        if (matrix.targets.size() < 2)
            return;
        heading("Matrix");
        std::vector<std::vector<Cell>> rows(1);
        rows[0].push_back({"case"});
        for (const std::string& t : matrix.targets)
            rows[0].push_back({t});
        for (const internal::MatrixRow& row : matrix.rows) {
            std::vector<Cell> line = {{row.contract + "/" + row.operation + "/" + row.case_name}};
            for (const CaseResult* c : row.cells) {
                const std::string text = internal::cell_text(c);
                const std::string_view colour = !c                    ? k_dim
                                                : !c->skipped.empty() ? k_yellow
                                                : c->passed()         ? k_green
                                                                      : k_red;
                line.push_back({text, colour});
            }
            rows.push_back(std::move(line));
        }
        table(rows, rows[0].size()); // no numeric columns
    }

    // A row per contract × target with each measure; unless quiet, what each operation left
    // uncovered; the gate's verdict always.
    void coverage(const ReportModel& m) {
        if (!m.coverage)
            return;
        const Coverage& c = *m.coverage;
        heading("Coverage");
        std::vector<std::vector<Cell>> rows(1);
        rows[0] = {{"contract"}, {"target"}};
        for (const MetricInfo& metric : k_coverage_metrics)
            rows[0].push_back({std::string(metric.name)});
        for (const TargetCoverage& row : c.targets) {
            std::vector<Cell> line = {{row.contract}, {row.target}};
            for (const MetricInfo& metric : k_coverage_metrics) {
                const Ratio r = row.ratio(metric.metric);
                line.push_back({internal::ratio_text(r),
                                r.covered < r.documented ? k_yellow : std::string_view{}});
            }
            rows.push_back(std::move(line));
        }
        if (rows.size() == 1)
            m_out << "no contract × target was measured\n";
        else
            table(rows, 2);
        if (const auto unreached = c.unreached(); !unreached.empty()) {
            m_out << "no exchange reached:";
            for (const std::string& name : unreached)
                m_out << ' ' << name;
            m_out << '\n';
        }
        if (!m_options.quiet)
            for (const TargetCoverage& row : c.targets) {
                bool named = false;
                for (const OperationCoverage& op : row.operations) {
                    const std::vector<std::string> phrases =
                        internal::uncovered_phrases(op, m_options.verbose ? 0 : 8);
                    if (phrases.empty())
                        continue;
                    if (!named)
                        m_out << "  " << row.contract << " @ " << row.target << '\n';
                    named = true;
                    m_out << "    " << op.name << ": ";
                    for (std::size_t i = 0; i < phrases.size(); ++i)
                        m_out << (i ? "; " : "") << phrases[i];
                    m_out << '\n';
                }
            }
        if (c.gate.empty())
            return;
        std::string gate;
        for (const auto& [metric, percent] : c.gate.minimum)
            gate += (gate.empty() ? "" : ",") + std::string(name_of(metric)) + "=" +
                    percent_text(percent);
        for (const std::string& item : c.gate.observe)
            gate += (gate.empty() ? "" : " ") + std::string("unobserved ") + item;
        if (!m.run.shard.empty())
            m_out << "coverage gate (" << gate
                  << ") not judged on a shard: conform report merge "
                     "judges the whole run\n";
        else if (c.failures.empty())
            m_out << paint(k_green, "coverage gate met") << " (" << gate << ")\n";
        else {
            m_out << paint(k_red, "coverage below the gate") << " (" << gate << "):\n";
            for (const std::string& f : c.failures)
                m_out << "  " << f << '\n';
        }
    }

    // Accepted deviations are known: one line each when verbose, a count otherwise. Fixed
    // entries are always listed: they are what to remove from the baseline.
    void baseline(const ReportModel& m) {
        if (!m.baseline)
            return;
        heading("Baseline");
        m_out << internal::baseline_line(m) << '\n';
        if (m_options.verbose)
            for (const internal::Occurrence& o : internal::accepted_occurrences(m.cases))
                m_out << "  accepted  " << internal::case_label(*o.case_result) << " @ "
                      << o.case_result->target << ": " << core::name_of(o.deviation().id) << " at "
                      << internal::pointer_text(o.deviation().instance_pointer) << '\n';
        for (const BaselineEntry& e : m.baseline->fixed)
            m_out << "  " << paint(k_green, "fixed") << "     " << internal::fixed_entry_text(e)
                  << '\n';
        if (!m.baseline->fixed.empty())
            m_out << "  (rerun with --write-baseline to drop the fixed entries)\n";
    }

    void totals(const RunSummary& s) {
        m_out << '\n'
              << internal::plural(s.cases, "case", "cases") << ": " << s.passed << " passed, "
              << s.failed << " failed, " << s.skipped << " skipped; "
              << internal::plural(s.deviations, "deviation", "deviations") << " (" << s.errors
              << " errors, " << s.warnings << " warnings)";
        if (s.accepted || s.fixed)
            m_out << "; baseline: " << s.accepted << " accepted, " << s.fixed << " fixed";
        if (s.unreachable_targets)
            m_out << "; " << s.unreachable_targets << " unreachable";
        m_out << "; " << internal::format_seconds(s.seconds) << " s\n";
    }

    std::ostream& m_out;
    ConsoleOptions m_options;
};

} // namespace

std::unique_ptr<Reporter> console_reporter(std::ostream& out, ConsoleOptions options) {
    return std::make_unique<ConsoleReporter>(out, options);
}

} // namespace conform::report
