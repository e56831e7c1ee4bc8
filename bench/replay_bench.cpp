// conform replay throughput on a generated recording of realistic GetRepo pages (~3 KB each),
// next to parse-only (simdjson over the same lines) in the same run, so that the figures are
// ratios (bench/README.md). The reader as it was before it moved to simdjson (each line through
// nlohmann, core::parse_json + record::from_json) runs in the same binary as `*_nlohmann`, so
// before and after are measured side by side. Also peak RSS for a given length, one process per
// measurement:
//
//   build/bench/replay_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   build/bench/replay_bench --rss 10000 ; build/bench/replay_bench --rss 100000
//   build/bench/replay_bench --generate N FILE      (the recording alone, for replay_throughput.sh)
//   build/bench/replay_bench --parse-only FILE      (parse-only over FILE, one process)
//
// CONFORM_BENCH_EXCHANGES sets the recording's length (default 100000).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/engine/internal/coverage.hpp"
#include "runner/engine/replay.hpp"
#include "runner/record/record.hpp"

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
        items.push_back(
            {{"RepoName", "team-" + std::to_string(k % 9) + "/service-" + std::to_string(k)},
             {"CreateTime", "2026-01-10 09:00:00"},
             {"UpdateTime", "2026-10-01 18:00:00"},
             {"Description",
              "images built by the CI of team " + std::to_string(k % 9) + " for production"},
             {"IsShared", k % 2 ? "true" : "false"},
             {"IsOutSide", "false"}});
    nlohmann::json total = 100;
    if (i % 97 == 0)
        total = "100";
    const std::string offset = std::to_string(page * 20);
    nlohmann::json line = {{"time", "2026-11-30T10:00:00Z"},
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

void generate_into(const fs::path& file, std::size_t n) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    for (std::size_t i = 1; i <= n; ++i)
        out << line_of(i) << '\n';
}

