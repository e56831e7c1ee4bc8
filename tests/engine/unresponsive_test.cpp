// Issue 16: when a target is declared unresponsive (RunSettings::unresponsive_after), and when
// it is not. The rules run against an injected transport that answers or fails as scripted
// (STYLE.md lesson 2), one case at a time so that the order is the plan's; the slow persona
// runs on a real loopback socket. The four servers that stop answering are in
// tests/hostile/unresponsive_test.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>

#include "runner/engine/run.hpp"
#include "runner/serve/serve.hpp"
#include "tests/support/contracts.hpp"

using namespace conform;

namespace {

// Every request's exchange from a script of the request's number (0: the probe).
class ScriptedTransport final : public http::Transport {
public:
    using Script = std::function<std::optional<http::FailureKind>(int)>; // nullopt: an answer
    explicit ScriptedTransport(Script script) : m_script(std::move(script)) {}

    http::Exchange send(const http::Request& request) override {
        http::Exchange x;
        x.request = request;
        if (const auto kind = m_script(m_sent.fetch_add(1))) {
            x.failure = http::TransportFailure{*kind, std::string(http::name_of(*kind)) +
                                                          " from 127.0.0.1:1 (scripted)"};
            return x;
        }
        http::Response r;
        r.status = 200;
        r.headers.push_back({"Content-Type", "application/json"});
        r.body = R"({"RetCode":0,"TotalCount":0,"RepoSet":[]})";
        x.response = std::move(r);
        return x;
    }
    [[nodiscard]] int sent() const { return m_sent.load(); }

private:
    Script m_script;
    std::atomic<int> m_sent{0};
};

class Heard final : public report::Reporter {
public:
    void case_ended(const report::CaseResult& c) override { cases.push_back(c); }
    void target_unreachable(const report::TargetInfo&, const std::string& why) override {
        unreachable.push_back(why);
    }
    void target_unresponsive(const report::TargetInfo&, const report::Unresponsive& u) override {
        unresponsive.push_back(u);
    }
    std::vector<report::CaseResult> cases;
    std::vector<std::string> unreachable;
    std::vector<report::Unresponsive> unresponsive;

    [[nodiscard]] std::size_t skipped() const {
        return static_cast<std::size_t>(std::count_if(
            cases.begin(), cases.end(), [](const auto& c) { return !c.skipped.empty(); }));
    }
};

const std::vector<contract::CaseFile>& uhub_cases() {
    static const auto cases = [] {
        auto loaded =
            contract::load_cases_for(test::ucloud_contract(), contract::default_cases_dir(),
                                     contract::default_schemas_dir());
        REQUIRE(loaded);
        return std::move(loaded).value();
    }();
    return cases;
}

engine::Target uhub_target(const std::string& url) {
    engine::Target t;
    t.contract = &test::ucloud_contract();
    t.cases = &uhub_cases();
    t.name = "candidate";
    t.url = url;
    t.credentials = serve::test_credentials(http::SchemeId::ucloud_sha1);
    return t;
}

engine::RunOutcome run_scripted(http::Transport& transport, Heard& heard, int after) {
    engine::RunSettings settings;
    settings.jobs = 1;
    settings.retries = 0;
    settings.unresponsive_after = after;
    http::SystemClock clock;
    http::RandomNonceSource nonces(16);
    return engine::run_targets({uhub_target("http://127.0.0.1:1/")}, settings,
                               {transport, clock, nonces}, heard);
}

constexpr auto k_timeout = http::FailureKind::read_timeout;

} // namespace

TEST_CASE("unresponsive: N requests in a row without an answer, not N in all") {
    // The probe answers. Then: two failures, an answer, two failures, an answer, ...
    ScriptedTransport transport([](int n) -> std::optional<http::FailureKind> {
        if (n == 0 || n % 3 == 0)
            return std::nullopt;
        return k_timeout;
    });
    Heard heard;
    const auto outcome = run_scripted(transport, heard, 3);
    CHECK(outcome.unresponsive == 0);
    CHECK(heard.unresponsive.empty());
    CHECK(heard.skipped() == 0);
}

TEST_CASE("unresponsive: declared after exactly N requests without an answer") {
    const int after = GENERATE(1, 3, 5);
    // The probe answers (a total of 0: every case can be sent), then nothing does.
    ScriptedTransport transport([](int n) -> std::optional<http::FailureKind> {
        return n == 0 ? std::nullopt : std::optional(k_timeout);
    });
    Heard heard;
    const auto outcome = run_scripted(transport, heard, after);
    INFO("after " << after);
    CHECK(transport.sent() == 1 + after); // a failed walk page ends its walk: one request a case
    REQUIRE(heard.cases.size() == 15);
    CHECK(heard.skipped() == 15 - static_cast<std::size_t>(after));
    REQUIRE(heard.unresponsive.size() == 1);
    CHECK(heard.unresponsive[0].reason == std::to_string(after) +
                                              " requests in a row got no answer "
                                              "(--unresponsive-after " +
                                              std::to_string(after) + ")");
    CHECK(heard.unresponsive[0].evidence.size() == static_cast<std::size_t>(after));
    // No case got an answer: nothing was checked, so the target counts as unreachable.
    CHECK(outcome.unresponsive == 1);
    CHECK(outcome.unreachable == 1);
    CHECK(outcome.summary.unreachable_targets == 1);
    REQUIRE(heard.unreachable.size() == 1);
    CHECK(heard.unreachable[0] == "unresponsive: " + heard.unresponsive[0].reason);
}

