#pragma once
// conform::engine replay — recorded exchanges checked offline (issue 5): recordings → routed
// to a contract and operation → every check that needs no live server → events for the
// reporters. Same report format and exit codes as `conform run`.
//
//   ReplayJob job;
//   job.files = {"live.jsonl"};
//   auto verdict = run_replay(job, std::cout, std::cerr); // `conform replay live.jsonl`
//
//   // Lower level, for tests: any ExchangeSource and any Reporter.
//   VectorSource source(std::move(recorded));             // in-memory exchanges
//   ReplayOutcome outcome = replay_exchanges(source, contracts, settings, reporter);
//
// How an exchange is judged:
// - Routing: the line's `contract` when present (and known), else every loaded contract
//   (only --contract's when given) in tiers: those whose base_url host is the request's host,
//   then those whose base_url path is the request's path, then all; the first tier in which
//   exactly one contract's route() accepts the query wins (several: ambiguous). The line's
//   `operation` is used when the query lacks the routing parameter. What cannot be routed is
//   counted and reported as a skipped case naming file:line, never dropped.
// - The case: a synthetic single request that must succeed, unless the line's `case` names a
//   negative or auth case of cases/<contract>/<Op>.cases.json, whose kind, expect, signing,
//   omit and checks then apply.
// - Pagination walks: exchanges of one file, contract, operation and target whose queries
//   differ only in the offset parameter and name one limit are grouped; each group of two
//   pages or more runs pagination.walk (pages ordered by offset). Page-level findings are the
//   single exchanges' own and are not repeated by the walk. Each page is judged as a single
//   when it is read, and what the walk reads of it (checks::PageFacts: total, identities, where
//   the list is) taken from the same parse; a walk holds its pages' facts, not their parses.
// - Stale: with max_age, an exchange whose `time` is older than now - max_age gets an
//   environment note; with fail_stale it also fails the replay (exit 1).
//
// Memory does not grow with the recording's length:
// - with --jobs 1 the calling thread reads and judges, one exchange or walk at a time; with
//   --jobs N >= 2 one reader (the calling thread, which takes the pages' facts) feeds N
//   workers through a queue of queue_capacity items;
//   or, with --jobs N >= 2 on plain JSONL files, N jobs (N - 1 workers and the calling
//   thread) read parts of part_bytes (realigned to line starts; each part's lines numbered
//   after the '\n' bytes of the parts before it, so line numbers are the file's) and at most
//   2N + 2 parts are read ahead of the calling thread, which takes their exchanges in
//   recording order (and reads and judges as the workers do while its next part is not
//   ready): numbering (seq), folding,
//   walk grouping and the closing of walks are exactly those of one reader, so the report is
//   the same as with --jobs 1;
// - a walk group holds at most k_max_walk_pages pages and at most k_max_open_walks groups are
//   open at once (opening another closes the oldest; a page at offset 0 or the default offset
//   closes its group and opens a new one); groups are closed at the end of each file;
// - results are folded, one root cause one case: exchanges with the same contract, operation,
//   target, case, staleness and set of deviation fingerprints are one CaseResult (the first,
//   by recording order) whose deviations count every exchange; passing exchanges are only
//   counted. At most k_max_reported_cases distinct cases are kept (beyond: counted, and one
//   environment note says so). The reporters hear the targets (by contract and name) and the
//   kept cases in recording order (plan_index: the position in the recordings) at the end.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/clock.hpp"
#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/engine/run.hpp"
#include "runner/record/record.hpp"
#include "runner/report/report.hpp"

