// run_targets: the live runner. For each target, one probe per operation (reachability and
// the total that {{total}} placeholders need), then every case on a pool of workers; each
// case's exchanges go through the named checks and its result to the reporters in plan order.
// A target that stops answering is declared unresponsive and its remaining cases skipped
// (Responsiveness).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "runner/checks/checks.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/case_checks.hpp"
#include "runner/engine/internal/coverage.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/engine/internal/reporting.hpp"
#include "runner/engine/internal/request_pipeline.hpp"
#include "runner/engine/internal/scenario_runner.hpp"
#include "runner/engine/run.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

using contract::Case;
using contract::CaseFile;
using contract::CaseKind;
using contract::Signing;

// Issue 16: whether a target still answers. A probe that gets no answer (http::is_no_answer,
// after its retries), or `after` requests in a row that get none, declare it unresponsive:
// waiting out every remaining case's timeouts and retries would only repeat the finding. The
// workers note each request's outcome as it completes, hence the lock.
class Responsiveness {
public:
    explicit Responsiveness(int after = 0) : m_after(after) {}

    // A case's request (label: "GetRepo/limit-1"), after its retries: `after` of them in a
    // row without an answer declare the target.
    void note(const http::Exchange& x, int attempts, const std::string& label) {
        const std::lock_guard lock(m_mutex);
        if (!silent(x, attempts, label) || m_in_a_row < m_after)
            return;
        m_declared = report::Unresponsive{std::to_string(m_in_a_row) +
                                              " requests in a row got no answer "
                                              "(--unresponsive-after " +
                                              std::to_string(m_after) + ")",
                                          m_evidence};
    }

    // The probe of an operation, after its retries: without an answer, the target is
    // declared at once (its first requests, retried, got nothing).
    void note_probe(const http::Exchange& x, int attempts, const std::string& operation) {
        const std::lock_guard lock(m_mutex);
        if (silent(x, attempts, "probe " + operation))
            m_declared = report::Unresponsive{"the probe of " + operation + " got no answer (" +
                                                  std::string(http::name_of(x.failure->kind)) + ")",
                                              m_evidence};
    }

    // A case got an answer its checks could read: something on the target was checked.
    void checked() {
        const std::lock_guard lock(m_mutex);
        m_checked = true;
    }

    // The one reason every case not yet sent is skipped with; "" while the target answers.
    [[nodiscard]] std::string skip_reason() const {
        const std::lock_guard lock(m_mutex);
        return m_declared ? "target unresponsive: " + m_declared->reason : std::string();
    }

    // After the run: the declaration, and whether any case got an answer before or after it.
    [[nodiscard]] std::optional<report::Unresponsive> declared() const {
        const std::lock_guard lock(m_mutex);
        return m_declared;
    }
    [[nodiscard]] bool anything_checked() const {
        const std::lock_guard lock(m_mutex);
        return m_checked;
    }

private:
    // Counts x (under the lock): true when it got no answer and the target is not yet
    // declared, its failure then kept as evidence; an answer ends the run of failures.
    bool silent(const http::Exchange& x, int attempts, const std::string& label) {
        if (m_after <= 0)
            return false;
        if (!x.failure || !http::is_no_answer(x.failure->kind)) {
            m_in_a_row = 0;
            m_evidence.clear();
            return false;
        }
        ++m_in_a_row;
        if (m_declared)
            return false;
        m_evidence.push_back(
            label + ": " + x.failure->message +
            (attempts > 1 ? " (" + std::to_string(attempts) + " attempts)" : std::string()));
        return true;
    }

    int m_after;
    mutable std::mutex m_mutex;
    int m_in_a_row = 0;
    std::vector<std::string> m_evidence; // the failures of the current run
    std::optional<report::Unresponsive> m_declared;
    bool m_checked = false;
};

