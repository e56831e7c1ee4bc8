#pragma once
// conform::record recordings — exchanges written down once and checked offline forever
// (JSON Lines, one exchange per line; schemas/recording.schema.json). The docs' own samples
// (schemas/<contract>/<Op>.samples.jsonl) are recordings in the same format.
//
//   CONFORM_TRY(auto writer, RecordingWriter::open("live.jsonl"));  // append-only
//   CONFORM_CHECK(writer.write(recorded));   // redacted, one complete line, flushed
//
//   CONFORM_TRY(auto reader, RecordingReader::open("live.jsonl"));
//   for (;;) {
//       auto next = reader.next();           // Result<std::optional<Recorded>>
//       if (!next) { count_bad(next.error()); continue; }   // "live.jsonl:17: ..." and go on
//       if (!*next) break;                   // end of file
//       use(**next);
//   }
//
// A line is:
//   {"time": "2026-12-01T10:00:00Z", "contract": "ucloud-uhub", "operation": "GetRepo",
//    "case": "walk-limit-7", "target": "reference",
//    "request": {"method": "GET", "url": "https://api.ucloud.cn/?Action=GetRepo&...",
//                "query": [["Action", "GetRepo"], ["Limit", "7"], ...],  // ordered, repeats kept
//                "headers": [["User-Agent", "conform/0.1.0"], ...],
//                "body": "", "body_encoding": "base64"},          // encoding only for binary
//    "response": {"status": 200, "headers": [["Content-Type", "application/json"], ...],
//                 "body": {...}}                       // the body as JSON when it parses, else
//                 "body_text": "...", "body_encoding": "utf-8" | "base64"}
//    "failure": {"kind": "read-timeout", "message": "..."},   // instead of "response"
//    "seconds": 0.012,                                          // until the answer was complete
//    "source": {"doc": "ucloud-uhub.GetRepo.zh.md", "line": 68}}    // optional
// Every field but request.method, request.url and response.status (or failure) is optional;
// secrets (k_secret_names) are always "REDACTED" in a file. The URL is authoritative: its query
// is read back byte for byte (Request::raw_query when it is not in encode_query's canonical
// form); "query" is read only when the URL's query does not parse.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/core/result.hpp"
#include "runner/http/http.hpp"
#include "runner/record/internal/byte_source.hpp"

namespace conform::record {

struct Recorded {
    http::Exchange exchange; // request + response (or failure); response body as raw text
    std::string time;        // ISO 8601 UTC; empty when the line had none (the writer then
                             // writes exchange.started when it is set)
    std::string contract, operation, case_name, target; // empty when unknown
    nlohmann::json source;      // where the docs state it ({"doc": ..., "line": ...}); null: none
    std::filesystem::path file; // where it was read
    std::size_t line = 0;       // 1-based; 0 for a HAR entry
    std::string pointer;        // a HAR entry's JSON pointer ("/log/entries/3"); empty for JSONL
    // The response body parsed, when the reader was asked to (ReaderOptions::parse_bodies) and
    // could: whoever judges it reads this instead of parsing exchange.response->body again.
    // Never written; not part of what the line means.
    std::shared_ptr<const core::JsonDocument> parsed_body;
    // Storage only, always empty: clear() keeps the response's buffers here for the next line
    // read into this Recorded. Never written; not part of what the line means.
    http::Response recycled;

