// The reference handler: route, verify, check parameters, page over the fixture; then the
// persona's mutation. Everything here is a pure function of the request except the nonce ledger.
#include <algorithm>
#include <cctype>

#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/params.hpp"
#include "runner/serve/internal/plan.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve {

using nlohmann::json;

namespace {

// The body a gateway in front of a broken backend sends (nginx's own 502 page).
constexpr std::string_view k_bad_gateway_page =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    "</html>\r\n";

// The field extra-field adds: no documented name is a near miss of it, so conform must call
// it field.unexpected rather than field.renamed.
constexpr std::string_view k_extra_field = "conformExtra";

std::string to_upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
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
      m_scheme(http::find_scheme(contract.signing)) {
    if (!m_options.clock)
        m_options.clock = system_clock();
    if (m_options.credentials.empty() && m_scheme)
        m_options.credentials.push_back(test_credentials(*m_scheme));
}

http::ServerResponse Reference::answer(const http::ServerRequest& request) const {
    http::ServerResponse r = answer_json(request);
    switch (m_options.persona) {
    case PersonaId::http_500: {
        // A backend failure: the contract's error envelope, with an HTTP status the pages never
        // use (SIGNING.md: errors come with HTTP 200).
        auto params = http::parse_query(request.raw_query);
        const std::string* echo = params ? params->find(m_contract.routing.param) : nullptr;
        r = json_response(internal::refusal_envelope(m_contract, echo ? *echo : std::string(),
                                                     internal::Refusal::internal_error,
                                                     "Internal Server Error"));
        r.status = 500;
        break;
    }
    case PersonaId::html_error:
        r = {};
        r.status = 502;
        r.content_type = "text/html";
        r.body = std::string(k_bad_gateway_page);
        break;
    case PersonaId::slow:
        r.delay = m_options.slow_delay;
        break;
    case PersonaId::truncated_body:
        // Announce more than is sent; the server closes the connection after the body.
        r.declared_length = r.body.size() + 64;
        break;
    default:
        break;
    }
    return r;
}

http::ServerResponse Reference::answer_json(const http::ServerRequest& request) const {
    using internal::Refusal;
    const PersonaId persona = m_options.persona;
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

    // 2. Verify the signature.
    if (m_scheme && persona != PersonaId::accept_unsigned) {
        const http::RequestTarget target{to_upper(request.method), request.host,
                                         request.path.empty() ? std::string("/") : request.path};
        const http::VerifyContext context{m_options.credentials, *m_options.clock, &m_nonces};
        const http::Verdict verdict = m_scheme->verify(params, target, context);
        if (!verdict.ok())
            return json_response(internal::error_envelope(m_contract, op->name, verdict.code,
                                                          verdict.code_desc, verdict.message));
    }

    // 3. Check the parameters.
    if (persona != PersonaId::accept_invalid)
        if (auto problem = internal::check_params(*op, params))
            return json_response(internal::refusal_envelope(
                m_contract, op->name, Refusal::invalid_parameter,
                internal::invalid_parameter_message(problem->param, problem->why)));

    // 4. Answer.
    const OperationFixture* fixture = m_fixtures.find(op->name);
    if (!op->pagination || !fixture)
        return json_response(fixture && fixture->body
                                 ? *fixture->body
                                 : internal::success_envelope(m_contract, op->name));
    if (persona == PersonaId::doc_sample && fixture->sample_body)
        return json_response(*fixture->sample_body);
    return json_response(success_body(*op, *fixture, params));
}

json Reference::success_body(const contract::Operation& op, const OperationFixture& fixture,
                             const http::QueryParams& params) const {
    const PersonaId persona = m_options.persona;
    const contract::Pagination& page = *op.pagination;
    const internal::OperationPlan plan = internal::plan_of(op, &fixture);

    // The matching items: a filter applies when its parameter is sent. A value with no item
    // mapping matches nothing, except under accept-invalid, which ignores the filter (as a
    // lenient gateway ignores what it does not know).
    std::vector<const json*> matching;
    for (const json& item : fixture.items) {
        bool keep = true;
        for (const Filter& f : fixture.filters) {
            const std::string* value = params.find(f.param);
            if (!value)
                continue;
            auto wanted = f.values.find(*value);
            if (wanted == f.values.end()) {
                keep = persona == PersonaId::accept_invalid;
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
    const auto n = static_cast<std::int64_t>(matching.size());

    // Offset and limit (validated already, unless accept-invalid: then a bad value is the
    // default).
    auto read = [&](const std::string& name, std::int64_t fallback) {
        const std::string* text = params.find(name);
        if (!text)
            return fallback;
        auto v = internal::parse_integer(*text);
        return v && *v >= 0 ? *v : fallback;
    };
    const std::int64_t default_limit = persona == PersonaId::wrong_default_limit
                                           ? internal::wrong_default_limit(page.limit_default)
                                           : page.limit_default;
    const std::int64_t offset = read(page.offset_param, page.offset_default);
    const std::int64_t limit = read(page.limit_param, default_limit);

    std::int64_t start = offset;
    std::int64_t count = limit;
    switch (persona) {
    case PersonaId::ignore_limit:
        count = n;
        break;
    case PersonaId::ignore_offset:
        start = 0;
        break;
    case PersonaId::off_by_one:
        // Only pages after the first shift, so that a full listing (offset 0) still holds the
        // skipped items and conform can name the gap.
        if (offset > 0)
            start = offset + 1;
        break;
    case PersonaId::duplicate_items:
        // Only inside the listing: an offset at the end still answers an empty page, so the
        // one deviation is the repeat.
        if (offset > 0 && offset < n)
            start = offset - 1;
        break;
    default:
        break;
    }
    json items = json::array();
    for (std::int64_t i = start; i < n && i - start < count; ++i)
        items.push_back(*matching[static_cast<std::size_t>(i)]);

    // unstable-total: one more on pages strictly inside the listing. A function of the page,
    // not a shared counter: concurrent cases cannot change what a walk sees, and the first and
    // last pages agree with the items, so the only deviation is the changing total.
    std::int64_t total = n;
    if (persona == PersonaId::unstable_total && offset > 0 && offset + limit < n)
        total = n + 1;

    switch (persona) {
    case PersonaId::items_as_strings:
        for (json& item : items) {
            const json key = item.value(page.item_key, json());
            item = key.is_string() ? key : json(key.dump());
        }
        break;
    case PersonaId::lowercase_fields:
        for (json& item : items) {
            json lowered = json::object();
            for (auto& [k, v] : item.items())
                lowered[to_lower(k)] = v;
            item = std::move(lowered);
        }
        break;
    case PersonaId::missing_field:
        if (!plan.dropped_field.empty())
            for (json& item : items)
                item.erase(plan.dropped_field);
        break;
    case PersonaId::extra_field:
        for (json& item : items)
            item[std::string(k_extra_field)] = "a field the contract does not declare";
        break;
    default:
        break;
    }

    const bool total_as_string = plan.total_is_string || persona == PersonaId::total_as_string;
    json body = internal::page_body(m_contract, op, std::move(items), total, total_as_string);
    if (persona == PersonaId::data_envelope) {
        // Tencent's sample shape: the documented members one level down, under "data".
        json list = internal::take_at(body, page.items_pointer);
        json count_value = internal::take_at(body, page.total_pointer);
        internal::set_at(body, "/data" + page.items_pointer, std::move(list));
        internal::set_at(body, "/data" + page.total_pointer, std::move(count_value));
    }
    return body;
}

core::Result<std::shared_ptr<Reference>>
make_reference(const contract::Contract& contract, Fixtures fixtures, ReferenceOptions options) {
    if (fixtures.contract != contract.name)
        return core::fail("the fixtures are " + fixtures.contract + "'s, not " + contract.name +
                          "'s");
    const Applicability a = applicability(options.persona, contract, fixtures);
    if (!a.applies)
        return core::fail("persona " + std::string(name_of(options.persona)) +
                          " does not apply to " + contract.name + ": " + a.why_not);
    return std::make_shared<Reference>(contract, std::move(fixtures), std::move(options));
}

} // namespace conform::serve
