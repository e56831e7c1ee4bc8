// The client against hostile servers (issue 7): every way a server under test can misbehave
// ends in the FailureKind that names it, with a message naming host:port and the limit, within
// the timeouts, without holding more than the body limit in memory.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/http/http.hpp"
#include "tests/hostile/hostile_server.hpp"

namespace http = conform::http;
using conform::test::head;
using conform::test::HostileServer;
using conform::test::Peer;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t k_mib = std::size_t{1} << 20;
constexpr std::uint64_t k_gib = std::uint64_t{1} << 30;

// Short timeouts and a 1 MiB body limit: each case ends in well under a second.
http::ClientOptions fast() {
    http::ClientOptions options;
    options.connect_timeout = 1000ms;
    options.read_timeout = 500ms;
    options.request_timeout = 3000ms;
    options.max_body_bytes = k_mib;
    return options;
}

struct Outcome {
    http::Exchange exchange;
    milliseconds elapsed{};
    std::size_t rss_growth = 0; // of the process's peak: what holding the body would raise
};

Outcome send_to(const std::string& base_url, const http::ClientOptions& options = fast(),
                http::Transport* reuse = nullptr) {
    std::unique_ptr<http::Transport> own;
    if (!reuse) {
        auto made = http::make_transport(options);
        REQUIRE(made.has_value());
        own = std::move(made).value();
        reuse = own.get();
    }
    http::Request request;
    request.base_url = base_url + "v2/index.php";
    request.query.add("Action", "DescribeThings");
    Outcome out;
    const std::size_t rss = conform::test::peak_rss_bytes();
    const auto start = std::chrono::steady_clock::now();
    out.exchange = reuse->send(request);
    out.elapsed =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    out.rss_growth = conform::test::peak_rss_bytes() - rss;
    return out;
}

void expect_failure(const Outcome& out, const HostileServer& server, http::FailureKind kind,
                    const std::string& fragment) {
    if (std::getenv("CONFORM_HOSTILE_VERBOSE")) // the matrix, for a reader: kind, time, memory
        std::fprintf(stderr, "%-18s %5lld ms  +%zu KiB peak  %s\n",
                     out.exchange.failure
                         ? std::string(http::name_of(out.exchange.failure->kind)).c_str()
                         : "(response)",
                     static_cast<long long>(out.elapsed.count()), out.rss_growth / 1024,
                     out.exchange.failure ? out.exchange.failure->message.c_str() : "");
    INFO((out.exchange.failure ? out.exchange.failure->message : std::string("(a response)")));
    REQUIRE(out.exchange.failure);
    CHECK_FALSE(out.exchange.response);
    CHECK(http::name_of(out.exchange.failure->kind) == http::name_of(kind));
    CHECK(out.exchange.failure->message.find(server.authority()) != std::string::npos);
    CHECK(out.exchange.failure->message.find(fragment) != std::string::npos);
    CHECK(out.exchange.failure->message.find('\n') == std::string::npos); // one line
}

// Streams n bytes of filler (a JSON string's worth of 'x') until the client gives up.
void stream_bytes(Peer& peer, std::uint64_t n, bool chunked) {
    const std::string piece(64 * 1024, 'x');
    for (std::uint64_t sent = 0; sent < n; sent += piece.size())
        if (!peer.send(chunked ? conform::test::chunk(piece) : piece))
            return;
    if (chunked)
        peer.send("0\r\n\r\n");
}

} // namespace

TEST_CASE("hostile: a reset in the middle of the body is connection_closed", "[hostile]") {
    HostileServer server([](Peer& peer) {
        peer.send(head("Content-Length: 100000\r\n") + std::string(1000, 'x'));
        if (peer.pause(50ms))
            peer.reset();
    });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::connection_closed, "reset the connection");
    CHECK(out.elapsed < 2s);
}

TEST_CASE("hostile: a chunked body cut short is truncated_body", "[hostile]") {
    HostileServer server([](Peer& peer) {
        peer.send(head("Transfer-Encoding: chunked\r\n") + conform::test::chunk("{\"RetCode\":") +
                  "40\r\nonly part of this chunk");
    });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::truncated_body, "the last chunk");
    CHECK(out.elapsed < 2s);
}

