// Each slot's values as code, in one switch per slot: a persona row only names values.
#include "runner/serve/internal/mutation.hpp"

#include <algorithm>

#include "runner/core/text.hpp"
#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/params.hpp"

namespace conform::serve::internal {

using nlohmann::json;

namespace {

// The body a gateway in front of a broken backend sends (nginx's own 502 page).
constexpr std::string_view k_bad_gateway_page =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    "</html>\r\n";

} // namespace

PageSpan page_span(PageWindow window, const contract::Pagination& page,
                   const http::QueryParams& params, std::int64_t n) {
    auto read = [&](const std::string& name, std::int64_t fallback) {
        const std::string* text = params.find(name);
        if (!text)
            return fallback;
        auto v = parse_integer(*text);
        return v && *v >= 0 ? *v : fallback;
    };
    const std::int64_t default_limit = window == PageWindow::half_default
                                           ? wrong_default_limit(page.limit_default)
                                           : page.limit_default;
    PageSpan s;
    s.offset = read(page.offset_param, page.offset_default);
    s.limit = read(page.limit_param, default_limit);
    s.start = s.offset;
    s.count = s.limit;
    switch (window) {
    case PageWindow::ignore_limit:
        s.count = n;
        break;
    case PageWindow::ignore_offset:
        s.start = 0;
        break;
    case PageWindow::skip_one:
        // Only pages after the first shift, so that a full listing (offset 0) still holds the
        // skipped items and conform can name the gap.
        if (s.offset > 0)
            s.start = s.offset + 1;
        break;
    case PageWindow::repeat_one:
        // Only inside the listing: an offset at the end still answers an empty page, so the
        // one deviation is the repeat.
        if (s.offset > 0 && s.offset < n)
            s.start = s.offset - 1;
        break;
    case PageWindow::exact:
    case PageWindow::half_default:
        break;
    }
    return s;
}

void transform_items(ItemTransform transform, const contract::Pagination& page,
                     const OperationPlan& plan, json& items) {
    switch (transform) {
    case ItemTransform::none:
        break;
    case ItemTransform::key_strings:
        for (json& item : items) {
            const json key = item.value(page.item_key, json());
            item = key.is_string() ? key : json(key.dump());
        }
        break;
    case ItemTransform::lowercase:
        for (json& item : items) {
            json lowered = json::object();
            for (auto& [k, v] : item.items())
                lowered[core::ascii_lower(k)] = v;
            item = std::move(lowered);
        }
        break;
    case ItemTransform::drop_required:
        if (!plan.dropped_field.empty())
            for (json& item : items)
                item.erase(plan.dropped_field);
        break;
    case ItemTransform::add_undeclared:
        // No documented name is a near miss of k_extra_field, so conform must call it
        // field.unexpected rather than field.renamed.
        for (json& item : items)
            item[std::string(k_extra_field)] = "a field the contract does not declare";
        break;
    }
}

std::int64_t reported_total(TotalTransform transform, const PageSpan& span, std::int64_t n) {
    // one_more_inside: a function of the page, not a shared counter: concurrent cases cannot
    // change what a walk sees, and the first and last pages agree with the items, so the only
    // deviation is the changing total.
    if (transform == TotalTransform::one_more_inside && span.offset > 0 &&
        span.offset + span.limit < n)
        return n + 1;
    return n; // as_string changes the type only (page_body)
}

void transform_body(BodyTransform transform, const contract::Pagination& page, json& body) {
    if (transform != BodyTransform::data_envelope)
        return;
    // Tencent's sample shape: the documented members one level down, under "data".
    json list = take_at(body, page.items_pointer);
    json count_value = take_at(body, page.total_pointer);
    set_at(body, "/data" + page.items_pointer, std::move(list));
    set_at(body, "/data" + page.total_pointer, std::move(count_value));
}

void apply_fault(TransportFault fault, const contract::Contract& contract,
                 const http::ServerRequest& request, const ReferenceOptions& options,
                 http::ServerResponse& response) {
    switch (fault) {
    case TransportFault::none:
        break;
    case TransportFault::http_500: {
        // A backend failure: the contract's error envelope, with an HTTP status the pages never
        // use (SIGNING.md: errors come with HTTP 200).
        auto params = http::parse_query(request.raw_query);
        const std::string* echo = params ? params->find(contract.routing.param) : nullptr;
        response = {};
        response.body = dump(refusal_envelope(contract, echo ? *echo : std::string(),
                                              Refusal::internal_error, "Internal Server Error"));
        response.status = 500;
        break;
    }
    case TransportFault::html_error:
        response = {};
        response.status = 502;
        response.content_type = "text/html";
        response.body = std::string(k_bad_gateway_page);
        break;
    case TransportFault::slow:
        response.delay = options.slow_delay;
        break;
    case TransportFault::truncated_body:
        // Announce more than is sent; the server closes the connection after the body.
        response.declared_length = response.body.size() + 64;
        break;
    }
}

} // namespace conform::serve::internal
