// replay_exchanges: recorded exchanges → routing → the checks that need no live server →
// folded CaseResults for the reporters. On plain files N jobs (the calling thread one of them)
// read parts and judge; on other input one reader (the calling thread) feeds a bounded queue
// and N workers judge. A Folder keeps one CaseResult per root cause (replay.hpp says why and
// how memory stays bounded).
#include "runner/engine/replay.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "runner/checks/checks.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/engine/internal/case_checks.hpp"
#include "runner/engine/internal/coverage.hpp"
#include "runner/engine/internal/replay_route.hpp"
#include "runner/engine/internal/scenario_steps.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

using contract::Case;
using contract::CaseKind;
using RecordedPtr = std::shared_ptr<const record::Recorded>;

const core::Clock& clock_of(const ReplaySettings& settings) {
    return settings.clock ? *settings.clock : core::system_clock();
}

// ---- work between the reader and the workers ----

struct SingleWork {
    RecordedPtr recorded;
    Routed routed;
};

// One recorded page of a walk: the exchange (named and quoted when the walk deviates) and
// what the walk check reads of it, taken when the page was judged alone (checks::walk_facts;
// nullopt: the walk check passes the page over, or another shard judges the walk). So a walk
// is judged without its pages held parsed or parsed again.
struct WalkedPage {
    RecordedPtr recorded;
    std::optional<checks::PageFacts> facts;
};

struct WalkWork {
    std::vector<WalkedPage> pages; // ordered by offset, two at least
    Routed routed;                 // of the first page
    std::int64_t limit = 0;
};

struct Work {
    std::size_t seq = 0; // recording order: folding keeps the earliest representative
    std::optional<SingleWork> single;
    std::optional<WalkWork> walk;
};

// A queue of at most `capacity` items: the reader waits when the workers fall behind, so that
// memory holds a bounded window of the recording.
class BoundedQueue {
public:
    explicit BoundedQueue(std::size_t capacity) : m_capacity(std::max<std::size_t>(1, capacity)) {}

    void push(Work work) {
        std::unique_lock lock(m_mutex);
        m_not_full.wait(lock, [&] { return m_items.size() < m_capacity; });
        m_items.push_back(std::move(work));
        m_not_empty.notify_one();
    }
    std::optional<Work> pop() {
        std::unique_lock lock(m_mutex);
        m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
        if (m_items.empty())
            return std::nullopt;
        Work w = std::move(m_items.front());
        m_items.pop_front();
        m_not_full.notify_one();
        return w;
    }
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_not_empty.notify_all();
    }

private:
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_not_full, m_not_empty;
    std::deque<Work> m_items;
    bool m_closed = false;
};

// ---- folding: one root cause, one case ----

// A judged exchange (or walk, or bad line) before folding.
struct Judged {
    std::size_t seq = 0;
    report::CaseResult result; // without exchange excerpts until it is kept
    bool stale = false;
    bool anonymous = false; // no case name: folds with every exchange that found the same
    std::function<std::vector<nlohmann::json>()> excerpts; // built only for a kept case
};

class Folder {
public:
    explicit Folder(bool fail_stale) : m_fail_stale(fail_stale) {}

    // A passing, fresh exchange: counted, never kept, so its number does not matter.
    static bool only_counted(const Judged& judged) {
        return !judged.stale && status_of(judged.result) == "passed";
    }

    // Passing, fresh exchanges a thread counted on its own (Judge::passed), told at once.
    void add_passed(std::size_t n) {
        std::lock_guard lock(m_mutex);
        count_status("passed", n);
    }

    void add(Judged judged) {
        const std::string_view status = status_of(judged.result);
        if (only_counted(judged)) { // no signature needed
            std::lock_guard lock(m_mutex);
            count_status(status);
            return;
        }
        // The signature: who, which case, and the set of root causes.
        std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> causes;
        for (std::size_t c = 0; c < judged.result.checks.size(); ++c)
            for (std::size_t d = 0; d < judged.result.checks[c].deviations.size(); ++d)
                causes.push_back({judged.result.checks[c].name + ':' +
                                      judged.result.checks[c].deviations[d].fingerprint(),
                                  {c, d}});
        std::sort(causes.begin(), causes.end());
        const report::CaseResult& r = judged.result;
        std::string signature = r.contract + '\x1f' + r.operation + '\x1f' + r.target + '\x1f' +
                                r.kind + '\x1f' + r.expect + '\x1f' +
                                (judged.stale ? "stale" : "") + '\x1f' + r.skipped;
        // Named cases (from a cases file) and bad lines keep their identity; anonymous
        // exchanges fold by what was found.
        if (!judged.anonymous || !r.skipped.empty())
            signature += '\x1f' + r.name;
        for (const auto& cause : causes)
            signature += '\x1f' + cause.first;
        std::vector<std::size_t> counts;
        for (const auto& cause : causes)
            counts.push_back(r.checks[cause.second.first].deviations[cause.second.second].count);

        std::lock_guard lock(m_mutex);
        count_status(status);
        m_stale += judged.stale;
        const bool error = std::any_of(r.checks.begin(), r.checks.end(), [](const auto& c) {
            return std::any_of(c.deviations.begin(), c.deviations.end(),
                               [](const auto& d) { return d.severity == core::Severity::error; });
        });
        m_failed += error || (judged.stale && m_fail_stale);
        auto it = m_held.find(signature);
        if (it == m_held.end()) {
            if (m_held.size() >= k_max_reported_cases) {
                ++m_overflow;
                return;
            }
            Held h;
            h.counts = std::move(counts);
            take(h, std::move(judged), causes);
            m_held.emplace(std::move(signature), std::move(h));
            return;
        }
        Held& h = it->second;
        ++h.exchanges;
        for (std::size_t i = 0; i < h.counts.size() && i < counts.size(); ++i)
            h.counts[i] += counts[i];
        if (judged.seq < h.seq) // the earliest exchange represents them all
            take(h, std::move(judged), causes);
    }