// What a target's cases share: where it is, how to sign, what the probe learnt.
struct TargetState {
    const Target* target = nullptr;
    Endpoint endpoint;
    const http::Scheme* scheme = nullptr; // nullptr: the contract signs nothing
    bool unreachable = false;
    std::string unreachable_why;
    std::map<std::string, std::optional<std::int64_t>, std::less<>> totals; // per operation
    // Each operation's default page as this target answered it: where links read identifiers
    // (GetRepo's RepoName for GetRepoImage). Written by the probe, read-only afterwards.
    std::map<std::string, internal::Answer, std::less<>> answers;
    std::unique_ptr<Responsiveness> responsiveness; // set before the probe
};

// The value a link of `operation` fills from its producer's default page on this target, else
// (an embedded target) the one its data holds; nullopt when there is none (a made-up
// identifier is never sent).
std::optional<std::string> linked_value(const TargetState& t, const contract::Link& link,
                                        std::string_view operation) {
    const auto answer = t.answers.find(link.from);
    if (answer != t.answers.end())
        if (const auto v = answer->second.at(link.pointer)) {
            if (v->is_string() && !v->as_string().empty())
                return std::string(v->as_string());
            if (v->is_integer())
                return std::to_string(v->as_int64());
        }
    const auto& known = t.target->known_values;
    if (auto it = known.find(std::string(operation) + "/" + link.param); it != known.end())
        return it->second;
    return std::nullopt;
}

// Why the link cannot be filled on this target.
std::string unfilled(const contract::Link& link) {
    return link.param + " needs a value from " + link.from + " (" + link.pointer +
           "), which this target's " + link.from + " did not give";
}

struct WorkItem {
    TargetState* state;
    const CaseFile* file;
    const Case* test_case;
    std::size_t plan_index; // in the whole plan, before the shard's share is taken
};

// The plan (every target × every case, in order) and this shard's share of it: the k-th
// distinct contract/operation/case goes to shard k mod N, on every target alike.
std::vector<WorkItem> plan_work(std::vector<TargetState>& states, const Shard& shard) {
    std::vector<WorkItem> work;
    std::map<std::string, std::size_t> case_number;
    std::size_t plan_index = 0;
    for (TargetState& s : states)
        for (const CaseFile& file : *s.target->cases)
            for (const Case& c : file.cases) {
                const std::string key =
                    s.target->contract->name + "/" + file.operation + "/" + c.name;
                const std::size_t number =
                    case_number.emplace(key, case_number.size()).first->second;
                if (shard.whole() || number % static_cast<std::size_t>(shard.count) ==
                                         static_cast<std::size_t>(shard.index - 1))
                    work.push_back({&s, &file, &c, plan_index});
                ++plan_index;
            }
    return work;
}

bool is_unreachable(const http::Exchange& x) {
    return x.failure && (x.failure->kind == http::FailureKind::connect_failed ||
                         x.failure->kind == http::FailureKind::connect_timeout ||
                         x.failure->kind == http::FailureKind::tls_failed ||
                         x.failure->kind == http::FailureKind::invalid_url);
}

class CaseRunner {
public:
    CaseRunner(const RunSettings& settings, const RunEdges& edges)
        : m_settings(settings), m_clock(edges.clock),
          m_pipeline(
              {edges.transport, edges.clock, edges.nonces},
              {settings.retries, settings.backoff, settings.recorder, settings.limits.body()}) {}

    // A request to the operation: routing first, then the case's parameters, then the run's
    // extra ones; signed as the case says (the pipeline signs each attempt afresh).
    internal::RequestPlan plan_of(const TargetState& t, const contract::Operation& op,
                                  const Case& c, const http::QueryParams& params) const {
        const http::Credentials* creds = t.target->credentials ? &*t.target->credentials : nullptr;
        return {op.method,
                &t.endpoint,
                internal::request_params(*t.target->contract, op, params, m_settings.extra_params,
                                         c.omit),
                {t.scheme, creds, c.signing}};
    }

    // Sends through the pipeline; fails when the request cannot be built (signed).
    core::Result<internal::RequestPipeline::Sent>
    send(const TargetState& t, const contract::Operation& op, const Case& c,
         const http::QueryParams& params, std::vector<std::string>& environment) const {
        const internal::RecordLabels labels{t.target->contract->name, op.name, c.name,
                                            t.target->name};
        return m_pipeline.send(plan_of(t, op, c, params), *t.target->contract, labels, environment);
    }

