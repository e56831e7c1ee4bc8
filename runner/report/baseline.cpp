// Baselines and the verdict: severity overrides, accepted deviations, fixed entries.
#include "runner/report/baseline.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "runner/report/internal/text.hpp"

namespace conform::report {

namespace {

// A target named by its URL is not part of keys (BaselineEntry).
std::string target_key(const std::string& target) {
    return target.find("://") == std::string::npos ? target : std::string();
}

std::string case_key(std::string_view target, std::string_view contract, std::string_view operation,
                     std::string_view case_name) {
    std::string key;
    key.append(target).append("@").append(contract).append("/").append(operation).append("/");
    key.append(case_name);
    return key;
}

std::string case_key(const CaseResult& c) {
    return case_key(target_key(c.target), c.contract, c.operation, c.name);
}
std::string case_key(const BaselineEntry& e) {
    return case_key(e.target, e.contract, e.operation, e.case_name);
}

// Days since 1970-01-01 of an ISO date, or nullopt.
std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
    if (text.size() < 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    const auto number = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, v);
        if (ec != std::errc() || end != text.data() + at + n)
            return std::nullopt;
        return v;
    };
    const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (!y || !m || !d)
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(*y),
                                           std::chrono::month(static_cast<unsigned>(*m)),
                                           std::chrono::day(static_cast<unsigned>(*d))};
    if (!date.ok())
        return std::nullopt;
    return std::chrono::sys_days(date);
}

std::string format_date(std::chrono::sys_days days) {
    const std::chrono::year_month_day date(days);
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

} // namespace

std::string BaselineEntry::key() const {
    return case_key(*this) + "#" + fingerprint;
}

const BaselineEntry* Baseline::find(std::string_view key) const {
    const auto it =
        std::lower_bound(entries.begin(), entries.end(), key,
                         [](const BaselineEntry& e, std::string_view k) { return e.key() < k; });
    return it != entries.end() && it->key() == key ? &*it : nullptr;
}

std::string baseline_key(const CaseResult& c, const core::Deviation& d) {
    return case_key(c) + "#" + d.fingerprint();
}

core::Result<void> write_baseline(const std::filesystem::path& file, const Baseline& baseline) {
    return write_file_atomically(file, render_baseline(baseline));
}

bool is_iso_date(std::string_view text) {
    return text.size() == 10 && parse_date(text).has_value();
}

std::optional<std::string> add_days(std::string_view date, int days) {
    const auto parsed = parse_date(date);
    if (!parsed)
        return std::nullopt;
    return format_date(*parsed + std::chrono::days(days));
}

std::optional<core::Severity> parse_severity(std::string_view name) {
    for (auto s : {core::Severity::info, core::Severity::warning, core::Severity::error})
        if (core::name_of(s) == name)
            return s;
    return std::nullopt;
}

core::Result<std::pair<core::DeviationId, core::Severity>>
parse_severity_override(std::string_view text) {
    const auto eq = text.find('=');
    const std::string_view id = text.substr(0, eq);
    const std::string_view level = eq == std::string_view::npos ? "" : text.substr(eq + 1);
    const auto parsed_id = core::parse_deviation_id(id);
    if (eq == std::string_view::npos || !parsed_id)
        return core::fail("--severity expects ID=LEVEL with an id of `conform list-deviations`, "
                          "got \"" +
                          std::string(text) + "\"");
    const auto parsed_level = parse_severity(level);
    if (!parsed_level)
        return core::fail("--severity: the level is error, warning or info, got \"" +
                          std::string(level) + "\"");
    return std::pair{*parsed_id, *parsed_level};
}

// ---- Triage ----

Triage::Triage(TriageOptions options, Reporter& next)
    : m_options(std::move(options)), m_next(next) {}

void Triage::run_starting(const RunInfo& info) {
    m_shard = !info.shard.empty();
    m_next.run_starting(info);
}
void Triage::target_starting(const TargetInfo& t) {
    m_next.target_starting(t);
}
void Triage::target_unreachable(const TargetInfo& t, const std::string& why) {
    m_next.target_unreachable(t, why);
}
void Triage::target_unresponsive(const TargetInfo& t, const Unresponsive& u) {
    m_next.target_unresponsive(t, u);
}

void Triage::coverage_measured(const Coverage& c) {
    Coverage judged = c;
    if (!m_options.coverage_gate.empty())
        judged.gate = m_options.coverage_gate;
    judged.failures = m_shard ? std::vector<std::string>() : judge_coverage(judged);
    m_coverage_failures = judged.failures.size();
    m_next.coverage_measured(judged);
}