    // The kept cases in recording order, their deviations counting every exchange folded in.
    std::vector<report::CaseResult> finish() {
        std::vector<Held*> order;
        for (auto& [signature, h] : m_held)
            order.push_back(&h);
        std::sort(order.begin(), order.end(),
                  [](const Held* a, const Held* b) { return a->seq < b->seq; });
        std::vector<report::CaseResult> out;
        for (Held* h : order) {
            for (std::size_t i = 0; i < h->where.size(); ++i)
                h->result.checks[h->where[i].first].deviations[h->where[i].second].count =
                    h->counts[i];
            if (h->exchanges > 1)
                h->result.description += (h->result.description.empty() ? "" : "; ") +
                                         std::string("and ") + std::to_string(h->exchanges - 1) +
                                         " more recorded exchange(s) with the same findings";
            h->result.occurrences = h->exchanges;
            h->result.plan_index = h->seq; // recording order, the same in every --shard
            out.push_back(std::move(h->result));
        }
        if (m_overflow > 0 && !out.empty())
            out.back().environment.push_back(std::to_string(m_overflow) +
                                             " more exchange(s) with findings not listed: more "
                                             "than " +
                                             std::to_string(k_max_reported_cases) +
                                             " distinct cases");
        m_held.clear();
        return out;
    }

    std::size_t count(std::string_view status) const {
        auto it = m_status.find(status);
        return it == m_status.end() ? 0 : it->second;
    }
    std::size_t stale() const { return m_stale; }
    std::size_t failed() const { return m_failed; }

private:
    struct Held {
        std::size_t seq = 0;
        std::size_t exchanges = 1;
        bool stale = false;
        report::CaseResult result;
        std::vector<std::pair<std::size_t, std::size_t>> where; // sorted cause -> check, dev
        std::vector<std::size_t> counts;                        // sorted cause -> occurrences
    };

    void count_status(std::string_view status, std::size_t n = 1) {
        auto it = m_status.find(status);
        if (it == m_status.end())
            it = m_status.emplace(std::string(status), 0).first;
        it->second += n;
    }

    static std::string_view status_of(const report::CaseResult& r) {
        if (!r.skipped.empty())
            return "skipped";
        return r.deviation_count() == 0 ? "passed" : "failed";
    }

    template <class Causes> static void take(Held& h, Judged judged, const Causes& causes) {
        h.seq = judged.seq;
        h.stale = judged.stale;
        h.result = std::move(judged.result);
        if (judged.excerpts)
            h.result.exchanges = judged.excerpts();
        h.where.clear();
        for (const auto& cause : causes)
            h.where.push_back(cause.second);
    }

    bool m_fail_stale;
    std::mutex m_mutex;
    std::unordered_map<std::string, Held> m_held;
    std::map<std::string, std::size_t, std::less<>> m_status;
    std::size_t m_stale = 0, m_failed = 0, m_overflow = 0;
};

// ---- judging ----

// A line that kept no response headers at all (the docs' samples) cannot show the media
// type: saying "no Content-Type" would blame the API for what the recording left out.
void drop_unrecorded_media_type(report::CaseResult& result) {
    for (report::CheckResult& check : result.checks) {
        report::CheckResult kept;
        kept.name = check.name;
        for (std::size_t i = 0; i < check.deviations.size(); ++i) {
            const core::Deviation& d = check.deviations[i];
            if (d.id == core::DeviationId::http_content_type && d.kind == "media-type")
                continue;
            kept.deviations.push_back(d);
            if (auto at = check.exchange_index(i))
                kept.exchange_of.push_back(*at);
        }
        check = std::move(kept);
    }
    result.environment.push_back("the recording kept no response headers: the media type is "
                                 "not judged");
}

// file:line of a JSONL line, file#pointer of a HAR entry.
std::string where_of(const record::Recorded& r) {
    if (!r.pointer.empty())
        return r.file.string() + "#" + r.pointer;
    return r.file.string() + ":" + std::to_string(r.line);
}

// Who and where, for a case that is reported (a passing, fresh exchange is only counted: its
// judge leaves these unset). The target is set already: coverage needs it.
void name_case(report::CaseResult& result, const record::Recorded& r, const Routed& routed) {
    result.contract = routed.contract->name;
    result.operation = routed.operation ? routed.operation->name : r.operation;
    result.url = r.exchange.request.base_url;
    result.name = r.case_name.empty() ? where_of(r) : r.case_name;
    result.description = "recorded at " + where_of(r);
    result.kind = std::string(contract::name_of(routed.test_case->kind));
    result.expect = std::string(contract::name_of(routed.test_case->expect));
}

// The Recordeds a reading thread reads into, each reused once no one holds it any more: it
// keeps its buffers (Recorded::clear), so that reading a line allocates little, and what one
// thread allocated goes back to it. A page is held until its walk is judged (perhaps by
// another thread, parts later with --jobs 2+), a deviating case's excerpt holds its exchange
// for good.
class Recycler {
public:
    // One handed back that no one else holds, else a new one.
    std::shared_ptr<record::Recorded> take() {
        if (m_free.empty())
            sweep();
        if (m_free.empty())
            return std::make_shared<record::Recorded>();
        std::shared_ptr<record::Recorded> r = std::move(m_free.back());
        m_free.pop_back();
        return r;
    }

    // The caller is done with r, a Recorded take() gave: reused once no one else holds it.
    void give_back(RecordedPtr r) {
        if (!r)
            return;
        if (sole(r)) {
            keep(std::move(r));
            return;
        }
        m_held.push_back({std::move(r), 0});
        if (m_held.size() > k_max_held)
            sweep();
    }

private:
    struct Held {
        RecordedPtr recorded;
        unsigned sweeps = 0; // how many sweeps found it held
    };