    report::CaseResult run(TargetState& t, const CaseFile& file, const Case& c) const {
        const auto started = m_clock.monotonic();
        report::CaseResult result = result_of(t, file, c);
        const contract::Operation* op = t.target->contract->find_operation(file.operation);
        auto finish = [&](std::string skipped = {}) {
            result.skipped = std::move(skipped);
            result.seconds = m_clock.seconds_since(started);
            return result;
        };
        if (std::string why = why_skip(t, file, op, c, m_settings.extra_params); !why.empty())
            return finish(std::move(why));
        if (m_settings.interrupted && m_settings.interrupted->load())
            return finish("interrupted (SIGINT/SIGTERM)");
        auto params = case_params(t, *op, c);
        if (!params)
            return finish(params.error().message);
        for (const contract::Link& link : c.links) {
            const auto value = linked_value(t, link, op->name);
            if (!value)
                return finish(unfilled(link));
            params->set(link.param, *value);
        }

        // Each exchange's body is parsed once, in the pipeline: the throttle test, the walk and
        // the checks read the same Observed.
        std::vector<std::unique_ptr<const http::Exchange>> exchanges;
        std::vector<checks::Observed> observed;
        std::string build_error;
        bool unanswered = false; // a request got no answer: the case ends there
        // The answer's Observed; nullptr when it could not be built, got no answer or stayed
        // throttled.
        auto exchange = [&](const http::QueryParams& p,
                            checks::Observed::Role role) -> const checks::Observed* {
            auto sent = send(t, *op, c, p, result.environment);
            if (!sent) {
                build_error = sent.error().to_string();
                return nullptr;
            }
            const http::Exchange& x = *sent->answer.exchange;
            t.responsiveness->note(x, sent->attempts, file.operation + "/" + c.name);
            unanswered = x.failure && http::is_no_answer(x.failure->kind);
            sent->answer.observed.role = role;
            exchanges.push_back(std::move(sent->answer.exchange));
            observed.push_back(std::move(sent->answer.observed));
            return sent->throttled || unanswered ? nullptr : &observed.back();
        };

        const bool complete = c.kind == CaseKind::walk && op->pagination
                                  ? walk(*op, c, *params, exchange)
                                  : exchange(*params, checks::Observed::Role::page) != nullptr;
        if (!build_error.empty())
            return finish("cannot build the request: " + build_error);
        if (!complete && !unanswered)
            return finish("throttled: the target kept asking to slow down (environment, not a "
                          "deviation)");
        // Checked when some exchange was answered (a refused answer is a finding too).
        if (std::any_of(exchanges.begin(), exchanges.end(), [](const auto& x) {
                return !x->failure || !http::is_no_answer(x->failure->kind);
            }))
            t.responsiveness->checked();

        for (const auto& x : exchanges)
            result.exchanges.push_back(record::excerpt(*x));
        const checks::CheckContext context{*t.target->contract, op, c, observed};
        result.checks = run_case_checks(context, m_settings.checks);
        if (m_settings.coverage)
            internal::observe_case(*m_settings.coverage, context, t.target->name);
        return finish();
    }

private:
    // The result's names, before anything is sent.
    static report::CaseResult result_of(const TargetState& t, const CaseFile& file, const Case& c) {
        report::CaseResult result;
        result.contract = t.target->contract->name;
        result.operation = file.operation;
        result.target = t.target->name;
        result.url = t.endpoint.base_url;
        result.persona = t.target->persona;
        result.name = c.name;
        result.description = c.description;
        result.kind = std::string(contract::name_of(c.kind));
        result.expect = std::string(contract::name_of(c.expect));
        return result;
    }

