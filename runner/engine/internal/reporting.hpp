#pragma once
// What `conform run` and `conform replay` share after the checks: the reporters (console,
// progress bar, report.json and the other --format files), the triage in front of them
// (severity overrides, the baseline), the baseline written afterwards, and the verdict.
// Private to engine/.

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "runner/contract/contract.hpp"
#include "runner/core/clock.hpp"
#include "runner/engine/run.hpp"
#include "runner/report/baseline.hpp"

namespace conform::engine::internal {

// "2026-12-01T12:00:00Z"
[[nodiscard]] std::string iso_utc(core::Clock::WallTime t);

class Reporting {
public:
    // Reads the baseline (a bad one is an error naming the file); today is the run's date.
    [[nodiscard]] static core::Result<std::unique_ptr<Reporting>>
    open(const ReportSettings& settings, std::ostream& out, std::ostream& err,
         const std::string& started_at, const core::Clock& clock = core::system_clock());

    // Where the engine sends its events: the triage, in front of every reporter.
    [[nodiscard]] report::Reporter& reporter() { return *m_triage; }
    // The recorder of this run's coverage of the contracts; finish() reports what it measured.
    [[nodiscard]] report::CoverageRecorder&
    measure_coverage(const std::vector<contract::Contract>& contracts);

    // run_ended through the triage, then --write-baseline. Errors name the file.
    [[nodiscard]] core::Result<void> finish(const report::RunSummary& summary);

    // After finish: a deviation (new or expired) at --fail-on or worse, or coverage below the
    // gate.
    [[nodiscard]] bool failing() const {
        return m_triage->failing() || m_triage->coverage_failing();
    }
    // After finish: triage's verdict (unreachable, deviations or conformant).
    [[nodiscard]] core::Verdict verdict() const { return m_triage->verdict(); }
    // "conform: report written to DIR/report.json (+ junit.xml ...)", and the baseline's lines.
    void announce(std::ostream& err) const;

private:
    Reporting() = default;

    const ReportSettings* m_settings = nullptr;
    std::optional<report::Baseline> m_baseline;
    report::MultiReporter m_reporters;
    std::unique_ptr<report::Triage> m_triage;
    std::unique_ptr<report::CoverageRecorder> m_coverage;
    std::size_t m_baseline_entries = 0;
};

} // namespace conform::engine::internal
