#include "runner/http/internal/client.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "runner/http/internal/connection.hpp"

namespace conform::http::internal {

namespace {

using std::chrono::milliseconds;

// The time left until the earlier of now + timeout and deadline, and which of the two it is.
struct Wait {
    int ms;
    bool deadline_first;
};
Wait wait_of(milliseconds timeout, SteadyClock::time_point deadline) {
    const auto now = SteadyClock::now();
    const auto until_deadline =
        deadline == SteadyClock::time_point::max()
            ? milliseconds::max()
            : std::chrono::ceil<milliseconds>(std::max(deadline - now, SteadyClock::duration{}));
    const bool deadline_first = until_deadline <= timeout;
    const milliseconds span = std::min(until_deadline, timeout);
    return {static_cast<int>(std::clamp<milliseconds::rep>(span.count(), 0, INT_MAX)),
            deadline_first};
}

// poll(2) for events until the wait ends; 1 ready, 0 timed out, -1 error. EINTR resumes with
// the time that is left.
int poll_for(int sock, short events, milliseconds timeout, SteadyClock::time_point deadline,
             bool& deadline_first) {
    const auto started = SteadyClock::now();
    for (;;) {
        const auto elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started);
        const Wait w = wait_of(std::max(timeout - elapsed, milliseconds{0}), deadline);
        deadline_first = w.deadline_first;
        pollfd fd{sock, events, 0};
        const int ready = ::poll(&fd, 1, w.ms);
        if (ready > 0)
            return 1;
        if (ready == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

bool is_ip_literal(const std::string& host) {
    in6_addr v6{};
    in_addr v4{};
    return inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
           inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::string openssl_errors() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!out.empty())
            out += "; ";
        out += buffer;
    }
    return out;
}

// A non-blocking connect(2) to one address within the timeouts; the socket or -1.
int connect_one(const addrinfo& ai, const ConnectTimeouts& t, std::optional<ConnectFailure>& why) {
    const int sock =
        ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
    if (sock < 0) {
        why = ConnectFailure{ConnectFailure::Why::refused, std::strerror(errno)};
        return -1;
    }
    // Small requests on a kept-alive connection otherwise wait out delayed ACKs (Nagle).
    const int yes = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    if (::connect(sock, ai.ai_addr, ai.ai_addrlen) == 0)
        return sock;
    if (errno != EINPROGRESS) {
        why = ConnectFailure{ConnectFailure::Why::refused, std::strerror(errno)};
        ::close(sock);
        return -1;
    }
    bool deadline_first = false;
    const int ready = poll_for(sock, POLLOUT, t.connect_timeout, t.deadline, deadline_first);
    int error = 0;
    socklen_t length = sizeof error;
    if (ready == 1 && ::getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
        return sock;
    if (ready == 0)
        why = ConnectFailure{
            deadline_first ? ConnectFailure::Why::deadline : ConnectFailure::Why::timeout, {}};
    else
        why =
            ConnectFailure{ConnectFailure::Why::refused, std::strerror(ready == 1 ? error : errno)};
    ::close(sock);
    return -1;
}

} // namespace

Protocol::Protocol() : httplib::ClientImpl("localhost", 80) {
    set_decompress(false); // BodyDecoder does it, within the body limit
    set_url_encode(false); // the query is encoded already, exactly as it is signed
    set_follow_location(false);
    set_keep_alive(true);
}

std::unique_ptr<ClientConnection>
ClientConnection::open(const std::string& host, std::uint16_t port, SSL_CTX* ctx, bool verify,
                       const ConnectTimeouts& timeouts, std::optional<ConnectFailure>& failure) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    const int gai = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (gai != 0) {
        failure = ConnectFailure{ConnectFailure::Why::refused, gai_strerror(gai)};
        return nullptr;
    }
    int sock = -1;
    for (const addrinfo* ai = found; ai && sock < 0; ai = ai->ai_next) {
        sock = connect_one(*ai, timeouts, failure);
        if (sock < 0 && failure && failure->why != ConnectFailure::Why::refused)
            break; // a timeout spent the time the other addresses would need
    }
    ::freeaddrinfo(found);
    if (sock < 0)
        return nullptr;
    failure.reset();
    if (!ctx)
        return std::unique_ptr<ClientConnection>(new ClientConnection(sock, nullptr));

