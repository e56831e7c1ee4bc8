#pragma once
// conform::engine live runs — plan (contracts × targets × cases) → signed requests through a
// Transport → the named checks → events for the reporters (DESIGN.md data flow).
//
//   std::vector<Target> targets = {{.contract = &c, .name = "candidate", .url = url,
//                                   .credentials = creds}};
//   RunOutcome outcome = run_targets(targets, settings, edges, reporter);
//
// `conform run` (run_run) builds the targets: --target URLs, or the embedded default (the
// reference server in-process, once as `reference` and once as `doc-sample`).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/clock.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/verdict.hpp"
#include "runner/http/http.hpp"
#include "runner/record/record.hpp"
#include "runner/report/report.hpp"
#include "runner/serve/serve.hpp"

namespace conform::engine {

// One contract served at one URL.
struct Target {
    const contract::Contract* contract = nullptr;
    const std::vector<contract::CaseFile>* cases = nullptr; // the contract's cases
    std::string name;    // "reference", "doc-sample", "candidate", or the URL itself
    std::string url;     // where to send; a URL without a path takes the contract's path
    std::string persona; // the in-process persona behind it; "" for an external target
    std::optional<http::Credentials> credentials; // nullopt: signed cases are skipped
    std::string missing_credentials;              // why there are none, for the skip reason
    // Operations this target has no data for, each with why (an embedded reference whose
    // response schema no synthesized answer satisfies): their cases are skipped with it.
    std::map<std::string, std::string, std::less<>> no_data;
    // An embedded target's identifiers as its data holds them ("<Operation>/<param>" -> the
    // producer's first item): a link the producer's answer leaves unfilled (a persona that
    // breaks its items, doc-sample's page samples) takes it, so every persona reaches every
    // operation. Never set for an external target: nothing made up is sent there.
    std::map<std::string, std::string, std::less<>> known_values;
    // The contract's write scenarios (contract::scenarios_of), run after the read-only cases
    // when allow_writes: always for an embedded reference, for an external target only with
    // --allow-writes (skipped saying so otherwise).
    std::vector<contract::Scenario> scenarios;
    bool allow_writes = false;
};

// An embedded target's Target::known_values: for every link of the family, the value its
// producer's first item holds in the reference's data.
[[nodiscard]] std::map<std::string, std::string, std::less<>>
embedded_link_values(const contract::Contract& contract, const serve::Fixtures& fixtures);

// --shard K/N: this run takes every Nth case (by contract/operation/case, the same on every
// target), starting at the Kth, so N shards split the cases evenly and deterministically.
struct Shard {
    int index = 1; // K, 1-based
    int count = 1; // N
    [[nodiscard]] bool whole() const { return count <= 1; }
    [[nodiscard]] std::string text() const; // "2/4", "" when whole
};
// "K/N" with 1 <= K <= N; fails naming the text.
[[nodiscard]] core::Result<Shard> parse_shard(std::string_view text);

// How results are reported and judged; the same for `conform run` and `conform replay`.
struct ReportSettings {
    std::filesystem::path dir = "conform-report"; // report.json and the other files
    std::vector<report::Format> formats;          // file formats besides report.json
    report::ConsoleOptions console;
    bool progress = false; // a progress bar on stderr (the CLI: when it is a terminal)
    std::optional<std::filesystem::path> baseline;       // only deviations not in it fail
    std::optional<std::filesystem::path> write_baseline; // today's deviations, for next time
    std::optional<int> accept_days; // new baseline entries expire this many days from today
    core::Severity fail_on = core::Severity::error;         // the least severity that fails
    std::map<core::DeviationId, core::Severity> severities; // per-id overrides
    report::CoverageGate coverage_gate; // --min-coverage, --fail-on-unobserved (exit 1 below)
};

// Limits on what a server under test, or a recording of one, sends: each is a clear error past
// it, never a crash (issue 7). `conform run` and `conform replay` bind them to --max-depth,
// --max-ref-depth and (replay) --max-line-bytes.
struct InputLimits {
    std::size_t max_depth = 256;      // JSON nesting of a response body, parsed and validated
    std::size_t max_ref_depth = 1024; // subschemas nested while validating ($ref chains)
    std::size_t max_line_bytes = std::size_t{64} << 20; // a recording line; longer: one bad line