    // The held ones let go since are kept; one held through k_max_sweeps sweeps is let go
    // (an excerpt's, most likely), so that each is looked at a few times at most.
    void sweep() {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < m_held.size(); ++i) {
            Held& h = m_held[i];
            if (sole(h.recorded)) {
                keep(std::move(h.recorded));
            } else if (++h.sweeps <= k_max_sweeps) {
                if (kept != i)
                    m_held[kept] = std::move(h);
                ++kept;
            }
        }
        m_held.resize(kept);
    }

    // r's only holder is the caller. When the holder before let go on another thread, the
    // fence orders what that thread did with it before what this one does next (its release
    // of the count, read here).
    static bool sole(const RecordedPtr& r) {
        if (r.use_count() != 1)
            return false;
        std::atomic_thread_fence(std::memory_order_acquire);
        return true;
    }
    void keep(RecordedPtr r) {
        if (m_free.size() < k_max_free) // take() made it: writable
            m_free.push_back(std::const_pointer_cast<record::Recorded>(std::move(r)));
    }

    static constexpr std::size_t k_max_free = 4096; // a few parts' exchanges (--jobs 2+)
    static constexpr std::size_t k_max_held = 4096;
    static constexpr unsigned k_max_sweeps = 4;
    std::vector<std::shared_ptr<record::Recorded>> m_free;
    std::vector<Held> m_held; // given back while still held elsewhere
};

class Judge {
public:
    Judge(const ReplaySettings& settings) : m_settings(settings) {}

    // The exchange's single case; and, for a page of a walk (facts given), what its walk will
    // read of it, from the same parse.
    Judged single(std::size_t seq, const RecordedPtr& recorded, const Routed& routed,
                  std::optional<checks::PageFacts>* facts = nullptr) {
        const auto started = clock_of(m_settings).monotonic();
        // The hot path: simdjson, read by the checks through the view (no nlohmann tree).
        const checks::Observed o = observe(*recorded, routed);
        if (facts)
            *facts = facts_of(routed, o);
        Judged judged = judge_single(seq, recorded, routed, o);
        if (!Folder::only_counted(judged)) // a counted result is let go: no second clock read
            judged.result.seconds = clock_of(m_settings).seconds_since(started);
        return judged;
    }

    // What a page's walk will read of it, when the page is judged by another thread.
    std::optional<checks::PageFacts> facts(const record::Recorded& r, const Routed& routed) {
        return facts_of(routed, observe(r, routed));
    }

    // A walk's case: the walk check on its pages' facts (each page was judged alone); unless
    // it is only counted (passing), who and where, and the pages' excerpts.
    Judged walk(std::size_t seq, const WalkWork& work) const {
        const auto started = clock_of(m_settings).monotonic();
        const Routed& routed = work.routed;
        Case c;
        c.name = routed.walk_case_name.empty() ? "walk" : std::string(routed.walk_case_name);
        c.kind = CaseKind::walk;
        c.walk_limit = work.limit;
        c.walk_max_pages = static_cast<std::int64_t>(work.pages.size());
        Judged judged;
        judged.seq = seq;
        report::CaseResult& result = judged.result;
        if (is_selected(m_settings.checks, "pagination.walk")) {
            std::vector<checks::Observed> observed(work.pages.size());
            for (std::size_t i = 0; i < work.pages.size(); ++i) {
                observed[i].exchange = &work.pages[i].recorded->exchange;
                if (work.pages[i].facts)
                    observed[i].facts = &*work.pages[i].facts;
            }
            // The pages' singles report what one page shows; the walk adds the rest.
            static const std::vector<std::string> only = {"pagination.walk"};
            const checks::CheckContext context{*routed.contract, routed.operation, c, observed,
                                               true};
            result.checks = run_case_checks(context, only);
        }
        if (!Folder::only_counted(judged)) {
            result.seconds = clock_of(m_settings).seconds_since(started);
            name_walk(judged, work, c);
        }
        return judged;
    }

    // Passing, fresh exchanges and walks this judge judged, which folding only counts: tallied
    // here and told to the folder when the thread is done (Folder::add_passed), not one lock
    // each.
    std::size_t passed = 0;
    std::size_t part_items = 0; // exchanges of the last part this worker read
    record::PartBuffer part;    // the part this worker reads, read whole, and its file
    Recycler recycled;          // what this worker reads into

private:
    // The body as its reader parsed it, else parsed here; what the checks, the walk's facts
    // and coverage each read of it (success, listing) found once.
    checks::Observed observe(const record::Recorded& r, const Routed& routed) {
        checks::Observed o =
            r.parsed_body && r.exchange.response
                ? checks::Observed::of_parsed(r.exchange, r.parsed_body->root())
                : checks::Observed::of(r.exchange, m_parser, checks::Observed::Role::page,
                                       m_settings.limits.body());
        if (routed.contract)
            o.find_once(*routed.contract, routed.operation);
        return o;
    }

    static std::optional<checks::PageFacts> facts_of(const Routed& routed,
                                                     const checks::Observed& o) {
        if (!routed.operation)
            return std::nullopt;
        return checks::walk_facts(*routed.contract, *routed.operation, o);
    }

    // A single exchange's case: its checks on the parsed body, then, unless it is only
    // counted (passing and fresh), who and where, staleness and the excerpt when kept.
    Judged judge_single(std::size_t seq, const RecordedPtr& recorded, const Routed& routed,
                        const checks::Observed& o) const {
        const record::Recorded& r = *recorded;
        Judged judged;
        judged.seq = seq;
        judged.stale = is_stale(r.time, m_settings);
        judged.anonymous = r.case_name.empty();
        report::CaseResult& result = judged.result;
        result.target = target_name(r);
        if (checks::is_throttled(*routed.contract, o)) {
            result.environment.push_back("the recorded answer asks the client to slow down");
            result.skipped = "throttled: the recording holds a rate-limit answer (environment, "
                             "not a deviation)";
        } else {
            const checks::CheckContext context{*routed.contract, routed.operation,
                                               *routed.test_case,
                                               std::span<const checks::Observed>(&o, 1)};
            result.checks = run_case_checks(context, m_settings.checks);
            if (m_settings.coverage)
                internal::observe_case(*m_settings.coverage, context, result.target);
            if (r.exchange.response && r.exchange.response->headers.empty())
                drop_unrecorded_media_type(result);
        }
        if (Folder::only_counted(judged))
            return judged;
        name_case(result, r, routed);
        if (judged.stale)
            result.environment.insert(
                result.environment.begin(),
                "stale: recorded at " + r.time + ", longer ago than --max-age (" +
                    age_text(*m_settings.max_age) + ")" +
                    (m_settings.fail_stale ? "; --fail-stale fails the replay" : ""));
        judged.excerpts = [recorded] {
            return std::vector<nlohmann::json>{record::excerpt(recorded->exchange)};
        };
        return judged;
    }

