#include "runner/checks/checks.hpp"

#include <algorithm>
#include <cctype>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/core/text.hpp"

namespace conform::checks {
namespace {

using contract::CaseKind;
using contract::Expectation;
using contract::Signing;
using core::Deviation;
using core::DeviationId;

[[gnu::cold]] Deviation make(DeviationId id, std::string kind, const CheckContext& ctx,
                             std::string pointer, std::string expected, std::string actual,
                             std::string message) {
    Deviation d;
    d.id = id;
    d.kind = std::move(kind);
    d.severity = core::info(id).severity;
    d.operation = ctx.operation ? ctx.operation->name : std::string();
    d.instance_pointer = std::move(pointer);
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.message = std::move(message);
    return d;
}

// The operation an answer should echo: none when the case left the routing parameter out
// (the request named no operation; UCloud then answers "Action": "Response").
std::string operation_name(const CheckContext& ctx) {
    const auto& omit = ctx.test_case.omit;
    if (!ctx.operation ||
        std::find(omit.begin(), omit.end(), ctx.contract.routing.param) != omit.end())
        return {};
    return ctx.operation->name;
}

void add_all(std::vector<Finding>& out, std::vector<Deviation> found, std::size_t exchange) {
    for (Deviation& d : found)
        out.push_back({std::move(d), exchange});
}

// Precondition wrappers (STYLE.md lesson 7): the answers a check may judge.
template <class Fn> void for_each_json_answer(const CheckContext& ctx, Fn&& fn) {
    for (std::size_t i = 0; i < ctx.exchanges.size(); ++i)
        if (ctx.exchanges[i].has_json())
            fn(i, ctx.exchanges[i], ctx.exchanges[i].json());
}
template <class Fn> void for_each_success(const CheckContext& ctx, Fn&& fn) {
    for_each_json_answer(ctx, [&](std::size_t i, const Observed& o, core::JsonView body) {
        if (o.succeeded(ctx.contract.envelope))
            fn(i, o, body);
    });
}

bool is_json_type(std::string_view content_type) {
    std::string_view media = content_type.substr(0, content_type.find(';'));
    // RFC 8259 application/json, and the +json structured suffix (RFC 6839); the vendors' own
    // gateways also answer text/json and text/plain with JSON bodies, which only warns.
    constexpr std::string_view json_type = "application/json", suffix = "+json";
    return core::iequals(media, json_type) ||
           (media.size() >= suffix.size() &&
            core::iequals(media.substr(media.size() - suffix.size()), suffix));
}

std::string excerpt(const std::string& text, std::size_t max = 60) {
    std::string out;
    for (char c : text.substr(0, max))
        out += (c == '\n' || c == '\r') ? ' ' : c;
    return text.size() > max ? out + "..." : out;
}

// ---- http: transport, status code, content type ----

std::vector<Finding> check_http(const CheckContext& ctx) {
    std::vector<Finding> out;
    for (std::size_t i = 0; i < ctx.exchanges.size(); ++i) {
        const Observed& o = ctx.exchanges[i];
        const http::Exchange& x = *o.exchange;
        if (x.failure) {
            out.push_back(
                {make(DeviationId::http_transport, std::string(http::name_of(x.failure->kind)), ctx,
                      "", "a complete HTTP response", x.failure->message,
                      "no complete answer: " + x.failure->message),
                 i});
            continue;
        }
        const http::Response& r = *x.response;
        // Both vendor families answer errors in the body with HTTP 200 (SIGNING.md); any other
        // status is a departure from the documented protocol.
        if (r.status != 200)
            out.push_back({make(DeviationId::http_status, std::to_string(r.status / 100) + "xx",
                                ctx, "", "200", std::to_string(r.status),
                                "HTTP " + std::to_string(r.status) +
                                    " (the API answers every request with 200 and a status "
                                    "envelope)"),
                           i});
        const std::string* type = r.header("Content-Type");
        if (!o.has_json()) {
            out.push_back({make(DeviationId::http_content_type, "not-json", ctx, "", "a JSON body",
                                type ? *type + ": " + excerpt(r.body) : excerpt(r.body),
                                "the body is not JSON: " + o.body_error),
                           i});
        } else if (!type || !is_json_type(*type)) {
            Deviation d = make(DeviationId::http_content_type, "media-type", ctx, "",
                               "application/json", type ? *type : "(no Content-Type)",
                               "a JSON body served as " + (type ? *type : "no content type"));
            d.severity = core::Severity::warning;
            out.push_back({std::move(d), i});
        }
    }
    return out;
}

// ---- envelope and negative: the status the case expects, in the documented fields ----

// Positive cases (envelope) expect success; negative ones (negative) a refusal, whose
// acceptance is an error or, for refusal-preferred, a warning: the same judgement, two names.
std::vector<Finding> check_expected_status(const CheckContext& ctx) {
    std::vector<Finding> out;
    for_each_json_answer(ctx, [&](std::size_t i, const Observed&, core::JsonView body) {
        add_all(
            out,
            check_envelope(ctx.contract.envelope, operation_name(ctx), body, ctx.test_case.expect),
            i);
    });
    return out;
}

// ---- schema: success answers against the response schema, classified ----

std::vector<Finding> check_schema(const CheckContext& ctx) {
    std::vector<Finding> out;
    if (!ctx.operation)
        return out;
    const contract::SchemaFile& schema = ctx.operation->response;
    for_each_success(ctx, [&](std::size_t i, const Observed&, core::JsonView body) {
        if (schema.compiled.is_valid(body))
            return;
        const schema::ValidationResult result = schema.compiled.validate(body);
        add_all(out, classify(ClassifyInput{ctx.operation->name, schema.document, body, result}),
                i);
    });
    return out;
}

// ---- pagination.page: each page on its own ----

std::vector<Finding> check_pagination_page(const CheckContext& ctx) {
    std::vector<Finding> out;
    if (!ctx.operation || !ctx.operation->pagination ||
        ctx.test_case.kind == CaseKind::walk) // the walk check runs the page checks itself
        return out;
    const PageModel& model = *ctx.operation->pagination;
    for_each_success(ctx, [&](std::size_t i, const Observed& o, core::JsonView) {
        add_all(out, check_page(model, o.query, o.listing_in(model), ctx.operation->name), i);
    });
    return out;
}

// ---- pagination.walk: the pages of one walk together ----

std::vector<Finding> check_pagination_walk(const CheckContext& ctx) {
    std::vector<Finding> out;
    if (!ctx.operation || !ctx.operation->pagination)
        return out;
    std::vector<WalkPage> pages;         // parsed
    std::vector<const PageFacts*> facts; // or taken before (replay)
    std::optional<core::JsonView> full;
    std::size_t last_page = 0, full_index = 0;
    for (std::size_t i = 0; i < ctx.exchanges.size(); ++i) {
        const Observed& o = ctx.exchanges[i];
        if (o.facts) {
            facts.push_back(o.facts);
            last_page = i;
            continue;
        }
        if (!o.has_json() || !o.succeeded(ctx.contract.envelope))
            continue; // a failed page is the envelope or http check's to report
        if (o.role == Observed::Role::full_listing) {
            full = o.json();
            full_index = i;
        } else {
            pages.push_back({o.query, o.json()});
            last_page = i;
        }
    }
    const PageModel& model = *ctx.operation->pagination;
    const std::int64_t limit = ctx.test_case.walk_limit;
    const std::string& name = ctx.operation->name;
    for (Deviation& d : facts.empty()
                            ? check_walk(model, pages, limit, name, full, !ctx.pages_judged)
                            : check_walk(model, facts, limit, name, full)) {
        // Point at the page that shows it: the full listing for a gap, else the last page.
        const std::size_t at = d.id == DeviationId::pagination_gap && full ? full_index : last_page;
        out.push_back({std::move(d), at});
    }
    return out;
}

// ---- auth: unsigned, wrongly signed and stale requests refused ----

std::vector<Finding> check_auth(const CheckContext& ctx) {
    std::vector<Finding> out;
    for_each_json_answer(ctx, [&](std::size_t i, const Observed& o, core::JsonView body) {
        if (!o.succeeded(ctx.contract.envelope)) {
            // Refused, as it must be: the refusal still has to be a documented error envelope.
            for (Deviation& d : check_envelope(ctx.contract.envelope, operation_name(ctx), body,
                                               Expectation::refusal))
                if (d.id == DeviationId::envelope_shape)
                    out.push_back({std::move(d), i});
            return;
        }
        const bool unsigned_request = ctx.test_case.signing == Signing::none;
        const std::string what = unsigned_request ? "without a signature"
                                 : ctx.test_case.signing == Signing::stale_timestamp
                                     ? "with a stale Timestamp"
                                     : "with a wrong signature";
        out.push_back({make(unsigned_request ? DeviationId::auth_unsigned_accepted
                                             : DeviationId::auth_bad_signature_accepted,
                            std::string(contract::name_of(ctx.test_case.signing)), ctx,
                            ctx.contract.envelope.code.pointer, "an authentication error",
                            "success", "a request " + what + " was answered with success"),
                       i});
    });
    return out;
}

constexpr std::array<bool, 4> k_positive{true, true, false, false};

// ---- state: judged by the scenario runner; nothing over a case's exchanges ----

std::vector<Finding> judged_by_scenarios(const CheckContext&) {
    return {};
}

constexpr std::array k_checks = {
    CheckInfo{CheckId::http,
              "http",
              "HTTP status 200, a JSON body, no transport failure",
              {true, true, true, true},
              check_http},
    CheckInfo{CheckId::envelope, "envelope",
              "success status where success is expected, in the documented status fields",
              k_positive, check_expected_status},
    CheckInfo{CheckId::schema, "schema",
              "success answers against the response schema, classified into the taxonomy",
              k_positive, check_schema},
    CheckInfo{CheckId::pagination_page, "pagination.page",
              "one page: items <= limit, the default limit, items <= total, empty past the end",
              k_positive, check_pagination_page},
    CheckInfo{CheckId::pagination_walk,
              "pagination.walk",
              "every page of a walk: stable total, no duplicates or gaps, offset honoured, "
              "walked count = total",
              {false, true, false, false},
              check_pagination_walk},
    CheckInfo{CheckId::negative,
              "negative",
              "invalid input refused with the documented error envelope",
              {false, false, true, false},
              check_expected_status},
    CheckInfo{CheckId::auth,
              "auth",
              "unsigned, wrongly signed and stale requests refused",
              {false, false, false, true},
              check_auth},
    // A write scenario's state is judged step by step by the engine's scenario runner
    // (engine/internal/scenario_runner), not over a case's exchanges: no case kind runs it
    // here; the row makes it a name --check selects and list-checks shows.
    CheckInfo{CheckId::state,
              "state",
              "write scenarios: the created resource listed as sent, the update shown, the "
              "delete done; a second create and a delete of what is gone refused",
              {false, false, false, false},
              judged_by_scenarios},
};
static_assert(k_checks.size() == static_cast<std::size_t>(CheckId::state) + 1,
              "every CheckId has a row in k_checks");
static_assert(
    [] {
        for (std::size_t i = 0; i < k_checks.size(); ++i)
            if (static_cast<std::size_t>(k_checks[i].id) != i)
                return false;
        return true;
    }(),
    "k_checks rows are in CheckId order");

} // namespace

namespace {

// An Observed of exchange without its body: the request's query, in sending order.
Observed without_body(const http::Exchange& exchange, Observed::Role role) {
    Observed o;
    o.exchange = &exchange;
    o.role = role;
    o.query.reserve(exchange.request.query.size());
    for (const http::QueryParam& p : exchange.request.query)
        o.query.emplace_back(p.name, p.value);
    return o;
}

} // namespace

Observed Observed::of(const http::Exchange& exchange, Role role, core::ParseLimits limits) {
    Observed o = without_body(exchange, role);
    if (exchange.response) {
        auto parsed = core::parse_json(exchange.response->body, "response body", limits);
        if (parsed)
            o.body = std::move(*parsed);
        else
            o.body_error = parsed.error().to_string();
    }
    return o;
}

Observed Observed::of(const http::Exchange& exchange, core::FastParser& parser, Role role,
                      core::ParseLimits limits) {
    Observed o = without_body(exchange, role);
    if (exchange.response) {
        auto parsed = parser.parse(exchange.response->body, "response body", limits);
        if (parsed)
            o.view = *parsed;
        else
            o.body_error = parsed.error().to_string();
    }
    return o;
}

Observed Observed::of_parsed(const http::Exchange& exchange, core::JsonView body, Role role) {
    Observed o = without_body(exchange, role);
    o.view = body;
    return o;
}

void Observed::find_once(const contract::Contract& contract, const contract::Operation* operation) {
    if (!view)
        return; // an nlohmann body is this object's own: a copy's views would point into it
    Found f;
    f.envelope = &contract.envelope;
    f.success = is_success(contract.envelope, *view);
    if (operation && operation->pagination) {
        f.model = &*operation->pagination;
        f.listing = locate_listing(*f.model, *view);
    }
    found = std::move(f);
}

bool Observed::succeeded(const contract::Envelope& envelope) const {
    if (found && found->envelope == &envelope)
        return found->success;
    return is_success(envelope, json());
}

Listing Observed::listing_in(const PageModel& model) const {
    if (found && found->model == &model)
        return found->listing;
    return locate_listing(model, json());
}

std::optional<PageFacts> walk_facts(const contract::Contract& contract,
                                    const contract::Operation& operation,
                                    const Observed& observed) {
    if (!operation.pagination || !observed.has_json() || !observed.succeeded(contract.envelope))
        return std::nullopt;
    return page_facts(*operation.pagination, observed.listing_in(*operation.pagination));
}

std::span<const CheckInfo> checks() noexcept {
    return k_checks;
}

const CheckInfo* find_check(std::string_view name) noexcept {
    for (const CheckInfo& c : k_checks)
        if (c.name == name)
            return &c;
    return nullptr;
}

bool applies(const CheckInfo& check, const contract::Case& test_case) noexcept {
    if (!check.kinds[static_cast<std::size_t>(test_case.kind)])
        return false;
    if (test_case.checks.empty())
        return true;
    return std::find(test_case.checks.begin(), test_case.checks.end(), check.name) !=
           test_case.checks.end();
}

bool is_throttled(const contract::Contract& contract, const Observed& observed) {
    const http::Exchange& x = *observed.exchange;
    if (!x.response)
        return false;
    if (x.response->status == 429 ||
        (x.response->status == 503 && x.response->header("Retry-After")))
        return true;
    if (!observed.has_json())
        return false;
    // The vendors' rate-limit answers come with HTTP 200 and say so in the envelope
    // (Tencent: RequestLimitExceeded; look-alike gateways: "rate limit", "too many requests").
    const core::JsonView body = observed.json();
    if (observed.succeeded(contract.envelope))
        return false;
    for (const std::string* pointer :
         {&contract.envelope.message_pointer,
          contract.envelope.description ? &contract.envelope.description->pointer : nullptr}) {
        if (!pointer)
            continue;
        if (auto v = core::resolve_pointer(body, *pointer); v && v->is_string()) {
            const std::string_view text = v->as_string();
            if (core::icontains(text, "RequestLimitExceeded") ||
                core::icontains(text, "rate limit") || core::icontains(text, "too many requests"))
                return true;
        }
    }
    return false;
}

} // namespace conform::checks
