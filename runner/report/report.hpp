#pragma once
// conform::report — the engine emits events, reporters listen (STYLE.md lesson 8). A reporter
// never sees engine internals: only these values.
//
//   MultiReporter reporters;                                  // fans every event out
//   reporters.add(console_reporter(std::cout, {.colour = true}));
//   reporters.add(make_reporter(Format::json, {.output_dir = "out"}).value());
//   reporters.run_starting(run); reporters.target_starting(t); reporters.case_ended(c); ...
//   core::Result<void> written = reporters.run_ended(summary); // a file that could not be
//                                                              // written is an error here
//
// The console streams a line per case as it ends; the file formats (JSON, JUnit XML, Markdown,
// HTML) collect a ReportModel and render it when the run ends, written atomically (a temp file
// renamed into place). Rendering is a pure function of the model, so `conform report FILE.json
// --format html` is load_report() + render(); replay() feeds a loaded model back as events (for
// the console). Reporters never read a clock: every time arrives in the events, so a fixed run
// renders byte-identical output (the golden files in tests/report/golden/ rely on it).

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/clock.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/result.hpp"
#include "runner/report/internal/coverage.hpp"

namespace conform::report {

// report.json's "conform_report" value; bumped on any incompatible change of its shape.
inline constexpr int k_report_version = 1;

struct RunInfo {
    std::string started_at; // ISO 8601 UTC, from the injected clock
    std::vector<std::string> arguments;
    std::string shard = {}; // "2/4" when this run is one shard of a split run (--shard); "" = whole
};

// One contract served by one target (a URL, or the in-process reference server + persona).
struct TargetInfo {
    std::string contract;
    std::string target;  // base URL
    std::string persona; // "" for an external target
    // The target's name as CaseResult::target carries it ("reference", "doc-sample", "A", or
    // the URL). Empty means "the same as target". (Defaulted so that a three-member
    // TargetInfo{contract, url, persona} still compiles without a warning.)
    std::string name = {};
    std::size_t planned_cases = 0; // cases this run will send to it (for progress; 0 = unknown)

    [[nodiscard]] const std::string& display_name() const { return name.empty() ? target : name; }
};

// A target that stopped answering (issue 16): its remaining cases were skipped with one
// reason rather than each waiting out its timeouts. When none of its cases got an answer the
// engine also reports it unreachable (nothing could be checked: exit 3).
struct Unresponsive {
    std::string reason;                // one line: when and why it was declared
    std::vector<std::string> evidence; // the first failures: "probe GetRepo: read timeout ..."
};

// What one check concluded about one case.
struct CheckResult {
    std::string name;                        // "schema", "pagination.walk", ... (checks registry)
    std::vector<core::Deviation> deviations; // each with the index of the exchange that shows it
    std::vector<std::size_t> exchange_of;    // exchange_of[i]: index into CaseResult::exchanges;
                                             // shorter than deviations = unknown for the rest
    std::string skipped;                     // why the check did not run; empty when it ran
    // Deviations the baseline accepts (--baseline): known, still shown, never counted or
    // failing. A baseline entry past its expiry date does not accept: its deviation stays in
    // `deviations`, its message saying so.
    std::vector<core::Deviation> accepted = {};

