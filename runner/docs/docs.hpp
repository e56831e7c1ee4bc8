#pragma once
// conform::docs — vendor API pages -> contract files (the importer behind `conform import`).
//
// A page of either family is read by structure, never by line numbers: Tencent's ("Input
// Parameters" / "Output Parameters" / "... is composed as follows", "输入参数" / "输出参数" /
// "字段详细说明") and UCloud's ("请求参数" / "响应字段" / "数据模型", "Request Parameters" /
// "Response Field" / "Data Model"). From it the importer derives, deterministically:
//   <Operation>.request.schema.json   query parameters: types, required, defaults
//   <Operation>.response.schema.json  draft 2020-12, data models as $defs, closed objects
//   <Operation>.samples.jsonl         the page's own request/response samples, one per line
//   <Operation>.operation.json        name, method, source page, pagination model
// Every derived property carries "x-source": {"doc", "line"} naming its table row. An
// <Operation>.overlay.json (JSON Merge Patch) next to the contract is applied on import.
// docs/contracts.md describes the formats.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/result.hpp"

namespace conform::docs {

// Something the importer could not read with certainty; the import still succeeds.
struct Warning {
    core::Location where; // the page and the line of the row or block
    std::string message;

    // "page.md:12: warning: message"
    [[nodiscard]] std::string to_string() const;
};

struct GeneratedFile {
    std::string name;    // file name inside the output directory
    std::string content; // exact bytes: sorted keys, 2-space indent, trailing newline
};

struct ImportResult {
    std::string operation;            // from the page text, e.g. "GetRepo"
    std::vector<GeneratedFile> files; // sorted by name
    std::vector<Warning> warnings;    // in page order
    std::string overlay_applied;      // overlay file name, empty when there was none
};

struct ImportOptions {
    std::string contract;              // used in "$id"; inferred from doc_name when empty
    std::filesystem::path overlay_dir; // where <Operation>.overlay.json is looked for; empty: none
};

// The contract a page belongs to, from its file name: the part before the first '.'
// ("ucloud-uhub.GetRepo.zh.md" -> "ucloud-uhub").
[[nodiscard]] std::string contract_from_doc_name(std::string_view file_name);

// Derives the files from a page's text; doc_name (a file name) goes into x-source and errors.
// Fails (naming the page and line) when the page has no recognisable parameter table or no
// operation name, or when the overlay is malformed.
[[nodiscard]] core::Result<ImportResult>
import_page(std::string_view text, std::string_view doc_name, const ImportOptions& options);

// Reads the page, then import_page() with its file name.
[[nodiscard]] core::Result<ImportResult> import_file(const std::filesystem::path& doc,
                                                     const ImportOptions& options);

// Writes every file of an import into out_dir (created when missing); returns the paths.
[[nodiscard]] core::Result<std::vector<std::filesystem::path>>
write_import(const ImportResult& result, const std::filesystem::path& out_dir);

// What `conform import DOC.md [--contract NAME] [--out DIR]` does.
struct ImportRequest {
    std::filesystem::path doc;
    std::string contract;              // empty: contract_from_doc_name(doc)
    std::filesystem::path out_dir;     // empty: schemas/<contract>/
    std::filesystem::path overlay_dir; // empty: out_dir
};

struct ImportReport {
    ImportResult result;
    std::vector<std::filesystem::path> written;
};

[[nodiscard]] core::Result<ImportReport> run_import(const ImportRequest& request);

// ---- Families: `conform import PAGE_OR_DIR... [--contract NAME] [--out DIR] [--check]` ----

// What a page is. Pages that are not API pages (a folder's index, sidebar, glossary,
// changelog, error-code list) are skipped with the reason; REST-style pages (a method, a path
// and headers, no Action) are refused with one line, since contracts route by Action.
enum class PageKind { api, not_api, rest };

struct PageClass {
    PageKind kind = PageKind::api;
    std::string why;      // not_api / rest: one line naming why
    std::size_t line = 1; // where the evidence is
};

[[nodiscard]] PageClass classify_page(std::string_view text, std::string_view doc_name);

// The pages under the inputs: a file as given, a folder walked recursively for *.md; sorted,
// each once. Fails (a usage error) on a path that does not exist or a folder with no page.
[[nodiscard]] core::Result<std::vector<std::filesystem::path>>
collect_pages(const std::vector<std::filesystem::path>& inputs);

// What a page's text says of its family (internal/family_words.hpp k_families).
struct FamilyGuess {
    std::string family;   // "ucloud", "tencent-v2"; empty when no row matched
    std::string product;  // "ccr" for ccr.api.qcloud.com; empty for one-host families
    std::string base_url; // "https://api.ucloud.cn", "https://ccr.api.qcloud.com/v2/index.php"
    std::size_t line = 0; // the page line that names the host
};

[[nodiscard]] FamilyGuess guess_family(std::string_view text);

// The contract a page goes to when --contract is not given: the seed naming
// "<contract>.<Operation>.<lang>.md", else the family's prefix and product ("tencent-ccr"),
// else the prefix and the folder without "-api" ("uhub-api/" -> "ucloud-uhub"), else the
// folder's name in lower case.
[[nodiscard]] std::string default_contract(const std::filesystem::path& page,
                                           const FamilyGuess& family);

// An operation whose leading verb is in k_read_only_verbs ("GetRepo", "DescribeKeyPairs").
[[nodiscard]] bool is_read_only_verb(std::string_view operation);

struct FamilyImportRequest {
    std::vector<std::filesystem::path> inputs; // pages and folders
    std::string contract;                      // empty: default_contract() per page
    std::filesystem::path out_dir;             // empty: <schemas_dir>/<contract>/
    std::filesystem::path schemas_dir = "schemas";
    std::filesystem::path overlay_dir; // empty: the output directory
    bool check = false;                // write nothing; name the files a re-import changes
};

enum class PageStatus { imported, skipped, failed };

struct PageOutcome {
    std::filesystem::path page;
    PageStatus status = PageStatus::imported;
    std::string contract;
    std::string operation;
    std::string message; // skipped: why; failed: "page.md:12: ..." (the error)
    std::vector<Warning> warnings;
};

struct FamilyImportReport {
    std::vector<PageOutcome> pages;             // in collect_pages() order
    std::vector<std::filesystem::path> written; // files written (none with check)
    std::vector<std::filesystem::path> stale;   // check: files a re-import would change

    [[nodiscard]] std::size_t count(PageStatus status) const;
};

// Imports every page, never stopping at a bad one, and writes or merges each contract's
// contract.json: operations with their files and pagination, base_url, routing, signing and
// envelope from the family, read_only from the verbs. What contract.json already says (title,
// read_only of known operations, base_url, routing, signing, envelope, any other key) is kept.
// Fails only on usage errors (no page, --out with several contracts, an unreadable
// contract.json).
[[nodiscard]] core::Result<FamilyImportReport>
run_family_import(const FamilyImportRequest& request);

} // namespace conform::docs