void Triage::case_ended(const CaseResult& original) {
    CaseResult c = original;
    const std::string today = m_options.today;
    if (c.skipped.empty())
        m_cases_run.insert(case_key(c));
    for (CheckResult& check : c.checks) {
        std::vector<core::Deviation> kept;
        std::vector<std::size_t> kept_exchanges;
        bool exchanges_known = true;
        for (std::size_t i = 0; i < check.deviations.size(); ++i) {
            core::Deviation& d = check.deviations[i];
            if (const auto it = m_options.severities.find(d.id); it != m_options.severities.end())
                d.severity = it->second;
            std::string key = baseline_key(c, d);
            BaselineEntry seen{target_key(c.target),
                               c.contract,
                               c.operation,
                               c.name,
                               std::string(core::name_of(d.id)),
                               d.fingerprint(),
                               d.message,
                               today,
                               today,
                               ""};
            const BaselineEntry* known =
                m_options.baseline ? m_options.baseline->find(key) : nullptr;
            if (known) {
                seen.first_seen = known->first_seen;
                seen.expires = known->expires;
                seen.message = known->message;
            }
            m_seen.insert_or_assign(std::move(key), std::move(seen));
            const bool expired = known && !known->expires.empty() && known->expires < today;
            if (known && !expired) {
                check.accepted.push_back(std::move(d));
                continue;
            }
            if (expired) {
                ++m_expired;
                d.message += " (the baseline accepted this until " + known->expires + ")";
            }
            kept.push_back(std::move(d));
            const auto index = check.exchange_index(i);
            if (index && exchanges_known)
                kept_exchanges.push_back(*index);
            else
                exchanges_known = false;
        }
        check.deviations = std::move(kept);
        check.exchange_of = std::move(kept_exchanges);
    }
    m_next.case_ended(c);
    // Deviations counted as summarize() does, one case at a time (memory stays flat on long
    // replays); statuses weighted by the cases a folded result stands for.
    const RunSummary one = summarize({c});
    m_summary.deviations += one.deviations;
    m_summary.errors += one.errors;
    m_summary.warnings += one.warnings;
    m_summary.accepted += one.accepted;
    m_summary.failed += one.failed * c.occurrences;
    m_summary.skipped += one.skipped * c.occurrences;
    if (one.passed && original.deviation_count() > 0) // every deviation of it was accepted
        m_now_passing += c.occurrences;
}

core::Result<void> Triage::run_ended(const RunSummary& s) {
    // Passing cases need not be reported one by one (replay only counts them): s has them.
    m_summary.passed = s.passed + m_now_passing;
    m_summary.cases = m_summary.passed + m_summary.failed + m_summary.skipped;
    m_summary.seconds = s.seconds;
    m_summary.unreachable_targets = s.unreachable_targets;
    if (m_options.baseline) {
        BaselineOutcome outcome;
        outcome.file = m_options.baseline_file;
        outcome.accepted = m_summary.accepted;
        outcome.expired = m_expired;
        for (const BaselineEntry& e : m_options.baseline->entries)
            if (m_cases_run.count(case_key(e)) && !m_seen.count(e.key()))
                outcome.fixed.push_back(e);
        m_summary.fixed = outcome.fixed.size();
        m_next.baseline_compared(outcome);
    }
    return m_next.run_ended(m_summary);
}

bool Triage::failing() const {
    return m_summary.errors > 0 ||
           (m_options.fail_on != core::Severity::error && m_summary.warnings > 0);
}

core::Verdict Triage::verdict() const {
    if (m_summary.unreachable_targets > 0)
        return core::Verdict::unreachable;
    return failing() || coverage_failing() ? core::Verdict::deviations : core::Verdict::conformant;
}

Baseline Triage::next_baseline(std::optional<int> accept_days) const {
    std::map<std::string, BaselineEntry> entries;
    for (const auto& [key, e] : m_seen) {
        BaselineEntry entry = e;
        if (entry.expires.empty() && accept_days && entry.first_seen == m_options.today)
            entry.expires = add_days(m_options.today, *accept_days).value_or("");
        entries.emplace(key, std::move(entry));
    }
    if (m_options.baseline)
        for (const BaselineEntry& e : m_options.baseline->entries)
            if (!m_cases_run.count(case_key(e)))
                entries.emplace(e.key(), e);
    Baseline out;
    for (auto& [key, e] : entries)
        out.entries.push_back(std::move(e));
    return out;
}

} // namespace conform::report