    // Why the case cannot be sent to this target; "" when it can.
    static std::string why_skip(const TargetState& t, const CaseFile& file,
                                const contract::Operation* op, const Case& c,
                                const http::QueryParams& extra) {
        const contract::Contract& contract = *t.target->contract;
        if (t.unreachable)
            return "target unreachable: " + t.unreachable_why;
        if (std::string why = t.responsiveness->skip_reason(); !why.empty())
            return why;
        if (!op)
            return "the contract has no operation " + file.operation;
        const bool given = !c.unfilled.empty() && std::all_of(c.unfilled.begin(), c.unfilled.end(),
                                                              [&](const std::string& name) {
                                                                  return extra.contains(name);
                                                              });
        if (!c.skip.empty() && !given)
            return c.skip;
        if (auto gap = t.target->no_data.find(op->name); gap != t.target->no_data.end())
            return gap->second;
        if (!contract.is_read_only(op->name))
            return "live mode sends read-only operations only; the contract does not mark " +
                   op->name + " read-only";
        if (t.scheme && c.signing != Signing::none && !t.target->credentials)
            return "no credentials: " + t.target->missing_credentials;
        if (c.signing == Signing::stale_timestamp &&
            (!t.scheme || t.scheme->id != http::SchemeId::tencent_v2_hmac))
            return "the " + contract.signing + " scheme signs no timestamp";
        return {};
    }

    // The case's parameters, {{total}} resolved from the probe. Fails with the skip reason.
    static core::Result<http::QueryParams>
    case_params(const TargetState& t, const contract::Operation& op, const Case& c) {
        http::QueryParams params;
        // (a plain pair rather than std::optional: g++ 12 -O2 misreads the latter as
        // maybe-uninitialized here)
        const auto total_it = t.totals.find(op.name);
        const bool has_total = total_it != t.totals.end() && total_it->second.has_value();
        const std::int64_t total = has_total ? *total_it->second : 0;
        for (const auto& [name, value] : c.params) {
            if (value.find("{{") != std::string::npos && !has_total)
                return core::fail("needs the total count, which the default page did not give");
            auto resolved = contract::resolve_placeholders(value, total);
            if (!resolved)
                return core::fail(resolved.error().to_string());
            params.add(name, *resolved);
        }
        return params;
    }

    // Every page of Limit walk_limit, then one page with a limit above everything: what the
    // walk should have seen (gap vs a wrong total).
    template <class Exchange>
    bool walk(const contract::Operation& op, const Case& c, const http::QueryParams& params,
              Exchange&& exchange) const {
        const contract::Pagination& model = *op.pagination;
        std::int64_t walked = 0;
        std::optional<std::int64_t> first_total;
        for (std::int64_t page = 0; page < c.walk_max_pages; ++page) {
            http::QueryParams p = params;
            p.set(model.offset_param, std::to_string(page * c.walk_limit));
            p.set(model.limit_param, std::to_string(c.walk_limit));
            const checks::Observed* o = exchange(p, checks::Observed::Role::page);
            if (!o)
                return false;
            if (!o->has_json())
                break;
            const checks::Listing listing = checks::locate_listing(model, o->json());
            if (!listing.items)
                break;
            if (page == 0)
                first_total = listing.total;
            walked += static_cast<std::int64_t>(listing.items->size());
            if (static_cast<std::int64_t>(listing.items->size()) < c.walk_limit)
                break; // a short page: the end
        }
        http::QueryParams p = params;
        p.set(model.offset_param, "0");
        p.set(model.limit_param,
              std::to_string(std::max(first_total.value_or(0), walked) + c.walk_limit));
        return exchange(p, checks::Observed::Role::full_listing) != nullptr;
    }

    const RunSettings& m_settings;
    const core::Clock& m_clock;
    internal::RequestPipeline m_pipeline;
};

