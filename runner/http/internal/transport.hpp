#pragma once
// conform::http transport — one request out, one Exchange back (DESIGN.md "Exchange"). The
// live runner sends through a Transport; tests and fuzzers inject their own (STYLE.md lesson 2).
// httplib and OpenSSL types never leave this module (lesson 5): a transport failure comes back
// as a TransportFailure value naming its kind, never as an exception.
//
//   ClientOptions options;
//   options.read_timeout = std::chrono::milliseconds(2000);
//   auto transport = make_transport(options);                 // Result<unique_ptr<Transport>>
//   Request r{.method = "GET", .base_url = "https://127.0.0.1:8443/v2/index.php", .query = q};
//   Exchange x = (*transport)->send(r);
//   if (x.failure) report(x.failure->kind, x.failure->message);
//   else use(x.response->status, x.response->body);

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/clock.hpp"
#include "runner/core/result.hpp"
#include "runner/http/http.hpp"

namespace conform::http {

struct Header {
    std::string name;
    std::string value;

    friend bool operator==(const Header&, const Header&) = default;
};
// In the order they were sent or received; names compare case-insensitively (RFC 9110 5.1).
using Headers = std::vector<Header>;

// The first value of a header, case-insensitively; nullptr when absent.
[[nodiscard]] const std::string* find_header(const Headers& headers, std::string_view name);

struct Request {
    std::string method = "GET";
    std::string base_url; // scheme://host[:port][/path], no query: "http://127.0.0.1:5000/"
    QueryParams query;    // sent percent-encoded (encode_query), in this order
    // When set, sent after '?' exactly as given instead of encode_query(query) (the recording
    // proxy forwards a client's query byte for byte, so that its signature stays valid;
    // `query` then only describes it). Empty: no '?'.
    std::optional<std::string> raw_query;
    Headers headers; // extra request headers
    std::string body;

    // base_url + "?" + (raw_query, or else encode_query(query)); no '?' when that is empty.
    [[nodiscard]] std::string url() const;
};

struct Response {
    int status = 0;
    Headers headers;  // as received (Content-Encoding and Content-Length describe the wire
                      // body); grouped by name, repeats in the order received
    std::string body; // the decoded body (gzip/brotli content-encoding undone)

