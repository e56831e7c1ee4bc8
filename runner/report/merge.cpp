// `conform report merge`: shard reports back into one. `conform run` shards hold disjoint
// cases; `conform replay` shards each fold their share by root cause, so their cases are
// folded again across shards (refold) and their exchange counts summed.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

struct Shard {
    int index = 0, count = 0;
};

std::optional<Shard> parse_shard(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    Shard s;
    const auto a = std::from_chars(text.data(), text.data() + slash, s.index);
    const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), s.count);
    if (a.ec != std::errc() || b.ec != std::errc() || a.ptr != text.data() + slash ||
        b.ptr != text.data() + text.size() || s.count < 1 || s.index < 1 || s.index > s.count)
        return std::nullopt;
    return s;
}

core::Unexpected<core::Diagnostic> bad(const std::string& file, std::string message) {
    return core::fail(std::move(message), core::Location{file, 0, 0, {}, false});
}

// ---- `conform replay --shard`: shards fold alike, the whole replay folds across them ----

bool is_replay(const ReportModel& m) {
    return m.run.arguments.size() > 1 && m.run.arguments[1] == "replay";
}

constexpr std::string_view k_more = " more recorded exchange(s) with the same findings";

// "recorded at a.jsonl:3; and 4 more recorded exchange(s) ..." -> ("recorded at a.jsonl:3", 5).
std::pair<std::string, std::size_t> split_folded(const std::string& description) {
    if (!description.ends_with(k_more))
        return {description, 1};
    const std::size_t number_end = description.size() - k_more.size();
    const std::size_t and_at = description.rfind("and ", number_end);
    std::size_t more = 0;
    const char* first = description.data() + and_at + 4;
    const char* last = description.data() + number_end;
    if (and_at == std::string::npos || std::from_chars(first, last, more).ptr != last)
        return {description, 1};
    std::string base = description.substr(0, and_at);
    if (base.ends_with("; "))
        base.resize(base.size() - 2);
    return {base, more + 1};
}

// The engine's Folder signature (engine/replay.cpp), as far as report.json shows it: who,
// which case (an exchange without a case name is named "file:line" and folds by findings),
// staleness, and the set of root causes.
std::string fold_key(const CaseResult& c) {
    const bool anonymous = c.kind == "single" && c.skipped.empty() &&
                           c.description.starts_with("recorded at " + c.name);
    const bool stale = std::any_of(c.environment.begin(), c.environment.end(),
                                   [](const std::string& e) { return e.starts_with("stale: "); });
    std::string key = c.contract + '\x1f' + c.operation + '\x1f' + c.target + '\x1f' + c.kind +
                      '\x1f' + c.expect + '\x1f' + (stale ? "stale" : "") + '\x1f' + c.skipped;
    if (!anonymous)
        key += '\x1f' + c.name;
    std::vector<std::string> causes;
    for (const CheckResult& check : c.checks)
        for (const core::Deviation& d : check.deviations)
            causes.push_back(check.name + ':' + d.fingerprint());
    std::sort(causes.begin(), causes.end());
    for (const std::string& cause : causes)
        key += '\x1f' + cause;
    return key;
}

