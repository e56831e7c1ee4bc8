// The reference handler: route, verify, check parameters, page over the fixture, with the
// persona's Mutation applied slot by slot (internal/mutation.hpp) and never asked which persona
// it is. Everything here is a pure function of the request except the nonce ledger.
#include <algorithm>
#include <cctype>

#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/mutation.hpp"
#include "runner/serve/internal/params.hpp"
#include "runner/serve/internal/plan.hpp"
#include "runner/serve/internal/store.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve {

using nlohmann::json;

namespace {

std::string to_upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

http::ServerResponse json_response(const json& body) {
    http::ServerResponse r;
    r.body = internal::dump(body);
    return r;
}

std::shared_ptr<const http::Clock> system_clock() {
    static const auto clock = std::make_shared<http::SystemClock>();
    return clock;
}

} // namespace

Reference::Reference(const contract::Contract& contract, Fixtures fixtures,
                     ReferenceOptions options)
    : m_contract(contract), m_fixtures(std::move(fixtures)), m_options(std::move(options)),
      m_scheme(http::find_scheme(contract.signing)),
      m_store(std::make_unique<internal::Store>(contract, m_fixtures)) {
    if (!m_options.clock)
        m_options.clock = system_clock();
    if (m_options.credentials.empty() && m_scheme)
        m_options.credentials.push_back(test_credentials(*m_scheme));
}

Reference::~Reference() = default;

std::map<std::string, std::size_t, std::less<>> Reference::requests_by_operation() const {
    std::lock_guard lock(m_count_mutex);
    return m_counts;
}

std::vector<json> Reference::listing_items(std::string_view listing) const {
    if (auto items = m_store->items(listing))
        return std::move(*items);
    const OperationFixture* fixture = m_fixtures.find(listing);
    return fixture ? fixture->items : std::vector<json>{};
}

http::ServerResponse Reference::answer(const http::ServerRequest& request) const {
    http::ServerResponse r = answer_json(request);
    internal::apply_fault(m_options.persona.mutation().transport, m_contract, request, m_options,
                          r);
    return r;
}

http::ServerResponse Reference::answer_json(const http::ServerRequest& request) const {
    using internal::Refusal;
    const Mutation& mutation = m_options.persona.mutation();
    auto parsed = http::parse_query(request.raw_query);
    if (!parsed)
        return json_response(internal::refusal_envelope(
            m_contract, {}, Refusal::invalid_parameter,
            internal::invalid_parameter_message("(query)", parsed.error().message)));
    const http::QueryParams& params = *parsed;

    // 1. Route (contract.route's rule: the first occurrence names the operation).
    const std::string* routed = params.find(m_contract.routing.param);
    if (!routed || routed->empty())
        return json_response(
            internal::refusal_envelope(m_contract, {}, Refusal::missing_operation,
                                       internal::missing_operation_message(m_contract)));
    const contract::Operation* op = m_contract.find_operation(*routed);
    if (!op)
        return json_response(
            internal::refusal_envelope(m_contract, *routed, Refusal::unknown_operation,
                                       internal::unknown_operation_message(m_contract, *routed)));
    {
        std::lock_guard lock(m_count_mutex);
        ++m_counts[op->name];
    }

    // 2. Verify the signature.
    if (m_scheme && !has(mutation.leniency, Leniency::unsigned_requests)) {
        const http::RequestTarget target{to_upper(request.method), request.host,
                                         request.path.empty() ? std::string("/") : request.path};
        const http::VerifyContext context{m_options.credentials, *m_options.clock, &m_nonces};
        const http::Verdict verdict = m_scheme->verify(params, target, context);
        if (!verdict.ok())
            return json_response(internal::error_envelope(m_contract, op->name, verdict.code,
                                                          verdict.code_desc, verdict.message));
    }

    // 3. Check the parameters.
    if (!has(mutation.leniency, Leniency::invalid_params))
        if (auto problem = internal::check_params(*op, params))
            return json_response(internal::refusal_envelope(
                m_contract, op->name, Refusal::invalid_parameter,
                internal::invalid_parameter_message(problem->param, problem->why)));

    // 4. Answer: a scenario's write changes the store; the rest reads.
    if (auto written = m_store->write(*op, params, mutation.state))
        return json_response(*written);
    const OperationFixture* fixture = m_fixtures.find(op->name);
    if (!op->pagination || !fixture)
        return json_response(fixture && fixture->body
                                 ? *fixture->body
                                 : internal::success_envelope(m_contract, *op));
    if (mutation.body == BodyTransform::doc_sample && fixture->sample_body)
        return json_response(*fixture->sample_body);
    return json_response(success_body(*op, *fixture, params));
}

namespace {

// The items a filter keeps: a filter applies when its parameter is sent. A value with no item
// mapping matches nothing, unless lenient (as a lenient gateway ignores what it does not know).
std::vector<const json*> matching_items(const std::vector<json>& all,
                                        const OperationFixture& fixture,
                                        const http::QueryParams& params, bool lenient) {
    std::vector<const json*> matching;
    for (const json& item : all) {
        bool keep = true;
        for (const Filter& f : fixture.filters) {
            const std::string* value = params.find(f.param);
            if (!value)
                continue;
            auto wanted = f.values.find(*value);
            if (wanted == f.values.end()) {
                keep = lenient;
                if (!keep)
                    break;
                continue;
            }
            auto field = item.find(f.field);
            if (field == item.end() || *field != wanted->second) {
                keep = false;
                break;
            }
        }
        if (keep)
            matching.push_back(&item);
    }
    return matching;
}

} // namespace

json Reference::success_body(const contract::Operation& op, const OperationFixture& fixture,
                             const http::QueryParams& params) const {
    const Mutation& mutation = m_options.persona.mutation();
    const contract::Pagination& page = *op.pagination;
    const internal::OperationPlan plan = internal::plan_of(op, &fixture);

    // A listing a scenario writes to is read from the store (a copy: the lock is not held
    // while the page is built).
    const std::optional<std::vector<json>> stored = m_store->items(op.name);
    const std::vector<const json*> matching =
        matching_items(stored ? *stored : fixture.items, fixture, params,
                       has(mutation.leniency, Leniency::invalid_params));
    const auto n = static_cast<std::int64_t>(matching.size());
    const internal::PageSpan span = internal::page_span(mutation.window, page, params, n);
    json items = json::array();
    for (std::int64_t i = span.start; i < n && i - span.start < span.count; ++i)
        items.push_back(*matching[static_cast<std::size_t>(i)]);
    internal::transform_items(mutation.items, page, plan, items);

    const std::int64_t total = internal::reported_total(mutation.total, span, n);
    const bool total_as_string =
        plan.total_is_string || mutation.total == TotalTransform::as_string;
    json body =
        internal::page_body(fixture.page_base, op, std::move(items), total, total_as_string);
    internal::transform_body(mutation.body, page, body);
    return body;
}

core::Result<std::shared_ptr<Reference>>
make_reference(const contract::Contract& contract, Fixtures fixtures, ReferenceOptions options) {
    if (fixtures.contract != contract.name)
        return core::fail("the fixtures are " + fixtures.contract + "'s, not " + contract.name +
                          "'s");
    const Applicability a = applicability(options.persona, contract, fixtures);
    if (!a.applies)
        return core::fail("persona " + options.persona.name() + " does not apply to " +
                          contract.name + ": " + a.why_not);
    return std::make_shared<Reference>(contract, std::move(fixtures), std::move(options));
}

} // namespace conform::serve