fs::path generate(std::size_t n) {
    const fs::path file =
        fs::temp_directory_path() /
        ("conform-replay-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".jsonl");
    generate_into(file, n);
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

// The reader before simdjson: every line parsed into an nlohmann tree, then record::from_json
// (which re-serialises a JSON body). What RecordingReader::next() did, line splitting aside.
class NlohmannSource final : public engine::ExchangeSource {
public:
    explicit NlohmannSource(const fs::path& file) : m_file(file), m_in(file, std::ios::binary) {}
    core::Result<std::optional<record::Recorded>> next() override {
        std::string line;
        if (!std::getline(m_in, line))
            return std::optional<record::Recorded>();
        ++m_line;
        CONFORM_TRY(nlohmann::json parsed, core::parse_json(line, {}, core::ParseLimits{300}));
        CONFORM_TRY(record::Recorded r, record::from_json(parsed, m_file, m_line));
        return std::optional<record::Recorded>(std::move(r));
    }

private:
    fs::path m_file;
    std::ifstream m_in;
    std::size_t m_line = 0;
};

// coverage: 0 none; 1 as `conform replay` measures it (issue 19: every judged exchange
// recorded); 2 the worst case, an item field documented and never sent (every item of every
// page is then walked, since that subtree is never complete).
engine::ReplayOutcome replay_once(const Fixture& f, int jobs, bool nlohmann = false,
                                  int coverage = 0) {
    engine::ReplaySettings settings;
    settings.jobs = jobs;
    std::optional<report::CoverageRecorder> recorder;
    if (coverage) {
        std::vector<report::ContractDoc> docs = engine::internal::documented(f.contracts);
        if (coverage == 2)
            for (report::ContractDoc& c : docs)
                for (report::OperationDoc& op : c.operations)
                    op.fields.push_back("/RepoSet/*/NeverSent");
        recorder.emplace(std::move(docs));
        settings.coverage = &*recorder;
    }
    NullReporter reporter;
    if (nlohmann) {
        NlohmannSource source(f.file);
        return engine::replay_exchanges(source, {f.contracts, f.cases}, settings, reporter);
    }
    auto source = engine::RecordingFiles::open({f.file}, engine::reader_options(settings)).value();
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

void read_all(benchmark::State& state, engine::ExchangeSource& source, std::size_t expected) {
    std::size_t n = 0;
    for (;;) {
        auto next = source.next();
        if (next && !*next)
            break;
        n += next.has_value();
    }
    if (n != expected)
        state.SkipWithError("not every exchange was read");
    benchmark::DoNotOptimize(n);
}

// The reader alone: record::RecordingReader turning lines into Recorded values (each line
// parsed whole by simdjson, the body's text taken from the line), no checks.
void BM_read_only(benchmark::State& state) {
    const Fixture& f = fixture();
    for (auto _ : state) {
        auto source = engine::RecordingFiles::open({f.file}).value();
        read_all(state, *source, f.exchanges);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

// The same with the former reader (nlohmann tree, body re-serialised).
void BM_read_only_nlohmann(benchmark::State& state) {
    const Fixture& f = fixture();
    for (auto _ : state) {
        NlohmannSource source(f.file);
        read_all(state, source, f.exchanges);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

void replay(benchmark::State& state, bool nlohmann) {
    const Fixture& f = fixture();
    const int jobs = static_cast<int>(state.range(0));
    for (auto _ : state) {
        const engine::ReplayOutcome outcome = replay_once(f, jobs, nlohmann);
        if (outcome.exchanges != f.exchanges)
            state.SkipWithError("not every exchange was replayed");
        benchmark::DoNotOptimize(outcome.summary.cases);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.exchanges));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
}

void BM_replay(benchmark::State& state) {
    replay(state, false);
}

void BM_replay_nlohmann(benchmark::State& state) {
    replay(state, true);
}

// The replay without and with coverage, paired: each iteration times both on the same
// recording, in alternating order, so that the machine's drift falls on both alike. Counters:
// the medians over the pairs of each one's exchanges/s and of the ratios with/without of wall
// time and of process CPU time (`wall_ratio`, `cpu_ratio`; 1.0 = free). Args: jobs, then 1
// (coverage as replay measures it) or 2 (the worst case: a documented item field no page holds).
// Process CPU seconds (every thread), less disturbed than wall time by a shared machine.
double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void BM_replay_coverage_paired(benchmark::State& state) {
    const Fixture& f = fixture();
    const int jobs = static_cast<int>(state.range(0));
    const int mode = static_cast<int>(state.range(1)); // 1 as replay does, 2 the worst case
    std::vector<double> without, with, wall_ratio, cpu_ratio;
    std::size_t pair = 0;
    for (auto _ : state) {
        double wall[2] = {0, 0}, cpu[2] = {0, 0};
        for (int k = 0; k < 2; ++k) {
            const bool coverage = (k == 0) == (pair % 2 == 1); // alternate which goes first
            const auto started = std::chrono::steady_clock::now();
            const double cpu_started = cpu_seconds();
            const engine::ReplayOutcome outcome = replay_once(f, jobs, false, coverage ? mode : 0);
            cpu[coverage] = cpu_seconds() - cpu_started;
            wall[coverage] =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            if (outcome.exchanges != f.exchanges)
                state.SkipWithError("not every exchange was replayed");
        }
        ++pair;
        without.push_back(static_cast<double>(f.exchanges) / wall[0]);
        with.push_back(static_cast<double>(f.exchanges) / wall[1]);
        wall_ratio.push_back(wall[1] / wall[0]);
        cpu_ratio.push_back(cpu[1] / cpu[0]);
    }
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    state.counters["without_exchanges_per_s"] = median(without);
    state.counters["with_exchanges_per_s"] = median(with);
    state.counters["wall_ratio"] = median(wall_ratio);
    state.counters["cpu_ratio"] = median(cpu_ratio);
}

BENCHMARK(BM_parse_only)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_read_only)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_read_only_nlohmann)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_replay)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_replay_coverage_paired)
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, 2})
    ->Args({2, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(9)
    ->UseRealTime();
BENCHMARK(BM_replay_nlohmann)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

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
    // --generate N FILE: write the recording of N exchanges and exit.
    if (argc == 4 && std::string(argv[1]) == "--generate") {
        generate_into(argv[3], std::strtoul(argv[2], nullptr, 10));
        return 0;
    }
    // --parse-only FILE: the floor for FILE (every line through simdjson, as BM_parse_only),
    // one process, for replay_throughput.sh's ratios on the very recording it replays.
    if (argc == 3 && std::string(argv[1]) == "--parse-only") {
        core::FastParser parser;
        std::ifstream in(argv[2], std::ios::binary);
        std::string line;
        std::size_t parsed = 0, lines = 0;
        while (std::getline(in, line)) {
            ++lines;
            parsed += parser.parse(line).has_value();
        }
        std::cout << "lines " << lines << " parsed " << parsed << '\n';
        return parsed == lines ? 0 : 1;
    }
    // --rss N: one replay of N generated exchanges with 2 jobs, then the process's peak RSS.
    if (argc == 3 && std::string(argv[1]) == "--rss") {
        ::setenv("CONFORM_BENCH_EXCHANGES", argv[2], 1);
        const std::size_t before = peak_rss_kb();
        const Fixture& f = fixture();
        const engine::ReplayOutcome outcome = replay_once(f, 2);
        std::cout << "exchanges " << outcome.exchanges << " bytes " << f.bytes
                  << " VmHWM_kB_before_replay " << before << " VmHWM_kB " << peak_rss_kb() << '\n';
        return outcome.exchanges == f.exchanges ? 0 : 1;
    }
    // --replay N COVERAGE: one replay of N generated exchanges with 1 job, coverage 0 (off), 1
    // (as `conform replay`) or 2 (the worst case); for instruction counts that do not depend on
    // the machine's load:
    //   valgrind --tool=callgrind --toggle-collect='conform::engine::replay_exchanges*'
    //            build/bench/replay_bench --replay 2000 1
    if (argc == 4 && std::string(argv[1]) == "--replay") {
        ::setenv("CONFORM_BENCH_EXCHANGES", argv[2], 1);
        const Fixture& f = fixture();
        const engine::ReplayOutcome outcome = replay_once(f, 1, false, std::atoi(argv[3]));
        std::cout << "exchanges " << outcome.exchanges << '\n';
        return outcome.exchanges == f.exchanges ? 0 : 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