// Cases of every shard folded into one per root cause: the earliest (plan_index, the position
// in the recordings) represents them, its deviations counting every shard's occurrences.
std::vector<CaseResult> refold(std::vector<CaseResult> cases) {
    std::stable_sort(cases.begin(), cases.end(), [](const CaseResult& a, const CaseResult& b) {
        return a.plan_index < b.plan_index;
    });
    std::map<std::string, std::size_t> first; // fold key -> index into out
    std::vector<CaseResult> out;
    std::vector<std::size_t> exchanges;
    for (CaseResult& c : cases) {
        auto [base, count] = split_folded(c.description);
        const auto [it, fresh] = first.emplace(fold_key(c), out.size());
        if (fresh) {
            c.description = std::move(base);
            out.push_back(std::move(c));
            exchanges.push_back(count);
            continue;
        }
        CaseResult& kept = out[it->second];
        exchanges[it->second] += count;
        for (CheckResult& check : kept.checks)
            for (core::Deviation& d : check.deviations)
                for (const CheckResult& other : c.checks)
                    for (const core::Deviation& o : other.deviations)
                        if (other.name == check.name && o.fingerprint() == d.fingerprint())
                            d.count += o.count;
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        if (exchanges[i] > 1)
            out[i].description += (out[i].description.empty() ? "" : "; ") + std::string("and ") +
                                  std::to_string(exchanges[i] - 1) + std::string(k_more);
    return out;
}

// Shards: all or none, one N, each K once, none missing.
core::Result<void> check_shards(const std::vector<NamedReport>& reports) {
    std::map<int, std::string> shard_files;
    int count = 0;
    for (const NamedReport& r : reports) {
        if (r.model.run.shard.empty()) {
            if (reports.size() > 1)
                return bad(r.file, "is not a shard report (it has no \"shard\"): merge joins the "
                                   "reports of one run split with --shard K/N");
            continue;
        }
        const auto shard = parse_shard(r.model.run.shard);
        if (!shard)
            return bad(r.file, "has a malformed shard \"" + r.model.run.shard + "\"");
        if (count && shard->count != count)
            return bad(r.file, "is shard " + r.model.run.shard + " but the others are of " +
                                   std::to_string(count));
        count = shard->count;
        if (const auto [it, fresh] = shard_files.emplace(shard->index, r.file); !fresh)
            return bad(r.file,
                       "is shard " + r.model.run.shard + " again (also " + it->second + ")");
    }
    for (int k = 1; k <= count; ++k)
        if (!shard_files.count(k))
            return core::fail("shard " + std::to_string(k) + "/" + std::to_string(count) +
                              " is missing: merge needs every shard's report");
    return {};
}

// One shard's target into the merged list: unreachable or unresponsive in any shard is so in
// the whole, with the first shard's evidence.
void merge_target(std::vector<TargetRecord>& targets, TargetRecord t) {
    auto same = std::find_if(targets.begin(), targets.end(), [&](const TargetRecord& x) {
        return x.info.contract == t.info.contract && x.info.display_name() == t.info.display_name();
    });
    if (same == targets.end()) {
        targets.push_back(std::move(t));
        return;
    }
    if (!t.reachable && same->reachable) {
        same->reachable = false;
        same->error = std::move(t.error);
    }
    if (t.unresponsive && !same->unresponsive)
        same->unresponsive = std::move(t.unresponsive);
}

void merge_baseline(std::optional<BaselineOutcome>& merged, BaselineOutcome& shard) {
    if (!merged) {
        merged = BaselineOutcome{};
        merged->file = shard.file;
    }
    merged->accepted += shard.accepted;
    merged->expired += shard.expired;
    for (BaselineEntry& e : shard.fixed)
        merged->fixed.push_back(std::move(e));
}

// The summary, coverage and target order of the merged cases.
void finish_merge(ReportModel& merged, const std::vector<NamedReport>& reports, bool replay,
                  const RunSummary& counted) {
    const double seconds = merged.summary.seconds;
    merged.summary = summarize(merged.cases);
    merged.summary.seconds = seconds;
    if (replay) {
        merged.summary.cases = counted.cases;
        merged.summary.passed = counted.passed;
        merged.summary.failed = counted.failed;
        merged.summary.skipped = counted.skipped;
        // As the replay lists them: by contract and name, whichever shard saw them first.
        std::stable_sort(merged.targets.begin(), merged.targets.end(),
                         [](const TargetRecord& a, const TargetRecord& b) {
                             return std::tie(a.info.contract, a.info.name) <
                                    std::tie(b.info.contract, b.info.name);
                         });
    }
    std::vector<const Coverage*> coverage;
    for (const NamedReport& r : reports)
        if (r.model.coverage)
            coverage.push_back(&*r.model.coverage);
    if (!coverage.empty()) {
        merged.coverage = merge_coverage(coverage);
        merged.coverage->failures = judge_coverage(*merged.coverage);
    }
    for (const TargetRecord& t : merged.targets)
        merged.summary.unreachable_targets += !t.reachable;
    if (merged.baseline)
        merged.summary.fixed = merged.baseline->fixed.size();
}

} // namespace

core::Result<ReportModel> merge_reports(std::vector<NamedReport> reports) {
    if (reports.empty())
        return core::fail("nothing to merge: name the shard reports (report.json files)");
    CONFORM_CHECK(check_shards(reports));

    ReportModel merged;
    merged.tool = reports.front().model.tool;
    merged.run = reports.front().model.run;
    merged.run.shard.clear();
    std::map<std::string, std::string> case_file; // target/contract/operation/case -> file
    std::vector<CaseResult> cases;
    const bool replay = std::all_of(reports.begin(), reports.end(),
                                    [](const NamedReport& r) { return is_replay(r.model); });
    RunSummary counted; // replay: the shards' exchanges, which its cases only fold
    for (NamedReport& r : reports) {
        ReportModel& m = r.model;
        counted.cases += m.summary.cases;
        counted.passed += m.summary.passed;
        counted.failed += m.summary.failed;
        counted.skipped += m.summary.skipped;
        if (!m.run.started_at.empty() &&
            (merged.run.started_at.empty() || m.run.started_at < merged.run.started_at))
            merged.run.started_at = m.run.started_at;
        for (TargetRecord& t : m.targets)
            merge_target(merged.targets, std::move(t));
        for (CaseResult& c : m.cases) {
            const std::string key = c.target + "/" + internal::case_label(c);
            if (const auto [it, fresh] = case_file.emplace(key, r.file); !fresh && !replay)
                return bad(r.file, "holds case " + internal::case_label(c) + " @ " + c.target +
                                       " again (also " + it->second + ")");
            cases.push_back(std::move(c));
        }
        merged.summary.seconds = std::max(merged.summary.seconds, m.summary.seconds);
        if (m.baseline)
            merge_baseline(merged.baseline, *m.baseline);
    }
    std::stable_sort(cases.begin(), cases.end(), [](const CaseResult& a, const CaseResult& b) {
        return a.plan_index < b.plan_index;
    });
    merged.cases = replay ? refold(std::move(cases)) : std::move(cases);
    finish_merge(merged, reports, replay, counted);
    return merged;
}

} // namespace conform::report