TEST_CASE("unresponsive: a refused connection counts, an answer refused by the client does not") {
    SECTION("a server gone mid-run: connect-failed") {
        // The probe, default-page and the walk's two pages answered; then refused.
        ScriptedTransport transport([](int n) -> std::optional<http::FailureKind> {
            return n < 4 ? std::nullopt : std::optional(http::FailureKind::connect_failed);
        });
        Heard heard;
        const auto outcome = run_scripted(transport, heard, 3);
        CHECK(outcome.unresponsive == 1);
        CHECK(outcome.unreachable == 0); // default-page and the walk got answers
        CHECK(heard.skipped() == 15 - 2 - 3);
    }
    SECTION("answers too large, malformed or cut short are deviations of their cases") {
        const auto kind =
            GENERATE(http::FailureKind::body_too_large, http::FailureKind::malformed_response,
                     http::FailureKind::connection_closed, http::FailureKind::truncated_body);
        ScriptedTransport transport([kind](int n) -> std::optional<http::FailureKind> {
            return n == 0 ? std::nullopt : std::optional(kind);
        });
        Heard heard;
        const auto outcome = run_scripted(transport, heard, 3);
        INFO(http::name_of(kind));
        CHECK(outcome.unresponsive == 0);
        CHECK(heard.skipped() == 0);
        CHECK(outcome.summary.errors >= 15);
    }
}

TEST_CASE("unresponsive: a probe without an answer declares it at once; 0 never declares") {
    ScriptedTransport transport([](int) { return std::optional(k_timeout); });
    Heard heard;
    SECTION("by default") {
        const auto outcome = run_scripted(transport, heard, 3);
        CHECK(transport.sent() == 1);
        CHECK(heard.skipped() == 15);
        REQUIRE(heard.unresponsive.size() == 1);
        CHECK(heard.unresponsive[0].reason == "the probe of GetRepo got no answer (read-timeout)");
        REQUIRE(heard.unresponsive[0].evidence.size() == 1);
        CHECK(heard.unresponsive[0].evidence[0] ==
              "probe GetRepo: read-timeout from 127.0.0.1:1 (scripted)");
        CHECK(outcome.unreachable == 1);
    }
    SECTION("--unresponsive-after 0") {
        const auto outcome = run_scripted(transport, heard, 0);
        CHECK(outcome.unresponsive == 0);
        CHECK(heard.unresponsive.empty());
        // Sent, failing with http.transport; the {{total}} cases need what the probe lacked.
        CHECK(heard.skipped() == 2);
        CHECK(transport.sent() > 13);
    }
}

TEST_CASE("unresponsive: the slow persona answering within --timeout is never cut off") {
    // Every answer waits 400 ms; the read timeout is 1 s (room for a loaded sanitizer build),
    // the request deadline (4 x it) 4 s. A deadline shorter than the wait does cut it off:
    // the test can tell.
    const bool tight_deadline = GENERATE(false, true);
    auto fixtures = serve::load_fixtures(test::ucloud_contract(), contract::default_cases_dir());
    REQUIRE(fixtures);
    serve::ReferenceOptions options;
    options.persona = serve::PersonaId::slow;
    options.slow_delay = std::chrono::milliseconds(400);
    auto reference = serve::make_reference(test::ucloud_contract(), std::move(*fixtures), options);
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    http::ClientOptions client;
    client.read_timeout = std::chrono::milliseconds(1000);
    if (tight_deadline)
        client.request_timeout = std::chrono::milliseconds(300);
    auto transport = http::make_transport(client);
    REQUIRE(transport);
    engine::RunSettings settings; // --retries 2, --unresponsive-after 3
    settings.jobs = 4;
    http::SystemClock clock;
    http::RandomNonceSource nonces(16);
    Heard heard;
    const auto outcome = engine::run_targets({uhub_target((*server)->base_url())}, settings,
                                             {**transport, clock, nonces}, heard);
    (*server)->stop();
    INFO("deadline " << (tight_deadline ? "300 ms" : "4 x the timeout"));
    if (tight_deadline) {
        CHECK(outcome.unresponsive == 1);
        return;
    }
    CHECK(outcome.unresponsive == 0);
    CHECK(outcome.unreachable == 0);
    CHECK(heard.unresponsive.empty());
    REQUIRE(heard.cases.size() == 15);
    for (const report::CaseResult& c : heard.cases) {
        INFO(c.name << ": " << c.skipped);
        CHECK(c.passed()); // the reference, only slower
        CHECK(c.environment.empty());
        CHECK(c.seconds >= 0.4);
    }
}
