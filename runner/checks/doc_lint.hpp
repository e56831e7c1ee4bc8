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
    std::vector<std::filesystem::path> docs; // pages and folders (walked as `conform import` does)
    // schemas/ holding <contract>/<Operation>.overlay.json; empty: tables only, no overlays
    std::filesystem::path schemas_dir;
};

// A page that was not linted: not an API page, a REST-style page, or one the importer could not
// read (failed: message is "page.md:12: why").
struct LintSkip {
    std::filesystem::path page;
    std::string message;
    bool failed = false;
};

struct LintReport {
    std::vector<LintFinding> findings;
    std::vector<docs::Warning> warnings; // the importer's
    std::vector<LintSkip> skipped;       // in page order
    std::size_t pages_linted = 0;
};

// Lints every API page of the inputs, never stopping at a bad one; fails only when an input
// does not exist or holds no page. Pages of one contract (docs::default_contract) that document
// one field with different types are doc.family-drift; a sample that sends an indexed
// parameter's placeholder ("Disks.N.Size=") is doc.placeholder.
[[nodiscard]] core::Result<LintReport> lint_docs(const LintRequest& request);

// The same over pages already read (the fuzz target's way in): pages in the order given.
struct PageText {
    std::filesystem::path page;
    std::string text;
};
[[nodiscard]] LintReport lint_texts(const std::vector<PageText>& pages,
                                    const std::filesystem::path& schemas_dir);

// "findings by id: doc.family-drift 2, field.missing 1; pages: 7 linted, 2 skipped, 0 failed"
[[nodiscard]] std::string lint_summary(const LintReport& report);

// One line per finding: "page.md:68: error type.mismatch[scalar-for-object] /RepoSet/0: ...".
[[nodiscard]] std::string lint_text(const LintReport& report);
// One object per finding: id, kind, severity, doc, line, pointer, expected, actual, message,
// rule, subject.
[[nodiscard]] nlohmann::json lint_json(const LintReport& report);

} // namespace conform::checks