    static void name_walk(Judged& judged, const WalkWork& work, const Case& c) {
        const record::Recorded& first = *work.pages.front().recorded;
        const record::Recorded& last = *work.pages.back().recorded;
        Routed routed = work.routed;
        routed.test_case = &c;
        report::CaseResult& result = judged.result;
        result.target = target_name(first);
        name_case(result, first, routed);
        result.name = c.name + " " + where_of(first) + ".." +
                      (last.pointer.empty() ? std::to_string(last.line) : last.pointer);
        result.description = std::to_string(work.pages.size()) + " recorded pages of " +
                             routed.contract->base_url + " with " +
                             routed.operation->pagination->limit_param + "=" +
                             std::to_string(work.limit) + ", ordered by " +
                             routed.operation->pagination->offset_param;
        std::vector<RecordedPtr> pages;
        pages.reserve(work.pages.size());
        for (const WalkedPage& p : work.pages)
            pages.push_back(p.recorded);
        judged.excerpts = [pages = std::move(pages)] {
            std::vector<nlohmann::json> out;
            for (const RecordedPtr& p : pages)
                out.push_back(record::excerpt(p->exchange));
            return out;
        };
    }

    const ReplaySettings& m_settings;
    core::FastParser m_parser; // one per worker: it reuses its buffers
};

// ---- walk grouping in the reader ----

struct HeldPage {
    std::int64_t offset = 0;
    WalkedPage page;
};

struct OpenWalk {
    std::string key;
    Routed routed;
    std::int64_t limit = 0;
    std::vector<HeldPage> pages; // by offset (distinct within a walk)
};

std::optional<std::int64_t> integer(const std::string* text) {
    if (!text)
        return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc() || end != text->data() + text->size())
        return std::nullopt;
    return n;
}

class WalkGrouper {
public:
    // A page of a walk we can judge: its limit and offset; nullopt for any other exchange.
    using Page = std::optional<std::pair<std::int64_t, std::int64_t>>;
    static Page page_of(const record::Recorded& r, const Routed& routed) {
        const contract::Operation* op = routed.operation;
        if (!op || !op->pagination || routed.test_case->kind != CaseKind::single ||
            routed.standalone_case || !r.exchange.response)
            return std::nullopt;
        const contract::Pagination& model = *op->pagination;
        const http::QueryParams& q = r.exchange.request.query;
        const auto limit = integer(q.find(model.limit_param));
        if (!limit || *limit <= 0)
            return std::nullopt; // no explicit limit: not one page of a walk we can judge
        const std::string* offset_text = q.find(model.offset_param);
        const auto offset = offset_text ? integer(offset_text) : model.offset_default;
        if (!offset)
            return std::nullopt;
        return std::pair{*limit, *offset};
    }

    // Holds r, with its facts, when it is a page of a walk (page: page_of(*r, routed)); a walk
    // of two pages or more is dispatched when it closes. known_key: walk_key(*r, routed) when
    // the caller has it (the thread that read it made it).
    template <class Dispatch>
    void offer(const RecordedPtr& r, const Routed& routed, Page page, Dispatch&& dispatch,
               const std::string* known_key, std::optional<checks::PageFacts> facts) {
        if (!page)
            return;
        const std::int64_t limit = page->first, offset = page->second;
        std::string made; // the key, when the caller has none: copied only for a new walk
        const std::string& key = known_key ? *known_key : (made = walk_key(*r, routed));
        auto it = std::find_if(m_open.begin(), m_open.end(),
                               [&](const OpenWalk& w) { return w.key == key; });
        if (it != m_open.end()) {
            const bool seen = std::any_of(it->pages.begin(), it->pages.end(),
                                          [&](const HeldPage& p) { return p.offset == offset; });
            if (seen || it->pages.size() >= k_max_walk_pages) {
                // A repeated offset starts another walk of the same listing.
                close(it, dispatch);
                it = m_open.end();
            } else {
                m_open.splice(m_open.begin(), m_open, it); // most recently used first
                // In offset order as they come (a walk's pages usually come in it already):
                // offsets are distinct within a walk, so closing it needs no sort.
                std::vector<HeldPage>& pages = m_open.front().pages;
                const auto at = std::upper_bound(
                    pages.begin(), pages.end(), offset,
                    [](std::int64_t o, const HeldPage& p) { return o < p.offset; });
                pages.insert(at, HeldPage{offset, {r, std::move(facts)}});
                return;
            }
        }
        if (m_open.size() >= k_max_open_walks)
            close(std::prev(m_open.end()), dispatch);
        OpenWalk w;
        w.key = key;
        w.routed = routed;
        w.limit = limit;
        w.pages.reserve(8); // a walk is a few pages, as a rule: one allocation for them
        w.pages.push_back({offset, {r, std::move(facts)}});
        m_open.push_front(std::move(w));
    }

    template <class Dispatch> void close_all(Dispatch&& dispatch) {
        while (!m_open.empty())
            close(m_open.begin(), dispatch);
    }

private:
    template <class Dispatch> void close(std::list<OpenWalk>::iterator it, Dispatch& dispatch) {
        OpenWalk w = std::move(*it);
        m_open.erase(it);
        if (w.pages.size() < 2)
            return; // a lone page: judged as a single already
        WalkWork work;
        work.routed = std::move(w.routed);
        work.limit = w.limit;
        work.pages.reserve(w.pages.size());
        for (HeldPage& p : w.pages)
            work.pages.push_back(std::move(p.page));
        dispatch(std::move(work));
    }

    std::list<OpenWalk> m_open; // most recently used first; at most k_max_open_walks
};

// ---- --shard K/N ----