    // Back to a default Recorded but for its file (a reader sets it anew: a path costs two
    // allocations to copy), keeping as capacity what the next line will need (its strings',
    // its query's and headers' storage, the response's body up to 64 KiB): a reader that reads
    // line after line into one Recorded allocates little. RecordingReader::next_into clears
    // what it reads into.
    void clear();
};

// The environment variables whose values are credentials (DESIGN.md: credentials only from
// the environment). The writer replaces their values wherever they appear in a line, also
// percent-encoded, so that a key that leaks into a URL, a header or a body never reaches a file.
inline constexpr std::array<std::string_view, 4> k_credential_env = {
    "UCLOUD_PUBLIC_KEY", "UCLOUD_PRIVATE_KEY", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"};

// The non-empty values of k_credential_env in environment.
[[nodiscard]] std::vector<std::string> credential_values(const http::Environment& environment);

// What may be written down: secret parameters and headers (k_secret_names) become REDACTED in
// the query, the raw query, the headers and the URL; every occurrence of a scrub value (raw or
// percent-encoded) in any string, body included, becomes REDACTED too.
[[nodiscard]] Recorded redacted(const Recorded& recorded, std::span<const std::string> scrub);
// The same for a JSON tree (every string and member name), for what a line holds after the
// body was parsed (a JSON body may spell a secret with \u escapes).
void scrub_json(nlohmann::json& value, std::span<const std::string> scrub);

struct WriterOptions {
    bool fsync = false; // fsync(2) after every line: survives a power cut, not just a crash
    // Credential values to scrub; nullopt: credential_values(ProcessEnvironment) at open().
    std::optional<std::vector<std::string>> scrub;
};

class RecordingWriter {
public:
    // Opens for appending (creating it when absent). Each write() is one complete line,
    // written with a single write(2) and flushed, so that a crash or Ctrl-C leaves the file
    // valid up to its last line and nothing acknowledged is lost.
    // A file whose last line is partial (a crash mid-write) gets a newline first, so that the
    // next line stays whole.
    [[nodiscard]] static core::Result<RecordingWriter> open(const std::filesystem::path& file,
                                                            WriterOptions options = {});
    RecordingWriter(RecordingWriter&&) noexcept;
    RecordingWriter& operator=(RecordingWriter&&) noexcept;
    ~RecordingWriter();

    // Redacts (k_secret_names in query, headers and URL; the credential values anywhere) and
    // appends. Thread-safe: lines never interleave. Fails naming the file on an I/O error.
    [[nodiscard]] core::Result<void> write(const Recorded& recorded);
    [[nodiscard]] std::size_t lines_written() const noexcept;
    [[nodiscard]] const std::filesystem::path& file() const noexcept;

private:
    RecordingWriter() = default;
    struct State;
    std::unique_ptr<State> m_state;
};

struct ReaderOptions {
    std::size_t max_line_bytes = std::size_t{64} << 20; // a longer line is one bad line
    std::size_t max_depth = 300; // JSON nesting of a line (a body is kept as JSON up to 256)
    // Parse each JSON response body into Recorded::parsed_body (nested at most body_max_depth;
    // a line whose body does not parse so is read without it, and its judge's own parse says
    // why): replay then parses each body once.
    bool parse_bodies = false;
    std::size_t body_max_depth = 256;
    // With parse_bodies: each document is lent (core::FastParser::take_scratch), valid only
    // until the next line is read, and copied nowhere. For a caller done with each exchange's
    // parse before it reads the next (replay's reading threads, which judge as they read).
    bool lend_bodies = false;
};

class RecordingReader {
public:
    // Fails naming the file when it cannot be opened. "-" is standard input (named "<stdin>"
    // in diagnostics and Recorded::file). gzip and zstd input (told by its first bytes, not
    // the name: `day.jsonl.zst`, `zstdcat ... | conform replay -` and `cat day.jsonl.gz | ...`
    // alike) is decompressed as it is read, line numbers counting decompressed lines. A read
    // error or a compressed stream that ends early (a truncated file) is one error naming
    // file:line after the last whole line, which were all handed out first; then the end.
    [[nodiscard]] static core::Result<RecordingReader> open(const std::filesystem::path& file,
                                                            ReaderOptions options = {});
    // One part of a plain recording (splittable_size): the lines that start in [begin, end),
    // both line starts (line_start_at), numbered after lines_before (count_newlines(file, 0,
    // begin)), so that diagnostics and Recorded::line are the file's own. Read as it is
    // consumed: memory as open()'s.
    [[nodiscard]] static core::Result<RecordingReader>
    open_part(const std::filesystem::path& file, std::uint64_t begin, std::uint64_t end,
              std::size_t lines_before, ReaderOptions options = {});
    // The same part read already (read_part): its lines from bytes, which outlive the reader.
    [[nodiscard]] static RecordingReader open_part(const std::filesystem::path& file,
                                                   std::string_view bytes, std::size_t lines_before,
                                                   ReaderOptions options = {});
    RecordingReader(RecordingReader&&) noexcept;
    RecordingReader& operator=(RecordingReader&&) noexcept;
    ~RecordingReader();

    // The next exchange; nullopt at the end. A bad line (not JSON, wrong shape, too long) is
    // an error naming file:line and the JSON pointer; the reader stays usable and the next
    // call reads the line after it. Blank lines are skipped. Memory does not grow with the
    // file's length. Lines are read with simdjson (a line it does not take whole goes through
    // parse_json + from_json, which names the problem); a JSON "body" comes back as the text
    // the line holds, byte for byte (from_json re-serialises it instead: compact, sorted).
    [[nodiscard]] core::Result<std::optional<Recorded>> next();
    // The same into out, cleared first (Recorded::clear: no Recorded moved, and one read into
    // line after line allocates little); false at the end. On an error out holds nothing
    // meaningful.
    [[nodiscard]] core::Result<bool> next_into(Recorded& out);
    [[nodiscard]] std::size_t line() const noexcept; // the last line read
    // Bytes taken from the file or pipe so far (compressed bytes for a .gz/.zst).
    [[nodiscard]] std::uint64_t bytes_read() const noexcept;

private:
    RecordingReader() = default;
    struct State;
    std::unique_ptr<State> m_state;
    // A reader of what state reads, named as its file, numbering after its line.
    static RecordingReader reading(std::unique_ptr<State> state);
};

// Reading one recording in parts (`conform replay --jobs N`): its size when it can be (a
// regular file, not "-", not gzip or zstd), else nullopt; the first line start at or after at
// (at itself when it is 0 or follows a '\n'; the size when no line starts after it); the '\n'
// bytes in [begin, end).
[[nodiscard]] std::optional<std::uint64_t> splittable_size(const std::filesystem::path& file);
[[nodiscard]] core::Result<std::uint64_t> line_start_at(const std::filesystem::path& file,
                                                        std::uint64_t at);
[[nodiscard]] core::Result<std::uint64_t> count_newlines(const std::filesystem::path& file,
                                                         std::uint64_t begin, std::uint64_t end);
// The '\n' bytes of a part read already (memchr: the C library's vector loop).
[[nodiscard]] std::uint64_t count_newlines(std::string_view bytes) noexcept;
// The lines that start in [from, to): their first and last line starts (line_start_at of
// from and to) and, when they end within max_bytes of from, the lines themselves in the
// buffer, read as a rule with one read (the buffer keeps the file open from part to part); a
// part's '\n' bytes are then counted, and its lines read, from memory. One buffer per reading
// thread: its bytes only grow, zeroed once.
using PartLines = internal::PartLines;
using PartBuffer = internal::PartBuffer;
[[nodiscard]] core::Result<PartLines> read_lines(const std::filesystem::path& file,
                                                 std::uint64_t from, std::uint64_t to,
                                                 std::uint64_t max_bytes, PartBuffer& buffer);

// One line's JSON <-> Recorded (what the reader and writer use; the writer redacts first).
// A response body that parses as JSON (depth <= 256) is written as "body" (parsed: member
// order and whitespace are not kept); any other body as "body_text", UTF-8 as is or base64.
[[nodiscard]] nlohmann::json to_json(const Recorded& recorded);
// Shape errors name file:line and the JSON pointer ("a.jsonl:3#/request/method: ...").
[[nodiscard]] core::Result<Recorded> from_json(const nlohmann::json& line,
                                               const std::filesystem::path& file = {},
                                               std::size_t line_number = 0);

} // namespace conform::record
