#pragma once
// conform::engine — orchestration: a job's inputs -> validation/checks -> output. The CLI
// binds flags to these job structs and calls one function.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"

namespace conform::engine {

// `conform validate`: instances against one JSON Schema.
struct ValidateJob {
    enum class Output { flag, basic, text };
    std::filesystem::path schema;
    // "DIR=BASE-URI" pairs: files under DIR answer for URIs under BASE-URI.
    std::vector<std::pair<std::filesystem::path, std::string>> resource_dirs;
    bool assert_format = false;
    Output output = Output::text;
    std::vector<std::filesystem::path> files;   // one instance per file...
    std::optional<std::filesystem::path> jsonl; // ...or one per line of this file
    // Limits, each a clear error past it (DESIGN.md: untrusted input never crashes):
    std::size_t max_depth = 256;           // nesting of an instance (parsing and validating)
    std::size_t max_schema_depth = 256;    // nesting of the schema document
    std::size_t max_ref_depth = 1024;      // subschemas nested while validating ($ref chains)
    std::size_t max_pattern_bytes = 32768; // a pattern's length
};

// The verdict: conformant (all valid), deviations (some invalid), bad_input (an instance could
// not be read: every other one is still checked and reported; a bad line never stops the run);
// a usage or schema error is the Diagnostic instead.
[[nodiscard]] core::Result<core::Verdict> run_validate(const ValidateJob& job, std::ostream& out,
                                                       std::ostream& err);

} // namespace conform::engine
