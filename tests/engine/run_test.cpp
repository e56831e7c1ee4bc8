// conform run end to end: the embedded default, external targets over real sockets, and the
// ways a run goes wrong (unreachable, never answering, no credentials, bad configuration).
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"
#include "runner/serve/serve.hpp"
#include "tests/engine/family_run.hpp"
#include "tests/http/loopback_support.hpp"
#include "tests/support/contracts.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

nlohmann::json read_report(const fs::path& dir) {
    std::ifstream in(dir / "report.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

class Collect final : public report::Reporter {
public:
    void case_ended(const report::CaseResult& c) override { cases.push_back(c); }
    void target_unreachable(const report::TargetInfo&, const std::string& why) override {
        unreachable.push_back(why);
    }
    std::vector<report::CaseResult> cases;
    std::vector<std::string> unreachable;
};

const std::vector<contract::CaseFile>& ucloud_cases() {
    static const auto cases = [] {
        auto loaded =
            contract::load_cases_for(test::ucloud_contract(), contract::default_cases_dir(),
                                     contract::default_schemas_dir());
        REQUIRE(loaded);
        return std::move(loaded).value();
    }();
    return cases;
}

// The conforming UCloud reference on a loopback port.
std::unique_ptr<http::Server> ucloud_reference() {
    auto fixtures = serve::load_fixtures(test::ucloud_contract(), contract::default_cases_dir());
    REQUIRE(fixtures);
    auto reference = serve::make_reference(test::ucloud_contract(), std::move(*fixtures), {});
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    return std::move(*server);
}

engine::RunOutcome run_against(const std::string& url, Collect& collect,
                               std::optional<http::Credentials> credentials,
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(300),
                               int unresponsive_after = 3) {
    http::ClientOptions client;
    client.read_timeout = timeout;
    client.connect_timeout = timeout;
    auto transport = http::make_transport(client);
    REQUIRE(transport);
    engine::Target t;
    t.contract = &test::ucloud_contract();
    t.cases = &ucloud_cases();
    t.name = "candidate";
    t.url = url;
    t.credentials = std::move(credentials);
    t.missing_credentials = "set UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY";
    engine::RunSettings settings;
    settings.retries = 0;
    settings.jobs = 4;
    settings.unresponsive_after = unresponsive_after;
    http::SystemClock clock;
    http::RandomNonceSource nonces(7);
    return engine::run_targets({t}, settings, {**transport, clock, nonces}, collect);
}

} // namespace

TEST_CASE("conform run without --target: reference clean, doc-sample deviating, report.json") {
    const fs::path dir = test::fresh_dir("engine-embedded");
    engine::RunJob job;
    job.report.dir = dir;
    job.report.console.quiet = true;
    std::ostringstream out, err;
    const auto verdict = engine::run_run(job, out, err);
    INFO(out.str() << err.str());
    REQUIRE(verdict);
    CHECK(*verdict == core::Verdict::deviations); // the docs' samples deviate from the tables
    const nlohmann::json report = read_report(dir);
    REQUIRE(report.at("targets").is_array());
    std::size_t reference = 0, doc_sample_failed = 0;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases")) {
            if (target.at("name") == "reference") {
                ++reference;
                INFO(c.dump(1));
                CHECK(c.at("status") == "passed");
            } else if (target.at("name") == "doc-sample" && c.at("status") == "failed") {
                ++doc_sample_failed;
            }
        }
    CHECK(reference >= 3 * 12);
    CHECK(doc_sample_failed >= 3);
    // The summary names both targets side by side.
    CHECK(out.str().find("doc-sample") != std::string::npos);
    CHECK(out.str().find("reference") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a family without cases or datasets: generated cases, links filled from producers") {
    // The UHub family fixture: no cases file, no dataset. Its cases are generated, the reference
    // synthesizes its data, and GetImageTag's RepoName and ImageName come from what GetRepo and
    // GetRepoImage answered on the same target.
    const fs::path dir = test::fresh_dir("engine-family");
    const auto run = test::run_family(
        fs::path(CONFORM_SOURCE_DIR) / "tests/contract/fixtures/family", dir, {"uhub-family"});
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    const nlohmann::json& report = run.report;
    std::map<std::string, std::size_t> passed;
    std::size_t tag_requests_with_both = 0;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases")) {
            INFO(c.dump(1));
            if (c.at("status") == "skipped") {
                // DescribeQuota's Region is required and nothing in the family lists it: skipped
                // naming it, never made up.
                CHECK(c.at("operation") == "DescribeQuota");
                CHECK(c.dump().find("Region is required") != std::string::npos);
                continue;
            }
            CHECK(c.at("status") == "passed");
            ++passed[c.at("operation").get<std::string>()];
            if (c.at("operation") == "GetImageTag" && c.contains("exchanges"))
                for (const auto& x : c.at("exchanges")) {
                    const std::string url = x.dump();
                    if (url.find("RepoName=") != std::string::npos &&
                        url.find("ImageName=") != std::string::npos)
                        ++tag_requests_with_both;
                }
        }
    CHECK(passed["GetRepo"] > 5);
    CHECK(passed["GetRepoImage"] > 5);
    CHECK(passed["GetImageTag"] > 5);
    CHECK(tag_requests_with_both > 0);
    fs::remove_all(dir);
}

