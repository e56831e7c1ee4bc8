#include "runner/http/internal/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "runner/http/internal/sigpipe.hpp"

namespace conform::http::internal {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Idle keep-alive connections look every slice whether another connection waits for a thread.
constexpr milliseconds k_idle_slice{50};

// poll(2) for one event, retried on EINTR; true when the socket is ready (or hung up, which
// the following read reports).
bool wait_for(int sock, short events, milliseconds timeout) {
    const auto deadline = steady_clock::now() + timeout;
    for (;;) {
        pollfd fd{sock, events, 0};
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
        const int ready =
            ::poll(&fd, 1, static_cast<int>(std::max<milliseconds::rep>(left.count(), 0)));
        if (ready > 0)
            return true;
        if (ready == 0 || errno != EINTR)
            return false;
    }
}

// The socket-level timeouts bound the blocking calls poll() does not guard (SSL_accept, and
// the rest of a TLS record whose first bytes arrived).
void set_socket_timeouts(int sock, const ConnectionPolicy& policy) {
    auto as_timeval = [](milliseconds ms) {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
        return tv;
    };
    const timeval read = as_timeval(policy.read_timeout);
    const timeval write = as_timeval(policy.write_timeout);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &read, sizeof read);
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &write, sizeof write);
}

// Waits for the next request on a kept-alive connection. Gives up at the keep-alive timeout,
// when the server closes, or (after the first request) when another connection waits for a
// thread: serving it matters more than an idle connection, whose client reconnects.
bool wait_for_request(int sock, SSL* ssl, const ConnectionStream& stream,
                      const ConnectionPolicy& policy, const ConnectionRegistry& registry,
                      bool first, const std::function<bool()>& others_waiting) {
    if (stream.has_buffered() || (ssl && SSL_pending(ssl) > 0))
        return true;
    const auto deadline = steady_clock::now() + policy.keep_alive_timeout;
    while (!registry.closing()) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
        if (left.count() <= 0)
            return false;
        if (wait_for(sock, POLLIN, std::min(left, k_idle_slice)))
            return true;
        if (!first && others_waiting())
            return false;
    }
    return false;
}

// After refusing a request whose bytes we did not read: close(2) with unread input sends an
// RST, which can destroy the refusal before the client reads it. So: FIN first, then read and
// drop what the client still sends, for a moment and a bounded amount (nginx's lingering
// close).
void linger_close(int sock) {
    ::shutdown(sock, SHUT_WR);
    constexpr milliseconds k_linger{200};
    constexpr std::size_t k_drain = std::size_t{4} << 20;
    const auto until = steady_clock::now() + k_linger;
    char buffer[16384];
    std::size_t drained = 0;
    while (drained < k_drain) {
        const auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
        if (left.count() <= 0 || !wait_for(sock, POLLIN, left))
            break;
        const ssize_t n = ::recv(sock, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
            break;
        if (n > 0)
            drained += static_cast<std::size_t>(n);
    }
}

} // namespace

bool ConnectionStream::is_readable() const {
    if (m_begin != m_end || (m_ssl && SSL_pending(m_ssl) > 0))
        return true;
    return wait_for(m_sock, POLLIN, m_read_timeout);
}