// One default page of an operation (contract::probe_case), its links filled from the
// producers probed before it. A probe that would lack a required value (an identifier no
// operation lists and --param does not give, a link its producer did not fill) is not sent:
// its cases are skipped for the same reason, and an answer to it could only be an error,
// which a replay of the run's recording would judge as a deviation. False when the target is
// unreachable.
bool probe_one(TargetState& t, const CaseRunner& runner, const contract::Operation& op,
               const http::QueryParams& extra) {
    Case probe_case = contract::probe_case(*t.target->contract, op);
    const bool given = std::all_of(probe_case.unfilled.begin(), probe_case.unfilled.end(),
                                   [&](const std::string& name) { return extra.contains(name); });
    if (!probe_case.skip.empty() && !given) {
        t.totals[op.name] = std::nullopt;
        return true;
    }
    if (t.scheme && !t.target->credentials)
        probe_case.signing = Signing::none;
    http::QueryParams params;
    for (const auto& [name, value] : probe_case.params)
        params.add(name, value);
    for (const contract::Link& link : probe_case.links) {
        const auto value = linked_value(t, link, op.name);
        if (!value) {
            t.totals[op.name] = std::nullopt;
            return true;
        }
        params.set(link.param, *value);
    }
    std::vector<std::string> environment;
    auto sent = runner.send(t, op, probe_case, params, environment);
    if (!sent) {
        t.totals[op.name] = std::nullopt;
        return true;
    }
    if (is_unreachable(*sent->answer.exchange)) {
        t.unreachable = true;
        t.unreachable_why = sent->answer.exchange->failure->message;
        return false;
    }
    t.responsiveness->note_probe(*sent->answer.exchange, sent->attempts, op.name);
    if (t.responsiveness->declared())
        return false;
    std::optional<std::int64_t> total;
    if (op.pagination && sent->answer.observed.has_json())
        total = checks::locate_listing(*op.pagination, sent->answer.observed.json()).total;
    t.totals[op.name] = total;
    t.answers.emplace(op.name, std::move(sent->answer));
    return true;
}

// One default page per operation: is the target there, how many items does it list, and
// which identifiers does it name for the operations linked to it? Producers are probed
// before their consumers (GetRepo, then GetRepoImage with one of its RepoNames, then
// GetImageTag); an operation whose producers never answer, or a value it requires nothing
// gives, is not probed (probe_one).
void probe(TargetState& t, const CaseRunner& runner, const http::QueryParams& extra) {
    const contract::Contract& contract = *t.target->contract;
    std::vector<std::pair<const contract::Operation*, std::vector<contract::Link>>> pending;
    for (const CaseFile& file : *t.target->cases)
        if (const contract::Operation* op = contract.find_operation(file.operation))
            if (std::none_of(pending.begin(), pending.end(),
                             [&](const auto& p) { return p.first == op; }))
                pending.emplace_back(op, contract::links_of(contract, *op));
    while (!pending.empty()) {
        // the first operation whose producers are all probed (or not probed at all in this
        // run), else the first left: a cycle of links is probed in order
        auto ready = std::find_if(pending.begin(), pending.end(), [&](const auto& p) {
            return std::all_of(p.second.begin(), p.second.end(), [&](const contract::Link& l) {
                return t.totals.count(l.from) ||
                       std::none_of(pending.begin(), pending.end(),
                                    [&](const auto& q) { return q.first->name == l.from; });
            });
        });
        if (ready == pending.end())
            ready = pending.begin();
        const contract::Operation* op = ready->first;
        pending.erase(ready);
        if (!probe_one(t, runner, *op, extra))
            return;
    }
}

// The write scenarios (internal/scenario_runner), after every read-only case: one thread, one
// step after another, each target's in plan order after the cases (plan_index past them). A
// sharded run sends them in shard 1 only, so that N shards write once.
void run_scenarios(const std::vector<TargetState>& states, const RunSettings& settings,
                   const RunEdges& edges, std::size_t first_index, RunOutcome& outcome,
                   report::Reporter& reporter) {
    if (!settings.shard.whole() && settings.shard.index != 1)
        return;
    const internal::RequestPipeline pipeline(
        {edges.transport, edges.clock, edges.nonces},
        // Recorded under the scenario's case name: replay judges those steps as the scenario
        // again, in recorded order (internal/scenario_steps).
        {settings.retries, settings.backoff, settings.recorder, settings.limits.body()});
    std::size_t index = first_index;
    for (const TargetState& s : states)
        for (std::size_t k = 0; k < s.target->scenarios.size(); ++k) {
            const internal::ScenarioTarget target{
                *s.target, s.endpoint, s.scheme, s.unreachable ? s.unreachable_why : std::string()};
            report::CaseResult r = internal::run_scenario(target, s.target->scenarios[k], k + 1,
                                                          pipeline, settings, edges.clock);
            r.plan_index = index++;
            reporter.case_ended(r);
            outcome.cases.push_back(std::move(r));
        }
}

} // namespace

