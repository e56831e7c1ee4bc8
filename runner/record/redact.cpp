#include <algorithm>
#include <cctype>

#include "runner/core/text.hpp"
#include "runner/core/utf8.hpp"
#include "runner/record/record.hpp"

#include "runner/core/json_parse.hpp"

namespace conform::record {
namespace {

// Text bodies are cut on a UTF-8 boundary so that the excerpt stays valid JSON text.
std::string cut_utf8(const std::string& text, std::size_t max) {
    if (text.size() <= max)
        return text;
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end);
}

// nlohmann::json refuses invalid UTF-8 on dump; a hostile body must still be reportable.
std::string printable(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        if (core::next_code_point(text, i)) {
            out.append(text, start, i - start);
        } else {
            out += "\xEF\xBF\xBD"; // U+FFFD
            ++i;
        }
    }
    return out;
}

} // namespace

bool is_secret_name(std::string_view name) noexcept {
    return std::any_of(k_secret_names.begin(), k_secret_names.end(),
                       [&](std::string_view secret) { return core::iequals(secret, name); });
}

http::QueryParams redact(const http::QueryParams& params) {
    http::QueryParams out;
    for (const http::QueryParam& p : params)
        out.add(p.name, is_secret_name(p.name) ? std::string(k_redacted) : p.value);
    return out;
}

http::Headers redact(const http::Headers& headers) {
    http::Headers out;
    for (const http::Header& h : headers)
        out.push_back({h.name, is_secret_name(h.name) ? std::string(k_redacted) : h.value});
    return out;
}

std::string redact_raw_query(std::string_view raw_query) {
    std::string out;
    out.reserve(raw_query.size());
    std::size_t start = 0;
    for (;;) {
        const std::size_t amp = raw_query.find('&', start);
        const std::string_view pair = raw_query.substr(
            start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        const std::size_t eq = pair.find('=');
        const std::string_view raw_name = pair.substr(0, eq);
        // The name as the server decodes it ("Signatur%65" is still Signature).
        auto name = http::percent_decode(raw_name);
        if (eq != std::string_view::npos && is_secret_name(name ? *name : std::string(raw_name))) {
            out.append(raw_name);
            out += '=';
            out.append(k_redacted);
        } else {
            out.append(pair);
        }
        if (amp == std::string_view::npos)
            break;
        out += '&';
        start = amp + 1;
    }
    return out;
}

std::string redacted_url(const http::Request& request) {
    http::Request copy;
    copy.base_url = request.base_url;
    copy.query = redact(request.query);
    if (request.raw_query)
        copy.raw_query = redact_raw_query(*request.raw_query);
    return copy.url();
}

nlohmann::json excerpt(const http::Exchange& exchange, std::size_t max_text) {
    nlohmann::json j;
    j["request"] = {{"method", exchange.request.method}, {"url", redacted_url(exchange.request)}};
    if (exchange.failure) {
        j["failure"] = {{"kind", std::string(http::name_of(exchange.failure->kind))},
                        {"message", exchange.failure->message}};
        return j;
    }
    const http::Response& r = *exchange.response;
    nlohmann::json response = {{"status", r.status}};
    if (const std::string* type = r.header("Content-Type"))
        response["content_type"] = printable(*type);
    // Parsed with the depth limit: a hostile body nested 100,000 deep must not overflow.
    auto body = r.body.size() <= 64 * max_text ? core::parse_json(r.body)
                                               : core::Result<nlohmann::json>(core::fail("large"));
    if (body) {
        response["body"] = std::move(*body);
    } else {
        response["body_text"] = printable(cut_utf8(r.body, max_text));
        if (r.body.size() > max_text)
            response["body_truncated"] = r.body.size();
    }
    j["response"] = std::move(response);
    return j;
}

} // namespace conform::record
