// run_targets: the live runner. For each target, one probe per operation (reachability and
// the total that {{total}} placeholders need), then every case on a pool of workers; each
// case's exchanges go through the named checks and its result to the reporters in plan order.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "runner/checks/registry.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/case_checks.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/engine/internal/reporting.hpp"
#include "runner/engine/run.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

using Clock = std::chrono::steady_clock;
using contract::Case;
using contract::CaseFile;
using contract::CaseKind;
using contract::Signing;

// What a target's cases share: where it is, how to sign, what the probe learnt.
struct TargetState {
    const Target* target = nullptr;
    Endpoint endpoint;
    const http::Scheme* scheme = nullptr; // nullptr: the contract signs nothing
    bool unreachable = false;
    std::string unreachable_why;
    std::map<std::string, std::optional<std::int64_t>, std::less<>> totals; // per operation
};

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

bool is_timeout(const http::Exchange& x) {
    return x.failure && (x.failure->kind == http::FailureKind::read_timeout ||
                         x.failure->kind == http::FailureKind::connect_timeout);
}

bool is_unreachable(const http::Exchange& x) {
    return x.failure && (x.failure->kind == http::FailureKind::connect_failed ||
                         x.failure->kind == http::FailureKind::connect_timeout ||
                         x.failure->kind == http::FailureKind::tls_failed ||
                         x.failure->kind == http::FailureKind::invalid_url);
}

// A wrong signature that still looks like one: one character changed within the alphabet of
// both schemes (hex for UCloud, Base64 for Tencent).
void spoil_signature(http::QueryParams& params) {
    const std::string* signature = params.find("Signature");
    if (!signature || signature->empty())
        return;
    std::string spoilt = *signature;
    spoilt[0] = spoilt[0] == 'a' ? 'b' : 'a';
    params.set("Signature", spoilt);
}

// A total is an integer, or (a type.mismatch the schema check reports) a string holding one.
std::optional<std::int64_t> total_value(core::JsonView v) {
    if (v.is_number() && v.is_integer())
        return v.as_int64();
    if (v.is_string()) {
        std::int64_t n = 0;
        const std::string_view s = v.as_string();
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc() && end == s.data() + s.size())
            return n;
    }
    return std::nullopt;
}

record::Recorded recorded(const TargetState& t, const contract::Operation& op, const Case& c,
                          const http::Exchange& x) {
    record::Recorded r;
    r.exchange = x;
    r.time = internal::iso_utc(x.started);
    r.contract = t.target->contract->name;
    r.operation = op.name;
    r.case_name = c.name;
    r.target = t.target->name;
    return r;
}

class CaseRunner {
public:
    CaseRunner(const RunSettings& settings, const RunEdges& edges)
        : m_settings(settings), m_edges(edges) {}

    // The parameters of a request to the operation: routing first, then the case's, then the
    // run's extra ones; signed as the case says. Fails when the signer does.
    core::Result<http::Request> build(const TargetState& t, const contract::Operation& op,
                                      const Case& c, const http::QueryParams& params) const {
        const contract::Contract& contract = *t.target->contract;
        http::QueryParams q;
        const bool omit_routing =
            std::find(c.omit.begin(), c.omit.end(), contract.routing.param) != c.omit.end();
        if (!omit_routing)
            q.add(contract.routing.param, op.name);
        for (const http::QueryParam& p : params)
            q.add(p.name, p.value);
        for (const http::QueryParam& p : m_settings.extra_params)
            if (!q.contains(p.name))
                q.add(p.name, p.value);
        for (const std::string& name : c.omit)
            q.erase(name);

        http::Request r;
        r.method = op.method;
        r.base_url = t.endpoint.base_url;
        if (!t.scheme || !t.target->credentials) {
            r.query = std::move(q);
            return r;
        }
        const http::Credentials& creds = *t.target->credentials;
        if (c.signing == Signing::none) {
            // Unsigned, but naming the account: the server must refuse for want of a signature.
            q.set(t.scheme->key_id_param, creds.key_id);
            r.query = std::move(q);
            return r;
        }
        if (c.signing == Signing::stale_timestamp)
            // An hour old: far outside any gateway's window (SIGNING.md: 300 s for ours).
            q.set("Timestamp", std::to_string(m_edges.clock.unix_seconds() - 3600));
        const http::RequestTarget signing_target{op.method, t.endpoint.signing_host,
                                                 t.endpoint.path};
        CONFORM_TRY(http::SignedQuery signed_query,
                    t.scheme->sign(q, signing_target, creds, m_edges.clock, m_edges.nonces));
        r.query = std::move(signed_query.params);
        if (c.signing == Signing::bad_signature)
            spoil_signature(r.query);
        return r;
    }

