// The importer: page -> facts -> schemas, samples, pagination -> overlay -> exact bytes.

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"
#include "runner/docs/internal/json_text.hpp"
#include "runner/docs/internal/markdown.hpp"
#include "runner/docs/internal/overlay.hpp"
#include "runner/docs/internal/page.hpp"
#include "runner/docs/internal/pagination.hpp"
#include "runner/docs/internal/samples.hpp"
#include "runner/docs/internal/schemas.hpp"
#include "runner/docs/internal/type_words.hpp"

namespace conform::docs {
namespace {

using nlohmann::json;
using namespace internal;

std::string compact(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Location at(std::string_view doc, std::size_t line) {
    return core::Location{std::string(doc), line, 0, {}, false};
}

// The strongest claim wins; weaker claims that disagree are warnings (Tencent's GetRepositoryList
// page samples "Action=TencentHub").
core::Result<NameClaim> choose_name(std::vector<NameClaim> claims, std::string_view doc,
                                    std::vector<Warning>& warnings) {
    std::erase_if(claims, [](const NameClaim& c) { return !is_identifier(c.name); });
    if (claims.empty())
        return core::fail("cannot find the operation name: no Action parameter row naming it, "
                          "no \"API (Name)\" / \"接口（Name）\" sentence, no \"Title - Name\" "
                          "heading and no sample request with Action=Name",
                          at(doc, 1));
    std::stable_sort(claims.begin(), claims.end(),
                     [](const NameClaim& a, const NameClaim& b) { return a.rank < b.rank; });
    const NameClaim& chosen = claims.front();
    for (const NameClaim& other : claims)
        if (other.name != chosen.name)
            warnings.push_back(Warning{at(doc, other.line),
                                       other.how + " names the operation " + other.name + ", but " +
                                           chosen.how + " (line " + std::to_string(chosen.line) +
                                           ") names it " + chosen.name});
    return chosen;
}

core::Result<void> require_tables(const PageFacts& facts, std::string_view doc) {
    if (main_table(facts, Section::request) || main_table(facts, Section::response))
        return {};
    if (facts.first_table_line != 0)
        return core::fail("no request or response parameter table: the table here is not under "
                          "a recognised heading (Input/Output Parameters, Request Parameters, "
                          "Response Field, 输入参数, 输出参数, 请求参数, 响应字段) or lacks "
                          "name and type columns",
                          at(doc, facts.first_table_line));
    return core::fail("no markdown tables: expected parameter tables under headings such as "
                      "Input Parameters / Output Parameters or 请求参数 / 响应字段",
                      at(doc, 1));
}

void sort_warnings(std::vector<Warning>& warnings) {
    std::stable_sort(warnings.begin(), warnings.end(), [](const Warning& a, const Warning& b) {
        return a.where.line < b.where.line;
    });
    warnings.erase(std::unique(warnings.begin(), warnings.end(),
                               [](const Warning& a, const Warning& b) {
                                   return a.where.line == b.where.line && a.message == b.message;
                               }),
                   warnings.end());
}

} // namespace

std::string Warning::to_string() const {
    return where.to_string() + ": warning: " + message;
}

std::string contract_from_doc_name(std::string_view file_name) {
    const std::string name = std::filesystem::path(file_name).filename().string();
    return name.substr(0, name.find('.'));
}

core::Result<ImportResult> import_page(std::string_view text, std::string_view doc_name,
                                       const ImportOptions& options) {
    const std::string doc = std::filesystem::path(doc_name).filename().string();
    ImportResult result;
    std::vector<Warning>& warnings = result.warnings;

    const PageFacts facts = read_page(parse_markdown(text), doc, warnings);
    CONFORM_CHECK(require_tables(facts, doc));
    const std::vector<SampleExchange> samples = read_samples(facts.code_blocks, doc, warnings);

    std::vector<NameClaim> claims = facts.names;
    for (const SampleExchange& sample : samples)
        if (sample.action)
            claims.push_back(
                NameClaim{*sample.action, sample.line, k_rank_sample, "the sample request"});
    CONFORM_TRY(const NameClaim name, choose_name(std::move(claims), doc, warnings));
    result.operation = name.name;

    const SchemaNames names{
        doc, options.contract.empty() ? contract_from_doc_name(doc) : options.contract, name.name};
    DerivedSchemas schemas = derive_schemas(facts, names, warnings);
    const json pagination = infer_pagination(facts, schemas, doc, warnings);

    CONFORM_TRY(const std::optional<Overlay> overlay, load_overlay(options.overlay_dir, name.name));
    if (overlay) {
        apply_overlay(*overlay, schemas.request, schemas.response);
        result.overlay_applied = overlay->file_name;
    }

    const std::string stem = name.name + ".";
    const json operation = {
        {"name", name.name},
        {"contract", names.contract},
        {"method", samples.empty() ? std::string("GET") : samples.front().method},
        {"source", {{"doc", doc}, {"line", name.line}}},
        {"files",
         {{"request_schema", stem + "request.schema.json"},
          {"response_schema", stem + "response.schema.json"},
          {"samples", samples.empty() ? json(nullptr) : json(stem + "samples.jsonl")},
          {"overlay", overlay ? json(overlay->file_name) : json(nullptr)}}},
        {"pagination", pagination},
    };
    result.files.push_back({stem + "operation.json", pretty(operation)});
    result.files.push_back({stem + "request.schema.json", pretty(schemas.request)});
    result.files.push_back({stem + "response.schema.json", pretty(schemas.response)});
    if (!samples.empty()) {
        std::string lines;
        for (const SampleExchange& sample : samples)
            lines += compact(sample.exchange) + "\n";
        result.files.push_back({stem + "samples.jsonl", std::move(lines)});
    }
    std::sort(result.files.begin(), result.files.end(),
              [](const GeneratedFile& a, const GeneratedFile& b) { return a.name < b.name; });
    sort_warnings(warnings);
    return result;
}

core::Result<ImportResult> import_file(const std::filesystem::path& doc,
                                       const ImportOptions& options) {
    CONFORM_TRY(const std::string text, core::read_text_file(doc));
    return import_page(text, doc.filename().string(), options);
}

core::Result<std::vector<std::filesystem::path>>
write_import(const ImportResult& result, const std::filesystem::path& out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec)
        return core::fail("cannot create directory: " + ec.message(), at(out_dir.string(), 0));
    std::vector<std::filesystem::path> written;
    for (const GeneratedFile& file : result.files) {
        const std::filesystem::path path = out_dir / file.name;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << file.content;
        out.close();
        if (!out)
            return core::fail("cannot write file", at(path.string(), 0));
        written.push_back(path);
    }
    return written;
}

core::Result<ImportReport> run_import(const ImportRequest& request) {
    const std::string contract = request.contract.empty()
                                     ? contract_from_doc_name(request.doc.filename().string())
                                     : request.contract;
    if (contract.empty())
        return core::fail("cannot infer the contract name from the file name; give --contract",
                          at(request.doc.string(), 0));
    const std::filesystem::path out_dir =
        request.out_dir.empty() ? std::filesystem::path("schemas") / contract : request.out_dir;
    ImportOptions options{contract, request.overlay_dir.empty() ? out_dir : request.overlay_dir};
    ImportReport report;
    CONFORM_TRY(report.result, import_file(request.doc, options));
    CONFORM_TRY(report.written, write_import(report.result, out_dir));
    return report;
}

} // namespace conform::docs