// FNV-1a: the same on every machine and build (std::hash is not), so that N workers given the
// same recordings split them alike.
std::uint64_t stable_hash(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

bool in_shard(const Shard& shard, std::uint64_t n) {
    return shard.whole() || n % static_cast<std::uint64_t>(shard.count) ==
                                static_cast<std::uint64_t>(shard.index - 1);
}

// An exchange goes to the shard of its listing, so that a walk's pages meet in one shard.
bool listing_in_shard(const Shard& shard, const record::Recorded& r, const Routed& routed) {
    return shard.whole() || in_shard(shard, stable_hash(listing_key(r, routed)));
}

} // namespace

core::Result<bool> ExchangeSource::next_into(record::Recorded& out) {
    CONFORM_TRY(std::optional<record::Recorded> next, this->next());
    if (!next)
        return false;
    out = std::move(*next);
    return true;
}

core::Result<std::optional<record::Recorded>> VectorSource::next() {
    if (m_next >= m_items.size())
        return std::optional<record::Recorded>();
    Item& item = m_items[m_next++];
    if (!item)
        return core::fail(item.error());
    return std::optional<record::Recorded>(std::move(*item));
}

namespace {

// What the thread that read a line made of it, handed on in recording order. With --jobs 2+
// another thread reads it, and the thread that made it frees it: what is rare (a bad line, a
// single that is kept) is held apart, so that the common item is a few cache lines.
struct ReadItem {
    RecordedPtr recorded;
    core::Result<Routed> routed = core::Unexpected<core::Diagnostic>{}; // until routed
    bool counted = false;   // judged passing and fresh: tallied by that thread (Judge::passed)
    WalkGrouper::Page page; // when routed: WalkGrouper::page_of
    std::optional<std::string> walk_key;    // of a page
    std::optional<checks::PageFacts> facts; // of a page of a walk in the shard
    std::unique_ptr<Judged> judged;         // routed and in the shard: its single, kept
    std::unique_ptr<core::Diagnostic> bad;  // a bad line
};

// What the reader hands on in recording order, whoever read it: numbering (seq), --shard,
// the targets, folding of what needs no judging, and walk grouping. One per replay, used from
// one thread at a time (the calling thread).
class Sequencer {
public:
    Sequencer(const ReplaySettings& settings, Folder& folder, ReplayOutcome& outcome,
              std::function<void(Work)> dispatch)
        : m_shard(settings.shard), m_folder(folder), m_outcome(outcome),
          m_dispatch(std::move(dispatch)) {}

    // A bad line: reported with its file:line, counted, and the replay goes on.
    void bad_line(const core::Diagnostic& d) {
        const std::size_t at = m_seq++;
        if (!in_shard(m_shard, at))
            return;
        ++m_outcome.malformed;
        Judged judged;
        judged.seq = at;
        report::CaseResult& result = judged.result;
        result.contract = "(recording)";
        result.operation = "-";
        result.target = d.where.file.empty() ? "(recording)" : d.where.file;
        result.name = d.where.file.empty() ? std::string("bad line")
                      : d.where.line == 0 && d.where.has_pointer
                          ? d.where.file + "#" + d.where.pointer // a HAR entry
                          : d.where.file + ":" + std::to_string(d.where.line);
        result.kind = "single";
        result.expect = "success";
        result.skipped = "malformed recording line: " + d.to_string();
        if (m_target_keys.emplace(result.contract, result.target).second)
            m_targets.push_back({result.contract, result.target, "", result.target});
        m_folder.add(std::move(judged));
    }

    // A bad line or an exchange.
    void take(ReadItem&& item) {
        if (item.bad)
            bad_line(*item.bad);
        else
            exchange(std::move(item));
    }

    void close_walks() {
        m_grouper.close_all([this](WalkWork walk) { dispatch_walk(std::move(walk)); });
    }

    // Each recorded write scenario, judged again from its steps in recorded order.
    void judge_scenarios(const ReplaySettings& settings) {
        RunSettings scenario_settings;
        scenario_settings.checks = settings.checks;
        scenario_settings.limits = settings.limits;
        scenario_settings.coverage = settings.coverage;
        for (internal::ScenarioSteps::Judged& s :
             m_scenario_steps.judge(scenario_settings, clock_of(settings))) {
            Judged judged;
            judged.seq = s.seq;
            judged.result = std::move(s.result);
            m_folder.add(std::move(judged));
        }
    }

    std::vector<report::TargetInfo>& targets() { return m_targets; }

private:
    // An exchange, routed or not. Its single, unless the thread that read it judged it
    // (item.judged, item.counted), is dispatched for judging when it is in the shard; a page
    // is held for its walk with its facts.
    void exchange(ReadItem&& item) {
        const RecordedPtr& recorded = item.recorded;
        const core::Result<Routed>& routed = item.routed;
        // By spelling, not path::compare's component by component: every line of a file
        // carries the reader's own copy of its path.
        if (recorded->file.native() != m_current_file.native()) {
            close_walks(); // walks never span files
            m_current_file = recorded->file;
        }
        if (!routed) {
            const std::size_t at = m_seq++;
            if (!in_shard(m_shard, at))
                return;
            ++m_outcome.exchanges;
            ++m_outcome.unroutable;
            Judged u;
            u.seq = at;
            report::CaseResult& result = u.result;
            result.contract = recorded->contract.empty() ? "(unroutable)" : recorded->contract;
            result.operation = recorded->operation.empty() ? "-" : recorded->operation;
            result.target = target_name(*recorded);
            result.url = recorded->exchange.request.base_url;
            result.name = where_of(*recorded);
            result.kind = "single";
            result.expect = "success";
            result.skipped = "unroutable: " + routed.error().message;
            const RecordedPtr keep = recorded;
            u.excerpts = [keep] {
                return std::vector<nlohmann::json>{record::excerpt(keep->exchange)};
            };
            note_target(*recorded, result.contract);
            m_folder.add(std::move(u));
            return;
        }
        const std::size_t at = m_seq++;
        // A write scenario's step: set aside, judged with its scenario at the end.
        if (internal::ScenarioSteps::may_be_step(*recorded)) {
            const bool step_here =
                m_shard.whole() ||
                in_shard(m_shard, stable_hash(internal::ScenarioSteps::shard_key(*recorded)));
            if (m_scenario_steps.offer(recorded, *routed, at, step_here)) {
                if (step_here) {
                    ++m_outcome.exchanges;
                    note_target(*recorded, routed->contract->name);
                }
                return;
            }
        }
        if (item.counted || item.judged || listing_in_shard(m_shard, *recorded, *routed)) {
            ++m_outcome.exchanges;
            note_target(*recorded, routed->contract->name);
            if (item.judged) {
                item.judged->seq = at;
                m_folder.add(std::move(*item.judged));
            } else if (!item.counted) {
                Work w;
                w.seq = at;
                w.single = SingleWork{recorded, *routed};
                m_dispatch(std::move(w));
            }
        }
        // Every shard groups every page, so that walks are numbered alike in all.
        m_grouper.offer(
            recorded, *routed, item.page, [this](WalkWork walk) { dispatch_walk(std::move(walk)); },
            item.walk_key ? &*item.walk_key : nullptr, std::move(item.facts));
    }