    // The exchange that shows deviations[i], or nullopt.
    [[nodiscard]] std::optional<std::size_t> exchange_index(std::size_t i) const {
        return i < exchange_of.size() ? std::optional<std::size_t>(exchange_of[i]) : std::nullopt;
    }
};

struct CaseResult {
    std::string contract;
    std::string operation;
    std::string target;  // target name: "reference", "doc-sample", "candidate", or the URL
    std::string url;     // where it was sent
    std::string persona; // "" for an external target
    std::string name;    // case name
    std::string description;
    std::string kind;   // single, walk, negative, auth
    std::string expect; // success, refusal, refusal-preferred
    std::vector<CheckResult> checks;
    // Redacted request + response excerpts, in sending order: {"request": {"method", "url"},
    // "response": {"status", "content_type", "body" (parsed JSON, or text cut to 2 KB)}} or
    // {"request", "failure": {"kind", "message"}}.
    std::vector<nlohmann::json> exchanges;
    // Environment problems (throttling, timeouts that a retry cured or not): reported, never
    // counted as deviations.
    std::vector<std::string> environment;
    std::string skipped; // why the case did not run (e.g. no credentials); empty when it ran
    double seconds = 0;
    // Position in the whole run's plan (targets × cases, before --shard picks its share), so
    // that `conform report merge` puts shard reports back in the order one run would have.
    std::size_t plan_index = 0;
    // How many cases this result stands for: replay folds recorded exchanges with the same
    // findings into one result (not in report.json: its summary has the counts).
    std::size_t occurrences = 1;

    // Deviation values over all checks (a folded one with count 9 counts once).
    [[nodiscard]] std::size_t deviation_count() const;
    [[nodiscard]] bool passed() const { return skipped.empty() && deviation_count() == 0; }
};

struct RunSummary {
    std::size_t cases = 0, passed = 0, failed = 0, skipped = 0;
    std::size_t deviations = 0, errors = 0, warnings = 0; // accepted ones not included
    std::size_t accepted = 0;                             // deviations the baseline accepts
    std::size_t fixed = 0; // baseline entries no longer seen (the baseline can be tightened)
    std::size_t unreachable_targets = 0;
    double seconds = 0;
};

// ---- Baselines: accepted deviations, carried across runs (report/baseline.hpp) ----

// One accepted deviation. Its key survives reordering (cases and items by name, not position)
// and array-index changes (the fingerprint folds indices): target/contract/operation/case + the
// deviation's fingerprint. The target is its name ("reference", or NAME of --target NAME=URL),
// and "" for a target named only by its URL: URLs change between environments and ports, so
// such a baseline carries across servers; name targets to keep their baselines apart.
struct BaselineEntry {
    std::string target; // "" for a target named by its URL
    std::string contract, operation, case_name;
    std::string id;                    // deviation id, "type.mismatch"
    std::string fingerprint;           // core::Deviation::fingerprint()
    std::string message;               // as first seen, for people reading the file
    std::string first_seen, last_seen; // YYYY-MM-DD
    std::string expires;               // YYYY-MM-DD after which it no longer accepts; "" = never

