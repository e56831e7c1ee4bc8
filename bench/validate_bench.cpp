// Parse-only vs parse+validate (every error collected) over GetRepo-like pages, for the
// nlohmann and simdjson views. Compare each validate row with the parse-only row of the same
// parser from the same run: docs/s are in the "items_per_second" counter.
#include <benchmark/benchmark.h>

#include <simdjson.h>

#include "bench/corpus.hpp"
#include "runner/schema/schema.hpp"

namespace {

using namespace conform;

const std::vector<std::string>& corpus() {
    static const auto pages = bench::getrepo_pages(2000);
    return pages;
}

std::size_t corpus_bytes() {
    std::size_t n = 0;
    for (const auto& p : corpus())
        n += p.size();
    return n;
}

const schema::CompiledSchema& compiled() {
    static schema::Registry registry;
    static auto s = schema::compile(bench::getrepo_schema(), registry).value();
    return s;
}

void finish(benchmark::State& state, std::size_t errors) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus_bytes()));
    state.counters["errors_per_pass"] =
        static_cast<double>(errors) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

void BM_parse_nlohmann(benchmark::State& state) {
    for (auto _ : state)
        for (const auto& page : corpus()) {
            auto doc = nlohmann::json::parse(page);
            benchmark::DoNotOptimize(doc);
        }
    finish(state, 0);
}

void BM_parse_validate_nlohmann(benchmark::State& state) {
    std::size_t errors = 0;
    for (auto _ : state)
        for (const auto& page : corpus()) {
            auto doc = nlohmann::json::parse(page);
            errors += compiled().validate(doc).errors.size();
        }
    finish(state, errors);
}

void BM_parse_simdjson(benchmark::State& state) {
    simdjson::dom::parser parser;
    for (auto _ : state)
        for (const auto& page : corpus()) {
            simdjson::dom::element root;
            auto error = parser.parse(page).get(root);
            benchmark::DoNotOptimize(error);
            benchmark::DoNotOptimize(root);
        }
    finish(state, 0);
}

void BM_parse_validate_simdjson(benchmark::State& state) {
    simdjson::dom::parser parser;
    std::size_t errors = 0;
    for (auto _ : state)
        for (const auto& page : corpus()) {
            simdjson::dom::element root;
            if (parser.parse(page).get(root) == simdjson::SUCCESS)
                errors += compiled().validate(core::JsonView::of(root)).errors.size();
        }
    finish(state, errors);
}

void BM_parse_is_valid_simdjson(benchmark::State& state) {
    simdjson::dom::parser parser;
    std::size_t invalid = 0;
    for (auto _ : state)
        for (const auto& page : corpus()) {
            simdjson::dom::element root;
            if (parser.parse(page).get(root) == simdjson::SUCCESS)
                invalid += !compiled().is_valid(core::JsonView::of(root));
        }
    finish(state, invalid);
}

BENCHMARK(BM_parse_nlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_validate_nlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_simdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_validate_simdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_is_valid_simdjson)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
