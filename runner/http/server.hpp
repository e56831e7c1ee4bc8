#pragma once
// conform::http server — a real HTTP(S) listener on loopback for the reference server, the
// recorder and tests (STYLE.md lesson 13: real sockets, ephemeral ports, certificates made at
// start). The handler sees plain values; httplib never leaves this module.
//
//   auto server = Server::start({.host = "127.0.0.1", .port = 0, .tls = true},
//                               [](const ServerRequest& r) { return answer(r); });
//   std::string url = (*server)->base_url();   // "https://127.0.0.1:40123"
//   (*server)->stop();                          // also on destruction

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runner/core/result.hpp"
#include "runner/http/http.hpp"

namespace conform::http {

struct ServerRequest {
    std::string method;
    std::string path;      // "/v2/index.php", without the query, as received (not decoded)
    std::string raw_query; // as received, without '?', still percent-encoded
    Headers headers;
    std::string body;
    std::string host; // the Host header ("127.0.0.1:40123"), as a signature sees it
    bool tls = false;
    std::string remote_address;    // the client's address ("127.0.0.1"), for logs
    std::uint16_t remote_port = 0; // the client's port: one per connection (keep-alive tests)
};

struct ServerResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    Headers headers;
    // Misbehaviours for personas (a conforming answer leaves both unset):
    std::optional<std::chrono::milliseconds> delay; // wait this long before answering;
                                                    // cut short when the server stops
    std::optional<std::size_t> declared_length;     // announce this Content-Length, send body
                                                    // (shorter), then close the connection
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; // 0: an ephemeral port, chosen by the kernel
    bool tls = false;       // HTTPS with a self-signed certificate generated at start
                            // (OpenSSL API; subjectAltName 127.0.0.1, ::1 and localhost)
    int threads = 8;        // connections served at once: an idle keep-alive connection holds a
                            // thread, and gives it up when another connection waits for one
    // A request body larger than this is answered 413 unread (httplib's own default is
    // unlimited: a client could make the server hold whatever it sends).
    std::size_t max_request_body_bytes = std::size_t{1} << 20; // 1 MiB
    // The request line and headers; past this the answer is 400 (a line: 414 past 8 KiB for
    // the request target, 400 for a header line, httplib's limits).
    std::size_t max_request_head_bytes = std::size_t{64} << 10; // 64 KiB
};

class Server {
public:
    // Binds and starts answering on a background thread; returns once the socket listens.
    // Fails naming host:port when it cannot bind, or when the certificate cannot be made.
    [[nodiscard]] static core::Result<std::unique_ptr<Server>> start(const ServerOptions& options,
                                                                     Handler handler);
    virtual ~Server() = default;

    [[nodiscard]] virtual std::uint16_t port() const = 0;
    // "http://127.0.0.1:40123" or "https://..." (IPv6 hosts in brackets).
    [[nodiscard]] virtual std::string base_url() const = 0;
    // The generated certificate, PEM, for a client's ca_file; empty without TLS.
    [[nodiscard]] virtual std::string certificate_pem() const = 0;
    // Blocks until stop() is called from another thread, or signal_stop() from a signal
    // handler (seen within 100 ms; wait() then stops the server itself).
    virtual void wait() = 0;
    // Stops listening, cuts delays short, closes open connections (idle keep-alive ones too),
    // joins the worker threads. Idempotent and thread-safe; never call it from a handler.
    virtual void stop() = 0;

    // Async-signal-safe: asks every server started before the call to stop; their wait()
    // returns (a SIGINT handler of `conform serve` calls this and nothing else).
    static void signal_stop() noexcept;
};

// --listen: "HOST:PORT", "[IPv6]:PORT" or ":PORT" (loopback, never every interface by
// accident). Sets the host and port of the options; fails naming the text.
[[nodiscard]] core::Result<ServerOptions> parse_listen(std::string_view text);

// --cert-out for a TLS server: writes its certificate (PEM) to file and says so on err, as
// `who` ("conform serve"); without a file, says how a client can trust it. Fails naming the
// file it cannot write.
[[nodiscard]] core::Result<void>
announce_certificate(const Server& server, const std::optional<std::filesystem::path>& file,
                     std::string_view who, std::ostream& err);

// SIGINT/SIGTERM for one run of a serving command: the handler calls Server::signal_stop()
// (async-signal-safe; stopping joins threads, which is not), and the previous handlers come
// back afterwards. Construct it before the server starts: signal_stop reaches the servers
// started before the signal.
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Whether a stop was asked (a signal, or signal_stop()) since construction.
    [[nodiscard]] bool requested() const noexcept;
    // Blocks until requested(), or until *stop turns true (tests stop a command this way;
    // nullptr: signals only). Checks every 50 ms.
    void wait(const std::atomic<bool>* stop = nullptr) const;

private:
    struct sigaction m_previous_int {};
    struct sigaction m_previous_term {};
    unsigned m_generation = 0;
};

// How a serving command ends once its server is up (serve_until_stopped).
struct Serving {
    std::string_view who; // "conform serve": names the command in what it says
    bool tls = false;     // announce the certificate first (announce_certificate)
    std::optional<std::filesystem::path> certificate_out; // --cert-out
    const std::atomic<bool>* stop = nullptr;              // see StopSignals::wait
};

// The end of a serving command: with TLS, announces the certificate; says "Ctrl-C stops";
// waits for a stop (signals, or *how.stop); stops the server. Fails, with the server
// stopped, when the certificate cannot be written.
[[nodiscard]] core::Result<void> serve_until_stopped(Server& server, const StopSignals& signals,
                                                     const Serving& how, std::ostream& err);

} // namespace conform::http
