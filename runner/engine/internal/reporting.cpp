#include "runner/engine/internal/reporting.hpp"

#include "runner/engine/internal/coverage.hpp"

#include <ctime>
#include <ostream>

namespace conform::engine::internal {

std::string iso_utc(core::Clock::WallTime t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&tt, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

core::Result<std::unique_ptr<Reporting>> Reporting::open(const ReportSettings& settings,
                                                         std::ostream& out, std::ostream& err,
                                                         const std::string& started_at,
                                                         const core::Clock& clock) {
    std::unique_ptr<Reporting> r(new Reporting());
    r->m_settings = &settings;
    if (settings.baseline) {
        CONFORM_TRY(report::Baseline known, report::load_baseline(*settings.baseline));
        r->m_baseline = std::move(known);
    }
    report::ReporterOptions options;
    options.output_dir = settings.dir;
    options.out = &out;
    options.console = settings.console;
    r->m_reporters.add(report::make_reporter(report::Format::console, options));
    if (settings.progress && !settings.console.quiet)
        r->m_reporters.add(report::progress_reporter(err, clock));
    r->m_reporters.add(report::make_reporter(report::Format::json, options));
    for (report::Format f : settings.formats)
        if (f != report::Format::console && f != report::Format::json)
            r->m_reporters.add(report::make_reporter(f, options));

    report::TriageOptions triage;
    triage.severities = settings.severities;
    triage.baseline = r->m_baseline ? &*r->m_baseline : nullptr;
    triage.baseline_file = settings.baseline ? settings.baseline->string() : std::string();
    triage.today = started_at.substr(0, 10);
    triage.fail_on = settings.fail_on;
    triage.coverage_gate = settings.coverage_gate;
    r->m_triage = std::make_unique<report::Triage>(std::move(triage), r->m_reporters);
    return r;
}

report::CoverageRecorder&
Reporting::measure_coverage(const std::vector<contract::Contract>& contracts) {
    m_coverage = std::make_unique<report::CoverageRecorder>(documented(contracts));
    return *m_coverage;
}

core::Result<void> Reporting::finish(const report::RunSummary& summary) {
    if (m_coverage)
        m_triage->coverage_measured(m_coverage->result());
    auto written = m_triage->run_ended(summary);
    if (m_settings->write_baseline) {
        const report::Baseline next = m_triage->next_baseline(m_settings->accept_days);
        m_baseline_entries = next.entries.size();
        auto saved = report::write_baseline(*m_settings->write_baseline, next);
        if (!saved && written)
            return saved;
    }
    return written;
}

void Reporting::announce(std::ostream& err) const {
    err << "conform: report written to " << (m_settings->dir / "report.json").string();
    for (report::Format f : m_settings->formats)
        if (const auto& row = report::info(f); !row.file_name.empty() && f != report::Format::json)
            err << ", " << row.file_name;
    err << '\n';
    if (m_settings->write_baseline)
        err << "conform: baseline written to " << m_settings->write_baseline->string() << " ("
            << m_baseline_entries << " entries)\n";
}

} // namespace conform::engine::internal
