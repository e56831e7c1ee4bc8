#pragma once
// What the reporters share: escaping for each output language, the views of a run every format
// shows (summary rows, the case × target matrix, deviations grouped by id) and exchange
// excerpts. Private to report/.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/report/report.hpp"

namespace conform::report::internal {

// ---- escaping ----

// text with every invalid UTF-8 sequence replaced by U+FFFD (bodies are cut at 2 KB, possibly
// inside a character; servers send anything).
[[nodiscard]] std::string valid_utf8(std::string_view text);
// XML 1.0 character data or attribute value. Characters XML 1.0 cannot carry at all (C0
// controls other than tab/LF/CR, U+FFFE/U+FFFF) become the visible text "\u0001"; in attributes
// tab/LF/CR become character references so they survive attribute normalisation.
[[nodiscard]] std::string escape_xml(std::string_view text, bool attribute);
// HTML text or attribute value (& < > " '); controls other than tab/LF/CR shown as "\u0001".
[[nodiscard]] std::string escape_html(std::string_view text);
// One Markdown table cell: inline text with | \ ` * _ [ ] < > & neutralised, newlines as spaces.
[[nodiscard]] std::string escape_markdown_cell(std::string_view text);
// A Markdown code span that survives a table cell (`x`, or `` x` `` when x holds a backtick).
[[nodiscard]] std::string markdown_code(std::string_view text);
// A fence longer than any backtick run in text (at least ```).
[[nodiscard]] std::string markdown_fence(std::string_view text);

// ---- numbers and labels ----

[[nodiscard]] std::string format_seconds(double seconds); // "0.012"
[[nodiscard]] std::string plural(std::size_t n, std::string_view one, std::string_view many);
// "ucloud-uhub/GetRepo/default-page"
[[nodiscard]] std::string case_label(const CaseResult& c);
[[nodiscard]] std::string_view case_status(const CaseResult& c); // passed | failed | skipped
[[nodiscard]] std::string_view check_status(const CheckResult& c);
// "/" for the document root (an empty pointer reads badly).
[[nodiscard]] std::string pointer_text(std::string_view pointer);
// "ucloud-uhub.GetRepo.zh.md:31", or "" when unknown.
[[nodiscard]] std::string source_text(const core::Deviation& d);

// ---- exchanges ----

// "GET https://..." of exchange, or "" when it has no request.
[[nodiscard]] std::string request_line(const nlohmann::json& exchange);
[[nodiscard]] std::string request_url(const nlohmann::json& exchange);
// "HTTP 200 application/json" or "failure timeout: ..." or "".
[[nodiscard]] std::string response_line(const nlohmann::json& exchange);
// The response body as text: a string body as is, JSON pretty-printed; "" when none.
[[nodiscard]] std::string response_body(const nlohmann::json& exchange);
// A scenario's steps in order, a line each: "3. update conform-1-1-1: GET <url> -> HTTP 200
// application/json -> ok" (the request only when with_request); empty for any other case.
[[nodiscard]] std::vector<std::string> step_lines(const CaseResult& c, bool with_request);
// The exchange that shows a deviation, or nullptr.
[[nodiscard]] const nlohmann::json* exchange_of(const CaseResult& c, const CheckResult& check,
                                                std::size_t deviation_index);

// ---- views of a run ----

// contract × operation × target, first-seen order.
struct SummaryRow {
    std::string contract, operation, target;
    std::size_t cases = 0, passed = 0, failed = 0, skipped = 0;
    std::size_t deviations = 0, errors = 0, warnings = 0;
};
[[nodiscard]] std::vector<SummaryRow> summary_rows(const std::vector<CaseResult>& cases);

// Rows contract/operation/case, one column per target name; a null cell = not run there.
struct MatrixRow {
    std::string contract, operation, case_name;
    std::vector<const CaseResult*> cells;
};
struct Matrix {
    std::vector<std::string> targets;
    std::vector<MatrixRow> rows;
};
[[nodiscard]] Matrix build_matrix(const ReportModel& model);
// "pass", "2 deviations", "skip", "-" (not run).
[[nodiscard]] std::string cell_text(const CaseResult* c);

// One deviation where it was found.
struct Occurrence {
    const CaseResult* case_result;
    const CheckResult* check;
    std::size_t index;     // into check->deviations (check->accepted when accepted)
    bool accepted = false; // a deviation the baseline accepts
    [[nodiscard]] const core::Deviation& deviation() const {
        return accepted ? check->accepted[index] : check->deviations[index];
    }
};
// Grouped by id in taxonomy order; within a group in case order.
[[nodiscard]] std::vector<std::pair<core::DeviationId, std::vector<Occurrence>>>
group_by_id(const std::vector<CaseResult>& cases);

// ---- baselines ----

// "baseline conform-baseline.json: 12 accepted, 1 expired, 2 fixed", or "" without a baseline.
[[nodiscard]] std::string baseline_line(const ReportModel& model);
// "ucloud-uhub/GetRepo/default-page: type.mismatch (first seen 2026-11-02)" for a fixed entry.
[[nodiscard]] std::string fixed_entry_text(const BaselineEntry& e);
// Every accepted deviation of the run with its case, in case order.
[[nodiscard]] std::vector<Occurrence> accepted_occurrences(const std::vector<CaseResult>& cases);

// ---- coverage ----

// "3/4 75%", or "-" when nothing is documented.
[[nodiscard]] std::string ratio_text(const Ratio& r);
// What an operation left uncovered, one phrase each: "not exercised", "params never sent:
// ProjectId", "enum values never sent: Type=public", "fields never observed: /Message",
// "codes never observed: 0", "page shapes never seen: middle", and "codes observed, not
// documented: 230"; at most `shown` items per phrase (0: every one).
[[nodiscard]] std::vector<std::string> uncovered_phrases(const OperationCoverage& op,
                                                         std::size_t shown);
// The same phrases joined with "; " (a table cell, a JUnit property); "" when covered.
[[nodiscard]] std::string uncovered_text(const OperationCoverage& op, std::size_t shown);
// Status codes observed that the contract does not document: "230, 170"; "" when none.
[[nodiscard]] std::string undocumented_codes_text(const OperationCoverage& op);

// A Reporter that collects the run into a ReportModel (the base of every file format).
class ModelBuilder : public Reporter {
public:
    void run_starting(const RunInfo& info) override;
    void target_starting(const TargetInfo& t) override;
    void case_ended(const CaseResult& c) override;
    void target_unreachable(const TargetInfo& t, const std::string& why) override;
    void target_unresponsive(const TargetInfo& t, const Unresponsive& u) override;
    void baseline_compared(const BaselineOutcome& b) override;
    void coverage_measured(const Coverage& c) override;
    core::Result<void> run_ended(const RunSummary& s) override;

    [[nodiscard]] const ReportModel& model() const { return m_model; }

private:
    TargetRecord& record_for(const TargetInfo& t);
    ReportModel m_model;
};

} // namespace conform::report::internal
