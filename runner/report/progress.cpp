// The progress bar: `[#########...........]  43/86 cases  71.2/s  3 failed`, redrawn in place.
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>

#include "runner/report/report.hpp"

namespace conform::report {
namespace {

class Progress final : public Reporter {
public:
    Progress(std::ostream& out, const core::Clock& clock) : m_out(out), m_clock(clock) {}

    void run_starting(const RunInfo&) override { m_started = m_clock.monotonic(); }
    void target_starting(const TargetInfo& t) override { m_planned += t.planned_cases; }
    void case_ended(const CaseResult& c) override {
        ++m_done;
        m_failed += c.skipped.empty() && c.deviation_count() > 0;
        const double elapsed = m_clock.seconds_since(m_started);
        if (elapsed - m_drawn >= 0.1 || m_done == m_planned) {
            m_drawn = elapsed;
            draw(elapsed);
        }
    }
    core::Result<void> run_ended(const RunSummary&) override {
        if (m_width) // erase the bar: what follows (the summary) starts on a clean line
            m_out << '\r' << std::string(m_width, ' ') << '\r' << std::flush;
        return {};
    }

private:
    void draw(double elapsed) {
        constexpr std::size_t bar = 24;
        const std::size_t total = std::max(m_planned, m_done);
        const std::size_t filled = total ? bar * m_done / total : 0;
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.1f/s", elapsed > 0 ? double(m_done) / elapsed : 0.0);
        std::string line = "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "]  " +
                           std::to_string(m_done) + "/" + std::to_string(total) + " cases  " + rate;
        if (m_failed)
            line += "  " + std::to_string(m_failed) + " failed";
        const std::size_t width = line.size();
        if (width < m_width)
            line += std::string(m_width - width, ' ');
        m_width = std::max(m_width, width);
        m_out << '\r' << line << std::flush;
    }

    std::ostream& m_out;
    const core::Clock& m_clock;
    core::Clock::MonotonicTime m_started{};
    double m_drawn = -1; // seconds since the start of the last drawing
    std::size_t m_planned = 0, m_done = 0, m_failed = 0, m_width = 0;
};

} // namespace

std::unique_ptr<Reporter> progress_reporter(std::ostream& out, const core::Clock& clock) {
    return std::make_unique<Progress>(out, clock);
}

} // namespace conform::report