    void dispatch_walk(WalkWork walk) {
        const std::size_t at = m_seq++;
        if (!listing_in_shard(m_shard, *walk.pages.front().recorded, walk.routed))
            return;
        ++m_outcome.walks;
        Work w;
        w.seq = at;
        w.walk = std::move(walk);
        m_dispatch(std::move(w));
    }

    void note_target(const record::Recorded& r, const std::string& contract) {
        const std::string_view name = target_of(r);
        if (contract == m_last_target.first && name == m_last_target.second)
            return; // as the exchange before: the common case
        m_last_target = {contract, std::string(name)};
        if (m_target_keys.insert(m_last_target).second)
            m_targets.push_back(
                {contract, origin_of(r.exchange.request.base_url), "", m_last_target.second});
    }

    // Every shard reads, routes and groups every exchange, numbering all alike (seq); each
    // judges only its share, so folded cases keep the numbers an unsharded replay gives.
    const Shard& m_shard;
    Folder& m_folder;
    ReplayOutcome& m_outcome;
    std::function<void(Work)> m_dispatch;
    std::size_t m_seq = 0;
    WalkGrouper m_grouper;
    internal::ScenarioSteps m_scenario_steps;
    std::filesystem::path m_current_file;
    std::set<std::pair<std::string, std::string>> m_target_keys;
    std::pair<std::string, std::string> m_last_target; // the last noted
    std::vector<report::TargetInfo> m_targets;         // in first-seen order
};

// Into the folder, or, passing and fresh, into the judge's own tally.
void fold(Judge& judge, Judged judged, Folder& folder) {
    if (Folder::only_counted(judged))
        ++judge.passed;
    else
        folder.add(std::move(judged));
}

void judge_work(Judge& judge, const Work& w, Folder& folder) {
    if (w.single)
        fold(judge, judge.single(w.seq, w.single->recorded, w.single->routed), folder);
    else if (w.walk)
        fold(judge, judge.walk(w.seq, *w.walk), folder);
}

// What the thread that read an exchange makes of it: routed; and, when it is in the shard,
// its single judged there and then, while the parse is fresh (judge_here; a passing, fresh
// one tallied by the judge), with what its walk reads of it when it is a page. The
// parse is let go once judged: a walk reads its pages' facts. Judged elsewhere (the lines
// that may be a scenario's steps, which the calling thread alone tells; or every line when
// judge_here is false), a page's facts are still taken here, from the same parse. Made in
// place: item is a fresh ReadItem (a move of one copies some hundred bytes).
void read_item(ReadItem& item, std::shared_ptr<record::Recorded> recorded, const Router& router,
               Judge& judge, const ReplaySettings& settings, bool judge_here) {
    item.routed = router.route(*recorded);
    if (item.routed) {
        const Routed& routed = *item.routed;
        item.page = WalkGrouper::page_of(*recorded, routed);
        if (item.page)
            item.walk_key = walk_key(*recorded, routed);
        if (listing_in_shard(settings.shard, *recorded, routed)) {
            const bool page = item.page.has_value();
            if (judge_here && !internal::ScenarioSteps::may_be_step(*recorded)) {
                Judged judged = judge.single(0, recorded, routed, page ? &item.facts : nullptr);
                if (Folder::only_counted(judged)) {
                    ++judge.passed;
                    item.counted = true;
                } else {
                    item.judged = std::make_unique<Judged>(std::move(judged));
                }
            } else if (page) {
                item.facts = judge.facts(*recorded, routed);
            }
        }
    }
    if (judge_here) // judged, or to be parsed again by its judge: the parse may be lent
        recorded->parsed_body.reset();
    item.recorded = std::move(recorded);
}

// One reader (the calling thread). --jobs 1: it judges too, so one job is one thread; else it
// feeds the workers through a bounded queue, taking the pages' facts as it reads.
void replay_one_reader(ExchangeSource& source, const Router& router, const ReplaySettings& settings,
                       Folder& folder, ReplayOutcome& outcome,
                       std::vector<report::TargetInfo>& targets) {
    BoundedQueue queue(settings.queue_capacity);
    const int jobs = settings.jobs <= 1 ? 0 : settings.jobs;
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j)
        workers.emplace_back([&] {
            Judge judge(settings);
            while (std::optional<Work> w = queue.pop())
                judge_work(judge, *w, folder);
            folder.add_passed(judge.passed);
        });
    Judge reader_judge(settings);
    Sequencer sequencer(settings, folder, outcome, [&](Work w) {
        if (jobs == 0)
            judge_work(reader_judge, w, folder);
        else
            queue.push(std::move(w));
    });
    for (;;) {
        std::shared_ptr<record::Recorded> recorded = reader_judge.recycled.take();
        auto got = source.next_into(*recorded);
        if (!got) {
            sequencer.bad_line(got.error());
            reader_judge.recycled.give_back(std::move(recorded));
            continue;
        }
        if (!*got)
            break;
        ReadItem item;
        read_item(item, recorded, router, reader_judge, settings, jobs == 0);
        sequencer.take(std::move(item));
        reader_judge.recycled.give_back(std::move(recorded));
    }
    sequencer.close_walks();
    sequencer.judge_scenarios(settings);
    queue.close();
    for (std::thread& t : workers)
        t.join();
    folder.add_passed(reader_judge.passed);
    outcome.bytes = source.bytes_read();
    targets = std::move(sequencer.targets());
}

