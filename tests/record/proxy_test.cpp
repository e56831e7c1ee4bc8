// The recording proxy over real loopback sockets: the reference server as upstream, signed
// requests through the proxy answered exactly as directly (signatures still valid), every
// exchange recorded and redacted; raw queries and headers forwarded as sent; an upstream that
// fails answered 502 and recorded; HTTPS upstreams; and `conform record`'s run_record.
#include <mutex>
#include <optional>
#include <sstream>
#include <streambuf>
#include <thread>

#include <catch2/catch.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/http/server.hpp"
#include "runner/record/record.hpp"
#include "runner/serve/serve.hpp"
#include "tests/http/loopback_support.hpp"
#include "tests/record/record_support.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using nlohmann::json;
using test::client;
using test::scrub_nothing;
using test::SharedText;

namespace {

struct Upstream {
    const contract::Contract& contract;
    std::unique_ptr<http::Server> server;
    std::string path; // the contract's base path, "/" or "/v2/index.php"

    Upstream(const std::string& name, bool tls) : contract(test::seed_contract(name)) {
        auto reference = serve::make_reference(contract, test::seed_fixtures(contract), {});
        REQUIRE(reference);
        auto started = serve::start_reference(
            *reference, {.host = "127.0.0.1", .port = 0, .tls = tls, .threads = 4});
        REQUIRE(started);
        server = std::move(started).value();
        const auto slash = contract.base_url.find('/', contract.base_url.find("://") + 3);
        path = slash == std::string::npos ? "/" : contract.base_url.substr(slash);
    }

    // Signed with the test credentials for the host the upstream sees (the proxy replaces Host).
    http::QueryParams signed_params(http::QueryParams params) const {
        params.set(contract.routing.param, test::seed_operation(contract).name);
        const http::Scheme& scheme = *http::find_scheme(contract.signing);
        if (scheme.id == http::SchemeId::tencent_v2_hmac)
            params.set("Region", "ap-guangzhou");
        const http::SystemClock clock;
        http::RandomNonceSource nonces;
        const bool tls = server->base_url().starts_with("https");
        auto signed_query =
            scheme.sign(params, {"GET", http::signing_host("127.0.0.1", server->port(), tls), path},
                        serve::test_credentials(scheme), clock, nonces);
        REQUIRE(signed_query);
        return signed_query->params;
    }
};

http::Request get(std::string base_url, http::QueryParams query) {
    http::Request r;
    r.base_url = std::move(base_url);
    r.query = std::move(query);
    return r;
}

record::ProxyOptions to(std::string upstream) {
    record::ProxyOptions options;
    options.upstream = std::move(upstream);
    return options;
}

json status_of(const contract::Contract& contract, const std::string& body) {
    auto parsed = core::parse_json(body);
    REQUIRE(parsed);
    return (*parsed).at(nlohmann::json::json_pointer(contract.envelope.code.pointer));
}

} // namespace

TEST_CASE("signed requests through the proxy are answered as directly, and all are recorded") {
    for (const std::string name : {"ucloud-uhub", "tencent-ccr"}) {
        DYNAMIC_SECTION(name) {
            Upstream upstream(name, false);
            test::TempDir dir;
            const auto file = dir / "proxy.jsonl";
            auto writer = record::RecordingWriter::open(file, scrub_nothing());
            REQUIRE(writer);
            auto upstream_transport = client();
            record::ProxyOptions options;
            options.upstream = upstream.server->base_url();
            options.contract = &upstream.contract;
            auto proxy = record::RecordingProxy::start(options, *upstream_transport, *writer);
            INFO((proxy ? std::string() : proxy.error().to_string()));
            REQUIRE(proxy);

            auto transport = client();
            const std::vector<http::QueryParams> pages = {
                {}, {{"Limit", "2"}}, {{"Limit", "2"}, {"Offset", "2"}}};
            std::size_t sent = 0;
            for (const http::QueryParams& page : pages) {
                // Tencent refuses a reused nonce: each path gets its own signature.
                const http::Request direct =
                    get(upstream.server->base_url() + upstream.path, upstream.signed_params(page));
                const http::Request proxied =
                    get((*proxy)->base_url() + upstream.path, upstream.signed_params(page));
                const http::Exchange a = transport->send(direct);
                const http::Exchange b = transport->send(proxied);
                sent += 1;
                REQUIRE(a.response);
                INFO((b.failure ? b.failure->message : std::string()));
                REQUIRE(b.response);
                CHECK(b.response->status == a.response->status);
                CHECK(b.response->body == a.response->body); // byte for byte
                CHECK(*b.response->header("Content-Type") == *a.response->header("Content-Type"));
                CHECK(status_of(upstream.contract, b.response->body) ==
                      upstream.contract.envelope.code.success); // the signature held
            }
            (*proxy)->stop();
            CHECK((*proxy)->exchanges() == sent);

            const auto lines = test::read_all(file);
            CHECK(lines.bad.empty());
            REQUIRE(lines.good.size() == sent);
            for (const record::Recorded& r : lines.good) {
                CHECK(r.contract == name);
                CHECK(r.operation == test::seed_operation(upstream.contract).name);
                CHECK(r.target == upstream.server->base_url());
                CHECK(*r.exchange.request.query.find("Signature") == "REDACTED");
                REQUIRE(r.exchange.response);
                CHECK(r.exchange.response->status == 200);
                CHECK(!r.time.empty());
            }
            const std::string text = test::slurp(file);
            const http::Credentials test_keys =
                serve::test_credentials(*http::find_scheme(upstream.contract.signing));
            CHECK(text.find(test_keys.key_id) == std::string::npos);
            CHECK(text.find(test_keys.secret) == std::string::npos);
        }
    }
}

