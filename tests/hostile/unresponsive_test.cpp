// Issue 16: a target that stops answering is declared so, quickly. `conform run --target`
// (the binary, default flags but a short --timeout) against four servers that accept the
// connection and then give no answer in time: silent, trickling a byte at a time, announcing
// more body than they send, sending the body later than the timeout. Each must end in a few
// seconds: the probe's attempts, then every case skipped with one reason, the target listed
// as unresponsive with the failures as evidence, exit 3 (nothing could be checked). A target
// that stops answering after some cases got answers keeps those cases and exits 1.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/run_conform.hpp"
#include "tests/hostile/hostile_server.hpp"

using conform::test::head;
using conform::test::HostileServer;
using conform::test::Peer;
using conform::test::Script;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct SilentRun {
    conform::test::Run run;
    std::chrono::milliseconds elapsed{};
    json report;
    json endpoint; // the target's one endpoint in report.json
    json cases;    // its cases
};

// Only flags every conform had before issue 16 but --timeout (and the ones the caller adds):
// the defaults decide, so an older binary can be shown to fail these tests. genesissai-uhub has
// one operation (GetRepo) with 15 cases, the UCloud envelope and signing.
SilentRun run_until_silent(const HostileServer& server, std::vector<std::string> extra = {}) {
    ::setenv("UCLOUD_PUBLIC_KEY", "silent-test-public-key", 1);
    ::setenv("UCLOUD_PRIVATE_KEY", "silent-test-private-key", 1);
    const conform::test::TempDir dir;
    std::vector<std::string> args{
        "run",          "--target",          server.base_url(), "--contract", "genesissai-uhub",
        "--report-dir", dir.path().string(), "--timeout",       "300"};
    args.insert(args.end(), extra.begin(), extra.end());
    SilentRun out;
    const auto start = std::chrono::steady_clock::now();
    out.run = conform::test::run_conform(args);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::ifstream in(dir.path() / "report.json");
    if (in)
        out.report = json::parse(in, nullptr, false);
    if (out.report.contains("targets") && out.report["targets"].size() == 1) {
        out.endpoint = out.report["targets"][0]["endpoints"][0];
        out.cases = out.report["targets"][0]["cases"];
    }
    return out;
}

std::size_t transport_deviations(const json& c) {
    std::size_t n = 0;
    for (const json& check : c.value("checks", json::array()))
        for (const json& d : check.value("deviations", json::array()))
            n += d.value("id", "") == "http.transport";
    return n;
}

// A valid-enough GetRepo answer, then the connection closes.
void answer_once(Peer& peer) {
    const std::string body = R"({"RetCode":0,"TotalCount":0,"RepoSet":[]})";
    peer.send(head("Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n") +
              body);
}

} // namespace

