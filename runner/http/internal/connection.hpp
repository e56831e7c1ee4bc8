#pragma once
// The server's side of one connection, under httplib::Server. httplib 0.11 waits up to its
// whole keep-alive timeout on an idle connection without looking at stop(), so a client
// holding a keep-alive connection would make Server::stop() hang for seconds. We therefore
// run the connection loop ourselves (Listener overrides process_and_close_socket) and let
// httplib parse requests and write answers (its protected process_request): every open socket
// is in a ConnectionRegistry, and stop() shuts them all down at once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <httplib.h>

namespace conform::http::internal {

// httplib::Stream over a connected socket, with TLS when ssl is set.
class ConnectionStream final : public httplib::Stream {
public:
    ConnectionStream(int sock, SSL* ssl, std::chrono::milliseconds read_timeout,
                     std::chrono::milliseconds write_timeout)
        : m_sock(sock), m_ssl(ssl), m_read_timeout(read_timeout), m_write_timeout(write_timeout) {}

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_sock; }

    // A TLS error happened: no close_notify may be sent any more (RFC 8446 6.2).
    [[nodiscard]] bool broken() const noexcept { return m_broken; }
    // The bytes the next request may take, head and body together: httplib 0.11 bounds
    // neither the number of header lines nor (by default) a body, so a client could otherwise
    // make the server hold as much as it sends. Past the budget reads fail, and httplib
    // answers 400 (or drops the connection in the middle of a body).
    void set_request_budget(std::size_t bytes) noexcept { m_budget = bytes; }
    // Bytes read from the socket that httplib has not taken yet (a pipelined request).
    [[nodiscard]] bool has_buffered() const noexcept { return m_begin != m_end; }

private:
    ssize_t read_some(char* ptr, size_t size);

    int m_sock;
    SSL* m_ssl;
    std::chrono::milliseconds m_read_timeout;
    std::chrono::milliseconds m_write_timeout;
    bool m_broken = false;
    std::size_t m_budget = SIZE_MAX;
    // httplib reads a request head one byte at a time: without a buffer, two syscalls a byte.
    static constexpr std::size_t k_buffer = 4096;
    std::unique_ptr<char[]> m_buffer = std::make_unique<char[]>(k_buffer);
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
};

// The open sockets of one server, so that stop() can shut them down (the owning worker still
// closes each: a socket is never closed by two threads).
class ConnectionRegistry {
public:
    // False when the server is closing: the caller closes sock at once.
    [[nodiscard]] bool add(int sock);
    void remove(int sock);
    // Shuts every registered socket down (both directions) and refuses new ones.
    void close_all();
    [[nodiscard]] bool closing() const;

private:
    mutable std::mutex m_mutex;
    std::unordered_set<int> m_sockets;
    bool m_closing = false;
};

// httplib's TaskQueue with threads that block SIGPIPE, and that can tell whether a
// connection is waiting for a thread (an idle keep-alive connection then gives its up).
class WorkerPool final : public httplib::TaskQueue {
public:
    explicit WorkerPool(std::size_t threads);
    ~WorkerPool() override;
    void enqueue(std::function<void()> fn) override;
    void shutdown() override;
    [[nodiscard]] bool has_waiting() const;

private:
    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    std::vector<std::thread> m_threads;
    bool m_shutdown = false;
};

struct ConnectionPolicy {
    std::chrono::milliseconds read_timeout{5000};
    std::chrono::milliseconds write_timeout{5000};
    std::chrono::milliseconds keep_alive_timeout{5000};
    std::size_t keep_alive_max_requests = 100;
    std::size_t request_budget = SIZE_MAX; // bytes per request, head and body
};

// One request: httplib's Server::process_request on the stream. handled: whether the
// server's handler answered it; false means httplib refused the request itself (400, 413,
// 414), and the connection then ends: what follows may not be where a request starts.
using ProcessRequestFn = std::function<bool(httplib::Stream& stream, bool close_connection,
                                            bool& connection_closed, bool& handled, SSL* ssl)>;

// Serves sock until the client closes it, a timeout, the request limit, or the registry
// closing; TLS when ctx is set. Closes sock.
void serve_connection(int sock, SSL_CTX* ctx, const ConnectionPolicy& policy,
                      ConnectionRegistry& registry, const std::function<bool()>& others_waiting,
                      const ProcessRequestFn& process_request);

// The address at either end of a connected socket, as httplib::Stream reports them (the
// server's and the client's connections both); unchanged when the socket has none.
void peer_address(int sock, std::string& ip, int& port);
void local_address(int sock, std::string& ip, int& port);

} // namespace conform::http::internal
