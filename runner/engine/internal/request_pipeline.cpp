#include "runner/engine/internal/request_pipeline.hpp"

#include <algorithm>
#include <thread>

#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/reporting.hpp"

namespace conform::engine::internal {

http::QueryParams request_params(const contract::Contract& contract, const contract::Operation& op,
                                 const http::QueryParams& params, const http::QueryParams& extra,
                                 const std::vector<std::string>& omit) {
    http::QueryParams q;
    if (std::find(omit.begin(), omit.end(), contract.routing.param) == omit.end())
        q.add(contract.routing.param, op.name);
    for (const http::QueryParam& p : params)
        q.add(p.name, p.value);
    for (const http::QueryParam& p : extra)
        if (!q.contains(p.name))
            q.add(p.name, p.value);
    for (const std::string& name : omit)
        q.erase(name);
    return q;
}

namespace {

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

bool is_timeout(const http::Exchange& x) {
    return x.failure && (x.failure->kind == http::FailureKind::read_timeout ||
                         x.failure->kind == http::FailureKind::connect_timeout);
}

std::string describe(const http::Exchange& x) {
    if (x.failure)
        return x.failure->message;
    return "HTTP " + std::to_string(x.response->status);
}

record::Recorded recorded(const RecordLabels& labels, const http::Exchange& x) {
    record::Recorded r;
    r.exchange = x;
    r.time = iso_utc(x.started);
    r.contract = labels.contract;
    r.operation = labels.operation;
    r.case_name = labels.case_name;
    r.target = labels.target;
    return r;
}

} // namespace

core::Result<http::Request> build_request(const RequestPlan& plan, const core::Clock& clock,
                                          http::NonceSource& nonces) {
    http::Request r;
    r.method = plan.method;
    r.base_url = plan.endpoint->base_url;
    const SignAs& sign = plan.sign;
    if (!sign.scheme || !sign.credentials) {
        r.query = plan.params;
        return r;
    }
    http::QueryParams q = plan.params;
    if (sign.mode == contract::Signing::none) {
        // Unsigned, but naming the account: the server must refuse for want of a signature.
        q.set(sign.scheme->key_id_param, sign.credentials->key_id);
        r.query = std::move(q);
        return r;
    }
    if (sign.mode == contract::Signing::stale_timestamp)
        // An hour old: far outside any gateway's window (SIGNING.md: 300 s for ours).
        q.set("Timestamp", std::to_string(clock.unix_seconds() - 3600));
    const http::RequestTarget target{plan.method, plan.endpoint->signing_host, plan.endpoint->path};
    CONFORM_TRY(http::SignedQuery signed_query,
                sign.scheme->sign(q, target, *sign.credentials, clock, nonces));
    r.query = std::move(signed_query.params);
    if (sign.mode == contract::Signing::bad_signature)
        spoil_signature(r.query);
    return r;
}

Answer Answer::of(http::Exchange exchange, core::ParseLimits limits) {
    Answer a;
    a.exchange = std::make_unique<const http::Exchange>(std::move(exchange));
    a.observed = checks::Observed::of(*a.exchange, checks::Observed::Role::page, limits);
    return a;
}

std::optional<core::JsonView> Answer::at(std::string_view pointer) const {
    if (!observed.has_json())
        return std::nullopt;
    return core::resolve_pointer(observed.json(), pointer);
}

core::Result<RequestPipeline::Sent>
RequestPipeline::send(const RequestPlan& plan, const contract::Contract& contract,
                      const RecordLabels& labels, std::vector<std::string>& environment) const {
    auto delay = m_settings.backoff;
    for (int attempt = 0;; ++attempt) {
        // Built again for each attempt: a fresh Nonce and Timestamp.
        CONFORM_TRY(http::Request request, build_request(plan, m_edges.clock, m_edges.nonces));
        Answer answer = Answer::of(m_edges.transport.send(request), m_settings.limits);
        const http::Exchange& x = *answer.exchange;
        if (m_settings.recorder)
            if (auto written = m_settings.recorder->write(recorded(labels, x)); !written)
                environment.push_back("not recorded: " + written.error().to_string());
        const bool throttled = checks::is_throttled(contract, answer.observed);
        const bool timeout = is_timeout(x);
        if ((!throttled && !timeout) || attempt >= m_settings.retries) {
            if (throttled || timeout)
                environment.push_back(std::string(throttled ? "throttled" : "timed out") +
                                      " after " + std::to_string(attempt + 1) +
                                      " attempt(s): " + describe(x));
            return Sent{std::move(answer), throttled, attempt + 1};
        }
        environment.push_back(std::string(throttled ? "throttled" : "timed out") + " (" +
                              describe(x) + "); retried after " + std::to_string(delay.count()) +
                              " ms");
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
}

} // namespace conform::engine::internal