    SSL* ssl = SSL_new(ctx);
    std::unique_ptr<ClientConnection> connection(new ClientConnection(sock, ssl));
    if (!ssl || SSL_set_fd(ssl, sock) != 1) {
        failure = ConnectFailure{ConnectFailure::Why::tls_failed, openssl_errors()};
        return nullptr;
    }
    const bool ip = is_ip_literal(host);
    if (!ip)
        SSL_set_tlsext_host_name(ssl, host.c_str()); // RFC 6066 3: no SNI for IP literals
    if (verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1
               : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) {
            failure = ConnectFailure{ConnectFailure::Why::tls_failed,
                                     "cannot set the name to verify: " + openssl_errors()};
            return nullptr;
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    } else {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    }
    for (;;) {
        ERR_clear_error();
        const int ret = SSL_connect(ssl);
        if (ret == 1)
            break;
        const int error = SSL_get_error(ssl, ret);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            bool deadline_first = false;
            const int ready = poll_for(sock, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                                       timeouts.read_timeout, timeouts.deadline, deadline_first);
            if (ready == 1)
                continue;
            failure =
                ConnectFailure{ready == 0 && deadline_first ? ConnectFailure::Why::deadline
                                                            : ConnectFailure::Why::tls_timeout,
                               {}};
            return nullptr;
        }
        const long verified = SSL_get_verify_result(ssl);
        const std::string queue = openssl_errors();
        if (verify && verified == X509_V_ERR_HOSTNAME_MISMATCH)
            failure = ConnectFailure{ConnectFailure::Why::tls_name, {}};
        else if (verify && verified == X509_V_ERR_IP_ADDRESS_MISMATCH)
            failure = ConnectFailure{ConnectFailure::Why::tls_name, {}};
        else if (verify && verified != X509_V_OK)
            failure = ConnectFailure{ConnectFailure::Why::tls_untrusted,
                                     X509_verify_cert_error_string(verified)};
        else
            failure = ConnectFailure{
                ConnectFailure::Why::tls_failed,
                !queue.empty() ? queue
                : error == SSL_ERROR_SYSCALL
                    ? std::string("the peer closed the connection during the handshake")
                    : "SSL error " + std::to_string(error)};
        return nullptr;
    }
    return connection;
}

ClientConnection::~ClientConnection() {
    if (m_ssl) {
        // No close_notify: the connection is dropped, not negotiated down (and a broken peer
        // must not make us wait). SSL_free before close(2), never on a reused descriptor.
        SSL_free(m_ssl);
        ERR_clear_error();
    }
    ::close(m_sock);
}

void ClientConnection::begin(milliseconds read_timeout, SteadyClock::time_point deadline,
                             std::size_t head_budget) {
    m_read_timeout = read_timeout;
    m_deadline = deadline;
    m_stop = StreamStop::none;
    m_budget = head_budget;
    m_head_lines = 0;
    m_line_length = 0;
    m_long_line = LongLine::none;
    m_in_body = false;
    m_delivered = 0;
    m_body_delivered = 0;
    ++m_requests;
}

void ClientConnection::begin_body(std::size_t budget) {
    m_in_body = true;
    m_budget = budget;
}

bool ClientConnection::wait(short events) {
    bool deadline_first = false;
    const int ready = poll_for(m_sock, events, m_read_timeout, m_deadline, deadline_first);
    if (ready == 1)
        return true;
    m_stop = ready == 0 ? (deadline_first ? StreamStop::deadline : StreamStop::read_timeout)
                        : StreamStop::reset;
    return false;
}

bool ClientConnection::fill() {
    m_begin = m_end = 0;
    for (;;) {
        if (SteadyClock::now() >= m_deadline) {
            m_stop = StreamStop::deadline; // a server that trickles never lets poll time out
            return false;
        }
        if (m_ssl) {
            ERR_clear_error();
            const int n = SSL_read(m_ssl, m_buffer.get(), static_cast<int>(k_buffer));
            if (n > 0) {
                m_end = static_cast<std::size_t>(n);
                return true;
            }
            const int error = SSL_get_error(m_ssl, n);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                if (!wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT))
                    return false;
                continue;
            }
            // A close without close_notify is an end of stream to us as to httplib (many
            // servers skip it); what follows decides whether the answer was complete.
            m_stop =
                error == SSL_ERROR_ZERO_RETURN ||
                        (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno != ECONNRESET)
                    ? StreamStop::end_of_stream
                    : StreamStop::reset;
            ERR_clear_error();
            return false;
        }
        const ssize_t n = ::recv(m_sock, m_buffer.get(), k_buffer, 0);
        if (n > 0) {
            m_end = static_cast<std::size_t>(n);
            return true;
        }
        if (n == 0) {
            m_stop = StreamStop::end_of_stream;
            return false;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait(POLLIN))
                return false;
            continue;
        }
        m_stop = StreamStop::reset;
        return false;
    }
}