    // Sends, retrying throttled answers and timeouts with doubling backoff; what happened on
    // the way is written to environment (never a deviation).
    struct Sent {
        http::Exchange exchange;
        bool throttled = false; // still throttled after the last retry
    };
    Sent send(const TargetState& t, const contract::Operation& op, const Case& c,
              const http::QueryParams& params, std::vector<std::string>& environment,
              std::string& build_error) const {
        auto delay = m_settings.backoff;
        for (int attempt = 0;; ++attempt) {
            auto request = build(t, op, c, params); // re-signed: a fresh Nonce and Timestamp
            if (!request) {
                build_error = request.error().to_string();
                return {};
            }
            http::Exchange x = m_edges.transport.send(*request);
            if (m_settings.recorder)
                if (auto written = m_settings.recorder->write(recorded(t, op, c, x)); !written)
                    environment.push_back("not recorded: " + written.error().to_string());
            const checks::Observed observed = observe(x);
            const bool throttled = checks::is_throttled(*t.target->contract, observed);
            const bool timeout = is_timeout(x);
            if ((!throttled && !timeout) || attempt >= m_settings.retries) {
                if (throttled || timeout)
                    environment.push_back(std::string(throttled ? "throttled" : "timed out") +
                                          " after " + std::to_string(attempt + 1) +
                                          " attempt(s): " + describe(x));
                return {std::move(x), throttled};
            }
            environment.push_back(std::string(throttled ? "throttled" : "timed out") + " (" +
                                  describe(x) + "); retried after " +
                                  std::to_string(delay.count()) + " ms");
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }

    report::CaseResult run(TargetState& t, const CaseFile& file, const Case& c) const {
        const auto started = Clock::now();
        const contract::Contract& contract = *t.target->contract;
        report::CaseResult result;
        result.contract = contract.name;
        result.operation = file.operation;
        result.target = t.target->name;
        result.url = t.endpoint.base_url;
        result.persona = t.target->persona;
        result.name = c.name;
        result.description = c.description;
        result.kind = std::string(contract::name_of(c.kind));
        result.expect = std::string(contract::name_of(c.expect));

        const contract::Operation* op = contract.find_operation(file.operation);
        auto finish = [&](std::string skipped = {}) {
            result.skipped = std::move(skipped);
            result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
            return result;
        };
        if (t.unreachable)
            return finish("target unreachable: " + t.unreachable_why);
        if (!op)
            return finish("the contract has no operation " + file.operation);
        if (!c.skip.empty())
            return finish(c.skip);
        if (!contract.is_read_only(op->name))
            return finish("live mode sends read-only operations only; the contract does not "
                          "mark " +
                          op->name + " read-only");
        if (t.scheme && c.signing != Signing::none && !t.target->credentials)
            return finish("no credentials: " + t.target->missing_credentials);
        if (c.signing == Signing::stale_timestamp &&
            (!t.scheme || t.scheme->id != http::SchemeId::tencent_v2_hmac))
            return finish("the " + contract.signing + " scheme signs no timestamp");

        // The case's parameters, {{total}} resolved from the probe.
        http::QueryParams params;
        // (a plain pair rather than std::optional: g++ 12 -O2 misreads the latter as
        // maybe-uninitialized here)
        const auto total_it = t.totals.find(op->name);
        const bool has_total = total_it != t.totals.end() && total_it->second.has_value();
        const std::int64_t total = has_total ? *total_it->second : 0;
        for (const auto& [name, value] : c.params) {
            if (value.find("{{") != std::string::npos && !has_total)
                return finish("needs the total count, which the default page did not give");
            auto resolved = contract::resolve_placeholders(value, total);
            if (!resolved)
                return finish(resolved.error().to_string());
            params.add(name, *resolved);
        }

        std::vector<http::Exchange> exchanges;
        std::vector<checks::Observed::Role> roles;
        std::string build_error;
        auto exchange = [&](const http::QueryParams& p, checks::Observed::Role role) {
            Sent sent = send(t, *op, c, p, result.environment, build_error);
            if (!build_error.empty())
                return false;
            const bool throttled = sent.throttled;
            exchanges.push_back(std::move(sent.exchange));
            roles.push_back(role);
            return !throttled;
        };

        bool complete = true;
        if (c.kind == CaseKind::walk && op->pagination) {
            complete = walk(*op, c, params, exchanges, exchange);
        } else {
            complete = exchange(params, checks::Observed::Role::page);
        }
        if (!build_error.empty())
            return finish("cannot build the request: " + build_error);
        if (!complete)
            return finish("throttled: the target kept asking to slow down (environment, not a "
                          "deviation)");

        std::vector<checks::Observed> observed;
        for (std::size_t i = 0; i < exchanges.size(); ++i)
            observed.push_back(observe(exchanges[i], roles[i]));
        for (const http::Exchange& x : exchanges)
            result.exchanges.push_back(record::excerpt(x));

        const checks::CheckContext context{contract, op, c, observed};
        result.checks = run_case_checks(context, m_settings.checks);
        return finish();
    }

    // The body parsed once for the checks, within --max-depth.
    [[nodiscard]] checks::Observed
    observe(const http::Exchange& x,
            checks::Observed::Role role = checks::Observed::Role::page) const {
        return checks::Observed::of(x, role, m_settings.limits.body());
    }

private:
    template <class Exchange>
    bool walk(const contract::Operation& op, const Case& c, const http::QueryParams& params,
              std::vector<http::Exchange>& exchanges, Exchange&& exchange) const {
        const contract::Pagination& model = *op.pagination;
        std::int64_t walked = 0;
        std::optional<std::int64_t> first_total;
        for (std::int64_t page = 0; page < c.walk_max_pages; ++page) {
            http::QueryParams p = params;
            p.set(model.offset_param, std::to_string(page * c.walk_limit));
            p.set(model.limit_param, std::to_string(c.walk_limit));
            if (!exchange(p, checks::Observed::Role::page))
                return false;
            const checks::Observed o = observe(exchanges.back());
            if (!o.body)
                break;
            const core::JsonView body(*o.body);
            auto items = core::resolve_pointer(body, model.items_pointer);
            if (!items || !items->is_array())
                break;
            if (page == 0)
                if (auto total = core::resolve_pointer(body, model.total_pointer))
                    first_total = total_value(*total);
            walked += static_cast<std::int64_t>(items->size());
            if (static_cast<std::int64_t>(items->size()) < c.walk_limit)
                break; // a short page: the end
        }
        // One page with a limit above everything: what the walk should have seen (gap vs a
        // wrong total).
        http::QueryParams p = params;
        p.set(model.offset_param, "0");
        p.set(model.limit_param,
              std::to_string(std::max(first_total.value_or(0), walked) + c.walk_limit));
        return exchange(p, checks::Observed::Role::full_listing);
    }

    static std::string describe(const http::Exchange& x) {
        if (x.failure)
            return x.failure->message;
        return "HTTP " + std::to_string(x.response->status);
    }

    const RunSettings& m_settings;
    const RunEdges& m_edges;
};

// One default page per operation: is the target there, and how many items does it list?
void probe(TargetState& t, const CaseRunner& runner) {
    const contract::Contract& contract = *t.target->contract;
    for (const CaseFile& file : *t.target->cases) {
        const contract::Operation* op = contract.find_operation(file.operation);
        if (!op || t.totals.count(op->name))
            continue;
        Case probe_case;
        probe_case.name = "probe";
        std::vector<std::string> environment;
        std::string build_error;
        const bool can_sign = !t.scheme || t.target->credentials;
        if (!can_sign)
            probe_case.signing = Signing::none;
        auto sent = runner.send(t, *op, probe_case, {}, environment, build_error);
        if (!build_error.empty()) {
            t.totals[op->name] = std::nullopt;
            continue;
        }
        if (is_unreachable(sent.exchange)) {
            t.unreachable = true;
            t.unreachable_why = sent.exchange.failure->message;
            return;
        }
        std::optional<std::int64_t> total;
        const checks::Observed o = runner.observe(sent.exchange);
        if (o.body && op->pagination)
            if (auto v =
                    core::resolve_pointer(core::JsonView(*o.body), op->pagination->total_pointer))
                total = total_value(*v);
        t.totals[op->name] = total;
    }
}

} // namespace

