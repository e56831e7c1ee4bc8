#pragma once
// Doc lint (`conform docs lint`): a vendor page checked against itself. Each page's samples are
// validated against the schemas derived from its own tables (and the contract's overlay), its
// sample request against its request table and pagination model, its defaults against its
// enums; pages describing the same operation are compared (a translation that drifted).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/deviation.hpp"
#include "runner/core/result.hpp"
#include "runner/docs/docs.hpp"

namespace conform::checks {

struct LintFinding {
    core::Deviation deviation; // id, kind, severity, pointer, expected, actual, message
    std::string doc;           // the page (file name) the finding is about
    std::size_t line = 0;      // its table row or sample block; 0 = unknown
    std::string rule;          // "sample-vs-table", "table-vs-table" or "translation"
    std::string subject;       // "sample response", "sample request", "request table", ...
};

struct LintRequest {
    std::vector<std::filesystem::path> docs;
    // schemas/ holding <contract>/<Operation>.overlay.json; empty: tables only, no overlays
    std::filesystem::path schemas_dir;
};

struct LintReport {
    std::vector<LintFinding> findings;
    std::vector<docs::Warning> warnings; // the importer's
};

[[nodiscard]] core::Result<LintReport> lint_docs(const LintRequest& request);

// One line per finding: "page.md:68: error type.mismatch[scalar-for-object] /RepoSet/0: ...".
[[nodiscard]] std::string lint_text(const LintReport& report);
// One object per finding: id, kind, severity, doc, line, pointer, expected, actual, message,
// rule, subject.
[[nodiscard]] nlohmann::json lint_json(const LintReport& report);

} // namespace conform::checks
