#pragma once
// conform::report coverage — what a run or a replay exercised of each contract (issue 19).
//
//   CoverageRecorder recorder(documented);                 // from engine: the contracts' docs
//   recorder.target_seen("ucloud-uhub", "reference");      // a row even if nothing answers
//   recorder.exchange_seen({contract, target, operation, query, body_view, page_shapes});
//   Coverage coverage = recorder.result();                 // -> Reporter::coverage_measured
//   std::vector<std::string> why = judge_coverage(coverage); // the --min-coverage gate
//
// Per contract × target, and per operation of it: was it exercised (an exchange with an
// answer), which documented request parameters were sent (and which documented enum value of
// each), which documented response fields were observed at least once (path form
// "/RepoSet/*/RepoName": array indices collapsed to *), which status codes the envelope held
// (the documented ones: the success value and any enum of the status field), and which
// pagination shapes were seen (first page, middle, last, past the end).
//
// Everything observed is a set or a sum, so coverage merges exactly: the shards of a split run
// (`conform report merge`) add up to the unsharded run's coverage.
//
// The recorder is on replay's hot path (issue 18): an exchange costs no parse (the body the
// checks read is walked through its JsonView), no allocation, and no lock but a map lookup;
// the walk follows only documented fields and skips any subtree whose fields were all seen.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"

namespace conform::report {

// ---- What a contract documents (the engine reads it from the contract's schemas) ----

struct ParamDoc {
    std::string name;                // "Type"; an indexed one as its template, "Disks.N.Size"
    std::vector<std::string> values; // its enum, as sent on the wire ("private", "1")
};

struct OperationDoc {
    std::string name;
    std::vector<ParamDoc> params;
    std::vector<std::string> fields;   // "/RetCode", "/RepoSet", "/RepoSet/*/RepoName"...
    std::vector<nlohmann::json> codes; // status codes the contract documents (success first)
    bool pages = false;                // the operation pages (offset/limit)
};

struct ContractDoc {
    std::string contract;
    std::string status_pointer;           // "/RetCode"; "" when the envelope has none
    std::vector<OperationDoc> operations; // sorted by name
};

// ---- What a run covered ----

enum class PageShape : std::uint8_t { first, middle, last, past_end };
inline constexpr std::size_t k_page_shapes = 4;
[[nodiscard]] std::string_view name_of(PageShape shape) noexcept; // "first", ..., "past-end"
[[nodiscard]] std::optional<PageShape> parse_page_shape(std::string_view name) noexcept;
[[nodiscard]] constexpr std::uint8_t bit_of(PageShape shape) noexcept {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(shape));
}

struct ParamCoverage {
    std::string name;
    bool sent = false;
    std::vector<std::string> values;      // documented enum values
    std::vector<std::string> values_sent; // those of them sent, in documented order
    friend bool operator==(const ParamCoverage&, const ParamCoverage&) = default;
};

struct OperationCoverage {
    std::string name;
    std::size_t exchanges = 0; // answered exchanges the checks judged
    std::vector<ParamCoverage> params;
    std::vector<std::string> fields;            // documented, in documented order
    std::vector<std::string> fields_missing;    // of them, never observed (same order)
    std::vector<nlohmann::json> codes;          // documented status codes
    std::vector<nlohmann::json> codes_observed; // documented or not, sorted
    bool pages = false;
    std::vector<PageShape> pages_seen; // in PageShape order

    [[nodiscard]] bool exercised() const { return exchanges > 0; }
    friend bool operator==(const OperationCoverage&, const OperationCoverage&) = default;
};

// covered of documented; nothing documented counts as fully covered.
struct Ratio {
    std::size_t covered = 0, documented = 0;
    [[nodiscard]] double percent() const {
        return documented == 0
                   ? 100.0
                   : 100.0 * static_cast<double>(covered) / static_cast<double>(documented);
    }
};