namespace conform::engine {

inline constexpr std::size_t k_max_walk_pages = 64;
inline constexpr std::size_t k_max_open_walks = 16;
inline constexpr std::size_t k_max_reported_cases = 2000;

// Where replayed exchanges come from (STYLE.md lesson 2): recordings read line by line, or
// values in tests. next() is called from one thread only.
class ExchangeSource {
public:
    virtual ~ExchangeSource() = default;
    // The next exchange; nullopt at the end. A bad line is an error naming file:line, after
    // which next() goes on with the line after it.
    [[nodiscard]] virtual core::Result<std::optional<record::Recorded>> next() = 0;
    // The same into out (any Recorded: replay reads into the ones it recycles); false at the
    // end. RecordingFiles reads each line straight into it (a Recorded is some twenty strings:
    // a move costs a few hundred instructions, and a fresh one a dozen allocations, on every
    // exchange).
    [[nodiscard]] virtual core::Result<bool> next_into(record::Recorded& out);
    // Bytes of input read so far (for throughput figures); 0 when unknown.
    [[nodiscard]] virtual std::uint64_t bytes_read() const { return 0; }

    // The input, when it can be read in parts by byte ranges instead of through next(): every
    // file a plain JSONL file (record::splittable_size: not "-", not gzip or zstd, not .har).
    struct Splittable {
        std::vector<std::filesystem::path> files;
        std::vector<std::uint64_t> sizes;
        record::ReaderOptions options;
    };
    [[nodiscard]] virtual std::optional<Splittable> splittable() const { return std::nullopt; }
};

// In-memory exchanges and bad lines, in order (tests, benchmarks).
class VectorSource final : public ExchangeSource {
public:
    using Item = core::Result<record::Recorded>;
    explicit VectorSource(std::vector<Item> items) : m_items(std::move(items)) {}
    core::Result<std::optional<record::Recorded>> next() override;

private:
    std::vector<Item> m_items;
    std::size_t m_next = 0;
};

// One recording file after another: JSONL through record::RecordingReader, streamed ("-" is
// standard input; gzip and zstd are decompressed as read, told by their first bytes); a .har
// file (by its extension) through record::read_har, read whole (a HAR is one JSON document),
// its bad entries reported as bad lines naming file#pointer. A missing file is an error of
// open(), before anything is replayed; a truncated .gz/.zst is one bad line naming file:line
// after the lines before it.
class RecordingFiles final : public ExchangeSource {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<RecordingFiles>>
    open(const std::vector<std::filesystem::path>& files,
         const record::ReaderOptions& options = {});
    core::Result<std::optional<record::Recorded>> next() override;
    core::Result<bool> next_into(record::Recorded& out) override;
    std::uint64_t bytes_read() const override;
    std::optional<Splittable> splittable() const override;
    ~RecordingFiles() override;

private:
    RecordingFiles() = default;
    struct State;
    std::unique_ptr<State> m_state;
};

struct ReplaySettings {
    std::vector<std::string> checks; // names from checks::checks(); empty: all that apply
    int jobs = 1; // 1: the calling thread reads and judges; N >= 2: N threads judge (and read)
    std::size_t queue_capacity = 256; // exchanges between the reader and the workers
    // With jobs >= 2 and a splittable() source, the jobs read too: each takes the next part
    // of part_bytes (realigned to line starts) and reads, routes and judges its exchanges; the
    // calling thread takes the parts' results in file order and groups walks (see below).
    // Small enough that the parts read ahead (and what their exchanges hold until the calling
    // thread takes them) stay within a core's cache and touch few fresh pages; large enough
    // that finding and reading a part (one open, one read) is a small share of judging it.
    std::size_t part_bytes = std::size_t{192} << 10;
    bool split_reading = true;
    std::optional<std::chrono::seconds> max_age; // older exchanges are stale
    bool fail_stale = false;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(); // injected
    // Times each case and the replay (monotonic) and runs a recorded scenario's steps;
    // nullptr: core::system_clock().
    const core::Clock* clock = nullptr;
    InputLimits limits; // bodies' nesting, $ref depth, recording line length
    // --shard K/N: judge only the exchanges of the listings whose key (listing_key: contract,
    // operation, target, parameters but the offset and signing ones) hashes to K, so that one
    // walk's pages land in one shard; bad lines and unroutable exchanges by their position.
    // Every shard reads, routes and groups all input (so walks close alike everywhere) and
    // judges its share; given the same recordings in the same order, `conform report merge`
    // of the N report.json files equals the unsharded report apart from times (while fewer
    // than k_max_reported_cases distinct cases are kept).
    Shard shard;
    // Every judged exchange's coverage (report/internal/coverage.hpp, through report.hpp): walk
    // pages are counted once, as the single exchanges they also are; nullptr: not measured.
    report::CoverageRecorder* coverage = nullptr;
};

// The contracts an exchange may be routed to, and their cases (same order; cases may be
// shorter or empty: no case files).
struct ReplayContracts {
    const std::vector<contract::Contract>& contracts;
    const std::vector<std::vector<contract::CaseFile>>& cases;
};

struct ReplayOutcome {
    report::RunSummary summary;       // cases = exchanges + walks + bad lines judged
    std::size_t exchanges = 0;        // read and routed or not
    std::size_t malformed = 0;        // bad lines (each a skipped case naming file:line)
    std::size_t unroutable = 0;       // exchanges no contract or operation accepted
    std::size_t stale = 0;            // older than max_age
    std::size_t walks = 0;            // groups of >= 2 pages checked as a walk
    std::size_t failed_exchanges = 0; // exchanges (and walks) with an error-severity deviation
    std::size_t reported_cases = 0;   // CaseResults the reporters heard (folded)
    std::uint64_t bytes = 0;          // input bytes, when the source knows
};

// How replay reads recordings (RecordingFiles::open): settings.limits, and each JSON body
// parsed once by its reader (record::ReaderOptions::parse_bodies) for the checks to read.
[[nodiscard]] record::ReaderOptions reader_options(const ReplaySettings& settings);

// Replays every exchange of source; reporters hear target_starting and case_ended (the caller
// sends run_starting/run_ended, with outcome.summary).
[[nodiscard]] ReplayOutcome replay_exchanges(ExchangeSource& source,
                                             const ReplayContracts& contracts,
                                             const ReplaySettings& settings,
                                             report::Reporter& reporter);

// `conform replay FILE...`.
struct ReplayJob {
    std::vector<std::filesystem::path> files;
    std::vector<std::string> contracts; // empty: every contract in schemas_dir
    std::filesystem::path schemas_dir;  // empty: contract::default_schemas_dir()
    std::filesystem::path cases_dir;    // empty: contract::default_cases_dir()
    ReportSettings report;
    ReplaySettings settings;
    std::vector<std::string> arguments; // the command line, for the report
};

// The contracts of schemas_dir (only those named, when any are) and their cases files (none
// is fine: cases only name a recording's negative and auth exchanges). Empty dirs: defaults.
struct LoadedContracts {
    std::vector<contract::Contract> contracts;
    std::vector<std::vector<contract::CaseFile>> cases; // per contract
};
[[nodiscard]] core::Result<LoadedContracts>
load_replay_contracts(const std::filesystem::path& schemas_dir,
                      const std::filesystem::path& cases_dir, const std::vector<std::string>& names,
                      const contract::LoadOptions& options = {});

// "30d", "12h", "90m", "45s", "2w" -> seconds. Fails naming the text.
[[nodiscard]] core::Result<std::chrono::seconds> parse_age(std::string_view text);

// The verdict as `conform run`'s: conformant (warnings allowed), deviations (an error-severity
// deviation, or a stale exchange with fail_stale), bad_input (a malformed recording line: the
// rest is still replayed and reported, and it outranks deviations as an unreachable target
// does for `conform run`); a usage error (a missing file, an unknown contract) is the
// Diagnostic instead.
[[nodiscard]] core::Result<core::Verdict> run_replay(const ReplayJob& job, std::ostream& out,
                                                     std::ostream& err);

} // namespace conform::engine