    [[nodiscard]] core::ParseLimits body() const { return core::ParseLimits{max_depth}; }
    [[nodiscard]] contract::LoadOptions contracts() const {
        return contract::LoadOptions{max_ref_depth, max_depth};
    }
    // A line holds its body two levels down; 44 spare levels give ReaderOptions' default 300.
    [[nodiscard]] record::ReaderOptions recordings() const {
        return record::ReaderOptions{max_line_bytes, max_depth + 44};
    }
};

struct RunSettings {
    std::vector<std::string> checks;        // names from checks::checks(); empty: all that apply
    http::QueryParams extra_params;         // sent with every request (e.g. Tencent's Region)
    int jobs = 2;                           // cases in flight at once
    Shard shard;                            // --shard K/N
    int retries = 2;                        // after throttling or a timeout, with backoff
    std::chrono::milliseconds backoff{250}; // doubled for each retry
    // --unresponsive-after: a target whose probe gets no answer (http::is_no_answer, after
    // the retries), or whose requests get none this many times in a row, is declared
    // unresponsive: its remaining cases are skipped with one reason rather than each waiting
    // out its timeouts (issue 16). 0: never.
    int unresponsive_after = 3;
    // --record: every exchange (retries and probes included) appended, redacted; a write
    // that fails is an environment note on the case, never silent.
    record::RecordingWriter* recorder = nullptr;
    InputLimits limits; // response bodies: nesting and $ref depth
    // Every judged exchange's coverage (report/internal/coverage.hpp, through report.hpp); nullptr:
    // not measured.
    report::CoverageRecorder* coverage = nullptr;
    // The write scenarios' names are conform-<run_id>-<n>-<m>; empty: the clock's Unix seconds.
    std::string run_id;
    // Set (by a SIGINT/SIGTERM handler): scenarios stop between steps, clean up what they
    // created, and the ones not started are skipped.
    const std::atomic<bool>* interrupted = nullptr;
};

// The injected edges (STYLE.md lesson 2).
struct RunEdges {
    http::Transport& transport;
    const core::Clock& clock; // signatures' Timestamp, case and run seconds
    http::NonceSource& nonces;
};

struct RunOutcome {
    report::RunSummary summary;
    std::vector<report::CaseResult> cases; // in plan order
    std::size_t unreachable = 0;           // targets that could not be reached, or (issue 16)
                                           // stopped answering before any case got an answer
    std::size_t unresponsive = 0;          // targets declared unresponsive
};

// Runs every case of every target; reporters hear target_starting, case_ended (in plan
// order, as soon as each case and those before it are done), target_unreachable, and after
// the cases target_unresponsive (RunSettings::unresponsive_after). The caller sends
// run_starting/run_ended.
[[nodiscard]] RunOutcome run_targets(const std::vector<Target>& targets,
                                     const RunSettings& settings, const RunEdges& edges,
                                     report::Reporter& reporter);

// `conform run`.
struct TargetSpec {
    std::string name; // empty: the URL is the name
    std::string url;
};

struct RunJob {
    std::vector<TargetSpec> targets;    // empty: the embedded default
    std::vector<std::string> contracts; // empty: every contract in schemas_dir
    std::vector<std::string> personas;  // embedded: personas to serve (default: reference,
                                        // doc-sample)
    std::filesystem::path schemas_dir;  // empty: contract::default_schemas_dir()
    std::filesystem::path cases_dir;    // empty: contract::default_cases_dir()
    ReportSettings report;
    std::vector<std::string> params;             // NAME=VALUE, added to every request
    std::optional<std::filesystem::path> record; // append every exchange to this JSONL file
    RunSettings settings;
    http::ClientOptions client;
    bool tls = false; // embedded: serve HTTPS (the client trusts the generated certificate)
    // --allow-writes: send the write scenarios to the --target URLs too (the embedded reference
    // always gets them). conform only updates and deletes what it creates in the run.
    bool allow_writes = false;
    std::vector<std::string> arguments; // the command line, for the report
    // Injected edges (STYLE.md lesson 2); nullptr: the system clock, random nonces. The
    // embedded reference servers read the same clock, so a fixed one makes the same report.
    const core::Clock* clock = nullptr;
    http::NonceSource* nonces = nullptr;
};

// The verdict: conformant (warnings allowed), deviations (one at --fail-on severity or worse
// that the baseline does not accept) or unreachable (a target could not be reached); a usage
// or configuration error is the Diagnostic instead.
[[nodiscard]] core::Result<core::Verdict> run_run(const RunJob& job, std::ostream& out,
                                                  std::ostream& err);

} // namespace conform::engine