// The parts of the recordings, read by the jobs (--jobs N >= 2 on plain files): a job takes
// the next part, counts its '\n' bytes (so that the part after it can number its lines as the
// file does), reads, routes and judges its exchanges, and leaves them for the calling thread,
// which takes the parts in order. Walks come back to the jobs to be judged. The calling thread
// is one of the N jobs: while the part it takes next is not ready, it judges and reads as the
// N - 1 workers do. N threads for N cores, not N + 1 that the scheduler time-slices.
class PartReplay {
public:
    PartReplay(const ExchangeSource::Splittable& input, const Router& router,
               const ReplaySettings& settings, Folder& folder)
        : m_input(input), m_router(router), m_settings(settings), m_folder(folder),
          m_part_bytes(std::max<std::size_t>(1, settings.part_bytes)),
          m_window(2 * static_cast<std::size_t>(std::max(1, settings.jobs)) + 2) {
        for (std::size_t f = 0; f < input.files.size(); ++f) {
            const std::uint64_t size = input.sizes[f];
            const std::uint64_t n = (size + m_part_bytes - 1) / m_part_bytes;
            for (std::uint64_t k = 0; k < n; ++k)
                m_parts.push_back(
                    {f, k * m_part_bytes, std::min(size, (k + 1) * m_part_bytes), k == 0});
        }
        m_newlines.resize(m_parts.size());
        m_before.resize(m_parts.size());
    }

    void run(ReplayOutcome& outcome, std::vector<report::TargetInfo>& targets) {
        const int jobs = std::max(1, m_settings.jobs);
        std::vector<std::thread> workers;
        m_spent.resize(static_cast<std::size_t>(jobs));
        for (int j = 1; j < jobs; ++j) // the calling thread is job 0
            workers.emplace_back([this, j] {
                Judge judge(m_settings);
                work(judge, static_cast<std::size_t>(j));
                m_folder.add_passed(judge.passed);
            });
        Judge judge(m_settings);
        Sequencer sequencer(m_settings, m_folder, outcome, [this](Work w) {
            std::lock_guard lock(m_mutex);
            m_work.push_back(std::move(w));
            m_changed.notify_all();
        });
        for (std::size_t c = 0; c < m_parts.size(); ++c) {
            ReadPart part;
            {
                std::unique_lock lock(m_mutex);
                while (m_results.count(c) == 0)
                    if (!work_once(judge, lock, 0))
                        m_changed.wait(lock);
                part = std::move(m_results[c]);
                m_results.erase(c);
                ++m_consumed;
                m_changed.notify_all();
            }
            for (ReadItem& item : part.items)
                sequencer.take(std::move(item));
            // What the sequencer left of them (most of what was allocated to read the part)
            // is freed by the job that allocated it, not here: a block freed by another thread
            // costs the allocator more, and the cache lines move between cores twice.
            if (part.job != 0) {
                std::lock_guard lock(m_mutex);
                m_spent[part.job].push_back(std::move(part.items));
            } else {
                for (ReadItem& item : part.items)
                    judge.recycled.give_back(std::move(item.recorded));
            }
        }
        sequencer.close_walks();
        sequencer.judge_scenarios(m_settings);
        {
            std::unique_lock lock(m_mutex);
            m_closed = true;
            m_changed.notify_all();
        }
        work(judge, 0); // the walks closed last, with the workers
        m_folder.add_passed(judge.passed);
        for (std::thread& t : workers)
            t.join();
        for (const std::uint64_t size : m_input.sizes)
            outcome.bytes += size;
        targets = std::move(sequencer.targets());
    }

private:
    struct Part {
        std::size_t file = 0;
        std::uint64_t from = 0, to = 0; // before realigning to line starts
        bool first = false;             // the file's first part
    };