TEST_CASE("a required parameter nothing in the family lists is given with --param") {
    // DescribeQuota's Region, skipped above for want of a value, is sent as given.
    const fs::path dir = test::fresh_dir("engine-family-param");
    const auto run =
        test::run_family(fs::path(CONFORM_SOURCE_DIR) / "tests/contract/fixtures/family", dir,
                         {"uhub-family"}, {"Region=cn-bj2"});
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    std::size_t quota_sent = 0;
    for (const auto& target : run.report.at("targets"))
        for (const auto& c : target.at("cases")) {
            INFO(c.dump(1));
            CHECK(c.at("status") == "passed");
            if (c.at("operation") == "DescribeQuota" && c.contains("exchanges"))
                quota_sent += c.at("exchanges").dump().find("Region=cn-bj2") != std::string::npos;
        }
    CHECK(quota_sent > 0);
    fs::remove_all(dir);
}

TEST_CASE("a family run's own recording replays as clean as the run: no probe lacks a value") {
    // DescribeQuota needs a Region nothing lists: its cases are skipped, and so is its probe,
    // which the reference could only refuse and a replay would judge as a deviation.
    const fs::path dir = test::fresh_dir("engine-family-probe-replay");
    const fs::path schemas = fs::path(CONFORM_SOURCE_DIR) / "tests/contract/fixtures/family";
    const auto run = test::run_family(schemas, dir, {"uhub-family"}, {}, dir / "run.jsonl");
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    std::size_t probes = 0;
    for (const auto& exchange : test::recorded(dir / "run.jsonl"))
        if (exchange.value("case", "") == "probe") {
            ++probes;
            CHECK(exchange.value("operation", "") != "DescribeQuota");
        }
    CHECK(probes == 3); // GetRepo, GetRepoImage, GetImageTag

    const auto replayed = test::replay_family(dir / "run.jsonl", schemas, dir / "replay");
    INFO(replayed.console);
    REQUIRE(replayed.verdict);
    CHECK(*replayed.verdict == core::Verdict::conformant);
}

TEST_CASE("an operation the reference cannot synthesize is skipped, naming why; the rest runs") {
    // GetImageTag's response schema is made unsatisfiable (a required integer at least 5 and
    // at most 1): the family still runs, GetImageTag's cases say why they were not sent.
    const fs::path dir = test::fresh_dir("engine-unsynthesizable");
    const fs::path schemas = dir / "schemas";
    fs::create_directories(schemas);
    fs::copy(fs::path(CONFORM_SOURCE_DIR) / "tests/contract/fixtures/family/uhub-family",
             schemas / "uhub-family", fs::copy_options::recursive);
    const fs::path tag = schemas / "uhub-family" / "GetImageTag.response.schema.json";
    nlohmann::json schema = nlohmann::json::parse(std::ifstream(tag));
    schema["properties"]["Broken"] = {{"type", "integer"}, {"minimum", 5}, {"maximum", 1}};
    schema["required"].push_back("Broken");
    std::ofstream(tag) << schema.dump(1);
    const auto run = test::run_family(schemas, dir, {"uhub-family"});
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    CHECK(run.err.find("the reference has no data for uhub-family GetImageTag") !=
          std::string::npos);
    std::map<std::string, std::size_t> passed, skipped;
    for (const auto& target : run.report.at("targets"))
        for (const auto& c : target.at("cases")) {
            const std::string op = c.at("operation");
            if (c.at("status") == "passed")
                ++passed[op];
            if (c.at("status") != "skipped" || op != "GetImageTag")
                continue;
            ++skipped[op];
            const std::string why = c.dump();
            INFO(why);
            CHECK(why.find("the reference has no data for GetImageTag") != std::string::npos);
            CHECK(why.find("GetImageTag.response.schema.json") != std::string::npos);
        }
    CHECK(passed["GetRepo"] > 5);
    CHECK(passed["GetRepoImage"] > 5);
    CHECK(passed["GetImageTag"] == 0);
    CHECK(skipped["GetImageTag"] > 5);
    fs::remove_all(dir);
}