TEST_CASE("the proxy forwards the raw query, the path, the body and end-to-end headers as sent") {
    std::mutex mutex;
    http::ServerRequest seen;
    auto echo = http::Server::start({}, [&](const http::ServerRequest& r) {
        {
            const std::lock_guard lock(mutex);
            seen = r;
        }
        http::ServerResponse out;
        out.content_type = "text/plain; charset=utf-8";
        out.body = "echo:" + r.body;
        out.headers = {{"X-Upstream", "yes"}, {"Keep-Alive", "timeout=9"}};
        out.status = 201;
        return out;
    });
    REQUIRE(echo);
    test::TempDir dir;
    auto writer = record::RecordingWriter::open(dir / "raw.jsonl", scrub_nothing());
    REQUIRE(writer);
    auto upstream_transport = client();
    record::ProxyOptions options;
    options.upstream = (*echo)->base_url() + "/base/";
    auto proxy = record::RecordingProxy::start(options, *upstream_transport, *writer);
    REQUIRE(proxy);

    http::Request request;
    request.method = "POST";
    request.base_url = (*proxy)->base_url() + "/v2/index.php";
    request.raw_query = "b=x+y&a=%2f&Signature=s%3D&c"; // not encode_query's canonical form
    request.headers = {
        {"X-Custom", "kept"}, {"TE", "trailers"}, {"Connection", "X-Drop"}, {"X-Drop", "hop"}};
    request.body = "payload";
    const http::Exchange x = client()->send(request);
    REQUIRE(x.response);
    CHECK(x.response->status == 201);
    CHECK(x.response->body == "echo:payload");
    CHECK(*x.response->header("Content-Type") == "text/plain; charset=utf-8");
    CHECK(*x.response->header("X-Upstream") == "yes");
    // The upstream's hop-by-hop Keep-Alive stays behind (the proxy's own server may send one).
    if (const std::string* keep_alive = x.response->header("Keep-Alive"))
        CHECK(*keep_alive != "timeout=9");
    {
        const std::lock_guard lock(mutex);
        CHECK(seen.method == "POST");
        CHECK(seen.path == "/base/v2/index.php");
        CHECK(seen.raw_query == "b=x+y&a=%2f&Signature=s%3D&c");
        CHECK(seen.body == "payload");
        CHECK(*http::find_header(seen.headers, "X-Custom") == "kept");
        CHECK_FALSE(http::find_header(seen.headers, "TE"));
        CHECK_FALSE(http::find_header(seen.headers, "X-Drop"));
        CHECK(seen.host == "127.0.0.1:" + std::to_string((*echo)->port())); // the upstream's
    }
    (*proxy)->stop();
    const auto lines = test::read_all(dir / "raw.jsonl");
    REQUIRE(lines.good.size() == 1);
    const http::Request& recorded = lines.good[0].exchange.request;
    CHECK(recorded.url() ==
          (*echo)->base_url() + "/base/v2/index.php?b=x+y&a=%2f&Signature=REDACTED&c");
    CHECK(lines.good[0].exchange.response->body == "echo:payload");
}