    [[nodiscard]] const std::string* header(std::string_view name) const {
        return find_header(headers, name);
    }
};

// Why no complete response came back. Each kind is a DESIGN.md http.transport cause; the
// engine reports timeouts and refused connections as environment problems where it must.
enum class FailureKind : std::uint8_t {
    invalid_url,        // base_url does not parse, or a scheme other than http/https
    connect_failed,     // refused, unreachable, DNS
    connect_timeout,    // no connection within ClientOptions::connect_timeout
    read_timeout,       // connected, but no complete answer within ClientOptions::read_timeout
    tls_failed,         // handshake or certificate verification failed
    connection_closed,  // reset or closed before a complete response arrived
    truncated_body,     // the peer closed before the end of the body that Content-Length or
                        // chunked framing announced
    malformed_response, // not HTTP/1.x: a status line, header line, chunk or Content-Length
                        // that does not parse
    header_too_large,   // the status line and headers exceed ClientOptions::max_header_bytes
                        // (or a line exceeds what httplib parses safely)
    body_too_large,     // the body, announced, on the wire or decoded, exceeds max_body_bytes
    decode_error,       // the body does not decode as its Content-Encoding says
    too_slow,           // no complete answer within ClientOptions::request_timeout, however
                        // steadily the bytes trickled in
};

struct FailureKindInfo {
    FailureKind kind;
    std::string_view name; // "read-timeout"
    std::string_view meaning;
    // The target gave no answer at all: it refused or never took the connection, or let a
    // timeout or the request deadline pass. The live runner counts these towards declaring a
    // target unresponsive (--unresponsive-after); an answer that came and was refused (too
    // large, malformed, cut short) is a deviation of its case instead.
    bool no_answer = false;
};
inline constexpr std::array k_failure_kinds = {
    FailureKindInfo{FailureKind::invalid_url, "invalid-url", "the URL does not parse"},
    FailureKindInfo{FailureKind::connect_failed, "connect-failed",
                    "the connection was refused or the host is unreachable", true},
    FailureKindInfo{FailureKind::connect_timeout, "connect-timeout",
                    "no connection within the connect timeout", true},
    FailureKindInfo{FailureKind::read_timeout, "read-timeout",
                    "no complete answer within the read timeout", true},
    FailureKindInfo{FailureKind::tls_failed, "tls-failed",
                    "the TLS handshake or certificate verification failed", true},
    FailureKindInfo{FailureKind::connection_closed, "connection-closed",
                    "the connection closed before a complete response"},
    FailureKindInfo{FailureKind::truncated_body, "truncated-body",
                    "the connection closed before the end of the announced body"},
    FailureKindInfo{FailureKind::malformed_response, "malformed-response",
                    "the answer is not HTTP"},
    FailureKindInfo{FailureKind::header_too_large, "header-too-large",
                    "the status line and headers exceed the header limit"},
    FailureKindInfo{FailureKind::body_too_large, "body-too-large",
                    "the body exceeds the body limit (as sent or decoded)"},
    FailureKindInfo{FailureKind::decode_error, "decode-error",
                    "the body does not decode as its Content-Encoding says"},
    FailureKindInfo{FailureKind::too_slow, "too-slow",
                    "no complete answer within the request deadline", true},
};
static_assert(k_failure_kinds.size() == static_cast<std::size_t>(FailureKind::too_slow) + 1);
[[nodiscard]] constexpr std::string_view name_of(FailureKind kind) noexcept {
    return k_failure_kinds[static_cast<std::size_t>(kind)].name;
}
[[nodiscard]] constexpr bool is_no_answer(FailureKind kind) noexcept {
    return k_failure_kinds[static_cast<std::size_t>(kind)].no_answer;
}

struct TransportFailure {
    FailureKind kind;
    std::string message; // one line: what happened, to which host ("read timeout after 2000 ms
                         // from 127.0.0.1:5000")
};

// One request and what came of it: a response, or a failure (never both, never neither).
struct Exchange {
    Request request;
    std::optional<Response> response;
    std::optional<TransportFailure> failure;
    std::chrono::system_clock::time_point started; // when the request was sent
    double seconds = 0;                            // until the response was complete
};

class Transport {
public:
    virtual ~Transport() = default;
    // Thread-safe: the engine's workers share one transport.
    [[nodiscard]] virtual Exchange send(const Request& request) = 0;
};

struct ClientOptions {
    std::chrono::milliseconds connect_timeout{3000}; // TCP connect (TLS handshake: read_timeout)
    std::chrono::milliseconds read_timeout{5000};    // the longest wait for the next bytes of
                                                     // the answer (and to write the request)
    // The whole request, from the connect to the last body byte: a server that sends a byte
    // now and then never lets read_timeout pass, but cannot keep a request alive past this.
    // Unset: four times read_timeout (request_deadline(); 20 s by default), so that --timeout
    // alone bounds a trickling server too, with room for a large body streamed steadily.
    // Zero: no deadline.
    std::optional<std::chrono::milliseconds> request_timeout;
    // The response body, decoded (a gzip/brotli bomb stops here) and as announced; on the
    // wire it may take twice this plus 64 KiB (chunk framing). The body is never held beyond.
    std::size_t max_body_bytes = std::size_t{16} << 20; // 16 MiB
    // The status line and headers together (one line at most 8 KiB, the status line 1 KiB).
    std::size_t max_header_bytes = std::size_t{64} << 10; // 64 KiB
    std::optional<std::filesystem::path> ca_file;         // --cacert: a PEM bundle to trust
    bool insecure = false;                                // --insecure: no certificate verification
    bool keep_alive = true;                               // reuse connections per origin
    std::string user_agent = "conform/" CONFORM_VERSION;
    double rate_per_second = 0; // --rate N/s across all threads; 0: unlimited
    // When each exchange started and how long it took (Exchange::started, seconds); nullptr:
    // the system clock. Timeouts and deadlines always use real time.
    const core::Clock* clock = nullptr;

    // The deadline a request gets: request_timeout, or four times read_timeout when unset.
    [[nodiscard]] std::chrono::milliseconds request_deadline() const {
        return request_timeout.value_or(4 * read_timeout);
    }
};

// The client: our sockets and OpenSSL, cpp-httplib for the HTTP/1.1 wire format. Every wait
// is bounded by read_timeout and by the request's deadline (request_timeout), every byte by
// max_header_bytes or max_body_bytes; gzip, deflate and brotli bodies are decoded by us within
// max_body_bytes. Connections are pooled per origin
// (scheme, host, port) and reused when keep_alive is on; each concurrent send uses its own
// connection. A request that fails on a reused connection before any answer (the server
// closed it while idle) is sent once more on a new one. Certificates are verified against
// ca_file when given, else the system store; the name checked is the URL's host (IP
// addresses against IP subjectAltNames). Redirects are not followed. Fails when ca_file
// cannot be read or holds no certificate.
[[nodiscard]] core::Result<std::unique_ptr<Transport>> make_transport(const ClientOptions& options);

// A token bucket of one token shared by threads: acquire() blocks until the next request may
// go, so requests leave at most per_second a second, evenly spaced (no bursts after an idle
// spell: a contract's rate limit counts requests per window). rate <= 0 never blocks.
class RateLimiter {
public:
    explicit RateLimiter(double per_second);
    void acquire();

private:
    std::mutex m_mutex;
    std::chrono::steady_clock::duration m_interval{};
    std::chrono::steady_clock::time_point m_next{};
};

} // namespace conform::http
