#pragma once
// conform::record — what may be written down of an exchange. Today: redaction (DESIGN.md:
// signatures, keys and tokens never reach a recording or a report) and the request/response
// excerpt that reports carry; recordings, HAR and the recording servers come with it
// (internal/, included at the end).
//
//   nlohmann::json j = excerpt(exchange);   // {"request": {...}, "response": {...}}, redacted

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runner/http/http.hpp"

namespace conform::record {

inline constexpr std::string_view k_redacted = "REDACTED";

// Query parameters and headers whose values are credentials, compared case-insensitively.
// Tencent's SecretId and UCloud's PublicKey identify an account and go with every signed
// request; they are redacted too, so that a recording shared in a bug report names no one.
inline constexpr std::array<std::string_view, 10> k_secret_names = {
    "Signature", "PublicKey",     "PrivateKey", "SecretId",   "SecretKey",
    "Token",     "Authorization", "Cookie",     "Set-Cookie", "X-TC-Token"};

[[nodiscard]] bool is_secret_name(std::string_view name) noexcept;
[[nodiscard]] http::QueryParams redact(const http::QueryParams& params);
[[nodiscard]] http::Headers redact(const http::Headers& headers);
// A raw query string (after '?', still percent-encoded) with the values of secret parameters
// replaced and every other byte kept, so that a recording shows what was sent.
[[nodiscard]] std::string redact_raw_query(std::string_view raw_query);
// The request's URL with secret parameter values replaced (Request::raw_query when set).
[[nodiscard]] std::string redacted_url(const http::Request& request);

// The excerpt of one exchange that reports show: the redacted request (method, URL) and the
// response (status, content type, body as parsed JSON, or as text cut to max_text bytes), or
// the transport failure.
[[nodiscard]] nlohmann::json excerpt(const http::Exchange& exchange, std::size_t max_text = 2048);

} // namespace conform::record

// Behind the door (STYLE.md lesson 1): JSONL recordings (writer, reader, the exchange record),
// HAR import and export, the recording proxy (`conform record`) and the server that answers
// from a recording.
#include "runner/record/internal/har.hpp"             // IWYU pragma: export
#include "runner/record/internal/proxy.hpp"           // IWYU pragma: export
#include "runner/record/internal/recorded_server.hpp" // IWYU pragma: export
#include "runner/record/internal/recording.hpp"       // IWYU pragma: export
