#include "tests/hostile/hostile_server.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <brotli/encode.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <zlib.h>

namespace conform::test {

using namespace std::chrono_literals;

namespace {

constexpr auto k_slice = 20ms; // how often waiting threads look at the stop flag

bool wait_readable(int sock, const std::atomic<bool>& stopping) {
    while (!stopping) {
        pollfd fd{sock, POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(k_slice.count()));
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            return false;
    }
    return false;
}

std::string pem_of(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

void require(bool ok, const char* what) {
    if (!ok) {
        ERR_print_errors_fp(stderr);
        throw std::runtime_error(std::string("hostile server setup: ") + what);
    }
}

} // namespace

bool Peer::send(std::string_view data) {
    while (!data.empty()) {
        if (m_stopping)
            return false;
        pollfd fd{m_sock, POLLOUT, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(k_slice.count()));
        if (ready < 0 && errno != EINTR)
            return false;
        if (ready <= 0)
            continue;
        ssize_t n = 0;
        if (m_ssl) {
            n = SSL_write(static_cast<SSL*>(m_ssl), data.data(), static_cast<int>(data.size()));
        } else {
            n = ::send(m_sock, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
        }
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool Peer::pause(std::chrono::milliseconds span) const {
    const auto until = std::chrono::steady_clock::now() + span;
    while (!m_stopping) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until)
            return true;
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(until - now, k_slice));
    }
    return false;
}

void Peer::hold() const {
    char buffer[4096];
    while (wait_readable(m_sock, m_stopping))
        if (::recv(m_sock, buffer, sizeof buffer, MSG_DONTWAIT) == 0)
            return; // the client closed
}

void Peer::reset() {
    const linger hard{1, 0};
    ::setsockopt(m_sock, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    // The script returns next; HostileServer::serve's close(2) then sends the RST.
}

struct HostileServer::Tls {
    SSL_CTX* ctx = nullptr;
    ~Tls() {
        if (ctx)
            SSL_CTX_free(ctx);
    }
};

TestIdentity make_identity(const std::string& subject_alt_names, std::chrono::seconds not_before,
                           std::chrono::seconds not_after) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    require(key != nullptr, "key");
    X509* cert = X509_new();
    require(cert != nullptr, "X509_new");
    ASN1_INTEGER_set(X509_get_serialNumber(cert),
                     static_cast<long>(std::random_device{}() & 0x7fffffff));
    require(X509_set_version(cert, X509_VERSION_3) == 1 &&
                X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(not_before.count())) &&
                X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(not_after.count())) &&
                X509_set_pubkey(cert, key) == 1,
            "fields");
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("conform hostile test"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] :
         {std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
          std::pair{NID_subject_alt_name, subject_alt_names}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
        require(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "extension");
        X509_EXTENSION_free(ext);
    }
    require(X509_sign(cert, key, EVP_sha256()) > 0, "sign");
    TestIdentity out;
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    out.certificate_pem = pem_of(bio);
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.key_pem = pem_of(bio);
    BIO_free(bio);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

HostileServer::HostileServer(Script script) : m_script(std::move(script)) {
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_listener < 0 ||
        ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(m_listener, 64) != 0 ||
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    m_port = ntohs(address.sin_port);
    m_acceptor = std::thread([this] { run(); });
}

HostileServer::HostileServer(Script script, TestIdentity identity)
    : HostileServer(std::move(script)) {
    m_tls_state = std::make_unique<Tls>();
    m_tls_state->ctx = SSL_CTX_new(TLS_server_method());
    require(m_tls_state->ctx != nullptr, "SSL_CTX_new");
    BIO* bio = BIO_new_mem_buf(identity.certificate_pem.data(),
                               static_cast<int>(identity.certificate_pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bio = BIO_new_mem_buf(identity.key_pem.data(), static_cast<int>(identity.key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    require(cert && key && SSL_CTX_use_certificate(m_tls_state->ctx, cert) == 1 &&
                SSL_CTX_use_PrivateKey(m_tls_state->ctx, key) == 1,
            "identity");
    X509_free(cert);
    EVP_PKEY_free(key);
    m_tls = true; // the acceptor reads m_tls only for connections, none of which came yet
}

HostileServer::~HostileServer() {
    stop();
}

void HostileServer::stop() {
    if (m_stopping.exchange(true))
        return;
    if (m_acceptor.joinable())
        m_acceptor.join();
    {
        const std::lock_guard lock(m_mutex);
        for (const int sock : m_open)
            ::shutdown(sock, SHUT_RDWR);
    }
    for (auto& worker : m_workers) // the acceptor has ended: no new workers
        worker.join();
    ::close(m_listener);
}

void HostileServer::run() {
    while (wait_readable(m_listener, m_stopping)) {
        const int sock = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (sock < 0)
            continue;
        ++m_connections;
        const std::lock_guard lock(m_mutex);
        m_open.push_back(sock);
        m_workers.emplace_back([this, sock] { serve(sock); });
    }
}

void HostileServer::serve(int sock) {
    SSL* ssl = nullptr;
    bool usable = true;
    if (m_tls) {
        ssl = SSL_new(m_tls_state->ctx);
        SSL_set_fd(ssl, sock);
        // Blocking, bounded: the client gives up within its own timeouts.
        const timeval limit{2, 0};
        ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        usable = SSL_accept(ssl) == 1;
    }
    // The request head: up to the blank line (the tests send no request bodies).
    std::string request;
    char buffer[4096];
    while (usable && request.find("\r\n\r\n") == std::string::npos) {
        if (!ssl && !wait_readable(sock, m_stopping)) {
            usable = false;
            break;
        }
        const ssize_t n = ssl ? SSL_read(ssl, buffer, sizeof buffer)
                              : ::recv(sock, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) {
            usable = false;
            break;
        }
        request.append(buffer, static_cast<std::size_t>(n));
    }
    if (usable) {
        ++m_requests;
        Peer peer(sock, ssl, m_stopping, std::move(request));
        m_script(peer);
    }
    if (ssl)
        SSL_free(ssl);
    ERR_clear_error();
    {
        const std::lock_guard lock(m_mutex);
        std::erase(m_open, sock);
    }
    ::close(sock);
}

std::size_t peak_rss_bytes() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

std::string head(const std::string& headers, const std::string& status) {
    return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + headers + "\r\n";
}

std::string chunk(std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return std::string(size) + std::string(data) + "\r\n";
}

bool stream_gzip_zeros(std::uint64_t count, const std::function<bool(std::string_view)>& sink) {
    z_stream z{};
    // Level 1 (about 230:1 on zeros, at a few hundred MB/s) with a sync flush after each MiB,
    // so that the client gets bytes at once however busy the machine is.
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    static const std::string zeros(1 << 20, '\0');
    std::string out(1 << 16, '\0');
    bool ok = true;
    std::uint64_t left = count;
    for (;;) {
        const auto piece = static_cast<uInt>(std::min<std::uint64_t>(left, zeros.size()));
        left -= piece;
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
        z.avail_in = piece;
        const int flush = left == 0 ? Z_FINISH : Z_SYNC_FLUSH;
        int ret = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            ret = deflate(&z, flush);
            const std::size_t produced = out.size() - z.avail_out;
            if (produced > 0 && !sink(std::string_view(out.data(), produced))) {
                ok = false;
                break;
            }
        } while (z.avail_out == 0);
        if (!ok || ret == Z_STREAM_END || left == 0)
            break;
    }
    deflateEnd(&z);
    return ok;
}

bool stream_brotli_zeros(std::uint64_t count, const std::function<bool(std::string_view)>& sink) {
    BrotliEncoderState* state = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (!state)
        return false;
    BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, 5);
    static const std::string zeros(1 << 20, '\0');
    bool ok = true;
    std::uint64_t left = count;
    while (ok) {
        const std::size_t piece =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
        left -= piece;
        const auto* in = reinterpret_cast<const std::uint8_t*>(zeros.data());
        std::size_t in_left = piece;
        const BrotliEncoderOperation op =
            left == 0 ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_FLUSH;
        do {
            std::size_t out_left = 0;
            if (!BrotliEncoderCompressStream(state, op, &in_left, &in, &out_left, nullptr,
                                             nullptr)) {
                ok = false;
                break;
            }
            std::size_t size = 0;
            const std::uint8_t* out = BrotliEncoderTakeOutput(state, &size);
            if (size > 0 && !sink(std::string_view(reinterpret_cast<const char*>(out), size)))
                ok = false;
        } while (ok && (in_left > 0 || BrotliEncoderHasMoreOutput(state) ||
                        (op == BROTLI_OPERATION_FINISH && !BrotliEncoderIsFinished(state))));
        // (FLUSH: the loop ends once the input is taken and the flushed output is out.)
        if (left == 0)
            break;
    }
    BrotliEncoderDestroyInstance(state);
    return ok;
}

std::string gzip(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

} // namespace conform::test

namespace conform::test {

RawAnswer raw_request(std::uint16_t port, std::string_view request,
                      std::chrono::milliseconds timeout) {
    RawAnswer out;
    const int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (sock < 0 || ::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (sock >= 0)
            ::close(sock);
        return out;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        return static_cast<int>(
            std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now())
                                       .count()));
    };
    // Write while reading: a server that refuses early stops reading what we send.
    std::size_t sent = 0;
    char buffer[16384];
    while (left() > 0) {
        pollfd fd{sock, static_cast<short>(POLLIN | (sent < request.size() ? POLLOUT : 0)), 0};
        if (::poll(&fd, 1, left()) <= 0)
            break;
        if (fd.revents & POLLIN) {
            const ssize_t n = ::recv(sock, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                out.closed = true;
                break;
            }
            if (n > 0)
                out.bytes.append(buffer, static_cast<std::size_t>(n));
        } else if (fd.revents & POLLOUT) {
            const ssize_t n = ::send(sock, request.data() + sent, request.size() - sent,
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                sent = request.size(); // the server stopped reading: see what it answered
        } else if (fd.revents & (POLLHUP | POLLERR)) {
            out.closed = true;
            break;
        }
    }
    ::close(sock);
    if (out.bytes.rfind("HTTP/1.", 0) == 0 && out.bytes.size() >= 12)
        out.status = std::atoi(out.bytes.substr(9, 3).c_str());
    return out;
}

} // namespace conform::test