TEST_CASE("an upstream that does not answer gets a 502 with a JSON reason, recorded") {
    test::TempDir dir;
    auto writer = record::RecordingWriter::open(dir / "down.jsonl", scrub_nothing());
    REQUIRE(writer);
    auto upstream_transport = client();
    record::ProxyOptions options;
    options.upstream = "http://127.0.0.1:" + std::to_string(test::closed_port());
    auto proxy = record::RecordingProxy::start(options, *upstream_transport, *writer);
    REQUIRE(proxy);
    const http::Exchange x =
        client()->send(get((*proxy)->base_url() + "/", {{"Action", "GetRepo"}}));
    REQUIRE(x.response);
    CHECK(x.response->status == 502);
    auto body = core::parse_json(x.response->body);
    REQUIRE(body);
    CHECK((*body)["kind"] == "connect-failed");
    CHECK((*body)["upstream"] == options.upstream);
    (*proxy)->stop();
    const auto lines = test::read_all(dir / "down.jsonl");
    REQUIRE(lines.good.size() == 1);
    REQUIRE(lines.good[0].exchange.failure);
    CHECK(lines.good[0].exchange.failure->kind == http::FailureKind::connect_failed);

    CHECK_FALSE(record::RecordingProxy::start(to("ftp://x"), *upstream_transport, *writer));
    CHECK_FALSE(record::RecordingProxy::start(to("http://x/?a=1"), *upstream_transport, *writer));
}

TEST_CASE("an HTTPS upstream is recorded through the transport's TLS") {
    Upstream upstream("ucloud-uhub", true);
    test::TempFile ca(upstream.server->certificate_pem());
    test::TempDir dir;
    auto writer = record::RecordingWriter::open(dir / "tls.jsonl", scrub_nothing());
    REQUIRE(writer);
    auto upstream_transport = client(ca.path());
    auto proxy = record::RecordingProxy::start(to(upstream.server->base_url()), *upstream_transport,
                                               *writer);
    REQUIRE(proxy);
    const http::Exchange x =
        client()->send(get((*proxy)->base_url() + upstream.path, upstream.signed_params({})));
    REQUIRE(x.response);
    CHECK(x.response->status == 200);
    CHECK(status_of(upstream.contract, x.response->body) ==
          upstream.contract.envelope.code.success);
    (*proxy)->stop();
    CHECK(test::read_all(dir / "tls.jsonl").good.size() == 1);
}

TEST_CASE("run_record prints its URL first, records until stopped, and refuses bad options") {
    Upstream upstream("ucloud-uhub", false);
    test::TempDir dir;
    record::RecordJob job;
    job.upstream = upstream.server->base_url();
    job.out = dir / "cli.jsonl";
    job.contract = "ucloud-uhub";
    std::atomic<bool> stop{false};
    SharedText out_text, err_text;
    std::ostream out(&out_text), err(&err_text);
    std::optional<core::Result<core::Verdict>> verdict;
    std::thread runner(
        [&] { verdict = record::run_record(job, record::RecordEdges{&stop}, out, err); });
    std::string url;
    for (int i = 0; i < 500 && url.empty(); ++i) {
        const std::string text = out_text.text();
        if (const auto nl = text.find('\n'); nl != std::string::npos)
            url = text.substr(0, nl);
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(url.starts_with("http://127.0.0.1:"));
    const http::Exchange x = client()->send(get(url + upstream.path, upstream.signed_params({})));
    REQUIRE(x.response);
    CHECK(status_of(upstream.contract, x.response->body) ==
          upstream.contract.envelope.code.success);
    stop = true;
    runner.join();
    REQUIRE(verdict);
    CHECK(verdict->value() == core::Verdict::conformant);
    CHECK(err_text.text().find("1 exchanges recorded") != std::string::npos);
    const auto lines = test::read_all(job.out);
    REQUIRE(lines.good.size() == 1);
    CHECK(lines.good[0].operation == "GetRepo");

    // Each an error (`conform record` exits 2 printing it), before anything listens.
    std::ostringstream o, e;
    record::RecordJob bad = job;
    bad.upstream = "not a url";
    CHECK_FALSE(record::run_record(bad, o, e));
    bad = job;
    bad.contract = "no-such-contract";
    CHECK_FALSE(record::run_record(bad, o, e));
    bad = job;
    bad.listen = "127.0.0.1:notaport";
    CHECK_FALSE(record::run_record(bad, o, e));
    bad = job;
    bad.out = dir / "missing-dir" / "x.jsonl";
    const auto unwritable = record::run_record(bad, o, e);
    REQUIRE_FALSE(unwritable);
    CHECK(unwritable.error().message.find("missing-dir") != std::string::npos);
    CHECK(o.str().empty());
}
