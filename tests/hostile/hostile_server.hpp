#pragma once
// Hostile servers for the client's hardening tests (STYLE.md lesson 13: real loopback sockets,
// ephemeral ports): raw POSIX sockets on 127.0.0.1, each connection handled by a thread that
// reads the request head and then runs a script — reset mid-body, trickle a byte at a time,
// stream a gzip bomb — and a TLS variant that presents a certificate made for the case. Every
// server is started and stopped deterministically: stop() (or the destructor) wakes every
// script, shuts every connection down and joins every thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace conform::test {

// What a script may do with its connection.
class Peer {
public:
    Peer(int sock, void* ssl, const std::atomic<bool>& stopping, std::string request)
        : m_sock(sock), m_ssl(ssl), m_stopping(stopping), m_request(std::move(request)) {}

    // Writes all of data; false when the client has gone (or the server stops).
    bool send(std::string_view data);
    // The request head (and any body bytes that came with it), as read before the script ran.
    [[nodiscard]] const std::string& request() const noexcept { return m_request; }
    // Sleeps, cut short when the server stops; false then.
    [[nodiscard]] bool pause(std::chrono::milliseconds span) const;
    // Waits until the client closes the connection or the server stops.
    void hold() const;
    // An RST instead of a FIN: SO_LINGER with a zero timeout; the server then closes.
    void reset();
    [[nodiscard]] bool stopping() const noexcept { return m_stopping.load(); }

private:
    int m_sock;
    void* m_ssl; // SSL*, when the server speaks TLS
    const std::atomic<bool>& m_stopping;
    std::string m_request;
};

using Script = std::function<void(Peer&)>;

// A certificate and key for TlsOptions, PEM.
struct TestIdentity {
    std::string certificate_pem;
    std::string key_pem;
};
// EC P-256, self-signed; subject_alt_names as OpenSSL writes them ("IP:127.0.0.1"), valid
// from now + not_before to now + not_after (both may be in the past: an expired certificate).
TestIdentity make_identity(const std::string& subject_alt_names,
                           std::chrono::seconds not_before = std::chrono::hours(-1),
                           std::chrono::seconds not_after = std::chrono::hours(24));

class HostileServer {
public:
    // Plain TCP; each accepted connection reads a request head, then runs script.
    explicit HostileServer(Script script);
    // TLS with identity; the handshake failing (the client refusing the certificate) ends the
    // connection before the script.
    HostileServer(Script script, TestIdentity identity);
    ~HostileServer();
    HostileServer(const HostileServer&) = delete;
    HostileServer& operator=(const HostileServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }
    [[nodiscard]] std::string authority() const { return "127.0.0.1:" + std::to_string(m_port); }
    [[nodiscard]] std::string base_url() const {
        return std::string(m_tls ? "https://" : "http://") + authority() + "/";
    }
    [[nodiscard]] int connections() const noexcept { return m_connections.load(); }
    [[nodiscard]] int requests() const noexcept { return m_requests.load(); }
    void stop();

private:
    struct Tls;
    void run();
    void serve(int sock);

    Script m_script;
    bool m_tls = false;
    std::unique_ptr<Tls> m_tls_state;
    int m_listener = -1;
    std::uint16_t m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_connections{0};
    std::atomic<int> m_requests{0};
    std::mutex m_mutex; // guards m_open and m_workers
    std::vector<int> m_open;
    std::vector<std::thread> m_workers;
    std::thread m_acceptor;
};

// The process's peak resident set (getrusage ru_maxrss), in bytes: a body held whole would
// raise it by its size.
[[nodiscard]] std::size_t peak_rss_bytes();

// Compressed streams of count zero bytes, produced piece by piece into sink (false from sink
// stops): the bombs, flushed after each MiB of input. gzip: one RFC 1952 member, deflate
// level 1; brotli: quality 5.
bool stream_gzip_zeros(std::uint64_t count, const std::function<bool(std::string_view)>& sink);
bool stream_brotli_zeros(std::uint64_t count, const std::function<bool(std::string_view)>& sink);
std::string gzip(std::string_view data);

// One HTTP/1.1 chunk.
std::string chunk(std::string_view data);

// A response head: status line, Content-Type: application/json, headers (each ending in
// CRLF), and the blank line.
std::string head(const std::string& headers, const std::string& status = "200 OK");

} // namespace conform::test

namespace conform::test {

// A client that sends bytes as given (no HTTP library in between) and reads until the server
// closes or the timeout passes: what a malformed request gets back.
struct RawAnswer {
    int status = 0;      // of the first status line; 0: none came
    std::string bytes;   // everything received
    bool closed = false; // the server closed (rather than the timeout passing)
};
RawAnswer raw_request(std::uint16_t port, std::string_view request,
                      std::chrono::milliseconds timeout);

} // namespace conform::test
