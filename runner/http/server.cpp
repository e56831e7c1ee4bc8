// Server: httplib parses requests and writes answers; the connection loop, the worker pool and
// the TLS identity are ours (internal/connection.hpp says why).

#include "runner/http/server.hpp"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <ostream>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "runner/http/internal/certificate.hpp"
#include "runner/http/internal/connection.hpp"
#include "runner/http/internal/crypto.hpp"

namespace conform::http {

namespace {

using std::chrono::milliseconds;

// Bumped by signal_stop(); a server stops when it differs from the value at its start. A
// lock-free counter is what a signal handler may touch (C++20 [support.signal]).
std::atomic<unsigned> g_signal_generation{0};
static_assert(std::atomic<unsigned>::is_always_lock_free);

constexpr milliseconds k_signal_poll{100};

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The raw query as it arrived: httplib 0.11 decodes Request::params itself and keeps the
// undecoded request-target only in Request::target.
std::pair<std::string, std::string> split_target(const std::string& target) {
    const auto question = target.find('?');
    if (question == std::string::npos)
        return {target, std::string()};
    return {target.substr(0, question), target.substr(question + 1)};
}

// Set by the handler on the worker thread that serves the connection: whether the request
// reached it (httplib answers malformed ones itself).
thread_local bool t_handled = false;

// What both listeners share with the server that owns them.
struct ListenerHooks {
    internal::ConnectionPolicy policy;
    internal::ConnectionRegistry registry;
    std::atomic<internal::WorkerPool*> pool{nullptr};
    std::size_t threads = 8;
};

// httplib::Server or httplib::SSLServer whose connections run through serve_connection.
template <class Base> class Listener final : public Base {
public:
    template <class... Args>
    explicit Listener(ListenerHooks& hooks, Args&&... args)
        : Base(std::forward<Args>(args)...), m_hooks(hooks) {
        this->new_task_queue = [this]() -> httplib::TaskQueue* {
            auto* pool = new internal::WorkerPool(m_hooks.threads);
            m_hooks.pool.store(pool);
            return pool;
        };
    }

    // httplib listens with a backlog of 5: a burst of concurrent clients would see SYNs
    // dropped and retried a second later. listen(2) again only raises the backlog.
    void deepen_backlog() { ::listen(this->svr_sock_, SOMAXCONN); }

private:
    bool process_and_close_socket(socket_t sock) override {
        SSL_CTX* ctx = nullptr;
        if constexpr (std::is_same_v<Base, httplib::SSLServer>)
            ctx = this->ssl_context();
        internal::serve_connection(
            sock, ctx, m_hooks.policy, m_hooks.registry,
            [this] {
                internal::WorkerPool* pool = m_hooks.pool.load();
                return pool && pool->has_waiting();
            },
            [this](httplib::Stream& stream, bool close_connection, bool& connection_closed,
                   bool& handled, SSL* ssl) {
                t_handled = false;
                const bool ok =
                    this->process_request(stream, close_connection, connection_closed,
                                          [ssl](httplib::Request& request) { request.ssl = ssl; });
                handled = t_handled;
                return ok;
            });
        return true;
    }

    ListenerHooks& m_hooks;
};

class HttplibServer final : public Server {
public:
    HttplibServer(const ServerOptions& options, Handler handler)
        : m_options(options), m_handler(std::move(handler)),
          m_signal_generation(g_signal_generation.load()) {
        m_hooks.threads = static_cast<std::size_t>(std::max(options.threads, 1));
        // Head and body of one request, with room for chunk framing of the body.
        const std::size_t body = options.max_request_body_bytes;
        m_hooks.policy.request_budget =
            body > (SIZE_MAX - options.max_request_head_bytes - 65536) / 2
                ? SIZE_MAX
                : options.max_request_head_bytes + 2 * body + 65536;
    }
    ~HttplibServer() override { stop(); }

    core::Result<void> start();

    std::uint16_t port() const override { return m_port; }
    std::string base_url() const override {
        return std::string(m_options.tls ? "https://" : "http://") + bracketed(m_options.host) +
               ":" + std::to_string(m_port);
    }
    std::string certificate_pem() const override { return m_certificate.pem; }
    void wait() override;
    void stop() override;

private:
    void answer(const httplib::Request& request, httplib::Response& response);
    // Limits, the one route every method takes, and the socket options, before binding.
    void configure_listener();
    std::string origin() const {
        return bracketed(m_options.host) + ":" + std::to_string(m_options.port);
    }

