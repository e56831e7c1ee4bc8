// Transport over cpp-httplib: a pool of httplib clients per origin, and the one place where
// httplib's errors become FailureKinds (classify()).

#include "runner/http/transport.hpp"

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
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "runner/http/internal/sigpipe.hpp"

namespace conform::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Keep at most this many idle connections per origin: the engine's workers, plus slack.
constexpr std::size_t k_idle_per_origin = 32;

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

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
    if (iequals(scheme, "https"))
        origin.https = true;
    else if (!iequals(scheme, "http"))
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

// What one attempt saw, for classify(): httplib reports a timeout and a peer that closed
// alike (Error::Read), so we note when bytes last arrived and whether the headers were done.
struct Attempt {
    bool ok = false;
    httplib::Error error = httplib::Error::Unknown;
    httplib::Response response;
    bool headers_done = false;
    std::string body;
    steady_clock::time_point last_progress;
    long verify_result = X509_V_OK;
};

std::string ms_text(milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

// httplib::Error -> FailureKind, the one translation (STYLE.md lesson 5).
TransportFailure classify(const Attempt& attempt, const ClientOptions& options,
                          const Origin& origin) {
    using httplib::Error;
    const std::string where = origin.authority();
    // Only a wait that lasted the whole read timeout can be the timeout (poll(2) never
    // returns early); a peer that closes does so well before. 90% absorbs clock granularity.
    const bool waited_out =
        steady_clock::now() - attempt.last_progress >= options.read_timeout * 9 / 10;
    switch (attempt.error) {
    case Error::Connection:
    case Error::BindIPAddress:
        return {FailureKind::connect_failed,
                "cannot connect to " + where + " (refused, unreachable or unknown host)"};
    case Error::ConnectionTimeout:
        return {FailureKind::connect_timeout,
                "no connection to " + where + " within " + ms_text(options.connect_timeout)};
    case Error::SSLConnection:
        // With verification on, OpenSSL fails the handshake itself on an untrusted chain.
        if (attempt.verify_result != X509_V_OK)
            return {FailureKind::tls_failed,
                    "the certificate of " + where +
                        " is not trusted: " + X509_verify_cert_error_string(attempt.verify_result)};
        if (waited_out)
            return {FailureKind::read_timeout, "TLS handshake with " + where + " timed out after " +
                                                   ms_text(options.read_timeout)};
        return {FailureKind::tls_failed, "TLS handshake with " + where + " failed"};
    case Error::SSLServerVerification:
        if (attempt.verify_result != X509_V_OK)
            return {FailureKind::tls_failed,
                    "the certificate of " + where +
                        " is not trusted: " + X509_verify_cert_error_string(attempt.verify_result)};
        return {FailureKind::tls_failed,
                "the certificate of " + where + " does not name " + origin.host};
    case Error::SSLLoadingCerts:
        return {FailureKind::tls_failed,
                "cannot load the CA certificates to verify " + where + " with"};
    case Error::Write:
        return {FailureKind::connection_closed,
                where + " closed the connection while the request was sent"};
    case Error::Canceled:
    case Error::Read:
        if (waited_out)
            return {FailureKind::read_timeout,
                    "read timeout after " + ms_text(options.read_timeout) + " from " + where +
                        (attempt.headers_done
                             ? " (in the body, " + std::to_string(attempt.body.size()) +
                                   " bytes received)"
                             : std::string())};
        if (attempt.headers_done && attempt.response.has_header("Content-Length"))
            return {FailureKind::truncated_body,
                    where + " closed the connection before the " +
                        attempt.response.get_header_value("Content-Length") +
                        " body bytes it announced" +
                        (attempt.response.has_header("Content-Encoding")
                             ? " (or the " + attempt.response.get_header_value("Content-Encoding") +
                                   " body does not decode)"
                             : std::string())};
        if (attempt.headers_done)
            return {FailureKind::connection_closed,
                    where + " closed the connection in the middle of the body"};
        // httplib does not tell a status line it could not parse from a close.
        return {FailureKind::connection_closed,
                where + " closed the connection without a complete answer (or answered in "
                        "something other than HTTP/1.x)"};
    case Error::Compression:
        return {FailureKind::malformed_response,
                "the body from " + where + " does not decode as its Content-Encoding says"};
    case Error::Success:
    case Error::Unknown:
    case Error::ExceedRedirectCount:
    case Error::UnsupportedMultipartBoundaryChars:
        break;
    }
    return {FailureKind::malformed_response, "no usable answer from " + where + " (httplib: " +
                                                 httplib::to_string(attempt.error) + ")"};
}

// True when a failure on a reused connection means the server had closed it while idle, so
// the request never reached it: no answer byte, and not a timeout.
bool stale_connection(const Attempt& attempt, const ClientOptions& options) {
    if (attempt.headers_done || attempt.response.status > 0)
        return false;
    if (attempt.error == httplib::Error::Write)
        return true;
    return attempt.error == httplib::Error::Read &&
           steady_clock::now() - attempt.last_progress < options.read_timeout * 9 / 10;
}

class HttplibTransport final : public Transport {
public:
    explicit HttplibTransport(ClientOptions options)
        : m_options(std::move(options)), m_limiter(m_options.rate_per_second) {}

    Exchange send(const Request& request) override;

private:
    using Client = std::unique_ptr<httplib::ClientImpl>;

    Client checkout(const Origin& origin);
    void checkin(const Origin& origin, Client client);
    Client make_client(const Origin& origin) const;
    Attempt attempt(httplib::ClientImpl& client, const Request& request,
                    const Origin& origin) const;

    ClientOptions m_options;
    RateLimiter m_limiter;
    std::mutex m_pool_mutex;
    std::unordered_map<std::string, std::vector<Client>> m_idle; // by Origin::key()
};

HttplibTransport::Client HttplibTransport::make_client(const Origin& origin) const {
    Client client;
    if (origin.https) {
        auto tls = std::make_unique<httplib::SSLClient>(origin.host, origin.port);
        if (m_options.ca_file)
            tls->set_ca_cert_path(m_options.ca_file->string());
        // Without ca_file httplib loads the system store (SSL_CTX_set_default_verify_paths).
        tls->enable_server_certificate_verification(!m_options.insecure);
        client = std::move(tls);
    } else {
        client = std::make_unique<httplib::ClientImpl>(origin.host, origin.port);
    }
    client->set_connection_timeout(m_options.connect_timeout);
    client->set_read_timeout(m_options.read_timeout);
    client->set_write_timeout(m_options.read_timeout);
    client->set_keep_alive(m_options.keep_alive);
    // Small requests on a kept-alive connection otherwise wait out delayed ACKs (Nagle):
    // about 40 ms per request on loopback.
    client->set_tcp_nodelay(true);
    client->set_follow_location(false);
    client->set_url_encode(false); // the query is encoded already, exactly as it is signed
    client->set_decompress(true);
    return client;
}

HttplibTransport::Client HttplibTransport::checkout(const Origin& origin) {
    if (m_options.keep_alive) {
        const std::lock_guard lock(m_pool_mutex);
        auto found = m_idle.find(origin.key());
        if (found != m_idle.end() && !found->second.empty()) {
            Client client = std::move(found->second.back());
            found->second.pop_back();
            return client;
        }
    }
    return make_client(origin);
}

void HttplibTransport::checkin(const Origin& origin, Client client) {
    if (!m_options.keep_alive)
        return;
    const std::lock_guard lock(m_pool_mutex);
    auto& idle = m_idle[origin.key()];
    if (idle.size() < k_idle_per_origin)
        idle.push_back(std::move(client));
}

Attempt HttplibTransport::attempt(httplib::ClientImpl& client, const Request& request,
                                  const Origin& origin) const {
    Attempt out;
    httplib::Request wire;
    wire.method = request.method;
    const std::string query =
        request.raw_query ? *request.raw_query : encode_query(request.query);
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
    wire.body = request.body;
    wire.response_handler = [&out](const httplib::Response&) {
        out.headers_done = true;
        out.last_progress = steady_clock::now();
        return true;
    };
    wire.content_receiver = [&out](const char* data, std::size_t size, std::uint64_t,
                                   std::uint64_t) {
        out.body.append(data, size);
        out.last_progress = steady_clock::now();
        return true;
    };
    out.last_progress = steady_clock::now();
    {
        const internal::SigpipeBlock no_sigpipe; // SSL_write to a closed peer
        out.ok = client.send(wire, out.response, out.error);
    }
    if (!out.ok && origin.https)
        out.verify_result = static_cast<httplib::SSLClient&>(client).get_openssl_verify_result();
    return out;
}

Exchange HttplibTransport::send(const Request& request) {
    Exchange exchange;
    exchange.request = request;
    auto origin = parse_base_url(request.base_url);
    if (!origin) {
        exchange.started = std::chrono::system_clock::now();
        exchange.failure = TransportFailure{FailureKind::invalid_url, origin.error().message};
        return exchange;
    }
    m_limiter.acquire();
    exchange.started = std::chrono::system_clock::now();
    const auto start = steady_clock::now();

    Client client = checkout(*origin);
    bool reused = client->is_socket_open() != 0;
    Attempt result = attempt(*client, request, *origin);
    if (!result.ok && reused && stale_connection(result, m_options)) {
        client = make_client(*origin); // the server closed the idle connection: once more
        result = attempt(*client, request, *origin);
    }
    exchange.seconds = std::chrono::duration<double>(steady_clock::now() - start).count();

    if (!result.ok) {
        exchange.failure = classify(result, m_options, *origin);
        return exchange; // the client and its connection are dropped
    }
    Response response;
    response.status = result.response.status;
    for (const auto& [name, value] : result.response.headers)
        response.headers.push_back({name, value});
    response.body = std::move(result.body);
    exchange.response = std::move(response);
    checkin(*origin, std::move(client));
    return exchange;
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
        if (iequals(header.name, name))
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