    // A job's loop: until the calling thread has closed and nothing is left.
    void work(Judge& judge, std::size_t job) {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (work_once(judge, lock, job))
                continue;
            if (m_closed && m_next >= m_parts.size()) {
                free_spent(judge, lock, job);
                return;
            }
            m_changed.wait(lock);
        }
    }

    // Frees what job read and the calling thread has taken, its Recordeds given back to be
    // read into again (lock held on entry and return).
    void free_spent(Judge& judge, std::unique_lock<std::mutex>& lock, std::size_t job) {
        if (m_spent[job].empty())
            return;
        std::vector<std::vector<ReadItem>> spent = std::move(m_spent[job]);
        m_spent[job].clear();
        lock.unlock();
        for (std::vector<ReadItem>& items : spent)
            for (ReadItem& item : items)
                judge.recycled.give_back(std::move(item.recorded));
        spent.clear();
        lock.lock();
    }

    // One piece of work, when there is one (lock held on entry and on return, released while
    // working): a walk or a single handed back, first (they hold pages), else the next part
    // when it is within the window.
    bool work_once(Judge& judge, std::unique_lock<std::mutex>& lock, std::size_t job) {
        free_spent(judge, lock, job);
        if (!m_work.empty()) {
            Work w = std::move(m_work.front());
            m_work.pop_front();
            lock.unlock();
            judge_work(judge, w, m_folder);
            lock.lock();
            return true;
        }
        if (m_next < m_parts.size() && m_next < m_consumed + m_window) {
            const std::size_t c = m_next++;
            lock.unlock();
            std::vector<ReadItem> items = read_part(c, judge);
            lock.lock();
            m_results[c] = ReadPart{std::move(items), job};
            m_changed.notify_all();
            return true;
        }
        return false;
    }

    // Where a part's lines are: from the line start at or after `from` to the one at or after
    // `to`, read with one read into judge.part (the file kept open) and counted in memory
    // (loaded), or, when one long line makes it larger than k_loaded_parts part_bytes, counted
    // from the file; the reason in place of the lines when the file cannot be read.
    struct Located {
        core::Result<record::PartLines> lines = core::fail("");
        std::uint64_t newlines = 0;
    };
    Located locate(const Part& part, const std::filesystem::path& file, Judge& judge) const {
        Located at{
            record::read_lines(file, part.from, part.to, k_loaded_parts * m_part_bytes, judge.part),
            0};
        if (!at.lines)
            return at;
        const record::PartLines& lines = *at.lines;
        if (lines.loaded)
            at.newlines = record::count_newlines(lines.bytes);
        else if (auto n = record::count_newlines(file, lines.begin, lines.end))
            at.newlines = *n;
        else
            at.lines = core::fail(std::move(n).error());
        return at;
    }

    // Publishes part c's '\n' count and waits for the parts before it: the lines before its first.
    std::size_t lines_before(std::size_t c, const Part& part, std::uint64_t newlines) {
        std::unique_lock lock(m_mutex);
        m_newlines[c] = newlines;
        m_changed.notify_all();
        std::size_t before = 0;
        if (!part.first) {
            m_changed.wait(lock, [&] { return m_before[c - 1] && m_newlines[c - 1]; });
            before = static_cast<std::size_t>(*m_before[c - 1] + *m_newlines[c - 1]);
        }
        m_before[c] = before;
        m_changed.notify_all();
        return before;
    }

    std::vector<ReadItem> read_part(std::size_t c, Judge& judge) {
        const Part& part = m_parts[c];
        const std::filesystem::path& file = m_input.files[part.file];
        std::vector<ReadItem> items;
        items.reserve(judge.part_items + judge.part_items / 4); // as many as the last part
        auto fail = [&](core::Diagnostic d) {
            d.where.file = file.string();
            items.emplace_back().bad = std::make_unique<core::Diagnostic>(std::move(d));
        };
        const Located at = locate(part, file, judge);
        const std::size_t before = lines_before(c, part, at.newlines);
        if (!at.lines) {
            fail(core::Diagnostic{"cannot read: " + at.lines.error().message,
                                  core::Location{file.string(), before + 1, 0, {}, false}});
            return items;
        }
        const record::PartLines& lines = *at.lines;
        if (lines.begin >= lines.end)
            return items; // inside one long line that started before this part
        auto reader =
            lines.loaded ? core::Result<record::RecordingReader>(record::RecordingReader::open_part(
                               file, lines.bytes, before, m_input.options))
                         : record::RecordingReader::open_part(file, lines.begin, lines.end, before,
                                                              m_input.options);
        if (!reader) {
            fail(std::move(reader).error());
            return items;
        }
        for (;;) {
            std::shared_ptr<record::Recorded> recorded = judge.recycled.take();
            auto got = reader->next_into(*recorded);
            if (!got) {
                judge.recycled.give_back(std::move(recorded));
                items.emplace_back().bad =
                    std::make_unique<core::Diagnostic>(std::move(got).error());
                continue;
            }
            if (!*got) {
                judge.recycled.give_back(std::move(recorded));
                break;
            }
            // Given back with the item once the calling thread has taken it (free_spent).
            read_item(items.emplace_back(), std::move(recorded), m_router, judge, m_settings, true);
        }
        judge.part_items = items.size();
        return items;
    }

    static constexpr std::uint64_t k_loaded_parts = 4;

    const ExchangeSource::Splittable& m_input;
    const Router& m_router;
    const ReplaySettings& m_settings;
    Folder& m_folder;
    const std::uint64_t m_part_bytes;
    const std::size_t m_window; // parts read ahead of the calling thread, at most
    std::vector<Part> m_parts;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::size_t m_next = 0, m_consumed = 0;
    std::vector<std::optional<std::uint64_t>> m_newlines, m_before; // per part
    struct ReadPart {
        std::vector<ReadItem> items;
        std::size_t job = 0; // who read them
    };
    std::map<std::size_t, ReadPart> m_results;
    std::vector<std::vector<std::vector<ReadItem>>> m_spent; // per job: taken, to be freed
    std::deque<Work> m_work; // walks, and the calling thread's singles (not a step after all)
    bool m_closed = false;
};

} // namespace

record::ReaderOptions reader_options(const ReplaySettings& settings) {
    record::ReaderOptions options = settings.limits.recordings();
    options.parse_bodies = true;
    options.body_max_depth = settings.limits.max_depth; // the checks' own limit (body())
    // One thread reads and judges each exchange before the next (read_item): no copy.
    options.lend_bodies = settings.jobs <= 1;
    return options;
}

ReplayOutcome replay_exchanges(ExchangeSource& source, const ReplayContracts& contracts,
                               const ReplaySettings& settings, report::Reporter& reporter) {
    const auto started = clock_of(settings).monotonic();
    ReplayOutcome outcome;
    const Router router(contracts);
    Folder folder(settings.fail_stale);
    std::vector<report::TargetInfo> targets; // in first-seen order
    std::optional<ExchangeSource::Splittable> parts;
    if (settings.jobs >= 2 && settings.split_reading)
        parts = source.splittable();
    if (parts) {
        parts->options.lend_bodies = true; // each worker judges what it reads before reading on
        PartReplay replay(*parts, router, settings, folder);
        replay.run(outcome, targets);
    } else {
        replay_one_reader(source, router, settings, folder, outcome, targets);
    }

    std::vector<report::CaseResult> kept = folder.finish(); // plan_index: recording order
    // Targets by contract and name, not first seen: the same order whichever shard saw them.
    std::stable_sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) {
        return std::tie(a.contract, a.name) < std::tie(b.contract, b.name);
    });
    for (const report::TargetInfo& t : targets)
        reporter.target_starting(t);
    for (const report::CaseResult& c : kept)
        reporter.case_ended(c);

    report::RunSummary& sum = outcome.summary;
    sum = report::summarize(kept); // deviations, errors, warnings: the distinct root causes
    sum.cases = folder.count("passed") + folder.count("failed") + folder.count("skipped");
    sum.passed = folder.count("passed");
    sum.failed = folder.count("failed");
    sum.skipped = folder.count("skipped");
    sum.seconds = clock_of(settings).seconds_since(started);
    outcome.stale = folder.stale();
    outcome.failed_exchanges = folder.failed();
    outcome.reported_cases = kept.size();
    return outcome;
}

} // namespace conform::engine
