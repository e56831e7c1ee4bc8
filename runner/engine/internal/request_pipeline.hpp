#pragma once
// The one way the engine sends a request (private to engine/): parameters → signed
// http::Request (today's Timestamp and Nonce, as the case asks) → the Transport → the recording
// → the body parsed once → retried while throttled or timed out. `conform run` (CaseRunner:
// probes, cases, walk pages) and `conform run --compare` (LiveSource: each recorded request
// again) both send through it; so will scenarios of several requests, each step a
// RequestPlan that may take a value from an earlier Answer (Answer::at, http::append_value).
//
//   const RequestPipeline pipeline(edges, {.retries = 2, .backoff = 250ms, .limits = body});
//   RequestPlan plan{op.method, &endpoint, params, {scheme, &credentials, Signing::sign}};
//   auto sent = pipeline.send(plan, contract, labels, environment);
//   if (!sent) ...                          // the signer failed: nothing was sent
//   sent->answer.observed                   // what the checks read; the body parsed once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/checks/checks.hpp"
#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/clock.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/http/http.hpp"
#include "runner/record/record.hpp"

namespace conform::engine::internal {

// The edges a request needs (STYLE.md lesson 2): injected by run and compare alike.
struct RequestEdges {
    http::Transport& transport;
    const core::Clock& clock;
    http::NonceSource& nonces;
};

// How a request is signed. Without a scheme or credentials it goes as it is.
struct SignAs {
    const http::Scheme* scheme = nullptr;
    const http::Credentials* credentials = nullptr;
    contract::Signing mode = contract::Signing::sign;
};

// One request, before signing: signed afresh for every attempt (a new Nonce and Timestamp).
struct RequestPlan {
    std::string method;
    const Endpoint* endpoint = nullptr;
    http::QueryParams params; // without signature, timestamp or nonce
    SignAs sign;
};

// What a request to op sends, before signing: the routing parameter, then params, then the
// run's extra ones it does not already hold; the names in omit left out (a negative case
// without its routing parameter or a required one).
[[nodiscard]] http::QueryParams request_params(const contract::Contract& contract,
                                               const contract::Operation& op,
                                               const http::QueryParams& params,
                                               const http::QueryParams& extra,
                                               const std::vector<std::string>& omit = {});

// The request a plan makes, signed as plan.sign says. Fails when the signer does.
[[nodiscard]] core::Result<http::Request>
build_request(const RequestPlan& plan, const core::Clock& clock, http::NonceSource& nonces);

// One exchange and its body, parsed once (within the limits) for the throttle test, the
// checks, a walk's next page and a later step's link.
struct Answer {
    [[nodiscard]] static Answer of(http::Exchange exchange, core::ParseLimits limits);

    // On the heap, so that observed.exchange stays valid when the answer, or its observed
    // alone, moves into a case's list.
    std::unique_ptr<const http::Exchange> exchange;
    checks::Observed observed;

    // The body's value at a JSON pointer; nullopt when the body is not JSON or has none there.
    // A link step fills it into its request with http::append_value.
    [[nodiscard]] std::optional<core::JsonView> at(std::string_view pointer) const;
};

// What a recording line says beside the exchange (empty: unknown).
struct RecordLabels {
    std::string contract, operation, case_name, target;
};

struct PipelineSettings {
    int retries = 0;                             // after throttling or a timeout, with backoff
    std::chrono::milliseconds backoff{0};        // doubled for each retry
    record::RecordingWriter* recorder = nullptr; // every attempt appended, when set
    core::ParseLimits limits;                    // response bodies
};

class RequestPipeline {
public:
    RequestPipeline(RequestEdges edges, PipelineSettings settings)
        : m_edges(edges), m_settings(settings) {}

    struct Sent {
        Answer answer;
        bool throttled = false; // still throttled after the last retry
        int attempts = 1;       // sent this many times (retries included)
    };
    // Builds, sends, records and parses; retries throttled answers (by the contract's
    // envelope) and timeouts with doubling backoff. What happened on the way is appended to
    // environment (never a deviation). Fails, sending nothing more, when a build fails.
    [[nodiscard]] core::Result<Sent> send(const RequestPlan& plan,
                                          const contract::Contract& contract,
                                          const RecordLabels& labels,
                                          std::vector<std::string>& environment) const;

    [[nodiscard]] const RequestEdges& edges() const { return m_edges; }

private:
    RequestEdges m_edges;
    PipelineSettings m_settings;
};

} // namespace conform::engine::internal