TEST_CASE("hostile: Content-Length larger than what is sent", "[hostile]") {
    SECTION("then a close: truncated_body") {
        HostileServer server([](Peer& peer) { peer.send(head("Content-Length: 100\r\n") + "{}"); });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::truncated_body,
                       "the 100 bytes it announced");
        CHECK(out.exchange.failure->message.find("2 bytes received") != std::string::npos);
    }
    SECTION("and the connection held open: read_timeout") {
        HostileServer server([](Peer& peer) {
            peer.send(head("Content-Length: 100\r\n") + "{}");
            peer.hold();
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::read_timeout, "500 ms");
        CHECK(out.elapsed >= 450ms);
        CHECK(out.elapsed < 2s);
    }
}

TEST_CASE("hostile: Content-Length smaller than what is sent", "[hostile]") {
    // The answer ends where Content-Length says; the rest would be read as the next answer,
    // so the connection must never be reused.
    HostileServer server([](Peer& peer) {
        peer.send(head("Content-Length: 2\r\n") + "{}HTTP/1.1 200 OK\r\nX-Smuggled: 1\r\n\r\n");
        peer.hold();
    });
    auto transport = http::make_transport(fast());
    REQUIRE(transport.has_value());
    const Outcome first = send_to(server.base_url(), fast(), transport->get());
    REQUIRE(first.exchange.response);
    CHECK(first.exchange.response->status == 200);
    CHECK(first.exchange.response->body == "{}");
    const Outcome second = send_to(server.base_url(), fast(), transport->get());
    REQUIRE(second.exchange.response);
    CHECK(second.exchange.response->body == "{}");
    CHECK_FALSE(second.exchange.response->header("X-Smuggled"));
    CHECK(server.connections() == 2);
}

TEST_CASE("hostile: Content-Length that is not one number is malformed_response", "[hostile]") {
    const std::string lengths =
        GENERATE(as<std::string>{}, "Content-Length: abc\r\n", "Content-Length: -1\r\n",
                 "Content-Length: 2\r\nContent-Length: 3\r\n");
    HostileServer server([&](Peer& peer) { peer.send(head(lengths) + "{}x"); });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::malformed_response, "Content-Length");
}

TEST_CASE("hostile: a gzip bomb stops at the body limit", "[hostile][bomb]") {
    // 1 GiB of zeros, deflated on the fly (about 1 MiB on the wire), chunked.
    HostileServer server([](Peer& peer) {
        if (!peer.send(head("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")))
            return;
        if (conform::test::stream_gzip_zeros(k_gib, [&](std::string_view piece) {
                return peer.send(conform::test::chunk(piece));
            }))
            peer.send("0\r\n\r\n");
    });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::body_too_large,
                   "limit of 1048576 bytes (max_body_bytes)");
    CHECK(out.exchange.failure->message.find("once decoded") != std::string::npos);
    CHECK(out.elapsed < 3s);
    CHECK(out.rss_growth < 64 * k_mib); // the 1 GiB is never held
}

TEST_CASE("hostile: a brotli bomb stops at the body limit", "[hostile][bomb]") {
    HostileServer server([](Peer& peer) {
        if (!peer.send(head("Content-Encoding: br\r\nConnection: close\r\n")))
            return;
        conform::test::stream_brotli_zeros(
            k_gib, [&](std::string_view piece) { return peer.send(piece); });
    });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::body_too_large,
                   "limit of 1048576 bytes (max_body_bytes)");
    CHECK(out.elapsed < 3s);
    CHECK(out.rss_growth < 64 * k_mib);
}

TEST_CASE("hostile: bodies that do not decode are decode_error", "[hostile]") {
    const std::string body =
        GENERATE(as<std::string>{}, "not gzip at all",
                 conform::test::gzip(R"({"RetCode":0,"Total":3})").substr(0, 20));
    HostileServer server([&](Peer& peer) {
        peer.send(head("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n") +
                  body);
        peer.hold();
    });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::decode_error, "Content-Encoding");
}

TEST_CASE("hostile: a server that never answers is read_timeout", "[hostile]") {
    HostileServer server([](Peer& peer) { peer.hold(); });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::read_timeout, "read timeout after 500 ms");
    CHECK(out.elapsed >= 450ms);
    CHECK(out.elapsed < 2s);
}

