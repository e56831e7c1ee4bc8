#pragma once
// conform::engine drift — `conform run --compare FILE.jsonl`: every request a recording holds
// is sent again (re-signed with today's credentials: the recorded signature, timestamp and
// nonce are dropped) to the target, or to where it was recorded; the new answers go through
// replay's checks (conformance, reported as always), and each new body is compared with the
// recorded one by shape (drift, reported apart: the API changed since it was recorded, which
// is not by itself a deviation from the documentation).
//
//   std::vector<DriftChange> changes = compare_shapes(recorded_body, live_body);
//
// Shape: every value's JSON type at its pointer, array items folded ("/RepoSet/*/Name"), and
// the length of every array not inside another array. Values themselves are not compared
// (names, times and ids change between calls; that is not drift).

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"

namespace conform::engine {

enum class DriftKind : std::uint8_t { added, removed, type_changed, count_changed, status_changed };
[[nodiscard]] std::string_view name_of(DriftKind kind);

struct DriftChange {
    DriftKind kind;
    std::string pointer;  // folded, "/RepoSet/*/RepoName"; "" for the status
    std::string recorded; // type or count then ("string", "3 items"); "" when added
    std::string live;     // type or count now; "" when removed
};

// Only the topmost added or removed member is listed (not everything under it).
[[nodiscard]] std::vector<DriftChange> compare_shapes(const nlohmann::json& recorded,
                                                      const nlohmann::json& live);

struct DriftEntry {
    std::string file;
    std::size_t line = 0;
    std::string contract, operation;
    std::string request; // method and redacted URL, as sent now
    std::vector<DriftChange> changes;
    std::string note; // why it could not be compared (no credentials, unreachable, not JSON)
};

struct DriftOutcome {
    std::size_t compared = 0;        // exchanges sent again and compared
    std::vector<DriftEntry> drifted; // with changes, or a note saying why it was not compared
};

struct CompareJob {
    std::vector<std::filesystem::path> files;
    std::optional<TargetSpec> target;   // empty: where each exchange was recorded
    std::vector<std::string> contracts; // empty: every contract
    std::filesystem::path schemas_dir, cases_dir;
    ReportSettings report;
    ReplaySettings settings;
    http::ClientOptions client;
    bool fail_on_drift = false;
    std::vector<std::string> arguments;
    // Injected edges, as `conform run`'s (STYLE.md lesson 2); nullptr: the system clock,
    // random nonces, the process environment (where today's credentials come from).
    const core::Clock* clock = nullptr;
    http::NonceSource* nonces = nullptr;
    const http::Environment* environment = nullptr;
};

// Writes report.json (conformance of today's answers) and drift.json (schemas/drift.schema.json)
// into job.report.dir. The verdict as `conform run`'s; drift alone is deviations only with
// fail_on_drift; unreachable when no exchange could be sent again; bad_input after a malformed
// recording line.
[[nodiscard]] core::Result<core::Verdict> run_compare(const CompareJob& job, std::ostream& out,
                                                      std::ostream& err);

} // namespace conform::engine
