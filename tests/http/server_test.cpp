// The HTTP(S) server over real loopback sockets: start on an ephemeral port, what a handler
// sees, the generated certificate, and a stop() that never hangs.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <thread>

#include "runner/http/http.hpp"
#include "runner/http/server.hpp"
#include "tests/http/loopback_support.hpp"
#include "tests/support/fixtures.hpp"

namespace http = conform::http;
using conform::test::Stopwatch;
using namespace std::chrono_literals;

namespace {

http::ServerResponse answer_ok(const http::ServerRequest&) {
    http::ServerResponse response;
    response.body = R"({"code":0})";
    return response;
}

std::unique_ptr<http::Server> start(http::Handler handler, bool tls = false) {
    auto server =
        http::Server::start({.host = "127.0.0.1", .port = 0, .tls = tls}, std::move(handler));
    REQUIRE(server.has_value());
    return std::move(server).value();
}

http::Exchange get(http::Transport& transport, const std::string& url) {
    http::Request request;
    request.base_url = url;
    return transport.send(request);
}

std::unique_ptr<http::Transport> insecure_transport() {
    http::ClientOptions options;
    options.insecure = true;
    options.read_timeout = 2s;
    auto transport = http::make_transport(options);
    REQUIRE(transport.has_value());
    return std::move(transport).value();
}

} // namespace

TEST_CASE("Server::start on port 0 reports the real port, and answers at once", "[server]") {
    auto server = start(answer_ok);
    CHECK(server->port() != 0);
    CHECK(server->base_url() == "http://127.0.0.1:" + std::to_string(server->port()));
    CHECK(server->certificate_pem().empty());
    // No sleep between start and the first request: start returns once the socket listens.
    auto transport = insecure_transport();
    const http::Exchange exchange = get(*transport, server->base_url() + "/");
    REQUIRE(exchange.response);
    CHECK(exchange.response->status == 200);
    CHECK(exchange.response->body == R"({"code":0})");
    CHECK(*exchange.response->header("Content-Type") == "application/json");
}

TEST_CASE("Server::start fails naming host:port when the port is taken", "[server]") {
    auto first = start(answer_ok);
    auto second = http::Server::start({.host = "127.0.0.1", .port = first->port()}, answer_ok);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().message.find("127.0.0.1:" + std::to_string(first->port())) !=
          std::string::npos);
}

TEST_CASE("The handler sees method, raw path and query, headers, body, Host and TLS", "[server]") {
    std::mutex mutex;
    std::optional<http::ServerRequest> seen;
    auto server = start(
        [&](const http::ServerRequest& request) {
            const std::lock_guard lock(mutex);
            seen = request;
            http::ServerResponse response;
            response.status = 404;
            response.content_type = "text/plain";
            response.body = "nope";
            response.headers.push_back({"X-Seen", "yes"});
            return response;
        },
        /*tls=*/true);
    auto transport = insecure_transport();
    http::Request request;
    request.method = "PUT";
    request.base_url = server->base_url() + "/a%20b/c";
    request.query.add("Key", "x+y z");
    request.query.add("Empty", "");
    request.headers.push_back({"X-Custom", "v"});
    request.body = "payload";
    const http::Exchange exchange = transport->send(request);
    REQUIRE(exchange.response);
    CHECK(exchange.response->status == 404);
    CHECK(exchange.response->body == "nope");
    CHECK(*exchange.response->header("x-seen") == "yes");

    const std::lock_guard lock(mutex);
    REQUIRE(seen);
    CHECK(seen->method == "PUT");
    CHECK(seen->path == "/a%20b/c");
    CHECK(seen->raw_query == "Key=x%2By%20z&Empty=");
    CHECK(seen->body == "payload");
    CHECK(*http::find_header(seen->headers, "x-custom") == "v");
    CHECK(seen->host == "127.0.0.1:" + std::to_string(server->port()));
    CHECK(seen->tls);
    CHECK(seen->remote_address == "127.0.0.1");
    CHECK(seen->remote_port != 0);
}

