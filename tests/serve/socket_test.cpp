// The reference on real loopback sockets (STYLE.md lesson 13: ephemeral ports, a certificate
// made at start), through conform's own client; and `conform serve`'s run_serve.
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <optional>

#include "runner/http/http.hpp"
#include "runner/serve/serve.hpp"
#include "tests/http/signing_support.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using nlohmann::json;
using serve::PersonaId;

namespace {

struct Live {
    const contract::Contract& contract;
    std::unique_ptr<http::Server> server;
    std::string path;

    Live(const std::string& name, PersonaId persona, bool tls,
         std::chrono::milliseconds slow_delay = std::chrono::milliseconds(3000))
        : contract(test::seed_contract(name)) {
        serve::ReferenceOptions options;
        options.persona = persona;
        options.slow_delay = slow_delay;
        auto reference = serve::make_reference(contract, test::seed_fixtures(contract), options);
        REQUIRE(reference);
        auto started = serve::start_reference(
            *reference, {.host = "127.0.0.1", .port = 0, .tls = tls, .threads = 4});
        INFO((started ? std::string() : started.error().to_string()));
        REQUIRE(started);
        server = std::move(started).value();
        const auto slash = contract.base_url.find('/', contract.base_url.find("://") + 3);
        path = slash == std::string::npos ? "/" : contract.base_url.substr(slash);
    }

    // A request signed with the test credentials, as the engine signs it (real clock).
    http::Request request(http::QueryParams params, bool tls) {
        params.set(contract.routing.param, test::seed_operation(contract).name);
        const http::Scheme& scheme = *http::find_scheme(contract.signing);
        if (scheme.id == http::SchemeId::tencent_v2_hmac)
            params.set("Region", "ap-guangzhou");
        const http::SystemClock clock;
        http::RandomNonceSource nonces;
        auto signed_query =
            scheme.sign(params, {"GET", http::signing_host("127.0.0.1", server->port(), tls), path},
                        serve::test_credentials(scheme), clock, nonces);
        REQUIRE(signed_query);
        http::Request r;
        r.base_url = server->base_url() + path;
        r.query = signed_query->params;
        return r;
    }
};

std::unique_ptr<http::Transport> client(http::ClientOptions options = {}) {
    auto t = http::make_transport(options);
    REQUIRE(t);
    return std::move(t).value();
}

std::filesystem::path write_temp(const std::string& text, const char* name) {
    const auto path = std::filesystem::temp_directory_path() /
                      (std::string("conform-serve-") + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
}

// A stream buffer two threads may share: run_serve writes, the test polls.
class LockedBuf final : public std::stringbuf {
public:
    std::string text() {
        std::lock_guard lock(m_mutex);
        return str();
    }

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::lock_guard lock(m_mutex);
        return std::stringbuf::xsputn(s, n);
    }
    int_type overflow(int_type c) override {
        std::lock_guard lock(m_mutex);
        return std::stringbuf::overflow(c);
    }

private:
    std::recursive_mutex m_mutex;
};

} // namespace

TEST_CASE("socket: the reference over HTTP and HTTPS", "[serve][socket]") {
    const bool tls = GENERATE(false, true);
    const std::string name = GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub");
    INFO(name << (tls ? " over HTTPS" : " over HTTP"));
    Live live(name, PersonaId::reference, tls);
    CHECK(live.server->base_url().starts_with(tls ? "https://127.0.0.1:" : "http://127.0.0.1:"));
    http::ClientOptions options;
    std::optional<std::filesystem::path> ca;
    if (tls) {
        ca = write_temp(live.server->certificate_pem(), "ca.pem");
        options.ca_file = *ca;
    }
    auto transport = client(options);
    const auto& page = *test::seed_operation(live.contract).pagination;
    const http::Exchange x =
        transport->send(live.request({{page.offset_param, "7"}, {page.limit_param, "7"}}, tls));
    INFO((x.failure ? x.failure->message : std::string()));
    REQUIRE(x.response);
    CHECK(x.response->status == 200);
    const json body = json::parse(x.response->body);
    const auto& op = test::seed_operation(live.contract);
    CHECK(op.response.compiled.is_valid(body));
    CHECK(test::keys_of(live.contract, body).size() == 7);
    // Unsigned: refused by the documented code.
    http::Request unsigned_request;
    unsigned_request.base_url = live.server->base_url() + live.path;
    unsigned_request.query = {{"Action", op.name}};
    const http::Exchange refused = transport->send(unsigned_request);
    REQUIRE(refused.response);
    const json refusal = json::parse(refused.response->body);
    CHECK(test::at(refusal, live.contract.envelope.code.pointer) !=
          live.contract.envelope.code.success);
    live.server->stop();
    if (ca)
        std::filesystem::remove(*ca);
}

TEST_CASE("socket: transport personas as a client sees them", "[serve][socket]") {
    SECTION("truncated-body") {
        Live live("ucloud-uhub", PersonaId::truncated_body, false);
        const http::Exchange x = client()->send(live.request({}, false));
        REQUIRE(x.failure);
        CHECK(x.failure->kind == http::FailureKind::truncated_body);
    }
    SECTION("slow, beyond the client's read timeout; stop() cuts the delay short") {
        Live live("tencent-ccr", PersonaId::slow, false);
        http::ClientOptions options;
        options.read_timeout = std::chrono::milliseconds(300);
        const auto started = std::chrono::steady_clock::now();
        const http::Exchange x = client(options)->send(live.request({}, false));
        REQUIRE(x.failure);
        CHECK(x.failure->kind == http::FailureKind::read_timeout);
        live.server->stop();
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2900));
    }
    SECTION("html-error") {
        Live live("genesissai-uhub", PersonaId::html_error, false);
        const http::Exchange x = client()->send(live.request({}, false));
        REQUIRE(x.response);
        CHECK(x.response->status == 502);
        const std::string* type = x.response->header("Content-Type");
        REQUIRE(type != nullptr);
        CHECK(type->starts_with("text/html"));
    }
}