TEST_CASE("conform run: a closed port is exit 3, an unknown contract exit 2") {
    const fs::path dir = test::fresh_dir("engine-closed");
    engine::RunJob job;
    job.report.dir = dir;
    job.report.console.quiet = true;
    job.contracts = {"ucloud-uhub"};
    job.targets = {{"", "http://127.0.0.1:" + std::to_string(test::closed_port())}};
    std::ostringstream out, err;
    CHECK(engine::run_run(job, out, err).value() == core::Verdict::unreachable);
    CHECK(read_report(dir).at("summary").at("unreachable_targets") == 1);
    job.contracts = {"no-such-contract"};
    std::ostringstream out2, err2;
    const auto unknown = engine::run_run(job, out2, err2);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().message.find("no-such-contract") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a server that accepts and never answers, with --unresponsive-after 0: http.transport "
          "per case, within timeouts") {
    // (By default it is declared unresponsive after the probe: tests/engine/unresponsive_test.)
    test::RawListener silent({}, false);
    Collect collect;
    const auto started = std::chrono::steady_clock::now();
    const engine::RunOutcome outcome = run_against(
        silent.base_url(), collect, serve::test_credentials(http::SchemeId::ucloud_sha1),
        std::chrono::milliseconds(300), /*unresponsive_after=*/0);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(outcome.unreachable == 0);
    REQUIRE_FALSE(collect.cases.empty());
    for (const report::CaseResult& c : collect.cases) {
        INFO(c.name << ": " << c.skipped);
        if (!c.skipped.empty())
            continue; // the placeholder cases need a total no answer gave
        bool transport = false;
        for (const auto& check : c.checks)
            for (const auto& d : check.deviations)
                transport |= d.id == core::DeviationId::http_transport;
        CHECK(transport);
    }
    CHECK(elapsed < std::chrono::seconds(30));
}

TEST_CASE("without credentials, signed cases are skipped with the reason, never passed") {
    auto server = ucloud_reference();
    Collect collect;
    const auto outcome =
        run_against(server->base_url(), collect, std::nullopt, std::chrono::milliseconds(3000));
    std::size_t skipped = 0, ran = 0;
    for (const report::CaseResult& r : collect.cases) {
        if (r.skipped.empty()) {
            ++ran;
            CHECK(r.name == "unsigned"); // the one case that needs no key
        } else {
            ++skipped;
            CHECK(r.skipped.find("UCLOUD_PUBLIC_KEY") != std::string::npos);
            CHECK_FALSE(r.passed());
        }
    }
    CHECK(ran == 1);
    CHECK(skipped + ran == collect.cases.size());
    CHECK(outcome.summary.passed <= 1);
}

TEST_CASE("reporters hear the cases in plan order whatever the number of jobs") {
    auto server = ucloud_reference();
    Collect collect;
    run_against(server->base_url(), collect, serve::test_credentials(http::SchemeId::ucloud_sha1),
                std::chrono::milliseconds(3000));
    std::vector<std::string> order;
    for (const auto& r : collect.cases)
        order.push_back(r.name);
    std::vector<std::string> planned;
    for (const auto& file : ucloud_cases())
        for (const auto& k : file.cases)
            planned.push_back(k.name);
    CHECK(order == planned);
}