TEST_CASE("The TLS certificate is a PEM certificate the client can trust", "[server][tls]") {
    auto server = start(answer_ok, /*tls=*/true);
    const std::string pem = server->certificate_pem();
    CHECK(pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
    CHECK(pem.find("-----END CERTIFICATE-----") != std::string::npos);
    const conform::test::TempFile ca(pem);
    http::ClientOptions options;
    options.ca_file = ca.path();
    auto transport = http::make_transport(options);
    REQUIRE(transport.has_value());
    const http::Exchange exchange = (*transport)->send([&] {
        http::Request request;
        request.base_url = "https://localhost:" + std::to_string(server->port()) + "/";
        return request;
    }());
    // localhost may resolve to ::1 first, where nothing listens: only a TLS failure is wrong.
    if (exchange.failure)
        CHECK(exchange.failure->kind != http::FailureKind::tls_failed);
}

TEST_CASE("Each server makes its own certificate", "[server][tls]") {
    auto a = start(answer_ok, true);
    auto b = start(answer_ok, true);
    CHECK(a->certificate_pem() != b->certificate_pem());
}

TEST_CASE("stop() cuts a delayed handler short at once", "[server]") {
    std::atomic<bool> in_handler{false};
    auto server = start([&](const http::ServerRequest& request) {
        in_handler = true;
        http::ServerResponse response = answer_ok(request);
        response.delay = 10s;
        return response;
    });
    auto transport = insecure_transport();
    auto pending =
        std::async(std::launch::async, [&] { return get(*transport, server->base_url() + "/"); });
    while (!in_handler)
        std::this_thread::sleep_for(1ms);
    const Stopwatch watch;
    server->stop();
    CHECK(watch.elapsed() < 1s);
    const http::Exchange exchange = pending.get();
    CHECK(exchange.failure); // the server went away mid-answer
}

TEST_CASE("stop() does not wait for an idle keep-alive connection", "[server]") {
    auto server = start(answer_ok);
    auto transport = insecure_transport();
    REQUIRE(get(*transport, server->base_url() + "/").response); // the connection stays open
    const Stopwatch watch;
    server->stop();
    CHECK(watch.elapsed() < 1s); // httplib alone would hold it for its 5 s keep-alive timeout
}

TEST_CASE("stop() is idempotent, and wait() returns once it is called", "[server]") {
    auto server = start(answer_ok);
    std::atomic<bool> waited{false};
    std::thread waiter([&] {
        server->wait();
        waited = true;
    });
    std::this_thread::sleep_for(20ms);
    CHECK_FALSE(waited);
    server->stop();
    waiter.join();
    CHECK(waited);
    server->stop();
    server->wait(); // returns at once after stop
    auto transport = insecure_transport();
    const http::Exchange exchange = get(*transport, server->base_url() + "/");
    REQUIRE(exchange.failure);
    CHECK(exchange.failure->kind == http::FailureKind::connect_failed);
}

TEST_CASE("signal_stop() ends wait() of running servers", "[server]") {
    auto server = start(answer_ok);
    std::thread waiter([&] { server->wait(); });
    http::Server::signal_stop();
    const Stopwatch watch;
    waiter.join();
    CHECK(watch.elapsed() < 1s);
    // A server started afterwards is not stopped by that earlier signal.
    auto later = start(answer_ok);
    auto transport = insecure_transport();
    CHECK(get(*transport, later->base_url() + "/").response);
}

TEST_CASE("The destructor stops a busy server", "[server]") {
    const Stopwatch watch;
    {
        auto server = start([](const http::ServerRequest& request) {
            http::ServerResponse response = answer_ok(request);
            response.delay = 10s;
            return response;
        });
        auto transport = insecure_transport();
        std::thread client([&] { (void)get(*transport, server->base_url() + "/"); });
        std::this_thread::sleep_for(50ms);
        server.reset();
        client.join();
    }
    CHECK(watch.elapsed() < 2s);
}

TEST_CASE("A handler that throws answers 500", "[server]") {
    auto server = start([](const http::ServerRequest&) -> http::ServerResponse {
        throw std::runtime_error("boom");
    });
    auto transport = insecure_transport();
    const http::Exchange exchange = get(*transport, server->base_url() + "/");
    REQUIRE(exchange.response);
    CHECK(exchange.response->status == 500);
    CHECK(exchange.response->body.find("boom") != std::string::npos);
}

TEST_CASE("serve_until_stopped announces the certificate, waits, and stops the server",
          "[server][tls]") {
    const auto dir = conform::test::fresh_dir("serve-until-stopped");
    http::StopSignals signals;
    std::atomic<bool> stop{true}; // asked before the wait: returns at once
    {
        // --cert-out: the PEM the server presents, in the file named
        auto server = start(answer_ok, true);
        std::ostringstream err;
        const auto pem = dir / "cert.pem";
        auto served =
            http::serve_until_stopped(*server, signals, {"conform serve", true, pem, &stop}, err);
        REQUIRE(served);
        std::ifstream in(pem);
        const std::string written((std::istreambuf_iterator<char>(in)), {});
        CHECK(written == server->certificate_pem());
        CHECK(err.str().find("conform serve: self-signed certificate written to " + pem.string()) !=
              std::string::npos);
        CHECK(err.str().find("conform serve: Ctrl-C stops") != std::string::npos);
        CHECK_FALSE(get(*insecure_transport(), server->base_url() + "/").response); // stopped
    }
    {
        // a file that cannot be written fails naming it, with the server stopped
        auto server = start(answer_ok, true);
        std::ostringstream err;
        const auto bad = dir / "no-such-dir" / "cert.pem";
        auto served =
            http::serve_until_stopped(*server, signals, {"conform serve", true, bad, &stop}, err);
        REQUIRE_FALSE(served);
        CHECK(served.error().message == "cannot write the certificate to " + bad.string());
        CHECK(err.str().find("Ctrl-C stops") == std::string::npos);
        CHECK_FALSE(get(*insecure_transport(), server->base_url() + "/").response); // stopped
    }
    {
        // no TLS: nothing about certificates; without --cert-out, how to trust one
        auto plain = start(answer_ok);
        std::ostringstream err;
        REQUIRE(http::serve_until_stopped(*plain, signals, {"conform x", false, {}, &stop}, err));
        CHECK(err.str() == "conform x: Ctrl-C stops\n");
        auto tls = start(answer_ok, true);
        std::ostringstream tls_err;
        REQUIRE(http::serve_until_stopped(*tls, signals, {"conform x", true, {}, &stop}, tls_err));
        CHECK(tls_err.str().find("clients need --insecure, or --cacert") != std::string::npos);
    }
}
