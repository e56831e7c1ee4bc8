#pragma once
// What `conform record` and `conform serve --recordings` share around their http::Server:
// --listen as `conform serve` reads it (runner/serve/serve_job.cpp; record comes before serve,
// so it cannot call that one), header-name lists, and SIGINT/SIGTERM for one run. Internal to
// conform::record.

#include <array>
#include <csignal>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/result.hpp"
#include "runner/core/text.hpp"
#include "runner/http/server.hpp"
#include "runner/http/transport.hpp"

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

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (loopback); host and port of the options only.
[[nodiscard]] core::Result<http::ServerOptions> parse_listen(std::string_view text);

// Installs SIGINT/SIGTERM handlers that call http::Server::signal_stop() (async-signal-safe;
// stopping joins threads, which is not) for one run, and restores the previous ones after.
// Construct it before the server starts: signal_stop reaches servers started before the call.
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    struct sigaction m_previous_int {};
    struct sigaction m_previous_term {};
};

} // namespace conform::record::internal