    [[nodiscard]] std::string key() const;
};

// What comparing a run with a baseline found, beyond the per-check `accepted` lists.
struct BaselineOutcome {
    std::string file;
    std::size_t accepted = 0;
    std::size_t expired = 0;          // deviations whose entry expired: failing again
    std::vector<BaselineEntry> fixed; // entries of cases this run ran that it no longer saw
};

// The summary of these cases (seconds and unreachable_targets are left 0 for the caller).
[[nodiscard]] RunSummary summarize(const std::vector<CaseResult>& cases);

// run_ended answers whether the reporter's output was produced: a report file that cannot be
// written (no directory, disk full, rename refused) is an error naming the file, never
// silently lost. Events before it cannot fail: reporters only collect.
class Reporter {
public:
    virtual ~Reporter() = default;
    virtual void run_starting(const RunInfo&) {}
    virtual void target_starting(const TargetInfo&) {}
    virtual void case_ended(const CaseResult&) {}
    virtual void target_unreachable(const TargetInfo&, const std::string& /*why*/) {}
    // After the target's last case ended.
    virtual void target_unresponsive(const TargetInfo&, const Unresponsive&) {}
    // Once, before run_ended, when the run was compared with a baseline.
    virtual void baseline_compared(const BaselineOutcome&) {}
    // Once, before run_ended (after baseline_compared), when the run measured its coverage of
    // the contracts (report/internal/coverage.hpp, through report.hpp); its failures are the
    // gate's, judged by Triage.
    virtual void coverage_measured(const Coverage&) {}
    virtual core::Result<void> run_ended(const RunSummary&) { return {}; }
};

// Fans every event out, in the order reporters were added. run_ended tells every reporter
// even when an earlier one failed, and returns the first failure (later ones are appended to
// its message).
class MultiReporter final : public Reporter {
public:
    void add(std::unique_ptr<Reporter> r) { m_reporters.push_back(std::move(r)); }
    [[nodiscard]] bool empty() const { return m_reporters.empty(); }
    void run_starting(const RunInfo& i) override;
    void target_starting(const TargetInfo& t) override;
    void case_ended(const CaseResult& c) override;
    void target_unreachable(const TargetInfo& t, const std::string& why) override;
    void target_unresponsive(const TargetInfo& t, const Unresponsive& u) override;
    void baseline_compared(const BaselineOutcome& b) override;
    void coverage_measured(const Coverage& c) override;
    core::Result<void> run_ended(const RunSummary& s) override;

private:
    std::vector<std::unique_ptr<Reporter>> m_reporters;
};

// ---- The whole run as values: what the file formats render and report.json holds. ----

struct TargetRecord {
    TargetInfo info;
    bool reachable = true;
    std::string error;                        // why it was unreachable
    std::optional<Unresponsive> unresponsive; // it stopped answering
};

struct ReportModel {
    std::string tool; // "conform 0.1.0"
    RunInfo run;
    std::vector<TargetRecord> targets; // one per contract × target, in target_starting order
    std::vector<CaseResult> cases;     // in case_ended order
    RunSummary summary;
    std::optional<BaselineOutcome> baseline; // when the run was compared with one
    std::optional<Coverage> coverage;        // what the run exercised of each contract