TEST_CASE("run_serve: prints the URL, serves, stops on request", "[serve][socket][cli]") {
    test::MapEnvironment environment(std::map<std::string, std::string, std::less<>>{});
    std::atomic<bool> stop{false};
    LockedBuf out_buf;
    std::ostream out(&out_buf);
    std::ostringstream err;
    serve::ServeJob job;
    job.contract = "tencent-ccr";
    job.persona = "reference";
    std::optional<core::Result<core::Verdict>> verdict;
    std::thread serving([&] { verdict = serve::run_serve(job, {environment, &stop}, out, err); });
    std::string url;
    for (int i = 0; i < 200 && url.empty(); ++i) {
        const std::string text = out_buf.text();
        if (text.find('\n') != std::string::npos)
            url = text.substr(0, text.find('\n'));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(url.starts_with("http://127.0.0.1:"));
    CHECK(url.ends_with("/v2/index.php"));
    if (!url.empty()) {
        http::Request r;
        r.base_url = url;
        r.query = {{"Action", "GetFavor"}};
        const http::Exchange x = client()->send(r);
        REQUIRE(x.response);
        CHECK(json::parse(x.response->body).at("code") == 4100); // unsigned
    }
    stop = true;
    serving.join();
    REQUIRE(verdict);
    CHECK(verdict->value() == core::Verdict::conformant);
    CHECK(err.str().find("built-in test credentials") != std::string::npos);
    CHECK(err.str().find("AKIDconformTest") != std::string::npos);
    CHECK(err.str().find("conformTestSecretKey") == std::string::npos); // never the secret
}

TEST_CASE("run_serve: usage errors are errors with a message", "[serve][cli]") {
    test::MapEnvironment environment(std::map<std::string, std::string, std::less<>>{});
    // {served, what it printed + the error's message}; `conform serve` exits 2 on an error.
    auto run = [&](serve::ServeJob job, const test::MapEnvironment& env) {
        std::ostringstream out, err;
        const std::atomic<bool> stop{true};
        const auto verdict = serve::run_serve(job, {env, &stop}, out, err);
        return std::pair{verdict.has_value(),
                         err.str() + out.str() + (verdict ? "" : verdict.error().message)};
    };
    serve::ServeJob job;
    CHECK_FALSE(run(job, environment).first); // no contract
    job.contract = "nope";
    auto [served, text] = run(job, environment);
    CHECK_FALSE(served);
    CHECK(text.find("ucloud-uhub") != std::string::npos); // the known ones are listed
    job.contract = "tencent-ccr";
    job.persona = "nope";
    CHECK_FALSE(run(job, environment).first);
    job.persona = "total-as-string";
    std::tie(served, text) = run(job, environment);
    CHECK_FALSE(served);
    CHECK(text.find("does not apply") != std::string::npos);
    job.persona = "reference";
    job.listen = "localhost";
    CHECK_FALSE(run(job, environment).first);
    job.listen = "127.0.0.1:99999";
    CHECK_FALSE(run(job, environment).first);
    job.listen = "127.0.0.1:0";
    using Vars = std::map<std::string, std::string, std::less<>>;
    const test::MapEnvironment half(Vars{{"TENCENTCLOUD_SECRET_ID", "AKIDsomeone"}});
    std::tie(served, text) = run(job, half);
    CHECK_FALSE(served);
    CHECK(text.find("TENCENTCLOUD_SECRET_KEY") != std::string::npos);
    // Both set: accepted, and said so (stops at once: the flag is already set).
    const test::MapEnvironment both(
        Vars{{"TENCENTCLOUD_SECRET_ID", "AKIDsomeone"}, {"TENCENTCLOUD_SECRET_KEY", "their-key"}});
    std::tie(served, text) = run(job, both);
    CHECK(served);
    CHECK(text.find("accepting the key pair from TENCENTCLOUD_SECRET_ID") != std::string::npos);
    CHECK(text.find("their-key") == std::string::npos);
    // --persona combines rows with '+'; rows that set the same slot are a usage error.
    job.persona = "data-envelope+ignore-limit";
    std::tie(served, text) = run(job, environment);
    CHECK(served);
    CHECK(text.find("as persona data-envelope+ignore-limit (") != std::string::npos);
    job.persona = "ignore-limit+off-by-one";
    std::tie(served, text) = run(job, environment);
    CHECK_FALSE(served);
    CHECK(text.find("both set the page window") != std::string::npos);
    job.persona = "data-envelope+total-as-string"; // tencent-ccr's total is a string already
    std::tie(served, text) = run(job, environment);
    CHECK_FALSE(served);
    CHECK(text.find("does not apply") != std::string::npos);
}

TEST_CASE("run_serve --list-personas", "[serve][cli]") {
    test::MapEnvironment environment(std::map<std::string, std::string, std::less<>>{});
    serve::ServeJob job;
    job.list_personas = true;
    std::ostringstream out, err;
    CHECK(serve::run_serve(job, {environment, nullptr}, out, err).value() ==
          core::Verdict::conformant);
    CHECK(out.str().find("unstable-total") != std::string::npos);
    job.contract = "ucloud-uhub";
    std::ostringstream out2;
    CHECK(serve::run_serve(job, {environment, nullptr}, out2, err).value() ==
          core::Verdict::conformant);
    CHECK(out2.str().find("personas for ucloud-uhub") != std::string::npos);
}
