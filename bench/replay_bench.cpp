// conform replay throughput on a generated recording of realistic GetRepo pages (~3 KB each),
// next to parse-only (simdjson over the same lines) in the same run, so that the figures are
// ratios (bench/README.md). Also peak RSS for a given length, one process per measurement:
//
//   build/bench/replay_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   build/bench/replay_bench --rss 10000 ; build/bench/replay_bench --rss 100000
//
// CONFORM_BENCH_EXCHANGES sets the recording's length (default 100000).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/engine/replay.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

std::size_t exchanges_wanted() {
    if (const char* n = std::getenv("CONFORM_BENCH_EXCHANGES"))
        return std::strtoul(n, nullptr, 10);
    return 100000;
}

// [["name", "value"], ...] (a braced list of pairs would become a JSON object).
nlohmann::json pairs(std::initializer_list<std::pair<std::string, std::string>> list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, value] : list)
        out.push_back(nlohmann::json::array({name, value}));
    return out;
}

// A conforming UCloud GetRepo page of 20 items (~3 KB of body), as `conform record` writes it;
// walks of 5 pages of 20 over 100 items, and every 97th page with TotalCount as a string.
std::string line_of(std::size_t i) {
    const int page = static_cast<int>(i % 5);
    nlohmann::json items = nlohmann::json::array();
    for (int k = page * 20; k < page * 20 + 20; ++k)
        items.push_back({{"RepoName", "team-" + std::to_string(k % 9) + "/service-" +
                                          std::to_string(k)},
                         {"CreateTime", "2026-01-10 09:00:00"},
                         {"UpdateTime", "2026-10-01 18:00:00"},
                         {"Description", "images built by the CI of team " +
                                             std::to_string(k % 9) + " for production"},
                         {"IsShared", k % 2 ? "true" : "false"},
                         {"IsOutSide", "false"}});
    nlohmann::json total = 100;
    if (i % 97 == 0)
        total = "100";
    const std::string offset = std::to_string(page * 20);
    nlohmann::json line = {
        {"time", "2026-11-30T10:00:00Z"},
        {"target", "recorded"},
        {"request",
         {{"method", "GET"},
          {"url", "https://api.ucloud.cn/?Action=GetRepo&Offset=" + offset +
                      "&Limit=20&PublicKey=REDACTED&Signature=REDACTED"},
          {"query", pairs({{"Action", "GetRepo"},
                           {"Offset", offset},
                           {"Limit", "20"},
                           {"PublicKey", "REDACTED"},
                           {"Signature", "REDACTED"}})},
          {"headers", pairs({{"User-Agent", "conform/0.1.0"}})}}},
        {"response",
         {{"status", 200},
          {"headers", pairs({{"Content-Type", "application/json"}})},
          {"body",
           {{"Action", "GetRepoResponse"},
            {"RetCode", 0},
            {"TotalCount", total},
            {"RepoSet", items}}}}}};
    return line.dump();
}

fs::path generate(std::size_t n) {
    const fs::path file = fs::temp_directory_path() /
                          ("conform-replay-bench-" + std::to_string(::getpid()) + "-" +
                           std::to_string(n) + ".jsonl");
    std::ofstream out(file, std::ios::binary);
    for (std::size_t i = 1; i <= n; ++i)
        out << line_of(i) << '\n';
    return file;
}

struct Fixture {
    fs::path file;
    std::uintmax_t bytes = 0;
    std::size_t exchanges = 0;
    std::vector<contract::Contract> contracts;
    std::vector<std::vector<contract::CaseFile>> cases;

    Fixture() {
        exchanges = exchanges_wanted();
        file = generate(exchanges);
        bytes = fs::file_size(file);
        contracts = contract::load_contracts(contract::default_schemas_dir()).value();
        cases.resize(contracts.size());
    }
    ~Fixture() {
        std::error_code ec;
        fs::remove(file, ec);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

class NullReporter final : public report::Reporter {};

engine::ReplayOutcome replay_once(const Fixture& f, int jobs) {
    engine::ReplaySettings settings;
    settings.jobs = jobs;
    auto source = engine::RecordingFiles::open({f.file}).value();
    NullReporter reporter;
    return engine::replay_exchanges(*source, {f.contracts, f.cases}, settings, reporter);
}

// The floor: reading the lines and parsing each with simdjson, nothing else.
void BM_parse_only(benchmark::State& state) {
    const Fixture& f = fixture();
    core::FastParser parser;
    for (auto _ : state) {
        std::ifstream in(f.file, std::ios::binary);
        std::string line;
        std::size_t parsed = 0;
        while (std::getline(in, line))
            parsed += parser.parse(line).has_value();
        benchmark::DoNotOptimize(parsed);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

// The reader alone: record::RecordingReader turning lines into Recorded values (it parses each
// line with nlohmann and re-serialises the body), no checks.
void BM_read_only(benchmark::State& state) {
    const Fixture& f = fixture();
    for (auto _ : state) {
        auto source = engine::RecordingFiles::open({f.file}).value();
        std::size_t n = 0;
        for (;;) {
            auto next = source->next();
            if (next && !*next)
                break;
            ++n;
        }
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

void BM_replay(benchmark::State& state) {
    const Fixture& f = fixture();
    const int jobs = static_cast<int>(state.range(0));
    for (auto _ : state) {
        const engine::ReplayOutcome outcome = replay_once(f, jobs);
        if (outcome.exchanges != f.exchanges)
            state.SkipWithError("not every exchange was replayed");
        benchmark::DoNotOptimize(outcome.summary.cases);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

BENCHMARK(BM_parse_only)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_read_only)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_replay)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

std::size_t peak_rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stoul(line.substr(6));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // --rss N: one replay of N generated exchanges with 2 jobs, then the process's peak RSS.
    if (argc == 3 && std::string(argv[1]) == "--rss") {
        ::setenv("CONFORM_BENCH_EXCHANGES", argv[2], 1);
        const std::size_t before = peak_rss_kb();
        const Fixture& f = fixture();
        const engine::ReplayOutcome outcome = replay_once(f, 2);
        std::cout << "exchanges " << outcome.exchanges << " bytes " << f.bytes
                  << " VmHWM_kB_before_replay " << before << " VmHWM_kB " << peak_rss_kb()
                  << '\n';
        return outcome.exchanges == f.exchanges ? 0 : 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
