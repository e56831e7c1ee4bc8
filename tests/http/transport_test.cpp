// The httplib transport over real loopback sockets (STYLE.md lesson 13): round trips over HTTP
// and HTTPS, certificate trust, every failure kind a test can provoke, decompression,
// connection reuse, threads, and the rate limiter.
#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runner/http/http.hpp"
#include "runner/http/server.hpp"
#include "tests/http/loopback_support.hpp"

namespace http = conform::http;
using conform::test::RawListener;
using conform::test::Stopwatch;
using conform::test::TempFile;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<http::Server> start_server(http::Handler handler, bool tls = false,
                                           int threads = 8) {
    auto server = http::Server::start(
        {.host = "127.0.0.1", .port = 0, .tls = tls, .threads = threads}, std::move(handler));
    REQUIRE(server.has_value());
    return std::move(server).value();
}

std::unique_ptr<http::Transport> transport_with(const http::ClientOptions& options) {
    auto transport = http::make_transport(options);
    REQUIRE(transport.has_value());
    return std::move(transport).value();
}

http::ServerResponse ok(std::string body = "{}") {
    http::ServerResponse response;
    response.body = std::move(body);
    return response;
}

// Records what arrived, answers with the raw query as the body.
struct EchoRecorder {
    std::mutex mutex;
    std::vector<http::ServerRequest> seen;

    http::Handler handler() {
        return [this](const http::ServerRequest& request) {
            {
                const std::lock_guard lock(mutex);
                seen.push_back(request);
            }
            http::ServerResponse response;
            response.status = 201;
            response.content_type = "text/plain";
            response.body = request.raw_query;
            response.headers.push_back({"X-Echo-Method", request.method});
            return response;
        };
    }
    std::set<std::uint16_t> remote_ports() {
        const std::lock_guard lock(mutex);
        std::set<std::uint16_t> ports;
        for (const auto& request : seen)
            ports.insert(request.remote_port);
        return ports;
    }
};

http::Request request_to(const std::string& base_url, std::string path = "/v2/index.php") {
    http::Request request;
    request.base_url = base_url + path;
    return request;
}

} // namespace

TEST_CASE("Request::url appends the encoded query", "[transport]") {
    http::Request request;
    request.base_url = "http://127.0.0.1:5000/v2/index.php";
    CHECK(request.url() == "http://127.0.0.1:5000/v2/index.php");
    request.query.add("Action", "GetFavor");
    request.query.add("Key", "a b+c");
    CHECK(request.url() == "http://127.0.0.1:5000/v2/index.php?Action=GetFavor&Key=a%20b%2Bc");
}