RunOutcome run_targets(const std::vector<Target>& targets, const RunSettings& settings,
                       const RunEdges& edges, report::Reporter& reporter) {
    RunOutcome outcome;
    const auto started = edges.clock.monotonic();
    CaseRunner runner(settings, edges);

    std::vector<TargetState> states(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        states[i].target = &targets[i];
        states[i].responsiveness = std::make_unique<Responsiveness>(settings.unresponsive_after);
    }
    std::vector<WorkItem> work = plan_work(states, settings.shard);
    std::vector<report::TargetInfo> infos;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        TargetState& s = states[i];
        s.scheme = http::find_scheme(targets[i].contract->signing);
        infos.push_back(
            {targets[i].contract->name, targets[i].url, targets[i].persona, targets[i].name});
        report::TargetInfo& info = infos.back();
        info.planned_cases = static_cast<std::size_t>(std::count_if(
            work.begin(), work.end(), [&](const WorkItem& w) { return w.state == &s; }));
        if (settings.shard.whole() || settings.shard.index == 1)
            info.planned_cases += targets[i].scenarios.size();
        reporter.target_starting(info);
        auto endpoint = endpoint_of(targets[i].url, targets[i].contract->base_url);
        if (!endpoint) {
            s.unreachable = true;
            s.unreachable_why = endpoint.error().message;
        } else {
            s.endpoint = std::move(*endpoint);
            probe(s, runner, settings.extra_params);
        }
        if (s.unreachable) {
            ++outcome.unreachable;
            reporter.target_unreachable(info, s.unreachable_why);
        }
    }

    std::vector<std::optional<report::CaseResult>> slots(work.size());
    std::mutex mutex;
    std::size_t next_emit = 0;
    std::atomic<std::size_t> next_work{0};
    auto worker = [&] {
        for (std::size_t i; (i = next_work.fetch_add(1)) < work.size();) {
            report::CaseResult r = runner.run(*work[i].state, *work[i].file, *work[i].test_case);
            r.plan_index = work[i].plan_index;
            std::lock_guard lock(mutex);
            slots[i] = std::move(r);
            // Reporters hear cases in plan order, as soon as a prefix is complete.
            while (next_emit < slots.size() && slots[next_emit]) {
                reporter.case_ended(*slots[next_emit]);
                ++next_emit;
            }
        }
    };
    const int jobs = std::max(1, std::min<int>(settings.jobs, static_cast<int>(work.size())));
    std::vector<std::thread> pool;
    for (int j = 1; j < jobs; ++j)
        pool.emplace_back(worker);
    worker();
    for (std::thread& th : pool)
        th.join();

    // Unresponsive targets, after their cases: one that no case got an answer from could
    // not be checked at all, and counts as unreachable (exit 3).
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const auto declared = states[i].responsiveness->declared();
        if (!declared)
            continue;
        ++outcome.unresponsive;
        if (!states[i].responsiveness->anything_checked()) {
            ++outcome.unreachable;
            reporter.target_unreachable(infos[i], "unresponsive: " + declared->reason);
        }
        reporter.target_unresponsive(infos[i], *declared);
    }

    for (auto& slot : slots)
        outcome.cases.push_back(std::move(*slot));
    std::size_t planned = 0;
    for (const Target& t : targets)
        for (const CaseFile& file : *t.cases)
            planned += file.cases.size();
    run_scenarios(states, settings, edges, planned, outcome, reporter);
    report::RunSummary& sum = outcome.summary;
    sum = report::summarize(outcome.cases);
    sum.unreachable_targets = outcome.unreachable;
    sum.seconds = edges.clock.seconds_since(started);
    return outcome;
}

} // namespace conform::engine
