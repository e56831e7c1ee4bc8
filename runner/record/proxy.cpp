// `conform record`: the recording reverse proxy (proxy.hpp) on http::Server + http::Transport.
#include "runner/record/record.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <ostream>
#include <span>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/record/internal/serving.hpp"

namespace conform::record {
namespace {

using internal::connection_options;
using internal::iequals;
using internal::listed;
using internal::one_of;

// RFC 9110 7.6.1 (Connection and what it names), plus the proxy-only ones of RFC 9110 11.7.
constexpr std::array<std::string_view, 9> k_hop_by_hop = {
    "Connection", "Keep-Alive",          "Proxy-Connection",  "TE", "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authorization", "Proxy-Authenticate"};

// httplib 0.11 puts the peer's address among the request headers; no client sent them.
constexpr std::array<std::string_view, 4> k_server_made = {"REMOTE_ADDR", "REMOTE_PORT",
                                                           "LOCAL_ADDR", "LOCAL_PORT"};

struct Upstream {
    std::string origin; // "https://api.ucloud.cn:443"-like, as given
    std::string path;   // "" or "/base" (no trailing '/'), or "/" kept as given
    std::string given;
};

core::Result<Upstream> parse_upstream(std::string_view url) {
    auto bad = [&](std::string why) {
        return core::fail("--upstream " + std::string(url) + ": " + why +
                          " (expected http(s)://HOST[:PORT][/PATH])");
    };
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos ||
        !(iequals(url.substr(0, scheme), "http") || iequals(url.substr(0, scheme), "https")))
        return bad("not an http or https URL");
    if (url.find_first_of("?#") != std::string_view::npos)
        return bad("a query or fragment has no place in the upstream");
    const auto slash = url.find('/', scheme + 3);
    if (slash == scheme + 3)
        return bad("no host");
    Upstream out;
    out.given = std::string(url);
    out.origin = std::string(url.substr(0, slash));
    out.path = slash == std::string_view::npos ? std::string() : std::string(url.substr(slash));
    return out;
}

// The upstream URL for a client's path: appended to the upstream's path ("/base" + "/x"); the
// root alone goes to the upstream's path as given ("https://h/v2/index.php" for "/").
std::string join(const Upstream& upstream, const std::string& path) {
    if (upstream.path.empty() || upstream.path == "/")
        return upstream.origin + (path.empty() ? "/" : path);
    if (path.empty() || path == "/")
        return upstream.origin + upstream.path;
    std::string base = upstream.path;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return upstream.origin + base + path;
}

class Proxy final : public RecordingProxy {
public:
    Proxy(ProxyOptions options, Upstream upstream, http::Transport& transport,
          RecordingWriter& writer)
        : m_options(std::move(options)), m_upstream(std::move(upstream)), m_transport(transport),
          m_writer(writer) {}

    core::Result<void> listen() {
        auto server = http::Server::start(
            m_options.listen, [this](const http::ServerRequest& r) { return answer(r); });
        if (!server)
            return core::fail(server.error());
        m_server = std::move(*server);
        return {};
    }

    std::string base_url() const override { return m_server->base_url(); }
    std::size_t exchanges() const override { return m_exchanges.load(); }
    std::size_t write_failures() const override { return m_write_failures.load(); }
    void wait() override { m_server->wait(); }
    void stop() override { m_server->stop(); }
    ~Proxy() override {
        if (m_server)
            m_server->stop(); // before the members the handler uses go
    }

private:
    http::ServerResponse answer(const http::ServerRequest& in);

