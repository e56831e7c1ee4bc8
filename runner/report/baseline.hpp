#pragma once
// conform::report baselines and verdicts: which deviations fail a run.
//
//   CONFORM_TRY(Baseline known, load_baseline("conform-baseline.json"));
//   TriageOptions options{.baseline = &known, .baseline_file = "conform-baseline.json",
//                         .today = "2026-12-01"};
//   Triage triage(options, reporters);      // a Reporter in front of the reporters
//   run_targets(targets, settings, edges, triage);
//   triage.run_ended(summary);              // the summary the reporters hear is triage's
//   bool failed = triage.failing();         // new (or expired) deviations at --fail-on
//   core::Verdict v = triage.verdict();     // unreachable, deviations or conformant
//   write_baseline(file, triage.next_baseline({}));  // --write-baseline
//
// Triage applies, to every case on its way to the reporters: the per-id severity overrides
// (--severity ID=LEVEL), then the baseline: a deviation whose key (BaselineEntry::key) has an
// unexpired entry moves to its check's `accepted` list (shown, never counted, never failing);
// one whose entry expired stays a deviation, its message saying since when. Entries of cases
// this run ran but whose deviation it no longer saw are "fixed" (listed, so the baseline can
// be tightened). Entries of cases this run did not run (another shard, another --contract) are
// neither fixed nor lost: next_baseline carries them over unchanged.
//
// The baseline file (schemas/baseline.schema.json) is JSON, entries sorted by key so that it
// diffs well in review: {"conform_baseline": 1, "entries": [BaselineEntry...]}.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "runner/core/verdict.hpp"
#include "runner/report/report.hpp"

namespace conform::report {

inline constexpr int k_baseline_version = 1;

struct Baseline {
    std::vector<BaselineEntry> entries; // sorted by key(), unique

    [[nodiscard]] const BaselineEntry* find(std::string_view key) const;
};

// The key of deviation d of case c: what BaselineEntry::key() is for its entry.
[[nodiscard]] std::string baseline_key(const CaseResult& c, const core::Deviation& d);

// Errors name the file and the JSON pointer (or line and column when it is not JSON).
[[nodiscard]] core::Result<Baseline> load_baseline(const std::filesystem::path& file);
[[nodiscard]] core::Result<Baseline> parse_baseline(const nlohmann::json& document,
                                                    std::string_view file = {});
[[nodiscard]] std::string render_baseline(const Baseline& baseline);
// Written atomically (a temp file renamed into place).
[[nodiscard]] core::Result<void> write_baseline(const std::filesystem::path& file,
                                                const Baseline& baseline);

// "2026-12-01": the date part of an ISO 8601 time, when it is one.
[[nodiscard]] bool is_iso_date(std::string_view text);
// The date `days` after an ISO date ("2026-12-01" + 30 = "2026-12-31"); nullopt if not a date.
[[nodiscard]] std::optional<std::string> add_days(std::string_view date, int days);

// "ID=LEVEL" (LEVEL: error, warning, info) -> override; fails naming the text.
[[nodiscard]] core::Result<std::pair<core::DeviationId, core::Severity>>
parse_severity_override(std::string_view text);
[[nodiscard]] std::optional<core::Severity> parse_severity(std::string_view name);

struct TriageOptions {
    std::map<core::DeviationId, core::Severity> severities; // --severity overrides
    const Baseline* baseline = nullptr;                     // --baseline
    std::string baseline_file;                              // for the report
    std::string today;                                      // YYYY-MM-DD, from the run's clock
    core::Severity fail_on = core::Severity::error;         // --fail-on
    CoverageGate coverage_gate; // --min-coverage, --fail-on-unobserved; empty: the report's own
};

class Triage final : public Reporter {
public:
    Triage(TriageOptions options, Reporter& next);

    void run_starting(const RunInfo& info) override;
    void target_starting(const TargetInfo& t) override;
    void case_ended(const CaseResult& c) override;
    void target_unreachable(const TargetInfo& t, const std::string& why) override;
    void target_unresponsive(const TargetInfo& t, const Unresponsive& u) override;
    // Judges the coverage against the gate (the options', else the one it carries) and tells
    // next with the failures filled in. A shard's coverage is not judged (its share of the run
    // covers less by design): `conform report merge` judges the whole.
    void coverage_measured(const Coverage& c) override;
    // Tells next the BaselineOutcome (when there is a baseline), then run_ended with the
    // summary recounted after triage: deviations, failed and skipped cases from the cases it
    // saw; passed = s.passed + the cases whose every deviation the baseline accepted (passing
    // cases need not be reported: replay only counts them); seconds and unreachable from s.
    core::Result<void> run_ended(const RunSummary& s) override;

    // After run_ended.
    [[nodiscard]] const RunSummary& summary() const { return m_summary; }
    // Any deviation left (new or expired) of severity fail_on or worse.
    [[nodiscard]] bool failing() const;
    // The coverage did not meet its gate.
    [[nodiscard]] bool coverage_failing() const { return m_coverage_failures > 0; }
    // After run_ended: the run's verdict, as `conform run` and `conform report` give it: a
    // target that could not be reached outranks failing() and coverage_failing(), which
    // outrank conformant.
    [[nodiscard]] core::Verdict verdict() const;
    // Today's deviations as a baseline: first_seen and expires kept from the old entry,
    // last_seen today; new entries expire `accept_days` from today when given; entries of cases
    // not run here carried over.
    [[nodiscard]] Baseline next_baseline(std::optional<int> accept_days) const;

private:
    TriageOptions m_options;
    Reporter& m_next;
    RunSummary m_summary;
    std::map<std::string, BaselineEntry> m_seen; // key -> entry of a deviation seen today
    std::set<std::string> m_cases_run;           // contract/operation/case that ran
    std::size_t m_expired = 0;
    std::size_t m_now_passing = 0; // failed cases that pass once accepted deviations are set apart
    bool m_shard = false;          // this run is one shard of a split run
    std::size_t m_coverage_failures = 0;
};

} // namespace conform::report
