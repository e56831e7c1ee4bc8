// `conform run --target` against hostile servers, end to end: the binary must end each run
// within its timeouts, with the misbehaviour reported as an http.transport deviation of the
// right kind in report.json (exit 1), or as an unreachable target (exit 3) with a clear message.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/cli/run_conform.hpp"
#include "tests/hostile/hostile_server.hpp"

using conform::test::head;
using conform::test::HostileServer;
using conform::test::Peer;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct RunResult {
    conform::test::Run run;
    std::chrono::milliseconds elapsed{};
    json report;
    std::multiset<std::string> transport_kinds; // of every http.transport deviation
};

RunResult run_against(const HostileServer& server, std::vector<std::string> extra = {}) {
    // Signed cases need credentials; any will do, the server does not check them.
    ::setenv("UCLOUD_PUBLIC_KEY", "hostile-test-public-key", 1);
    ::setenv("UCLOUD_PRIVATE_KEY", "hostile-test-private-key", 1);
    const conform::test::TempDir dir;
    std::vector<std::string> args{"run",
                                  "--target",
                                  server.base_url(),
                                  "--contract",
                                  "ucloud-uhub",
                                  "--report-dir",
                                  dir.path().string(),
                                  "--quiet",
                                  "--retries",
                                  "0",
                                  "--timeout",
                                  "500",
                                  "--jobs",
                                  "8"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult out;
    const auto start = std::chrono::steady_clock::now();
    out.run = conform::test::run_conform(args);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::ifstream in(dir.path() / "report.json");
    if (in) {
        out.report = json::parse(in, nullptr, false);
        for (const json& target : out.report.value("targets", json::array()))
            for (const json& c : target.value("cases", json::array()))
                for (const json& check : c.value("checks", json::array()))
                    for (const json& d : check.value("deviations", json::array()))
                        if (d.value("id", "") == "http.transport")
                            out.transport_kinds.insert(d.value("kind", ""));
    }
    return out;
}

void expect_deviations(const RunResult& r, const std::string& kind) {
    INFO("exit " << r.run.exit_code << "\nstdout: " << r.run.out << "\nstderr: " << r.run.err);
    CHECK(r.run.exit_code == 1);
    std::string kinds;
    for (const std::string& k : r.transport_kinds)
        kinds += k + " ";
    INFO("kinds: " << kinds);
    REQUIRE_FALSE(r.transport_kinds.empty());
    CHECK(r.transport_kinds.count(kind) == r.transport_kinds.size()); // every one of them
}

} // namespace

TEST_CASE("conform run: a gzip bomb is an http.transport body-too-large deviation",
          "[hostile][cli]") {
    HostileServer server([](Peer& peer) {
        if (!peer.send(head("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")))
            return;
        if (conform::test::stream_gzip_zeros(std::uint64_t{1} << 30, [&](std::string_view piece) {
                return peer.send(conform::test::chunk(piece));
            }))
            peer.send("0\r\n\r\n");
    });
    // The deadline of the old default: 8 bombs streamed at once take seconds on a loaded
    // machine, longer than 4 x --timeout; the body limit is what this test is about.
    const RunResult r = run_against(server, {"--request-timeout", "30000"});
    expect_deviations(r, "body-too-large");
    CHECK(r.elapsed < 30s);
}

TEST_CASE("conform run: a server that never answers is a read-timeout deviation",
          "[hostile][cli]") {
    // Every case sent (by default the target is declared unresponsive after the probe
    // instead: unresponsive_test.cpp).
    HostileServer server([](Peer& peer) { peer.hold(); });
    const RunResult r = run_against(server, {"--unresponsive-after", "0"});
    expect_deviations(r, "read-timeout");
    CHECK(r.elapsed < 30s);
}

TEST_CASE("conform run: a reset mid-body is a connection-closed deviation", "[hostile][cli]") {
    HostileServer server([](Peer& peer) {
        if (peer.send(head("Content-Length: 5000\r\n") + "{\"RetCode\":0,") && peer.pause(10ms))
            peer.reset();
    });
    const RunResult r = run_against(server);
    expect_deviations(r, "connection-closed");
    CHECK(r.elapsed < 30s);
}

TEST_CASE("conform run: an untrusted certificate is an unreachable target, exit 3",
          "[hostile][cli][tls]") {
    HostileServer server([](Peer& peer) { peer.send(head("Content-Length: 2\r\n") + "{}"); },
                         conform::test::make_identity("IP:127.0.0.1"));
    const RunResult r = run_against(server);
    INFO("stdout: " << r.run.out << "\nstderr: " << r.run.err);
    CHECK(r.run.exit_code == 3);
    const std::string all = r.run.out + r.run.err;
    CHECK(all.find(server.authority()) != std::string::npos);
    CHECK(all.find("not trusted") != std::string::npos);
    CHECK(r.elapsed < 30s);
}