TEST_CASE("conform run: a target that never answers in time is declared unresponsive, exit 3",
          "[hostile][cli][unresponsive]") {
    const auto behaviour =
        GENERATE(as<std::string>{}, "silent", "trickle", "short-body", "late-body");
    Script script;
    std::string evidence = "read timeout after 300 ms";
    if (behaviour == "silent") {
        script = [](Peer& peer) { peer.hold(); };
    } else if (behaviour == "trickle") {
        // A byte every 100 ms never lets the 300 ms read timeout pass: the request deadline
        // (4 x --timeout) ends each request.
        script = [](Peer& peer) {
            const std::string answer =
                head("Content-Length: 2\r\n") + "{}"; // 70-odd bytes: 7 s at this pace
            for (const char c : answer)
                if (!peer.pause(100ms) || !peer.send(std::string(1, c)))
                    return;
        };
        evidence = "within the 1200 ms request deadline";
    } else if (behaviour == "short-body") {
        script = [](Peer& peer) {
            if (peer.send(head("Content-Length: 1000\r\n") + R"({"RetCode":0,)"))
                peer.hold();
        };
    } else {
        script = [](Peer& peer) { // the head at once, the body after more than --timeout
            if (peer.send(head("Content-Length: 2\r\n")) && peer.pause(3s))
                peer.send("{}");
        };
    }
    HostileServer server(script);
    const SilentRun r = run_until_silent(server);
    INFO(behaviour << ": exit " << r.run.exit_code << " after " << r.elapsed.count()
                   << " ms\nstdout: " << r.run.out << "\nstderr: " << r.run.err);
    CHECK(r.run.exit_code == 3);
    CHECK(r.elapsed < 5s); // the probe's 3 attempts (2 retries) at most: no case waits
    CHECK(server.requests() <= 3);

    REQUIRE(r.endpoint.is_object());
    CHECK(r.endpoint.value("reachable", true) == false);
    REQUIRE(r.endpoint.contains("unresponsive"));
    const json& unresponsive = r.endpoint["unresponsive"];
    CHECK(unresponsive.value("reason", "").find("the probe of GetRepo got no answer") == 0);
    REQUIRE(unresponsive["evidence"].size() == 1);
    const std::string first = unresponsive["evidence"][0];
    CHECK(first.find("probe GetRepo: ") == 0);
    CHECK(first.find(server.authority()) != std::string::npos);
    CHECK(first.find(evidence) != std::string::npos);

    // Every case skipped, all with the one reason.
    REQUIRE(r.cases.size() == 15);
    for (const json& c : r.cases) {
        INFO(c.dump());
        CHECK(c.value("status", "") == "skipped");
        CHECK(c.value("skipped_reason", "") ==
              "target unresponsive: " + unresponsive.value("reason", std::string()));
    }
    CHECK(r.run.out.find("Unresponsive targets") != std::string::npos);
}

TEST_CASE("conform run: a target that stops answering mid-run keeps what it answered, exit 1",
          "[hostile][cli][unresponsive]") {
    // The probe and the first cases (default-page, the walk's page and full listing) get
    // answers; then nothing. At --jobs 1 the order is the plan's.
    std::atomic<int> answered{0};
    HostileServer server([&](Peer& peer) {
        if (answered.fetch_add(1) < 4)
            answer_once(peer);
        else
            peer.hold();
    });
    SECTION("three requests in a row without an answer end it") {
        const SilentRun r = run_until_silent(server, {"--retries", "0", "--jobs", "1"});
        INFO("exit " << r.run.exit_code << "\nstdout: " << r.run.out << "\nstderr: " << r.run.err);
        CHECK(r.run.exit_code == 1);
        CHECK(r.elapsed < 5s);
        CHECK(server.requests() == 4 + 3);
        REQUIRE(r.endpoint.is_object());
        CHECK(r.endpoint.value("reachable", false) == true);
        REQUIRE(r.endpoint.contains("unresponsive"));
        CHECK(r.endpoint["unresponsive"].value("reason", "") ==
              "3 requests in a row got no answer (--unresponsive-after 3)");
        REQUIRE(r.endpoint["unresponsive"]["evidence"].size() == 3);
        CHECK(r.endpoint["unresponsive"]["evidence"][0].get<std::string>().find(
                  "GetRepo/offset-at-end: read timeout after 300 ms") == 0);
        std::size_t answered_cases = 0, timed_out = 0, skipped = 0;
        REQUIRE(r.cases.size() == 15);
        for (const json& c : r.cases) {
            if (c.value("status", "") == "skipped") {
                ++skipped;
                CHECK(c.value("skipped_reason", "") ==
                      "target unresponsive: 3 requests in a row got no answer "
                      "(--unresponsive-after 3)");
            } else if (transport_deviations(c) > 0) {
                ++timed_out;
            } else {
                ++answered_cases;
            }
        }
        CHECK(answered_cases == 2);
        CHECK(timed_out == 3);
        CHECK(skipped == 10);
    }
    SECTION("--unresponsive-after 0 sends every case") {
        const SilentRun r = run_until_silent(
            server, {"--retries", "0", "--jobs", "8", "--unresponsive-after", "0"});
        INFO("exit " << r.run.exit_code << "\nstdout: " << r.run.out << "\nstderr: " << r.run.err);
        CHECK(r.run.exit_code == 1);
        CHECK_FALSE(r.endpoint.contains("unresponsive"));
        for (const json& c : r.cases)
            CHECK(c.value("status", "") != "skipped");
    }
}
