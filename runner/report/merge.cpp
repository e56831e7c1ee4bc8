// `conform report merge`: shard reports back into one.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

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

} // namespace

core::Result<ReportModel> merge_reports(std::vector<NamedReport> reports) {
    if (reports.empty())
        return core::fail("nothing to merge: name the shard reports (report.json files)");
    // Shards: all or none, one N, each K once, none missing.
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

    ReportModel merged;
    merged.tool = reports.front().model.tool;
    merged.run = reports.front().model.run;
    merged.run.shard.clear();
    std::map<std::string, std::string> case_file; // target/contract/operation/case -> file
    std::vector<CaseResult> cases;
    for (NamedReport& r : reports) {
        ReportModel& m = r.model;
        if (!m.run.started_at.empty() &&
            (merged.run.started_at.empty() || m.run.started_at < merged.run.started_at))
            merged.run.started_at = m.run.started_at;
        for (TargetRecord& t : m.targets) {
            auto same = std::find_if(merged.targets.begin(), merged.targets.end(),
                                     [&](const TargetRecord& x) {
                                         return x.info.contract == t.info.contract &&
                                                x.info.display_name() == t.info.display_name();
                                     });
            if (same == merged.targets.end()) {
                merged.targets.push_back(std::move(t));
            } else if (!t.reachable && same->reachable) {
                same->reachable = false;
                same->error = std::move(t.error);
            }
        }
        for (CaseResult& c : m.cases) {
            const std::string key = c.target + "/" + internal::case_label(c);
            if (const auto [it, fresh] = case_file.emplace(key, r.file); !fresh)
                return bad(r.file, "holds case " + internal::case_label(c) + " @ " + c.target +
                                       " again (also " + it->second + ")");
            cases.push_back(std::move(c));
        }
        merged.summary.seconds = std::max(merged.summary.seconds, m.summary.seconds);
        if (m.baseline) {
            if (!merged.baseline) {
                merged.baseline = BaselineOutcome{};
                merged.baseline->file = m.baseline->file;
            }
            merged.baseline->accepted += m.baseline->accepted;
            merged.baseline->expired += m.baseline->expired;
            for (BaselineEntry& e : m.baseline->fixed)
                merged.baseline->fixed.push_back(std::move(e));
        }
    }
    std::stable_sort(cases.begin(), cases.end(), [](const CaseResult& a, const CaseResult& b) {
        return a.plan_index < b.plan_index;
    });
    merged.cases = std::move(cases);
    const double seconds = merged.summary.seconds;
    merged.summary = summarize(merged.cases);
    merged.summary.seconds = seconds;
    for (const TargetRecord& t : merged.targets)
        merged.summary.unreachable_targets += !t.reachable;
    if (merged.baseline)
        merged.summary.fixed = merged.baseline->fixed.size();
    return merged;
}

} // namespace conform::report
