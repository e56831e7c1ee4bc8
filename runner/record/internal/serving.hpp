#pragma once
// What `conform record` and `conform serve --recordings` share around their http::Server:
// header-name lists and the codings the transport undoes (--listen and SIGINT/SIGTERM are
// http::parse_listen and http::StopSignals, which `conform serve` uses too). Internal to
// conform::record.

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/result.hpp"
#include "runner/core/text.hpp"
#include "runner/http/http.hpp"
#include "runner/http/server.hpp"

namespace conform::record::internal {

// The codings the transport undoes: a recorded body is the decoded one, so a recorded
// Content-Encoding naming one of these no longer describes it.
inline constexpr std::array<std::string_view, 4> k_decoded_codings = {"gzip", "x-gzip", "deflate",
                                                                      "br"};

using core::iequals; // core/text.hpp
[[nodiscard]] bool one_of(std::string_view name, std::span<const std::string_view> names);

// The header names a Connection header lists (RFC 9110 7.6.1: also hop-by-hop).
[[nodiscard]] std::vector<std::string> connection_options(const http::Headers& headers);
[[nodiscard]] bool listed(std::string_view name, const std::vector<std::string>& names);

// The headers of a recorded or upstream answer that a client may see again from our server:
// not hop-by-hop (nor listed in Connection), not Content-Length (the server counts the body
// it sends), not a Content-Encoding the transport already undid (an unknown coding stays).
// Content-Type goes to out.content_type, which http::Server writes; the rest is appended to
// out.headers.
void copy_answer_headers(const http::Headers& from, http::ServerResponse& out);

} // namespace conform::record::internal
