// Transport over cpp-httplib: a pool of httplib clients per origin, and the one place where
// httplib's errors become FailureKinds (classify()).

#include "runner/core/text.hpp"
#include "runner/http/http.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "runner/http/internal/body_decoder.hpp"
#include "runner/http/internal/client.hpp"
#include "runner/http/internal/sigpipe.hpp"

namespace conform::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Keep at most this many idle connections per origin: the engine's workers, plus slack.
constexpr std::size_t k_idle_per_origin = 32;

// scheme://host[:port][/path], the only URLs a Request carries (RFC 3986 3.2; no userinfo).
struct Origin {
    bool https = false;
    std::string host; // without brackets, as getaddrinfo wants it
    std::uint16_t port = 0;
    std::string path = "/";

    [[nodiscard]] std::string authority() const { // "127.0.0.1:5000", "[::1]:443"
        return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
               std::to_string(port);
    }
    [[nodiscard]] std::string key() const { return (https ? "https://" : "http://") + authority(); }
};

core::Result<Origin> parse_base_url(std::string_view url) {
    auto bad = [&](std::string_view why) {
        return core::fail("invalid base_url '" + std::string(url) + "': " + std::string(why));
    };
    Origin origin;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return bad("no scheme");
    const std::string_view scheme = url.substr(0, scheme_end);
    if (core::iequals(scheme, "https"))
        origin.https = true;
    else if (!core::iequals(scheme, "http"))
        return bad("the scheme is neither http nor https");
    std::string_view rest = url.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos)
        return bad("a query or fragment belongs in Request::query");
    const auto path_start = rest.find('/');
    std::string_view authority = rest.substr(0, path_start);
    if (path_start != std::string_view::npos)
        origin.path = std::string(rest.substr(path_start));
    if (authority.find('@') != std::string_view::npos)
        return bad("userinfo is not supported");
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return bad("unclosed '[' in the host");
        origin.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return bad("junk after the IPv6 address");
        if (!after.empty())
            port_text = after.substr(1);
    } else {
        const auto colon = authority.find(':');
        origin.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            port_text = authority.substr(colon + 1);
    }
    if (origin.host.empty())
        return bad("no host");
    if (port_text.empty()) {
        origin.port = origin.https ? 443 : 80;
    } else {
        unsigned value = 0;
        const auto [end, error] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (error != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535)
            return bad("the port is not in 1-65535");
        origin.port = static_cast<std::uint16_t>(value);
    }
    return origin;
}