    ProxyOptions m_options;
    Upstream m_upstream;
    http::Transport& m_transport;
    RecordingWriter& m_writer;
    std::unique_ptr<http::Server> m_server;
    std::atomic<std::size_t> m_exchanges{0};
    std::atomic<std::size_t> m_write_failures{0};
    std::mutex m_log_mutex;
};

http::ServerResponse Proxy::answer(const http::ServerRequest& in) {
    http::Request up;
    up.method = in.method;
    up.base_url = join(m_upstream, in.path);
    // Byte for byte: re-encoding would change what a signature or a cache key saw.
    up.raw_query = in.raw_query;
    if (auto parsed = http::parse_query(in.raw_query))
        up.query = std::move(*parsed); // describes raw_query, for routing and the recording
    const std::vector<std::string> options = connection_options(in.headers);
    for (const http::Header& h : in.headers) {
        if (is_hop_by_hop(h.name) || listed(h.name, options) || one_of(h.name, k_server_made) ||
            iequals(h.name, "Content-Length") || // the transport counts the body it sends
            (!m_options.preserve_host && iequals(h.name, "Host")))
            continue;
        up.headers.push_back(h);
    }
    up.body = in.body;

    Recorded recorded;
    recorded.exchange = m_transport.send(up);
    recorded.target = m_upstream.given;
    if (m_options.contract) {
        recorded.contract = m_options.contract->name;
        contract::Query query;
        for (const http::QueryParam& p : recorded.exchange.request.query)
            query.emplace_back(p.name, p.value);
        if (auto op = m_options.contract->route(query))
            recorded.operation = (*op)->name;
    }

    http::ServerResponse out;
    const http::Exchange& x = recorded.exchange;
    if (x.failure) {
        out.status = 502;
        out.content_type = "application/json";
        out.body = nlohmann::json{{"error", "the upstream did not answer"},
                                  {"upstream", m_upstream.given},
                                  {"kind", std::string(http::name_of(x.failure->kind))},
                                  {"message", x.failure->message}}
                       .dump();
    } else {
        const http::Response& r = *x.response;
        out.status = r.status;
        out.body = r.body;
        internal::copy_answer_headers(r.headers, out);
    }

    // Written before the client gets its answer: what a client saw is on disk.
    if (auto written = m_writer.write(recorded); !written) {
        ++m_write_failures;
        if (m_options.log) {
            const std::lock_guard lock(m_log_mutex);
            *m_options.log << "conform record: " << written.error().to_string() << std::endl;
        }
    } else {
        ++m_exchanges;
    }
    return out;
}

} // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
    return one_of(name, k_hop_by_hop);
}

core::Result<std::unique_ptr<RecordingProxy>>
RecordingProxy::start(ProxyOptions options, http::Transport& transport, RecordingWriter& writer) {
    CONFORM_TRY(Upstream upstream, parse_upstream(options.upstream));
    auto proxy =
        std::make_unique<Proxy>(std::move(options), std::move(upstream), transport, writer);
    CONFORM_CHECK(proxy->listen());
    return std::unique_ptr<RecordingProxy>(std::move(proxy));
}

core::Result<core::Verdict> run_record(const RecordJob& job, std::ostream& out, std::ostream& err) {
    return run_record(job, RecordEdges{}, out, err);
}

// Errors are returned as the text `conform record` prints after its prefix.
core::Result<core::Verdict> run_record(const RecordJob& job, const RecordEdges& edges,
                                       std::ostream& out, std::ostream& err) {
    if (job.upstream.empty())
        return core::fail("--upstream URL is required");
    if (job.out.empty())
        return core::fail("--out FILE is required");
    if (auto upstream = parse_upstream(job.upstream); !upstream)
        return core::fail(upstream.error().message);
    auto listen = http::parse_listen(job.listen);
    if (!listen)
        return core::fail(listen.error().message);
    listen->threads = job.threads;

    std::optional<std::vector<contract::Contract>> contracts;
    const contract::Contract* chosen = nullptr;
    if (!job.contract.empty()) {
        auto loaded = contract::load_named_contracts(
            job.schemas_dir.value_or(contract::default_schemas_dir()), std::span(&job.contract, 1));
        if (!loaded)
            return core::fail(loaded.error().to_string());
        contracts = std::move(*loaded);
        chosen = &contracts->front();
    }

    http::ClientOptions client;
    client.read_timeout = job.timeout;
    client.request_timeout = job.timeout; // "the longest wait": for the whole answer too
    client.ca_file = job.ca_file;
    client.insecure = job.insecure;
    auto transport = http::make_transport(client);
    if (!transport)
        return core::fail(transport.error().to_string());
    WriterOptions writer_options;
    writer_options.fsync = job.fsync;
    auto writer = RecordingWriter::open(job.out, writer_options);
    if (!writer)
        return core::fail(writer.error().to_string());

    http::StopSignals signals; // before the server starts (see StopSignals)
    ProxyOptions options;
    options.upstream = job.upstream;
    options.listen = *listen;
    options.contract = chosen;
    options.preserve_host = job.preserve_host;
    options.log = &err;
    auto proxy = RecordingProxy::start(options, **transport, *writer);
    if (!proxy)
        return core::fail(proxy.error().to_string());

    out << (*proxy)->base_url() << std::endl;
    err << "conform record: forwarding to " << job.upstream << ", recording to " << job.out.string()
        << (chosen ? " as " + chosen->name : std::string()) << '\n';
    err << "conform record: Ctrl-C stops" << std::endl;

    signals.wait(edges.stop);
    (*proxy)->stop();
    err << "conform record: stopped; " << (*proxy)->exchanges() << " exchanges recorded in "
        << job.out.string();
    if ((*proxy)->write_failures() > 0)
        err << ", " << (*proxy)->write_failures() << " could not be written";
    err << '\n';
    return core::Verdict::conformant;
}

} // namespace conform::record
