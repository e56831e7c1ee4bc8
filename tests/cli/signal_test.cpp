// The conform binary under a real SIGINT in the middle of a write scenario (issue 17): it stops
// between steps, deletes what it created, writes the report and exits 130. The reference runs
// in this process with every answer slowed down, so that the signal lands while the scenario
// is under way, and its store is what the test inspects afterwards.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "runner/contract/cases.hpp"
#include "runner/serve/serve.hpp"
#include "tests/cli/run_conform.hpp"

using namespace conform;
using namespace std::chrono_literals;

namespace {

std::size_t count_of(const serve::Reference& reference, const std::string& operation) {
    const auto counts = reference.requests_by_operation();
    const auto it = counts.find(operation);
    return it == counts.end() ? 0 : it->second;
}

std::size_t conform_items(const serve::Reference& reference) {
    std::size_t n = 0;
    for (const nlohmann::json& item : reference.listing_items("GetRepo"))
        n += item.value("RepoName", std::string()).starts_with("conform-");
    return n;
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Starts `conform args...` with the reference's test keys in its environment; its output goes
// to files in `dir`.
pid_t spawn_conform(const std::vector<std::string>& args, const http::Credentials& keys,
                    const std::filesystem::path& dir) {
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    ::setenv("UCLOUD_PUBLIC_KEY", keys.key_id.c_str(), 1);
    ::setenv("UCLOUD_PRIVATE_KEY", keys.secret.c_str(), 1);
    if (!std::freopen((dir / "out").c_str(), "w", stdout) ||
        !std::freopen((dir / "err").c_str(), "w", stderr))
        ::_exit(126);
    std::vector<char*> argv{const_cast<char*>(CONFORM_BINARY)};
    for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(CONFORM_BINARY, argv.data());
    ::_exit(127);
}

// The child's exit status within `limit`, else kills it and fails.
int wait_for(pid_t pid, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            FAIL("conform did not end within " << limit.count() << " s of the signal");
        }
        std::this_thread::sleep_for(20ms);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

TEST_CASE("conform run: SIGINT in the middle of a write scenario deletes what it created, "
          "exit 130") {
    auto contract = contract::load_contract(contract::default_schemas_dir() / "ucloud-uhub");
    REQUIRE(contract);
    auto fixtures = serve::load_fixtures(*contract, contract::default_cases_dir());
    REQUIRE(fixtures);
    serve::ReferenceOptions options;
    options.persona = serve::PersonaId::slow;
    options.slow_delay = 150ms; // every step takes this long: the signal lands mid-scenario
    auto reference = serve::make_reference(*contract, std::move(*fixtures), options);
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    const http::Credentials keys = serve::test_credentials(*http::find_scheme(contract->signing));

    test::TempDir dir;
    const std::vector<std::string> args = {"run",
                                           "--target",
                                           (*server)->base_url(),
                                           "--contract",
                                           "ucloud-uhub",
                                           "--allow-writes",
                                           "--jobs",
                                           "8",
                                           "--report-dir",
                                           (dir.path() / "report").string()};
    const pid_t pid = spawn_conform(args, keys, dir.path());
    REQUIRE(pid > 0);
    // The scenario has created its resource: signal now.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (count_of(**reference, "CreateRepo") == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    REQUIRE(count_of(**reference, "CreateRepo") >= 1);
    REQUIRE(::kill(pid, SIGINT) == 0);
    const int status = wait_for(pid, 60s);
    (*server)->stop();

    const std::string out = read_text(dir.path() / "out"), err = read_text(dir.path() / "err");
    INFO(out << err);
    CHECK(status == 130);
    CHECK_THAT(err, Catch::Contains("interrupted"));
    // What it created is gone, by its own delete; nothing of the dataset was touched.
    CHECK(conform_items(**reference) == 0);
    CHECK(count_of(**reference, "DeleteRepo") >= 1);
    const std::string report = read_text(dir.path() / "report" / "report.json");
    CHECK_THAT(report, Catch::Contains("interrupted"));
}