    // Target names in first-seen order (targets, then cases): the matrix columns.
    [[nodiscard]] std::vector<std::string> target_names() const;
};

// Feeds a model to a reporter as the engine would have: run_starting, every target's
// target_starting / target_unreachable, the cases in model order, target_unresponsive,
// baseline_compared, coverage_measured, run_ended.
core::Result<void> replay(const ReportModel& model, Reporter& reporter);

// ---- Shards: `conform report merge` ----

struct NamedReport {
    std::string file; // for messages
    ReportModel model;
};

// Joins the reports of one run split with --shard K/N into the report the whole run would
// have written: targets joined (unreachable if any shard could not reach it), cases in plan
// order (CaseResult::plan_index), the summary recounted, baseline outcomes joined, coverage
// merged (merge_coverage) and judged against the shards' gate (judge_coverage). Fails,
// naming the files, when shards repeat (the same shard twice, or the same case in two reports)
// or disagree on N, or a shard of 1..N is missing.
[[nodiscard]] core::Result<ReportModel> merge_reports(std::vector<NamedReport> reports);

// ---- Progress on a terminal ----

// A one-line progress bar (cases done of planned, rate, failures so far) redrawn in place
// on out at most every 100 ms of the clock's monotonic time, cleared when the run ends. For a
// terminal's stderr: the CLI decides. The clock is injected, so tests are exact; it must
// outlive the reporter.
[[nodiscard]] std::unique_ptr<Reporter> progress_reporter(std::ostream& out,
                                                          const core::Clock& clock);

// ---- Formats: one table (STYLE.md lesson 6) for --format parsing and `conform report`. ----

// People: a line per failed or skipped case as it ends (passing ones too when verbose), then a
// summary table (contract × operation × target: cases, passed, skipped, deviations, errors,
// warnings), environment notes, every deviation grouped by id (expected vs actual, pointers,
// count, doc source, case and target), a case × target matrix when several targets ran, and
// the coverage (a table per contract × target; what was never exercised, sent or observed,
// unless quiet; the gate's failures always). Colour only when asked (the CLI decides: a terminal,
// NO_COLOR unset).
struct ConsoleOptions {
    bool colour = false;
    bool quiet = false;   // the summary only
    bool verbose = false; // passing cases too, and every deviation (not only the first 8 per id)
};
[[nodiscard]] std::unique_ptr<Reporter> console_reporter(std::ostream& out, ConsoleOptions options);

enum class Format : std::uint8_t { console, json, junit, markdown, html };

struct ReporterOptions {
    std::filesystem::path output_dir = "."; // where file formats write their file
    std::ostream* out = nullptr;            // the console's stream; nullptr = std::cout
    ConsoleOptions console = {};
};

// A whole-run file format: model -> file text.
using Renderer = std::string (*)(const ReportModel&);

struct FormatInfo {
    Format format;
    std::string_view name;      // --format value
    std::string_view file_name; // under ReporterOptions::output_dir; "" = the console stream
    Renderer render;            // nullptr for the console (it streams)
    std::string_view description;
};

[[nodiscard]] std::string render_json(const ReportModel& model);
[[nodiscard]] std::string render_junit(const ReportModel& model);
[[nodiscard]] std::string render_markdown(const ReportModel& model);
[[nodiscard]] std::string render_html(const ReportModel& model);

inline constexpr std::array k_formats = {
    FormatInfo{Format::console, "console", "", nullptr,
               "streaming text for people: failures as they happen, summary, deviations"},
    FormatInfo{Format::json, "json", "report.json", &render_json,
               "versioned machine-readable report (schemas/report.schema.json)"},
    FormatInfo{Format::junit, "junit", "junit.xml", &render_junit,
               "JUnit XML: one testcase per case and check, for CI test views"},
    FormatInfo{Format::markdown, "md", "report.md", &render_markdown,
               "compact Markdown summary for pull requests and CI job pages"},
    FormatInfo{Format::html, "html", "report.html", &render_html,
               "one self-contained HTML page with a matrix and a filter by deviation id"},
};
static_assert(static_cast<std::size_t>(Format::html) + 1 == k_formats.size(),
              "every Format has a row in k_formats");

[[nodiscard]] constexpr const FormatInfo& info(Format f) {
    return k_formats[static_cast<std::size_t>(f)];
}
[[nodiscard]] std::optional<Format> parse_format(std::string_view name);
// "console, json, junit, md, html" for usage messages.
[[nodiscard]] std::string format_names();

// The reporter of one format: the console on options.out, or a file reporter writing
// output_dir / file_name when the run ends (the directory is created then).
[[nodiscard]] std::unique_ptr<Reporter> make_reporter(Format format,
                                                      const ReporterOptions& options);
// A file reporter for any renderer and path (what make_reporter uses).
[[nodiscard]] std::unique_ptr<Reporter> file_reporter(Renderer render, std::filesystem::path file);
// report.json at file (same as file_reporter(&render_json, file)).
[[nodiscard]] std::unique_ptr<Reporter> json_reporter(std::filesystem::path file);

// Writes text to file whole or not at all (a temp file beside it, renamed into place); errors
// name the file.
[[nodiscard]] core::Result<void> write_file_atomically(const std::filesystem::path& file,
                                                       std::string_view text);

// ---- report.json ----

// The JSON of one deviation, as report.json carries it (without "exchange").
[[nodiscard]] nlohmann::json to_json(const core::Deviation& d);
// The model as report.json's document, members in writing order (render_json is its dump).
[[nodiscard]] nlohmann::ordered_json to_report_json(const ReportModel& model);
// report.json back into the model. Errors name the file and the JSON pointer of the bad value
// (or the line and column when the text is not JSON); a version other than k_report_version is
// an error.
[[nodiscard]] core::Result<ReportModel> load_report(const std::filesystem::path& file);
[[nodiscard]] core::Result<ReportModel> parse_report(const nlohmann::json& document,
                                                     std::string_view file = {});

} // namespace conform::report
