#pragma once
// conform::record HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) — the archives
// browsers' developer tools, mitmproxy, Charles and Playwright export, read into Recorded
// values and written back, and the `conform import-har` / `conform export-har` conversions.
//
//   CONFORM_TRY(HarImport har, read_har("session.har"));   // every entry, or why not
//   for (const core::Diagnostic& bad : har.bad) warn(bad);  // "session.har#/log/entries/3/..."
//   CONFORM_CHECK(write_har("out.har", har.entries));       // redacted, HAR 1.2
//
// Reading: log.entries[] in order; request {method, url, headers, postData.text}; response
// {status, headers, content.text (+ encoding "base64")}; startedDateTime (to UTC) and time.
// The URL's query is authoritative (queryString encodings differ between tools); HTTP/2
// pseudo-headers (":authority") are dropped; status 0 (a request that got no answer, Chromium's
// "_error") becomes a connection-closed failure; content without text is an empty body.
// conform's own fields travel in "_conform" {contract, operation, case, target, failure}.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/record/internal/recording.hpp"

namespace conform::record {

struct HarImport {
    std::vector<Recorded> entries;     // each with file and pointer ("/log/entries/3")
    std::vector<core::Diagnostic> bad; // entries that could not be read, one each
};

// Fails only when the file cannot be read, is not JSON, or has no log.entries array.
[[nodiscard]] core::Result<HarImport> read_har(const std::filesystem::path& file);
[[nodiscard]] core::Result<HarImport> parse_har(const nlohmann::json& har,
                                                const std::filesystem::path& file = {});

// HAR 1.2 of the given exchanges, redacted (redacted() with scrub), creator "conform".
[[nodiscard]] nlohmann::json to_har(std::span<const Recorded> entries,
                                    std::span<const std::string> scrub = {});
// Written atomically (a temporary file renamed); scrub: nullopt for credential_values(process).
[[nodiscard]] core::Result<void> write_har(const std::filesystem::path& file,
                                           std::span<const Recorded> entries,
                                           std::optional<std::vector<std::string>> scrub = {});

// ---- `conform import-har FILE.har [--out FILE.jsonl]`, `conform export-har FILE.jsonl` ----

struct HarJob {
    std::filesystem::path in;
    std::optional<std::filesystem::path> out; // default: in with the other extension
};

// import: HAR -> JSONL, export: JSONL -> HAR; both redact and replace out atomically.
// Bad entries or lines are reported on err with where they are, and skipped. The verdict:
// conformant when every exchange was converted, deviations when some were skipped; an input
// that could not be read or an out that could not be written is the Diagnostic.
[[nodiscard]] core::Result<core::Verdict> run_import_har(const HarJob& job, std::ostream& out,
                                                         std::ostream& err);
[[nodiscard]] core::Result<core::Verdict> run_export_har(const HarJob& job, std::ostream& out,
                                                         std::ostream& err);

} // namespace conform::record