TEST_CASE("throttling is retried with backoff and reported as environment, never a deviation") {
    auto fixtures = serve::load_fixtures(test::ucloud_contract(), contract::default_cases_dir());
    REQUIRE(fixtures);
    auto made = serve::make_reference(test::ucloud_contract(), std::move(*fixtures), {});
    REQUIRE(made);
    std::shared_ptr<serve::Reference> reference = *made;
    for (const bool always : {false, true}) {
        INFO((always ? "always throttled" : "every other answer throttled"));
        std::atomic<int> calls{0};
        auto server = http::Server::start({}, [&](const http::ServerRequest& r) {
            if (always || calls.fetch_add(1) % 2 == 0) {
                http::ServerResponse slow_down;
                slow_down.status = 429;
                slow_down.body = R"({"RetCode": 429, "Message": "too many requests"})";
                return slow_down;
            }
            return reference->answer(r);
        });
        REQUIRE(server);
        http::ClientOptions client;
        auto transport = http::make_transport(client);
        REQUIRE(transport);
        engine::Target t;
        t.contract = &test::ucloud_contract();
        t.cases = &ucloud_cases();
        t.name = "throttling";
        t.url = (*server)->base_url();
        t.credentials = serve::test_credentials(http::SchemeId::ucloud_sha1);
        engine::RunSettings settings;
        settings.jobs = 1; // alternate strictly: each retry is the next call
        settings.retries = 2;
        settings.backoff = std::chrono::milliseconds(1);
        http::SystemClock clock;
        http::RandomNonceSource nonces(3);
        Collect collect;
        const auto outcome =
            engine::run_targets({t}, settings, {**transport, clock, nonces}, collect);
        CHECK(outcome.summary.deviations == 0);
        for (const auto& c : collect.cases) {
            INFO(c.name << ": " << c.skipped);
            if (always) {
                // Skipped, saying why: throttled, or (the probe was throttled too) no total.
                CHECK((c.skipped.find("throttled") != std::string::npos ||
                       c.skipped.find("total") != std::string::npos));
            } else {
                CHECK_FALSE(c.environment.empty());
                CHECK(c.passed());
            }
        }
    }
}

namespace {

// Every deviation id in a report.json, per target name.
std::map<std::string, std::set<std::string>> ids_by_target(const nlohmann::json& report) {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases"))
            for (const auto& check : c.at("checks"))
                for (const auto& d : check.at("deviations"))
                    out[target.at("name").get<std::string>()].insert(d.at("id").get<std::string>());
    return out;
}

} // namespace

TEST_CASE("conform run --record, then conform replay: the same deviations, no secret on disk") {
    const fs::path dir = test::fresh_dir("engine-record-replay");
    fs::create_directories(dir);
    engine::RunJob job;
    job.report.dir = dir / "live";
    job.record = dir / "live.jsonl";
    job.report.console.quiet = true;
    std::ostringstream out, err;
    REQUIRE(engine::run_run(job, out, err).value() == core::Verdict::deviations);

    std::ifstream in(*job.record);
    const std::string recording((std::istreambuf_iterator<char>(in)), {});
    CHECK(recording.find("\"Signature\"") != std::string::npos); // the parameter is kept...
    for (const auto& creds : serve::k_test_credentials) {        // ...its value never
        CHECK(recording.find(std::string(creds.secret)) == std::string::npos);
        CHECK(recording.find(std::string(creds.key_id)) == std::string::npos);
    }

    engine::ReplayJob replay;
    replay.files = {*job.record};
    replay.report.dir = dir / "replay";
    replay.report.console.quiet = true;
    std::ostringstream rout, rerr;
    INFO(rerr.str());
    CHECK(engine::run_replay(replay, rout, rerr).value() == core::Verdict::deviations);
    const auto live = ids_by_target(read_report(job.report.dir));
    const auto replayed = ids_by_target(read_report(replay.report.dir));
    CHECK(live.count("reference") == 0);     // the reference is clean live...
    CHECK(replayed.count("reference") == 0); // ...and replayed
    REQUIRE(live.count("doc-sample"));
    REQUIRE(replayed.count("doc-sample"));
    // Replay sees every deviation of the exchanges themselves; what only the live walk's
    // request sequence shows (a probe's {{total}}) may differ, so compare the body-level ids.
    for (const char* id : {"type.mismatch", "field.misplaced", "pagination.over-limit",
                           "pagination.items-exceed-total"})
        CHECK(live.at("doc-sample").count(id) == replayed.at("doc-sample").count(id));
    fs::remove_all(dir);
}
