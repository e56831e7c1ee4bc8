// The event model's behaviour: counting, fan-out, collecting a model, and replaying one.

#include <algorithm>

#include "runner/report/internal/text.hpp"

namespace conform::report {

std::size_t CaseResult::deviation_count() const {
    std::size_t n = 0;
    for (const CheckResult& check : checks)
        n += check.deviations.size();
    return n;
}

RunSummary summarize(const std::vector<CaseResult>& cases) {
    RunSummary s;
    for (const CaseResult& c : cases) {
        ++s.cases;
        const auto status = internal::case_status(c);
        s.passed += status == "passed";
        s.failed += status == "failed";
        s.skipped += status == "skipped";
        for (const CheckResult& check : c.checks)
            for (const core::Deviation& d : check.deviations) {
                ++s.deviations;
                s.errors += d.severity == core::Severity::error;
                s.warnings += d.severity == core::Severity::warning;
            }
        for (const CheckResult& check : c.checks)
            s.accepted += check.accepted.size();
    }
    return s;
}

void MultiReporter::run_starting(const RunInfo& i) {
    for (auto& r : m_reporters)
        r->run_starting(i);
}
void MultiReporter::target_starting(const TargetInfo& t) {
    for (auto& r : m_reporters)
        r->target_starting(t);
}
void MultiReporter::case_ended(const CaseResult& c) {
    for (auto& r : m_reporters)
        r->case_ended(c);
}
void MultiReporter::target_unresponsive(const TargetInfo& t, const Unresponsive& u) {
    for (auto& r : m_reporters)
        r->target_unresponsive(t, u);
}

void MultiReporter::target_unreachable(const TargetInfo& t, const std::string& why) {
    for (auto& r : m_reporters)
        r->target_unreachable(t, why);
}
void MultiReporter::baseline_compared(const BaselineOutcome& b) {
    for (auto& r : m_reporters)
        r->baseline_compared(b);
}
void MultiReporter::coverage_measured(const Coverage& c) {
    for (auto& r : m_reporters)
        r->coverage_measured(c);
}
core::Result<void> MultiReporter::run_ended(const RunSummary& s) {
    std::optional<core::Diagnostic> first;
    for (auto& r : m_reporters) {
        auto done = r->run_ended(s);
        if (done)
            continue;
        if (!first)
            first = std::move(done).error();
        else
            first->message += "; also " + done.error().to_string();
    }
    if (first)
        return core::fail(std::move(*first));
    return {};
}

std::vector<std::string> ReportModel::target_names() const {
    std::vector<std::string> names;
    const auto add = [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end())
            names.push_back(name);
    };
    for (const TargetRecord& t : targets)
        add(t.info.display_name());
    for (const CaseResult& c : cases)
        add(c.target);
    return names;
}

core::Result<void> replay(const ReportModel& model, Reporter& reporter) {
    reporter.run_starting(model.run);
    // As the engine does: every target first, then the cases in the model's (plan) order.
    for (const std::string& name : model.target_names())
        for (const TargetRecord& t : model.targets)
            if (t.info.display_name() == name) {
                reporter.target_starting(t.info);
                if (!t.reachable)
                    reporter.target_unreachable(t.info, t.error);
            }
    for (const CaseResult& c : model.cases)
        reporter.case_ended(c);
    for (const TargetRecord& t : model.targets)
        if (t.unresponsive)
            reporter.target_unresponsive(t.info, *t.unresponsive);
    if (model.baseline)
        reporter.baseline_compared(*model.baseline);
    if (model.coverage)
        reporter.coverage_measured(*model.coverage);
    return reporter.run_ended(model.summary);
}

namespace internal {

void ModelBuilder::run_starting(const RunInfo& info) {
    m_model = ReportModel{};
    m_model.tool = std::string("conform ") + CONFORM_VERSION;
    m_model.run = info;
}

TargetRecord& ModelBuilder::record_for(const TargetInfo& t) {
    for (TargetRecord& r : m_model.targets)
        if (r.info.contract == t.contract && r.info.display_name() == t.display_name())
            return r;
    TargetRecord record;
    record.info = t;
    m_model.targets.push_back(std::move(record));
    return m_model.targets.back();
}

void ModelBuilder::target_starting(const TargetInfo& t) {
    record_for(t).info = t;
}

void ModelBuilder::case_ended(const CaseResult& c) {
    m_model.cases.push_back(c);
}

void ModelBuilder::target_unreachable(const TargetInfo& t, const std::string& why) {
    TargetRecord& r = record_for(t);
    r.reachable = false;
    r.error = why;
}

void ModelBuilder::target_unresponsive(const TargetInfo& t, const Unresponsive& u) {
    record_for(t).unresponsive = u;
}

void ModelBuilder::baseline_compared(const BaselineOutcome& b) {
    m_model.baseline = b;
}

void ModelBuilder::coverage_measured(const Coverage& c) {
    m_model.coverage = c;
}

core::Result<void> ModelBuilder::run_ended(const RunSummary& s) {
    m_model.summary = s;
    return {};
}

} // namespace internal
} // namespace conform::report