TEST_CASE("hostile: a server that trickles bytes is too_slow at the request deadline",
          "[hostile]") {
    // A byte every 100 ms never lets the 500 ms read timeout pass; the 1200 ms deadline ends it.
    http::ClientOptions options = fast();
    options.request_timeout = 1200ms;
    const bool in_body = GENERATE(false, true);
    HostileServer server([in_body](Peer& peer) {
        const std::string start =
            in_body ? head("Content-Length: 1000\r\n") : "HTTP/1.1 200 OK\r\n";
        if (!peer.send(start))
            return;
        while (peer.pause(100ms) && peer.send(in_body ? "x" : "X"))
            ;
    });
    const Outcome out = send_to(server.base_url(), options);
    expect_failure(out, server, http::FailureKind::too_slow, "1200 ms request deadline");
    CHECK(out.exchange.failure->message.find(in_body ? "in the body" : "in the headers") !=
          std::string::npos);
    CHECK(out.elapsed >= 1150ms);
    CHECK(out.elapsed < 3s);
}

TEST_CASE("hostile: a 1 GiB body is refused at the body limit", "[hostile]") {
    SECTION("announced: refused before it is read") {
        HostileServer server([](Peer& peer) {
            if (peer.send(head("Content-Length: " + std::to_string(k_gib) + "\r\n")))
                stream_bytes(peer, k_gib, false);
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::body_too_large,
                       "announces a body of 1073741824 bytes, over the limit of 1048576 bytes");
        CHECK(out.elapsed < 2s);
        CHECK(out.rss_growth < 64 * k_mib);
    }
    SECTION("chunked, with the default 16 MiB limit") {
        HostileServer server([](Peer& peer) {
            if (peer.send(head("Transfer-Encoding: chunked\r\n")))
                stream_bytes(peer, k_gib, true);
        });
        http::ClientOptions options = fast();
        options.max_body_bytes = http::ClientOptions{}.max_body_bytes;
        const Outcome out = send_to(server.base_url(), options);
        expect_failure(out, server, http::FailureKind::body_too_large,
                       "limit of 16777216 bytes (max_body_bytes)");
        CHECK(out.elapsed < 3s);
        // Far below the 1 GiB sent (ASan's quarantine keeps the freed growth steps of the
        // body string and the server's chunks: about 100 MiB there, 20 MiB without it).
        CHECK(out.rss_growth < 256 * k_mib);
    }
    SECTION("until the close") {
        HostileServer server([](Peer& peer) {
            if (peer.send(head("Connection: close\r\n")))
                stream_bytes(peer, k_gib, false);
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::body_too_large,
                       "limit of 1048576 bytes (max_body_bytes)");
        CHECK(out.rss_growth < 64 * k_mib);
    }
    SECTION("one endless chunk-size line") {
        HostileServer server([](Peer& peer) {
            if (!peer.send(head("Transfer-Encoding: chunked\r\n")))
                return;
            const std::string digits(64 * 1024, 'f');
            while (peer.send(digits))
                ;
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::body_too_large, "on the wire");
        CHECK(out.rss_growth < 64 * k_mib);
    }
}

TEST_CASE("hostile: oversized heads are header_too_large", "[hostile]") {
    SECTION("many headers") {
        HostileServer server([](Peer& peer) {
            std::string headers;
            for (int i = 0; i < 200; ++i)
                headers += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
            peer.send(head(headers + "Content-Length: 2\r\n") + "{}");
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::header_too_large,
                       "exceed the limit of 65536 bytes (max_header_bytes)");
    }
    SECTION("one header line of 100 KB") {
        HostileServer server(
            [](Peer& peer) { peer.send(head("X-Huge: " + std::string(100000, 'h') + "\r\n")); });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::header_too_large,
                       "a header line from " + server.authority() + " is longer than 8192 bytes");
    }
    SECTION("a status line of 60 KB (httplib would match it with std::regex)") {
        HostileServer server([](Peer& peer) {
            peer.send("HTTP/1.1 200 " + std::string(60000, 'O') + "\r\nContent-Length: 0\r\n\r\n");
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::header_too_large,
                       "status line from " + server.authority() + " is longer than 1024 bytes");
    }
    SECTION("an endless header line, streamed") {
        HostileServer server([](Peer& peer) {
            if (!peer.send("HTTP/1.1 200 OK\r\nX-Endless: "))
                return;
            const std::string filler(64 * 1024, 'h');
            while (peer.send(filler))
                ;
        });
        const Outcome out = send_to(server.base_url());
        expect_failure(out, server, http::FailureKind::header_too_large, "longer than");
        CHECK(out.rss_growth < 64 * k_mib);
    }
}

TEST_CASE("hostile: an answer that is not HTTP is malformed_response", "[hostile]") {
    HostileServer server([](Peer& peer) { peer.send("SSH-2.0-OpenSSH_9.2\r\n\r\n"); });
    const Outcome out = send_to(server.base_url());
    expect_failure(out, server, http::FailureKind::malformed_response, "not HTTP/1.x");
}

TEST_CASE("hostile: a redirect loop is an answer, not followed", "[hostile]") {
    HostileServer server([](Peer& peer) {
        peer.send(head("Location: /v2/index.php?Action=DescribeThings\r\nContent-Length: 0\r\n",
                       "302 Found"));
        peer.hold();
    });
    const Outcome out = send_to(server.base_url());
    REQUIRE(out.exchange.response);
    CHECK(out.exchange.response->status == 302);
    CHECK(server.requests() == 1);
}

TEST_CASE("hostile: invalid UTF-8 in a JSON body reaches the checks as bytes that do not parse",
          "[hostile][json]") {
    const std::string body = "{\"RetCode\":0,\"Name\":\"\xff\xfe\xc3\x28\"}";
    HostileServer server([&](Peer& peer) {
        peer.send(head("Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
    });
    const Outcome out = send_to(server.base_url());
    REQUIRE(out.exchange.response);
    CHECK(out.exchange.response->body == body); // the transport hands the bytes over as sent
    auto parsed = conform::core::parse_json(out.exchange.response->body, "response");
    REQUIRE_FALSE(parsed.has_value());
    INFO(parsed.error().to_string());
    CHECK_FALSE(parsed.error().message.empty());
    conform::core::FastParser fast_parser;
    CHECK_FALSE(fast_parser.parse(out.exchange.response->body, "response").has_value());
}

TEST_CASE("hostile: JSON nested 100,000 deep is returned, and parsing refuses it cleanly",
          "[hostile][json]") {
    const std::string body = std::string(100000, '[') + std::string(100000, ']');
    HostileServer server([&](Peer& peer) {
        peer.send(head("Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
    });
    const Outcome out = send_to(server.base_url());
    REQUIRE(out.exchange.response);
    CHECK(out.exchange.response->body.size() == body.size());
    auto parsed = conform::core::parse_json(out.exchange.response->body, "response");
    REQUIRE_FALSE(parsed.has_value());
    INFO(parsed.error().to_string());
    CHECK(parsed.error().to_string().find("256") != std::string::npos);
    conform::core::FastParser fast_parser;
    CHECK_FALSE(fast_parser.parse(out.exchange.response->body, "response").has_value());
}

TEST_CASE("hostile: bad TLS certificates are tls_failed", "[hostile][tls]") {
    using conform::test::make_identity;
    const auto answer = [](Peer& peer) { peer.send(head("Content-Length: 2\r\n") + "{}"); };
    http::ClientOptions options = fast();

    SECTION("self-signed, not trusted") {
        HostileServer server(answer, make_identity("IP:127.0.0.1"));
        const Outcome out = send_to(server.base_url(), options); // the system store only
        expect_failure(out, server, http::FailureKind::tls_failed, "is not trusted: self");
    }
    const std::string dir =
        std::filesystem::temp_directory_path() / ("conform-hostile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string ca = dir + "/ca.pem";
    auto trust = [&](const conform::test::TestIdentity& identity) {
        std::ofstream(ca) << identity.certificate_pem;
        options.ca_file = ca;
    };
    SECTION("trusted, but for another name") {
        const auto identity = make_identity("DNS:wrong.example");
        trust(identity);
        HostileServer server(answer, identity);
        const Outcome out = send_to(server.base_url(), options);
        expect_failure(out, server, http::FailureKind::tls_failed, "does not name 127.0.0.1");
    }
    SECTION("trusted, but expired") {
        const auto identity =
            make_identity("IP:127.0.0.1", -std::chrono::hours(48), -std::chrono::hours(24));
        trust(identity);
        HostileServer server(answer, identity);
        const Outcome out = send_to(server.base_url(), options);
        expect_failure(out, server, http::FailureKind::tls_failed, "certificate has expired");
    }
    SECTION("trusted and right: the control case") {
        const auto identity = make_identity("IP:127.0.0.1");
        trust(identity);
        HostileServer server(answer, identity);
        const Outcome out = send_to(server.base_url(), options);
        INFO((out.exchange.failure ? out.exchange.failure->message : std::string()));
        REQUIRE(out.exchange.response);
        CHECK(out.exchange.response->body == "{}");
    }
    std::filesystem::remove_all(dir);
}
