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

} // namespace conform::docs