    ServerOptions m_options;
    Handler m_handler;
    unsigned m_signal_generation;
    internal::SelfSignedCertificate m_certificate;
    ListenerHooks m_hooks;
    std::unique_ptr<httplib::Server> m_listener;
    std::uint16_t m_port = 0;
    std::thread m_thread;
    std::atomic<bool> m_listen_returned{false};

    std::mutex m_mutex; // guards m_stopping; m_stopped_cv wakes delays and wait()
    std::condition_variable m_stopped_cv;
    bool m_stopping = false;
    std::mutex m_stop_mutex; // one stop() at a time; a second caller returns once it is done
    bool m_stopped = false;
};

core::Result<void> HttplibServer::start() {
    if (m_options.tls) {
        CONFORM_TRY(m_certificate, internal::make_self_signed_certificate());
        // SSL_CTX_use_certificate / use_PrivateKey take their own references.
        auto tls = std::make_unique<Listener<httplib::SSLServer>>(
            m_hooks, m_certificate.certificate.get(), m_certificate.key.get());
        if (!tls->is_valid())
            return core::fail("cannot set up TLS for " + origin() + ": " +
                              internal::take_openssl_errors());
        m_listener = std::move(tls);
    } else {
        m_listener = std::make_unique<Listener<httplib::Server>>(m_hooks);
    }

    configure_listener();

    errno = 0;
    int port = -1;
    if (m_options.port == 0)
        port = m_listener->bind_to_any_port(m_options.host);
    else if (m_listener->bind_to_port(m_options.host, m_options.port))
        port = m_options.port;
    if (port <= 0) {
        const int error = errno;
        return core::fail("cannot listen on " + origin() +
                          (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
    }
    m_port = static_cast<std::uint16_t>(port);
    if (m_options.tls)
        static_cast<Listener<httplib::SSLServer>&>(*m_listener).deepen_backlog();
    else
        static_cast<Listener<httplib::Server>&>(*m_listener).deepen_backlog();

    // The socket listens already (bind_to_port does listen(2)): a client may connect now and
    // waits in the backlog. We still wait for the accept loop to run, because httplib's
    // stop() does nothing before it does, and a stop() right after start() must not hang.
    m_thread = std::thread([this] {
        m_listener->listen_after_bind();
        m_listen_returned = true;
    });
    while (!m_listener->is_running() && !m_listen_returned)
        std::this_thread::sleep_for(milliseconds(1));
    if (m_listen_returned && !m_listener->is_running()) {
        m_thread.join();
        return core::fail("the accept loop on " + origin() + " ended at once");
    }
    return {};
}

void HttplibServer::configure_listener() {
    m_listener->set_tcp_nodelay(true); // answers go out at once, not after a delayed ACK
    m_listener->set_payload_max_length(m_options.max_request_body_bytes); // 413 beyond
    // httplib skips (reads and drops) an oversized body before it answers 413: a client
    // announcing 1 GiB would hold a thread while it sends it. Refuse it before the body.
    m_listener->set_pre_routing_handler(
        [max = m_options.max_request_body_bytes](const httplib::Request& request,
                                                 httplib::Response& response) {
            const std::string length = request.get_header_value("Content-Length");
            if (!length.empty() &&
                (length.size() > 19 || std::strtoull(length.c_str(), nullptr, 10) > max)) {
                response.status = 413;
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });

    auto route = [this](const httplib::Request& request, httplib::Response& response) {
        answer(request, response);
    };
    // Every method httplib knows reaches the one handler (HEAD through Get).
    m_listener->Get(".*", route)
        .Post(".*", route)
        .Put(".*", route)
        .Patch(".*", route)
        .Delete(".*", route)
        .Options(".*", route);

    // httplib's default is SO_REUSEPORT, which lets a second server bind the same port and
    // silently take half its connections; SO_REUSEADDR only allows a restart over TIME_WAIT.
    m_listener->set_socket_options([](socket_t sock) {
        const int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
}

void HttplibServer::answer(const httplib::Request& request, httplib::Response& response) {
    t_handled = true;
    ServerRequest in;
    in.method = request.method;
    std::tie(in.path, in.raw_query) = split_target(request.target);
    for (const auto& [name, value] : request.headers)
        in.headers.push_back({name, value});
    in.body = request.body;
    in.host = request.get_header_value("Host");
    in.tls = m_options.tls;
    in.remote_address = request.remote_addr;
    in.remote_port = request.remote_port > 0 ? static_cast<std::uint16_t>(request.remote_port) : 0;

    ServerResponse out;
    try {
        out = m_handler(in);
    } catch (const std::exception& e) {
        // A handler bug must not take the connection loop down with it.
        out = ServerResponse{};
        out.status = 500;
        out.content_type = "text/plain";
        out.body = std::string("handler failed: ") + e.what();
    }

    if (out.delay) {
        std::unique_lock lock(m_mutex);
        m_stopped_cv.wait_for(lock, *out.delay, [this] { return m_stopping; });
    }

    response.status = out.status;
    for (const auto& header : out.headers)
        response.headers.emplace(header.name, header.value);
    if (out.declared_length) {
        // Announce declared bytes, send what the body has, then fail the provider: httplib
        // then drops the connection, and the client sees a body cut short.
        auto body = std::make_shared<std::string>(
            out.body.substr(0, std::min(out.body.size(), *out.declared_length)));
        response.set_content_provider(
            *out.declared_length, out.content_type,
            [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                if (offset >= body->size())
                    return false;
                return sink.write(body->data() + offset, std::min(length, body->size() - offset));
            });
    } else {
        response.set_content(out.body, out.content_type);
    }
}

void HttplibServer::wait() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_stopped_cv.wait_for(lock, k_signal_poll);
        if (!m_stopping && g_signal_generation.load() != m_signal_generation) {
            lock.unlock();
            stop();
            return;
        }
    }
}

void HttplibServer::stop() {
    const std::lock_guard stop_lock(m_stop_mutex);
    if (m_stopped || !m_listener)
        return;
    m_listener->stop();           // the accept loop ends, then joins the workers...
    m_hooks.registry.close_all(); // ...which wake at once, even on idle keep-alive connections
    {
        // Only now do delays end: their connections are shut already, so an answer that was
        // being held back never goes out (a client must not see a stopping server as fast).
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_stopped_cv.notify_all(); // delays end, wait() returns
    if (m_thread.joinable())
        m_thread.join();
    m_stopped = true;
}

} // namespace

core::Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options, Handler handler) {
    auto server = std::make_unique<HttplibServer>(options, std::move(handler));
    CONFORM_CHECK(server->start());
    return std::unique_ptr<Server>(std::move(server));
}

void Server::signal_stop() noexcept {
    g_signal_generation.fetch_add(1);
}

core::Result<ServerOptions> parse_listen(std::string_view text) {
    auto bad = [&](std::string why) {
        return core::fail("--listen " + std::string(text) + ": " + why +
                          " (expected HOST:PORT, [IPv6]:PORT or :PORT)");
    };
    ServerOptions out;
    std::string_view port_text;
    if (text.starts_with("[")) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return bad("an IPv6 host is written [ADDRESS]:PORT");
        out.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return bad("no port");
        out.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    if (out.host.empty())
        out.host = "127.0.0.1"; // ":PORT": loopback, never every interface by accident
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        port > 65535)
        return bad("the port is not a number from 0 to 65535");
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

namespace {

extern "C" void on_stop_signal(int) {
    Server::signal_stop();
}

} // namespace

StopSignals::StopSignals() : m_generation(g_signal_generation.load()) {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &m_previous_int);
    sigaction(SIGTERM, &action, &m_previous_term);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &m_previous_int, nullptr);
    sigaction(SIGTERM, &m_previous_term, nullptr);
}

bool StopSignals::requested() const noexcept {
    return g_signal_generation.load() != m_generation;
}

void StopSignals::wait(const std::atomic<bool>* stop) const {
    while (!requested() && !(stop && stop->load()))
        std::this_thread::sleep_for(milliseconds(50));
}

core::Result<void> announce_certificate(const Server& server,
                                        const std::optional<std::filesystem::path>& file,
                                        std::string_view who, std::ostream& err) {
    if (!file) {
        err << who
            << ": self-signed certificate (clients need --insecure, or --cacert with "
               "the certificate)\n";
        return {};
    }
    std::ofstream pem(*file, std::ios::binary | std::ios::trunc);
    pem << server.certificate_pem();
    if (!pem)
        return core::fail("cannot write the certificate to " + file->string());
    err << who << ": self-signed certificate written to " << file->string() << '\n';
    return {};
}

core::Result<void> serve_until_stopped(Server& server, const StopSignals& signals,
                                       const Serving& how, std::ostream& err) {
    if (how.tls)
        if (auto written = announce_certificate(server, how.certificate_out, how.who, err);
            !written) {
            server.stop();
            return written;
        }
    err << how.who << ": Ctrl-C stops" << std::endl;
    signals.wait(how.stop);
    server.stop();
    return {};
}

} // namespace conform::http
