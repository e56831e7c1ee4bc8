#pragma once
// The client's side of one connection. httplib writes requests and parses answers (its
// protected ClientImpl::process_request, as the server's side uses Server::process_request);
// the socket, TLS, timeouts and byte budgets are ours, because httplib 0.11 bounds neither the
// time a trickling server may take (each read has a timeout, the request none) nor the memory
// a header line, a chunk-size line or a body may take.
//
// Every wait is poll(2) on a non-blocking socket, for at most the read timeout and never past
// the request's deadline; every byte handed to httplib counts against the current budget.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

namespace conform::http::internal {

using SteadyClock = std::chrono::steady_clock;

// Why the connection stopped handing out bytes.
enum class StreamStop : std::uint8_t {
    none,
    end_of_stream, // the peer closed (FIN, or TLS close_notify)
    reset,         // ECONNRESET, or a TLS record that does not decrypt
    read_timeout,  // nothing for a whole read timeout
    deadline,      // the request's deadline passed
    head_limit,    // the status line and headers would exceed their budget
    body_limit,    // the body bytes on the wire would exceed their budget
    write_failed,  // the request could not be written
};

struct ConnectFailure {
    enum class Why : std::uint8_t {
        refused,       // every address refused or unreachable; DNS failed
        timeout,       // the connect timeout passed
        deadline,      // the request deadline passed first
        tls_untrusted, // the chain does not verify (verify_error)
        tls_name,      // the certificate does not name the host
        tls_failed,    // any other handshake failure (detail)
        tls_timeout,   // the handshake took longer than the read timeout
    } why;
    std::string detail;
};

struct ConnectTimeouts {
    std::chrono::milliseconds connect_timeout;
    std::chrono::milliseconds read_timeout;
    SteadyClock::time_point deadline;
};

class ClientConnection final : public httplib::Stream {
public:
    // TCP to host:port (every address getaddrinfo gives, in order), then TLS when ctx is set:
    // SNI for a DNS name, and, when verify is on, the chain against ctx's store and the name
    // against host (an IP literal against IP subjectAltNames, RFC 6125 6.2.1).
    static std::unique_ptr<ClientConnection> open(const std::string& host, std::uint16_t port,
                                                  SSL_CTX* ctx, bool verify,
                                                  const ConnectTimeouts& timeouts,
                                                  std::optional<ConnectFailure>& failure);
    ~ClientConnection() override;
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    // httplib 0.11 matches the status line with std::regex, whose recursion grows with the
    // line, and buffers a header line whole before it compares it with its own 8192-byte
    // limit: lines longer than these never reach it.
    static constexpr std::size_t k_status_line_max = 1024;
    static constexpr std::size_t k_header_line_max = 8192;
    enum class LongLine : std::uint8_t { none, status_line, header_line };

    // Starts a request: its timeouts, and the budget of the response head.
    void begin(std::chrono::milliseconds read_timeout, SteadyClock::time_point deadline,
               std::size_t head_budget);
    // The head is parsed: from now on at most budget more bytes (the body on the wire).
    void begin_body(std::size_t budget);

    [[nodiscard]] StreamStop stop() const noexcept { return m_stop; }
    [[nodiscard]] LongLine long_line() const noexcept { return m_long_line; }
    [[nodiscard]] std::size_t received() const noexcept { return m_delivered; } // this request
    [[nodiscard]] std::size_t body_received() const noexcept { return m_body_delivered; }
    [[nodiscard]] bool in_body() const noexcept { return m_in_body; }
    // Nothing unread, no error, and the peer has not closed or sent unasked bytes: the
    // connection may carry another request.
    [[nodiscard]] bool reusable() const;
    [[nodiscard]] bool used() const noexcept { return m_requests > 0; }

    // httplib::Stream
    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_sock; }

private:
    ClientConnection(int sock, SSL* ssl) : m_sock(sock), m_ssl(ssl) {}
    // Waits for events within the read timeout and the deadline; false sets m_stop.
    bool wait(short events);
    bool fill(); // reads more into m_buffer; false sets m_stop

    int m_sock;
    SSL* m_ssl;
    std::chrono::milliseconds m_read_timeout{5000};
    SteadyClock::time_point m_deadline = SteadyClock::time_point::max();
    StreamStop m_stop = StreamStop::none;
    std::size_t m_budget = 0;
    std::size_t m_head_lines = 0;  // complete lines of the head so far
    std::size_t m_line_length = 0; // of the line being read
    LongLine m_long_line = LongLine::none;
    bool m_in_body = false;
    std::size_t m_delivered = 0;
    std::size_t m_body_delivered = 0;
    std::size_t m_requests = 0;
    std::unique_ptr<char[]> m_buffer = std::make_unique<char[]>(k_buffer);
    std::size_t m_begin = 0;
    std::size_t m_end = 0;

    static constexpr std::size_t k_buffer = 16 * 1024;
};

// httplib's request writer and answer parser, without its sockets.
class Protocol final : public httplib::ClientImpl {
public:
    Protocol();
    bool exchange(httplib::Stream& stream, httplib::Request& request, httplib::Response& response,
                  bool close_connection, httplib::Error& error) {
        return process_request(stream, request, response, close_connection, error);
    }
};

} // namespace conform::http::internal