ssize_t ClientConnection::read(char* ptr, size_t size) {
    if (m_stop != StreamStop::none)
        return m_stop == StreamStop::end_of_stream ? 0 : -1;
    if (m_begin == m_end && !fill())
        return m_stop == StreamStop::end_of_stream ? 0 : -1;
    std::size_t n = std::min(size, m_end - m_begin);
    if (m_budget == 0) {
        // More bytes than the budget allows are there (an answer that ends exactly at the
        // budget got its end of stream above).
        m_stop = m_in_body ? StreamStop::body_limit : StreamStop::head_limit;
        return -1;
    }
    n = std::min(n, m_budget);
    if (!m_in_body) {
        // One line at a time (httplib reads the head byte by byte anyway).
        const char* start = m_buffer.get() + m_begin;
        const char* newline = static_cast<const char*>(std::memchr(start, '\n', n));
        const std::size_t part = newline ? static_cast<std::size_t>(newline - start) + 1 : n;
        const std::size_t line_max = m_head_lines == 0 ? k_status_line_max : k_header_line_max;
        if (m_line_length + part > line_max) {
            m_long_line = m_head_lines == 0 ? LongLine::status_line : LongLine::header_line;
            m_stop = StreamStop::head_limit;
            return -1;
        }
        m_line_length += part;
        if (newline) {
            m_line_length = 0;
            ++m_head_lines;
        }
        n = part;
    }
    std::memcpy(ptr, m_buffer.get() + m_begin, n);
    m_begin += n;
    m_budget -= n;
    m_delivered += n;
    if (m_in_body)
        m_body_delivered += n;
    return static_cast<ssize_t>(n);
}

ssize_t ClientConnection::write(const char* ptr, size_t size) {
    if (size == 0)
        return 0;
    for (;;) {
        if (SteadyClock::now() >= m_deadline) {
            m_stop = StreamStop::deadline;
            return -1;
        }
        if (m_ssl) {
            ERR_clear_error();
            const int n = SSL_write(m_ssl, ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)));
            if (n > 0)
                return n;
            const int error = SSL_get_error(m_ssl, n);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                if (!wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT))
                    return -1;
                continue;
            }
            ERR_clear_error();
            m_stop = StreamStop::write_failed;
            return -1;
        }
        const ssize_t n = ::send(m_sock, ptr, size, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait(POLLOUT))
                return -1;
            continue;
        }
        m_stop = StreamStop::write_failed;
        return -1;
    }
}

bool ClientConnection::is_readable() const {
    if (m_begin != m_end || (m_ssl && SSL_pending(m_ssl) > 0))
        return true;
    pollfd fd{m_sock, POLLIN, 0};
    return ::poll(&fd, 1,
                  static_cast<int>(std::min<milliseconds::rep>(m_read_timeout.count(), INT_MAX))) >
           0;
}

bool ClientConnection::is_writable() const {
    if (m_stop != StreamStop::none && m_stop != StreamStop::end_of_stream)
        return false;
    pollfd fd{m_sock, POLLOUT, 0};
    return ::poll(&fd, 1,
                  static_cast<int>(std::min<milliseconds::rep>(m_read_timeout.count(), INT_MAX))) >
           0;
}

bool ClientConnection::reusable() const {
    if (m_stop != StreamStop::none || m_begin != m_end || (m_ssl && SSL_pending(m_ssl) > 0))
        return false;
    // Readable while idle means the peer closed, reset, or sent bytes nobody asked for.
    pollfd fd{m_sock, POLLIN, 0};
    return ::poll(&fd, 1, 0) == 0;
}

void ClientConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
    peer_address(m_sock, ip, port);
}

void ClientConnection::get_local_ip_and_port(std::string& ip, int& port) const {
    local_address(m_sock, ip, port);
}

} // namespace conform::http::internal