std::string ms_text(milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

std::string bytes_text(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

bool has_token(std::string_view list, std::string_view token) {
    // "Connection: keep-alive, Upgrade": comma-separated, case-insensitive (RFC 9110 7.6.1)
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (core::iequals(item, token))
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

using internal::ClientConnection;
using internal::StreamStop;
using Connection = std::unique_ptr<ClientConnection>;

// What one attempt on one connection came to.
struct Attempt {
    std::optional<Response> response;
    std::optional<TransportFailure> failure;
    bool nothing_received = false; // not one byte of an answer (a stale kept-alive connection)
    bool reusable = false;         // the connection may carry another request
};

class HttplibTransport final : public Transport {
public:
    explicit HttplibTransport(ClientOptions options)
        : m_options(std::move(options)), m_limiter(m_options.rate_per_second) {}
    ~HttplibTransport() override {
        m_idle.clear(); // connections (and their SSL objects) before the context
        if (m_tls)
            SSL_CTX_free(m_tls);
    }
    HttplibTransport(const HttplibTransport&) = delete;
    HttplibTransport& operator=(const HttplibTransport&) = delete;

    Exchange send(const Request& request) override;

private:
    Connection checkout(const Origin& origin);
    void checkin(const Origin& origin, Connection connection);
    Connection connect(const Origin& origin, steady_clock::time_point deadline,
                       std::optional<TransportFailure>& failure);
    SSL_CTX* tls_context(std::optional<TransportFailure>& failure, const Origin& origin);
    class BodyReader;
    httplib::Request wire_request(const Request& request, const Origin& origin) const;
    Attempt attempt(ClientConnection& connection, const Request& request, const Origin& origin,
                    steady_clock::time_point deadline) const;
    TransportFailure stream_failure(const ClientConnection& connection, const Origin& origin,
                                    const httplib::Response& head) const;
    TransportFailure deadline_failure(const Origin& origin, std::string_view where) const;
    // The body's bytes on the wire: the decoded limit, with room for chunk framing (a chunk
    // of one byte costs six) and for codings that expand a little.
    [[nodiscard]] std::size_t wire_body_budget() const {
        const std::size_t max = m_options.max_body_bytes;
        return max > (SIZE_MAX - 65536) / 2 ? SIZE_MAX : 2 * max + 65536;
    }

    ClientOptions m_options;
    RateLimiter m_limiter;
    std::mutex m_pool_mutex;
    std::unordered_map<std::string, std::vector<Connection>> m_idle; // by Origin::key()
    std::mutex m_tls_mutex;
    SSL_CTX* m_tls = nullptr; // made at the first https origin: loading the store takes time
    std::string m_tls_error;
};

SSL_CTX* HttplibTransport::tls_context(std::optional<TransportFailure>& failure,
                                       const Origin& origin) {
    const std::lock_guard lock(m_tls_mutex);
    if (!m_tls && m_tls_error.empty()) {
        SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
        bool ok = ctx != nullptr;
        if (ok) {
            SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
            // Non-blocking writes: a retried SSL_write may continue from another position.
            SSL_CTX_set_mode(ctx,
                             SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            if (!m_options.insecure) {
                ok = m_options.ca_file ? SSL_CTX_load_verify_locations(
                                             ctx, m_options.ca_file->c_str(), nullptr) == 1
                                       : SSL_CTX_set_default_verify_paths(ctx) == 1;
                if (!ok)
                    m_tls_error = m_options.ca_file
                                      ? "cannot load the CA file " + m_options.ca_file->string()
                                      : std::string("cannot load the system CA store");
            }
        } else {
            m_tls_error = "cannot make an OpenSSL context";
        }
        ERR_clear_error();
        if (ok)
            m_tls = ctx;
        else if (ctx)
            SSL_CTX_free(ctx);
    }
    if (!m_tls)
        failure = TransportFailure{FailureKind::tls_failed,
                                   m_tls_error + " to verify " + origin.authority() + " with"};
    return m_tls;
}

TransportFailure HttplibTransport::deadline_failure(const Origin& origin,
                                                    std::string_view where) const {
    return {FailureKind::too_slow, "no complete answer from " + origin.authority() +
                                       " within the " + ms_text(m_options.request_deadline()) +
                                       " request deadline (request_timeout; " + std::string(where) +
                                       ")"};
}

Connection HttplibTransport::connect(const Origin& origin, steady_clock::time_point deadline,
                                     std::optional<TransportFailure>& failure) {
    SSL_CTX* ctx = nullptr;
    if (origin.https && !(ctx = tls_context(failure, origin)))
        return nullptr;
    using Why = internal::ConnectFailure::Why;
    std::optional<internal::ConnectFailure> why;
    Connection connection =
        ClientConnection::open(origin.host, origin.port, ctx, !m_options.insecure,
                               {m_options.connect_timeout, m_options.read_timeout, deadline}, why);
    if (connection)
        return connection;
    const std::string where = origin.authority();
    switch (why ? why->why : Why::refused) {
    case Why::refused:
        failure = {FailureKind::connect_failed,
                   "cannot connect to " + where + " (refused, unreachable or unknown host" +
                       (why && !why->detail.empty() ? ": " + why->detail : std::string()) + ")"};
        break;
    case Why::timeout:
        failure = {FailureKind::connect_timeout,
                   "no connection to " + where + " within " + ms_text(m_options.connect_timeout)};
        break;
    case Why::deadline:
        failure = deadline_failure(origin, "while connecting");
        break;
    case Why::tls_untrusted:
        failure = {FailureKind::tls_failed,
                   "the certificate of " + where + " is not trusted: " + why->detail};
        break;
    case Why::tls_name:
        failure = {FailureKind::tls_failed,
                   "the certificate of " + where + " does not name " + origin.host};
        break;
    case Why::tls_failed:
        failure = {FailureKind::tls_failed,
                   "TLS handshake with " + where + " failed: " + why->detail};
        break;
    case Why::tls_timeout:
        failure = {FailureKind::read_timeout, "TLS handshake with " + where + " timed out after " +
                                                  ms_text(m_options.read_timeout)};
        break;
    }
    return nullptr;
}

// The stream's stop -> FailureKind, the one translation (STYLE.md lesson 5).
TransportFailure HttplibTransport::stream_failure(const ClientConnection& connection,
                                                  const Origin& origin,
                                                  const httplib::Response& head) const {
    const std::string where = origin.authority();
    const bool in_body = connection.in_body();
    const std::string received =
        in_body ? "in the body, " + bytes_text(connection.body_received()) + " received"
        : connection.received() > 0
            ? "in the headers, " + bytes_text(connection.received()) + " received"
            : "nothing received";
    switch (connection.stop()) {
    case StreamStop::deadline:
        return deadline_failure(origin, received);
    case StreamStop::read_timeout:
        return {FailureKind::read_timeout,
                "read timeout after " + ms_text(m_options.read_timeout) + " from " + where +
                    (connection.received() > 0 ? " (" + received + ")" : std::string())};
    case StreamStop::head_limit:
        switch (connection.long_line()) {
        case ClientConnection::LongLine::status_line:
            return {FailureKind::header_too_large,
                    "the status line from " + where + " is longer than " +
                        bytes_text(ClientConnection::k_status_line_max)};
        case ClientConnection::LongLine::header_line:
            return {FailureKind::header_too_large,
                    "a header line from " + where + " is longer than " +
                        bytes_text(ClientConnection::k_header_line_max)};
        case ClientConnection::LongLine::none:
            break;
        }
        return {FailureKind::header_too_large,
                "the status line and headers from " + where + " exceed the limit of " +
                    bytes_text(m_options.max_header_bytes) + " (max_header_bytes)"};
    case StreamStop::body_limit:
        return {FailureKind::body_too_large,
                "the body from " + where + " exceeds " + bytes_text(wire_body_budget()) +
                    " on the wire (max_body_bytes " + bytes_text(m_options.max_body_bytes) +
                    ", with room for chunk framing)"};
    case StreamStop::write_failed:
        return {FailureKind::connection_closed,
                where + " closed the connection while the request was sent"};
    case StreamStop::reset:
        return {FailureKind::connection_closed, where + " reset the connection (" + received + ")"};
    case StreamStop::end_of_stream:
        if (in_body) {
            const std::string announced =
                head.has_header("Content-Length")
                    ? "the " + head.get_header_value("Content-Length") + " bytes it announced"
                    : std::string("the last chunk");
            return {FailureKind::truncated_body,
                    where + " closed the connection before " + announced + " (" + received + ")"};
        }
        if (connection.received() > 0)
            return {FailureKind::connection_closed,
                    where + " closed the connection in the middle of the headers (" + received +
                        ")"};
        return {FailureKind::connection_closed, where + " closed the connection without answering"};
    case StreamStop::none:
        break;
    }
    // Every byte arrived in time and within the budgets, and httplib still refused them.
    return {FailureKind::malformed_response,
            "the answer from " + where + " is not HTTP/1.x (" +
                (in_body ? std::string("a malformed chunk in the body")
                         : std::string("a malformed status line or header line")) +
                ")"};
}

httplib::Request HttplibTransport::wire_request(const Request& request,
                                                const Origin& origin) const {
    httplib::Request wire;
    wire.method = request.method;
    const std::string query = request.raw_query ? *request.raw_query : encode_query(request.query);
    wire.path = query.empty() ? origin.path : origin.path + "?" + query;
    for (const auto& header : request.headers)
        wire.headers.emplace(header.name, header.value);
    if (!find_header(request.headers, "Host")) // httplib 0.11 leaves IPv6 hosts unbracketed
        wire.headers.emplace("Host", signing_host(origin.host.find(':') != std::string::npos
                                                      ? "[" + origin.host + "]"
                                                      : origin.host,
                                                  origin.port, origin.https));
    if (!find_header(request.headers, "User-Agent"))
        wire.headers.emplace("User-Agent", m_options.user_agent);
    if (!find_header(request.headers, "Accept-Encoding"))
        wire.headers.emplace("Accept-Encoding", "br, gzip, deflate"); // what BodyDecoder undoes
    wire.body = request.body;
    return wire;
}

// The answer's body as httplib hands it over: the head checked for a framing we can trust and
// an announced length within max_body_bytes, then the bytes decoded within it. What our own
// checks refuse is kept, to be the attempt's failure.
class HttplibTransport::BodyReader {
public:
    BodyReader(const ClientOptions& options, std::string where, ClientConnection& connection,
               std::size_t wire_budget)
        : m_options(options), m_where(std::move(where)), m_connection(connection),
          m_wire_budget(wire_budget) {}

    // httplib's response_handler: false refuses the answer.
    bool head(const httplib::Response& head) {
        m_connection.begin_body(m_wire_budget);
        const std::string* encoding = nullptr;
        std::optional<std::string> length;
        const bool chunked = has_token(head.get_header_value("Transfer-Encoding"), "chunked");
        for (const auto& [name, value] : head.headers) {
            if (core::iequals(name, "Content-Encoding") && !encoding)
                encoding = &value;
            if (!chunked && core::iequals(name, "Content-Length")) {
                // RFC 9112 6.3: a length that is not one number, or differs between copies,
                // makes the framing unknowable; httplib would read it as 0 or the first.
                const bool digits = !value.empty() && value.size() <= 19 &&
                                    std::all_of(value.begin(), value.end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
                if (!digits || (length && *length != value)) {
                    refused = TransportFailure{
                        FailureKind::malformed_response,
                        "the Content-Length from " + m_where + " is not one number ('" +
                            (length && digits ? *length + "' and '" : std::string()) +
                            value.substr(0, 40) + "')"};
                    return false;
                }
                length = value;
            }
        }
        framed = chunked || length.has_value();
        if (length && std::stoull(*length) > m_options.max_body_bytes) {
            refused =
                TransportFailure{FailureKind::body_too_large,
                                 m_where + " announces a body of " +
                                     bytes_text(std::stoull(*length)) + ", over the limit of " +
                                     bytes_text(m_options.max_body_bytes) + " (max_body_bytes)"};
            return false;
        }
        m_decoder.emplace(encoding
                              ? internal::coding_of(*encoding).value_or(internal::Coding::identity)
                              : internal::Coding::identity,
                          m_options.max_body_bytes, body);
        return true;
    }

    // httplib's content_receiver: false stops the body.
    bool content(const char* data, std::size_t size) {
        switch (m_decoder->feed(data, size)) {
        case internal::BodyDecoder::Status::ok:
            return true;
        case internal::BodyDecoder::Status::too_large:
            refused = TransportFailure{
                FailureKind::body_too_large,
                "the body from " + m_where + " exceeds the limit of " +
                    bytes_text(m_options.max_body_bytes) + " (max_body_bytes)" +
                    (m_decoder->consumed() < m_options.max_body_bytes
                         ? " once decoded, from " + bytes_text(m_decoder->consumed()) + " sent"
                         : std::string())};
            return false;
        case internal::BodyDecoder::Status::bad:
            break;
        }
        refuse_coding();
        return false;
    }

    // After the last byte: false when the coding does not end well.
    bool finish() {
        if (!m_decoder || m_decoder->finish() == internal::BodyDecoder::Status::ok)
            return true;
        refuse_coding();
        return false;
    }

    std::string body;
    std::optional<TransportFailure> refused; // what our own checks found
    bool framed = true; // the end of the body is known without a close (keep-alive works)

private:
    void refuse_coding() {
        refused = TransportFailure{FailureKind::decode_error,
                                   "the body from " + m_where + " does not decode as its " +
                                       "Content-Encoding says: " + m_decoder->error()};
    }

    const ClientOptions& m_options;
    std::string m_where;
    ClientConnection& m_connection;
    std::size_t m_wire_budget;
    std::optional<internal::BodyDecoder> m_decoder;
};

Attempt HttplibTransport::attempt(ClientConnection& connection, const Request& request,
                                  const Origin& origin, steady_clock::time_point deadline) const {
    Attempt out;
    httplib::Request wire = wire_request(request, origin);
    BodyReader reader(m_options, origin.authority(), connection, wire_body_budget());
    wire.response_handler = [&](const httplib::Response& head) { return reader.head(head); };
    wire.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
        return reader.content(data, size);
    };

    connection.begin(m_options.read_timeout, deadline, m_options.max_header_bytes);
    internal::Protocol protocol;
    httplib::Response head;
    httplib::Error error = httplib::Error::Success;
    bool ok = false;
    {
        const internal::SigpipeBlock no_sigpipe; // SSL_write to a closed peer
        ok = protocol.exchange(connection, wire, head, !m_options.keep_alive, error);
    }
    if (ok)
        ok = reader.finish();
    if (!ok) {
        out.failure =
            reader.refused ? std::move(*reader.refused) : stream_failure(connection, origin, head);
        out.nothing_received = !reader.refused && connection.received() == 0 &&
                               (connection.stop() == StreamStop::end_of_stream ||
                                connection.stop() == StreamStop::reset ||
                                connection.stop() == StreamStop::write_failed);
        return out;
    }
    Response response;
    response.status = head.status;
    for (const auto& [name, value] : head.headers)
        response.headers.push_back({name, value});
    response.body = std::move(reader.body);
    const std::string* connection_header = response.header("Connection");
    const bool close = connection_header && has_token(*connection_header, "close");
    const bool http10_keep = head.version != "HTTP/1.0" ||
                             (connection_header && has_token(*connection_header, "keep-alive"));
    out.reusable =
        m_options.keep_alive && reader.framed && !close && http10_keep && connection.reusable();
    out.response = std::move(response);
    return out;
}

Connection HttplibTransport::checkout(const Origin& origin) {
    if (!m_options.keep_alive)
        return nullptr;
    const std::lock_guard lock(m_pool_mutex);
    auto found = m_idle.find(origin.key());
    while (found != m_idle.end() && !found->second.empty()) {
        Connection connection = std::move(found->second.back());
        found->second.pop_back();
        if (connection->reusable()) // the server may have closed it while it was idle
            return connection;
    }
    return nullptr;
}

void HttplibTransport::checkin(const Origin& origin, Connection connection) {
    if (!m_options.keep_alive)
        return;
    const std::lock_guard lock(m_pool_mutex);
    auto& idle = m_idle[origin.key()];
    if (idle.size() < k_idle_per_origin)
        idle.push_back(std::move(connection));
}

Exchange HttplibTransport::send(const Request& request) {
    Exchange exchange;
    exchange.request = request;
    auto origin = parse_base_url(request.base_url);
    const core::Clock& clock = m_options.clock ? *m_options.clock : core::system_clock();
    if (!origin) {
        exchange.started = clock.wall();
        exchange.failure = TransportFailure{FailureKind::invalid_url, origin.error().message};
        return exchange;
    }
    m_limiter.acquire();
    exchange.started = clock.wall();
    const auto started = clock.monotonic();
    // The deadline is real time whatever the clock: it ends a wait on a socket.
    const auto now = steady_clock::now();
    const milliseconds allowed = m_options.request_deadline();
    const auto deadline = allowed.count() > 0 ? now + allowed : steady_clock::time_point::max();
    auto finish = [&] {
        exchange.seconds = clock.seconds_since(started);
        return exchange;
    };

    Connection connection = checkout(*origin);
    Attempt result;
    if (connection) {
        result = attempt(*connection, request, *origin, deadline);
        if (!result.response && result.nothing_received)
            connection.reset(); // the server closed the idle connection: once more, anew
    }
    if (!connection) {
        std::optional<TransportFailure> failure;
        connection = connect(*origin, deadline, failure);
        if (!connection) {
            exchange.failure = std::move(failure);
            return finish();
        }
        result = attempt(*connection, request, *origin, deadline);
    }
    if (!result.response) {
        exchange.failure = std::move(result.failure);
        return finish(); // the connection is dropped
    }
    exchange.response = std::move(result.response);
    if (result.reusable)
        checkin(*origin, std::move(connection));
    return finish();
}

// A ca_file must hold at least one PEM certificate: httplib would otherwise fail each
// handshake with a vague "cannot load certificates".
core::Result<void> check_ca_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return core::fail("cannot read the CA file " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    const std::string pem = text.str();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    X509* certificate = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    ERR_clear_error();
    if (!certificate)
        return core::fail("the CA file " + path.string() + " holds no PEM certificate");
    X509_free(certificate);
    return {};
}

} // namespace

const std::string* find_header(const Headers& headers, std::string_view name) {
    for (const auto& header : headers)
        if (core::iequals(header.name, name))
            return &header.value;
    return nullptr;
}

std::string Request::url() const {
    const std::string encoded = raw_query ? *raw_query : encode_query(query);
    return encoded.empty() ? base_url : base_url + "?" + encoded;
}

RateLimiter::RateLimiter(double per_second) {
    if (per_second > 0)
        m_interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / per_second));
}

void RateLimiter::acquire() {
    if (m_interval <= std::chrono::steady_clock::duration::zero())
        return;
    std::chrono::steady_clock::time_point slot;
    {
        // Each caller reserves the next free slot, then sleeps outside the lock until it.
        const std::lock_guard lock(m_mutex);
        slot = std::max(std::chrono::steady_clock::now(), m_next);
        m_next = slot + m_interval;
    }
    std::this_thread::sleep_until(slot);
}

core::Result<std::unique_ptr<Transport>> make_transport(const ClientOptions& options) {
    if (options.ca_file && !options.insecure)
        CONFORM_CHECK(check_ca_file(*options.ca_file));
    return std::unique_ptr<Transport>(std::make_unique<HttplibTransport>(options));
}

} // namespace conform::http