// The measures, in one table (STYLE.md lesson 6): `--min-coverage NAME=PERCENT` names them.
enum class CoverageMetric : std::uint8_t { operations, params, values, fields, codes, pages };
struct MetricInfo {
    CoverageMetric metric;
    std::string_view name;
    std::string_view description;
};
inline constexpr MetricInfo k_coverage_metrics[] = {
    {CoverageMetric::operations, "operations",
     "documented operations exercised (at least one exchange with an answer)"},
    {CoverageMetric::params, "params", "documented request parameters sent at least once"},
    {CoverageMetric::values, "values", "documented enum values of request parameters sent"},
    {CoverageMetric::fields, "fields", "documented response fields observed at least once"},
    {CoverageMetric::codes, "codes", "documented status codes of the envelope observed"},
    {CoverageMetric::pages, "pages",
     "pagination shapes seen per paging operation: first, middle, last, past-end"},
};
[[nodiscard]] std::string_view name_of(CoverageMetric metric) noexcept;
[[nodiscard]] std::optional<CoverageMetric> parse_coverage_metric(std::string_view name) noexcept;
// "operations, params, values, fields, codes, pages"
[[nodiscard]] std::string coverage_metric_names();

struct TargetCoverage {
    std::string contract;
    std::string target; // the target's name, as CaseResult::target
    std::vector<OperationCoverage> operations;

    [[nodiscard]] Ratio ratio(CoverageMetric metric) const;
    friend bool operator==(const TargetCoverage&, const TargetCoverage&) = default;
};

// What fails a run on coverage: --min-coverage and --fail-on-unobserved.
struct CoverageGate {
    std::vector<std::pair<CoverageMetric, double>> minimum; // percent, in the order given
    // Items that must have been observed: "[QUALIFIER:]/field/path" or "[QUALIFIER:]CODE", the
    // qualifier a contract, an operation or contract/operation (the rows it applies to).
    std::vector<std::string> observe;

    [[nodiscard]] bool empty() const { return minimum.empty() && observe.empty(); }
    friend bool operator==(const CoverageGate&, const CoverageGate&) = default;
};

struct Coverage {
    std::vector<std::string> contracts;  // every contract the run judged against, sorted
    std::vector<TargetCoverage> targets; // sorted by contract, then target
    CoverageGate gate;
    std::vector<std::string> failures; // why the gate failed; empty: met (or not judged)

    // Contracts no exchange reached (replay: traffic for none of their operations).
    [[nodiscard]] std::vector<std::string> unreached() const;
    friend bool operator==(const Coverage&, const Coverage&) = default;
};

// "operations=90,fields=80" -> the minimums; fails naming an unknown name or a bad percent.
[[nodiscard]] core::Result<std::vector<std::pair<CoverageMetric, double>>>
parse_min_coverage(std::string_view text);
// Checks the form of one --fail-on-unobserved item; fails saying what is expected.
[[nodiscard]] core::Result<void> check_unobserved_item(std::string_view item);

// Why the coverage does not meet its gate, one line per reason naming what was missing; empty
// when it does (or there is no gate).
[[nodiscard]] std::vector<std::string> judge_coverage(const Coverage& coverage);

// Shards of one run: rows joined, every observation a union and every count a sum. The gate is
// the first's; failures are left for judge_coverage.
[[nodiscard]] Coverage merge_coverage(const std::vector<const Coverage*>& parts);

// "86%", "61.5%"
[[nodiscard]] std::string percent_text(double percent);
// A status code as people read it: 0, 230, Success.
[[nodiscard]] std::string code_text(const nlohmann::json& code);

// ---- The accumulator the engine feeds ----

// One answered exchange, as the checks saw it.
struct ExchangeSeen {
    std::string_view contract, target, operation;
    std::span<const std::pair<std::string, std::string>> params; // as sent, repeats kept
    std::optional<core::JsonView> body;                          // nullopt: not JSON
    std::uint8_t pages = 0; // bit_of(PageShape) of the shapes this page is
};

class CoverageRecorder {
public:
    explicit CoverageRecorder(std::vector<ContractDoc> contracts);
    ~CoverageRecorder();
    CoverageRecorder(const CoverageRecorder&) = delete;
    CoverageRecorder& operator=(const CoverageRecorder&) = delete;

    // A row for contract × target even when no exchange answers (an unreachable target).
    void target_seen(std::string_view contract, std::string_view target);
    // Thread-safe; exchanges of a contract or operation not documented are ignored.
    void exchange_seen(const ExchangeSeen& exchange);
    [[nodiscard]] Coverage result() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace conform::report
