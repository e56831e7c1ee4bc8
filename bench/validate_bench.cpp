// Parse-only vs parse+validate (every error collected) over GetRepo-like pages, for the
// nlohmann and simdjson views. Compare each validate row with the parse-only row of the same
// parser from the same run: docs/s are in the "items_per_second" counter.
#include <algorithm>
#include <chrono>
#include <vector>

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
        static_cast<double>(errors) /
        static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
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

// The ratio itself, paired: each iteration takes the corpus 100 pages at a time and times
// the same batch parse-only, then parse + validate, then parse + is_valid (rotating which goes
// first), so a burst of machine noise falls on one batch of one row rather than on a whole
// row. The counters are medians over the batches of every iteration: the docs/s of each and
// the ratios to parse-only, batch by batch. On a shared machine these ratios move far less
// between runs than the ratio of two separate rows.
void BM_paired_ratio_simdjson(benchmark::State& state) {
    using clock = std::chrono::steady_clock;
    constexpr std::size_t batch = 100;
    simdjson::dom::parser parser;
    std::vector<double> parse_s, validate_s, is_valid_s, validate_ratio, is_valid_ratio;
    std::size_t errors = 0, rotation = 0;
    auto parse_only = [&](std::size_t from) {
        for (std::size_t i = from; i < from + batch; ++i) {
            simdjson::dom::element root;
            auto error = parser.parse(corpus()[i]).get(root);
            benchmark::DoNotOptimize(error);
            benchmark::DoNotOptimize(root);
        }
    };
    auto with_validate = [&](std::size_t from) {
        for (std::size_t i = from; i < from + batch; ++i) {
            simdjson::dom::element root;
            if (parser.parse(corpus()[i]).get(root) == simdjson::SUCCESS)
                errors += compiled().validate(core::JsonView::of(root)).errors.size();
        }
    };
    auto with_is_valid = [&](std::size_t from) {
        for (std::size_t i = from; i < from + batch; ++i) {
            simdjson::dom::element root;
            if (parser.parse(corpus()[i]).get(root) == simdjson::SUCCESS)
                errors += !compiled().is_valid(core::JsonView::of(root));
        }
    };
    for (auto _ : state)
        for (std::size_t from = 0; from + batch <= corpus().size(); from += batch) {
            double seconds[3] = {};
            for (std::size_t k = 0; k < 3; ++k) {
                const std::size_t which = (k + rotation) % 3;
                const auto start = clock::now();
                if (which == 0)
                    parse_only(from);
                else if (which == 1)
                    with_validate(from);
                else
                    with_is_valid(from);
                seconds[which] = std::chrono::duration<double>(clock::now() - start).count();
            }
            ++rotation;
            parse_s.push_back(seconds[0]);
            validate_s.push_back(seconds[1]);
            is_valid_s.push_back(seconds[2]);
            validate_ratio.push_back(seconds[0] / seconds[1]);
            is_valid_ratio.push_back(seconds[0] / seconds[2]);
        }
    auto median = [](std::vector<double> v) {
        if (v.empty())
            return 0.0;
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    const double docs = static_cast<double>(batch);
    state.counters["parse_docs_per_s"] = docs / median(parse_s);
    state.counters["validate_docs_per_s"] = docs / median(validate_s);
    state.counters["is_valid_docs_per_s"] = docs / median(is_valid_s);
    state.counters["validate_ratio"] = median(validate_ratio);
    state.counters["is_valid_ratio"] = median(is_valid_ratio);
    benchmark::DoNotOptimize(errors);
}

BENCHMARK(BM_parse_nlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_validate_nlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_simdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_validate_simdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_is_valid_simdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_paired_ratio_simdjson)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