bool ConnectionStream::is_writable() const {
    return wait_for(m_sock, POLLOUT, m_write_timeout);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
    if (m_budget == 0)
        return -1;
    size = std::min(size, m_budget);
    if (m_begin == m_end) {
        if (!is_readable())
            return -1;
        if (size >= k_buffer) { // a body: straight into httplib's buffer
            const ssize_t n = read_some(ptr, size);
            if (n > 0)
                m_budget -= static_cast<std::size_t>(n);
            return n;
        }
        const ssize_t n = read_some(m_buffer.get(), k_buffer);
        if (n <= 0)
            return n;
        m_begin = 0;
        m_end = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, m_end - m_begin);
    std::memcpy(ptr, m_buffer.get() + m_begin, n);
    m_begin += n;
    m_budget -= n;
    return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::read_some(char* ptr, size_t size) {
    if (m_ssl) {
        const int n = SSL_read(m_ssl, ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)));
        if (n > 0)
            return n;
        const int error = SSL_get_error(m_ssl, n);
        if (error == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE)
            m_broken = true;
        ERR_clear_error();
        return -1;
    }
    for (;;) {
        const ssize_t n = ::recv(m_sock, ptr, size, 0);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
    if (!is_writable())
        return -1;
    if (m_ssl) {
        const int n = SSL_write(m_ssl, ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)));
        if (n > 0)
            return n;
        m_broken = true;
        ERR_clear_error();
        return -1;
    }
    for (;;) {
        const ssize_t n = ::send(m_sock, ptr, size, MSG_NOSIGNAL);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    peer_address(m_sock, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
    local_address(m_sock, ip, port);
}

bool ConnectionRegistry::add(int sock) {
    const std::lock_guard lock(m_mutex);
    if (m_closing)
        return false;
    m_sockets.insert(sock);
    return true;
}

void ConnectionRegistry::remove(int sock) {
    const std::lock_guard lock(m_mutex);
    m_sockets.erase(sock);
}

void ConnectionRegistry::close_all() {
    const std::lock_guard lock(m_mutex);
    m_closing = true;
    // shutdown(2), not close(2): the worker blocked on the socket wakes with end-of-file and
    // closes it itself, so the descriptor cannot be reused under it.
    for (const int sock : m_sockets)
        ::shutdown(sock, SHUT_RDWR);
}

bool ConnectionRegistry::closing() const {
    const std::lock_guard lock(m_mutex);
    return m_closing;
}

WorkerPool::WorkerPool(std::size_t threads) {
    m_threads.reserve(std::max<std::size_t>(threads, 1));
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
        m_threads.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    shutdown();
}

void WorkerPool::enqueue(std::function<void()> fn) {
    {
        const std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(fn));
    }
    m_cv.notify_one();
}

void WorkerPool::shutdown() {
    {
        const std::lock_guard lock(m_mutex);
        m_shutdown = true;
    }
    m_cv.notify_all();
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
}

bool WorkerPool::has_waiting() const {
    const std::lock_guard lock(m_mutex);
    return !m_jobs.empty();
}

void WorkerPool::run() {
    block_sigpipe_in_this_thread(); // SSL_write to a client that left must not end the process
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_shutdown || !m_jobs.empty(); });
            if (m_jobs.empty())
                return; // shut down, and every accepted connection was handed a thread
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

void serve_connection(int sock, SSL_CTX* ctx, const ConnectionPolicy& policy,
                      ConnectionRegistry& registry, const std::function<bool()>& others_waiting,
                      const ProcessRequestFn& process_request) {
    if (registry.add(sock)) {
        set_socket_timeouts(sock, policy);
        SSL* ssl = nullptr;
        bool usable = true;
        if (ctx) {
            ssl = SSL_new(ctx);
            usable = ssl && SSL_set_fd(ssl, sock) == 1 && SSL_accept(ssl) == 1;
        }
        ConnectionStream stream(sock, ssl, policy.read_timeout, policy.write_timeout);
        std::size_t left = policy.keep_alive_max_requests;
        bool first = true;
        bool refused = false;
        while (usable && left > 0 &&
               wait_for_request(sock, ssl, stream, policy, registry, first, others_waiting)) {
            const bool close_connection = left == 1 || registry.closing();
            stream.set_request_budget(policy.request_budget);
            bool connection_closed = false;
            bool handled = false;
            if (!process_request(stream, close_connection, connection_closed, handled, ssl) ||
                connection_closed)
                break;
            if (!handled) {
                refused = true;
                break;
            }
            first = false;
            --left;
        }
        if (ssl) {
            if (usable && !stream.broken() && !registry.closing())
                SSL_shutdown(ssl); // close_notify, without waiting for the client's
            SSL_free(ssl);
        }
        ERR_clear_error(); // this thread's OpenSSL error queue must not leak into the next
        registry.remove(sock);
        if (refused && !ssl)
            linger_close(sock);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
}

namespace {

void address_of(const sockaddr_storage& address, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
        inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
        port = ntohs(v4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        port = ntohs(v6.sin6_port);
    }
    ip = text;
}

} // namespace

void peer_address(int sock, std::string& ip, int& port) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        address_of(address, ip, port);
}

void local_address(int sock, std::string& ip, int& port) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        address_of(address, ip, port);
}

} // namespace conform::http::internal