TEST_CASE("find_header ignores case", "[transport]") {
    const http::Headers headers{{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    REQUIRE(http::find_header(headers, "content-type"));
    CHECK(*http::find_header(headers, "CONTENT-TYPE") == "application/json");
    CHECK(*http::find_header(headers, "x-A") == "1");
    CHECK(http::find_header(headers, "Accept") == nullptr);
}

TEST_CASE("FailureKind rows are in enum order", "[transport]") {
    for (std::size_t i = 0; i < http::k_failure_kinds.size(); ++i)
        CHECK(static_cast<std::size_t>(http::k_failure_kinds[i].kind) == i);
    CHECK(http::name_of(http::FailureKind::read_timeout) == "read-timeout");
}

TEST_CASE("HTTP round trip: query bytes, headers, body and status arrive intact", "[transport]") {
    EchoRecorder recorder;
    auto server = start_server(recorder.handler());
    auto transport = transport_with({});

    http::Request request = request_to(server->base_url());
    request.method = "POST";
    request.query.add("Action", "GetRepo");
    request.query.add("PublicKey", "ucloud+key/with=signs&more");
    request.query.add("Name", "caf\xc3\xa9 au lait");
    request.headers.push_back({"X-Trace", "abc"});
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = R"({"a":1})";
    const http::Exchange exchange = transport->send(request);

    REQUIRE_FALSE(exchange.failure);
    REQUIRE(exchange.response);
    CHECK(exchange.response->status == 201);
    const std::string sent = http::encode_query(request.query);
    CHECK(exchange.response->body == sent);
    REQUIRE(exchange.response->header("x-echo-method"));
    CHECK(*exchange.response->header("X-Echo-Method") == "POST");
    CHECK(exchange.seconds > 0);

    REQUIRE(recorder.seen.size() == 1);
    const http::ServerRequest& seen = recorder.seen.front();
    CHECK(seen.method == "POST");
    CHECK(seen.path == "/v2/index.php");
    CHECK(seen.raw_query == sent); // still percent-encoded: %2B stays %2B, not '+' or ' '
    CHECK(seen.raw_query.find("PublicKey=ucloud%2Bkey%2Fwith%3Dsigns%26more") != std::string::npos);
    auto parsed = http::parse_query(seen.raw_query);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == request.query);
    CHECK(seen.body == R"({"a":1})");
    CHECK(seen.host == "127.0.0.1:" + std::to_string(server->port()));
    CHECK_FALSE(seen.tls);
    REQUIRE(http::find_header(seen.headers, "x-trace"));
    CHECK(*http::find_header(seen.headers, "X-Trace") == "abc");
    REQUIRE(http::find_header(seen.headers, "User-Agent"));
    CHECK(http::find_header(seen.headers, "User-Agent")->rfind("conform/", 0) == 0);
}

TEST_CASE("HTTPS with the server's certificate as ca_file", "[transport][tls]") {
    EchoRecorder recorder;
    auto server = start_server(recorder.handler(), /*tls=*/true);
    REQUIRE(server->base_url().rfind("https://127.0.0.1:", 0) == 0);
    const TempFile ca(server->certificate_pem());

    http::ClientOptions options;
    options.ca_file = ca.path();
    auto transport = transport_with(options);
    http::Request request = request_to(server->base_url());
    request.query.add("Signature", "NSI3UqqD99b/UJb4tbG/xZpRW64=");
    const http::Exchange exchange = transport->send(request);

    INFO((exchange.failure ? exchange.failure->message : std::string()));
    REQUIRE(exchange.response);
    CHECK(exchange.response->status == 201);
    CHECK(exchange.response->body == "Signature=NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D");
    REQUIRE(recorder.seen.size() == 1);
    CHECK(recorder.seen.front().tls);
}

TEST_CASE("HTTPS against an untrusted certificate fails as tls_failed", "[transport][tls]") {
    auto server = start_server([](const http::ServerRequest&) { return ok(); }, /*tls=*/true);
    auto transport = transport_with({}); // the system store does not know our certificate
    const http::Exchange exchange = transport->send(request_to(server->base_url()));
    REQUIRE(exchange.failure);
    CHECK_FALSE(exchange.response);
    CHECK(exchange.failure->kind == http::FailureKind::tls_failed);
    CHECK(exchange.failure->message.find("127.0.0.1:" + std::to_string(server->port())) !=
          std::string::npos);
    CHECK(exchange.failure->message.find("self-signed") != std::string::npos);
}

TEST_CASE("HTTPS with insecure skips verification", "[transport][tls]") {
    auto server = start_server([](const http::ServerRequest&) { return ok(R"({"x":1})"); },
                               /*tls=*/true);
    http::ClientOptions options;
    options.insecure = true;
    auto transport = transport_with(options);
    const http::Exchange exchange = transport->send(request_to(server->base_url()));
    REQUIRE(exchange.response);
    CHECK(exchange.response->body == R"({"x":1})");
}

TEST_CASE("make_transport refuses a ca_file it cannot use", "[transport][tls]") {
    http::ClientOptions options;
    options.ca_file = std::filesystem::temp_directory_path() / "conform-no-such-ca.pem";
    CHECK_FALSE(http::make_transport(options).has_value());
    const TempFile junk("not a certificate\n");
    options.ca_file = junk.path();
    auto transport = http::make_transport(options);
    REQUIRE_FALSE(transport.has_value());
    CHECK(transport.error().message.find("no PEM certificate") != std::string::npos);
}

TEST_CASE("A refused connection is connect_failed", "[transport]") {
    const std::uint16_t port = conform::test::closed_port();
    auto transport = transport_with({});
    const http::Exchange exchange =
        transport->send(request_to("http://127.0.0.1:" + std::to_string(port), "/"));
    REQUIRE(exchange.failure);
    CHECK(exchange.failure->kind == http::FailureKind::connect_failed);
    CHECK(exchange.failure->message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

TEST_CASE("Unusable base URLs are invalid_url", "[transport]") {
    auto transport = transport_with({});
    for (const char* url : {"127.0.0.1:80/", "ftp://127.0.0.1/", "http:///x", "http://h:0/",
                            "http://h:65536/", "http://h:8x/", "http://h/?a=1", "http://[::1/"}) {
        const http::Exchange exchange = transport->send(request_to(url, ""));
        INFO(url);
        REQUIRE(exchange.failure);
        CHECK(exchange.failure->kind == http::FailureKind::invalid_url);
    }
}

TEST_CASE("A server that accepts and never answers is read_timeout", "[transport][timeout]") {
    const RawListener silent({}, /*answer_requests=*/false);
    http::ClientOptions options;
    options.read_timeout = 300ms;
    auto transport = transport_with(options);
    const Stopwatch watch;
    const http::Exchange exchange = transport->send(request_to(silent.base_url(), ""));
    CHECK(watch.elapsed() < 900ms);
    REQUIRE(exchange.failure);
    CHECK(exchange.failure->kind == http::FailureKind::read_timeout);
    CHECK(exchange.failure->message.find("300 ms") != std::string::npos);
}

TEST_CASE("A delayed answer beyond the read timeout is read_timeout", "[transport][timeout]") {
    auto server = start_server([](const http::ServerRequest&) {
        http::ServerResponse response = ok();
        response.delay = 5s;
        return response;
    });
    http::ClientOptions options;
    options.read_timeout = 200ms;
    auto transport = transport_with(options);
    const Stopwatch watch;
    const http::Exchange exchange = transport->send(request_to(server->base_url()));
    REQUIRE(exchange.failure);
    CHECK(exchange.failure->kind == http::FailureKind::read_timeout);
    CHECK(watch.elapsed() < 600ms);
}

TEST_CASE("A body shorter than its Content-Length is never a success", "[transport]") {
    auto server = start_server([](const http::ServerRequest&) {
        http::ServerResponse response = ok(R"({"RetCode":0,)");
        response.declared_length = 100;
        return response;
    });
    auto transport = transport_with({});
    const http::Exchange exchange = transport->send(request_to(server->base_url()));
    REQUIRE(exchange.failure);
    CHECK_FALSE(exchange.response);
    CHECK((exchange.failure->kind == http::FailureKind::truncated_body ||
           exchange.failure->kind == http::FailureKind::connection_closed));
    CHECK(exchange.failure->kind == http::FailureKind::truncated_body);
    // The connection was dropped; the next request gets a new one and succeeds.
    auto again = start_server([](const http::ServerRequest&) { return ok(); });
    CHECK(transport->send(request_to(again->base_url())).response);
}

TEST_CASE("A gzip answer is decoded", "[transport]") {
    // gzip of {"compressed":true,"text":"hello hello hello hello"} (mtime 0).
    static constexpr char k_gzip[] =
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\xce\xcf\x2d\x28\x4a\x2d\x2e\x4e"
        "\x4d\x51\xb2\x2a\x29\x2a\x4d\xd5\x51\x2a\x49\xad\x28\x51\xb2\x52\xca\x48\xcd\xc9\xc9"
        "\x57\xc0\x20\x95\x6a\x01\xd4\xb6\xfb\x60\x34\x00\x00\x00";
    const std::string body(k_gzip, sizeof k_gzip - 1);
    const RawListener raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Encoding: gzip\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    auto transport = transport_with({});
    const http::Exchange exchange = transport->send(request_to(raw.base_url(), ""));
    INFO((exchange.failure ? exchange.failure->message : std::string()));
    REQUIRE(exchange.response);
    CHECK(exchange.response->body == R"({"compressed":true,"text":"hello hello hello hello"})");
    CHECK(*exchange.response->header("Content-Encoding") == "gzip");
}

TEST_CASE("Our server compresses for a client that asks, and the client decodes", "[transport]") {
    const std::string big(4000, 'x');
    auto server = start_server([&](const http::ServerRequest&) { return ok("\"" + big + "\""); });
    auto transport = transport_with({});
    http::Request request = request_to(server->base_url());
    request.headers.push_back({"Accept-Encoding", "gzip"});
    const http::Exchange exchange = transport->send(request);
    REQUIRE(exchange.response);
    CHECK(exchange.response->body == "\"" + big + "\"");
    REQUIRE(exchange.response->header("Content-Encoding"));
    CHECK(*exchange.response->header("Content-Encoding") == "gzip");
}

TEST_CASE("Keep-alive reuses one connection per origin", "[transport]") {
    EchoRecorder recorder;
    auto server = start_server(recorder.handler());

    SECTION("on") {
        auto transport = transport_with({});
        for (int i = 0; i < 5; ++i)
            REQUIRE(transport->send(request_to(server->base_url())).response);
        CHECK(recorder.remote_ports().size() == 1);
    }
    SECTION("off") {
        http::ClientOptions options;
        options.keep_alive = false;
        auto transport = transport_with(options);
        for (int i = 0; i < 5; ++i)
            REQUIRE(transport->send(request_to(server->base_url())).response);
        CHECK(recorder.remote_ports().size() == 5);
    }
}

TEST_CASE("Concurrent sends from 8 threads each get an answer", "[transport][threads]") {
    EchoRecorder recorder;
    auto server = start_server(recorder.handler(), /*tls=*/true);
    http::ClientOptions options;
    options.insecure = true;
    auto transport = transport_with(options);

    constexpr int k_threads = 8;
    constexpr int k_each = 10;
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < k_each; ++i) {
                http::Request request = request_to(server->base_url());
                request.query.add("Thread", std::to_string(t));
                request.query.add("Index", std::to_string(i));
                const http::Exchange exchange = transport->send(request);
                if (exchange.response &&
                    exchange.response->body == http::encode_query(request.query))
                    ++answered;
            }
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(answered == k_threads * k_each);
    // Pooled: far fewer connections than requests.
    CHECK(recorder.remote_ports().size() <= static_cast<std::size_t>(k_threads) * 2);
}

TEST_CASE("More keep-alive clients than server threads still get answers", "[transport][threads]") {
    auto server = start_server([](const http::ServerRequest&) { return ok(); }, false,
                               /*threads=*/2);
    std::vector<std::unique_ptr<http::Transport>> transports;
    for (int i = 0; i < 4; ++i)
        transports.push_back(transport_with({}));
    const Stopwatch watch;
    for (int round = 0; round < 3; ++round)
        for (auto& transport : transports) {
            const http::Exchange exchange = transport->send(request_to(server->base_url()));
            INFO((exchange.failure ? exchange.failure->message : std::string()));
            REQUIRE(exchange.response);
        }
    // An idle connection gives its thread up to a waiting one instead of holding it 5 s.
    CHECK(watch.elapsed() < 3s);
}

TEST_CASE("RateLimiter spaces acquisitions", "[transport][rate]") {
    SECTION("one thread") {
        http::RateLimiter limiter(50);
        const Stopwatch watch;
        for (int i = 0; i < 10; ++i)
            limiter.acquire();
        CHECK(watch.elapsed() >= 175ms); // 9 intervals of 20 ms; only a lower bound
    }
    SECTION("shared by threads") {
        http::RateLimiter limiter(100);
        const Stopwatch watch;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 5; ++i)
                    limiter.acquire();
            });
        for (auto& thread : threads)
            thread.join();
        CHECK(watch.elapsed() >= 185ms); // 20 acquisitions, 19 intervals of 10 ms
    }
    SECTION("zero never blocks") {
        http::RateLimiter limiter(0);
        const Stopwatch watch;
        for (int i = 0; i < 1000; ++i)
            limiter.acquire();
        CHECK(watch.elapsed() < 1s);
    }
}

TEST_CASE("ClientOptions::rate_per_second limits the transport", "[transport][rate]") {
    auto server = start_server([](const http::ServerRequest&) { return ok(); });
    http::ClientOptions options;
    options.rate_per_second = 50;
    auto transport = transport_with(options);
    const Stopwatch watch;
    for (int i = 0; i < 6; ++i)
        REQUIRE(transport->send(request_to(server->base_url())).response);
    CHECK(watch.elapsed() >= 95ms); // 5 intervals of 20 ms
}