RunOutcome run_targets(const std::vector<Target>& targets, const RunSettings& settings,
                       const RunEdges& edges, report::Reporter& reporter) {
    RunOutcome outcome;
    const auto started = Clock::now();
    CaseRunner runner(settings, edges);

    std::vector<TargetState> states(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i)
        states[i].target = &targets[i];
    std::vector<WorkItem> work = plan_work(states, settings.shard);
    for (std::size_t i = 0; i < targets.size(); ++i) {
        TargetState& s = states[i];
        s.scheme = http::find_scheme(targets[i].contract->signing);
        report::TargetInfo info{targets[i].contract->name, targets[i].url, targets[i].persona,
                                targets[i].name};
        info.planned_cases = static_cast<std::size_t>(std::count_if(
            work.begin(), work.end(), [&](const WorkItem& w) { return w.state == &s; }));
        reporter.target_starting(info);
        auto endpoint = endpoint_of(targets[i].url, targets[i].contract->base_url);
        if (!endpoint) {
            s.unreachable = true;
            s.unreachable_why = endpoint.error().message;
        } else {
            s.endpoint = std::move(*endpoint);
            probe(s, runner);
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

    for (auto& slot : slots)
        outcome.cases.push_back(std::move(*slot));
    report::RunSummary& sum = outcome.summary;
    sum = report::summarize(outcome.cases);
    sum.unreachable_targets = outcome.unreachable;
    sum.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return outcome;
}

} // namespace conform::engine
