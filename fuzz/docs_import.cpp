// docs: the markdown page importer (import_page) and doc lint over the same page (lint_texts,
// as `conform docs lint` runs it). Input: a page. Properties: nothing crashes, throws or hangs;
// every generated .json file is JSON and every .jsonl line is JSON; lint's JSON is JSON.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/checks/doc_lint.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"

namespace conform::fuzz {

// Doc lint over the page twice (two operations of one family: family drift and translation
// comparison run too); an exception escaping here is a crash the CLI would report as an
// internal error.
void lint(std::string_view page) {
    (void)docs::classify_page(page, "get_things.md");
    const std::vector<checks::PageText> pages = {
        {"fuzz-api/get_things.md", std::string(page)},
        {"fuzz-api/fuzz-cloud.GetThings.en.md", std::string(page)}};
    const checks::LintReport report = checks::lint_texts(pages, {});
    (void)checks::lint_text(report);
    (void)checks::lint_summary(report);
    const std::string json =
        checks::lint_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!core::parse_json(json, "lint.json", {100000}))
        violated("docs lint --format json is not JSON");
}

int docs_import(const std::uint8_t* data, std::size_t size) {
    const std::string_view page = as_text(data, size);
    lint(page);
    docs::ImportOptions options;
    options.contract = "fuzz-cloud";
    auto imported = docs::import_page(page, "fuzz-cloud.GetThings.en.md", options);
    if (!imported) {
        (void)imported.error().to_string();
        return 0;
    }
    for (const docs::Warning& w : imported->warnings)
        (void)w.to_string();
    for (const docs::GeneratedFile& file : imported->files) {
        const std::string_view name = file.name;
        if (name.ends_with(".jsonl")) {
            std::string_view rest = file.content;
            while (!rest.empty()) {
                const auto nl = rest.find('\n');
                const std::string_view line = rest.substr(0, nl);
                if (!line.empty() && !core::parse_json(line, name, {100000}))
                    violated("a generated .jsonl line is not JSON");
                rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            }
        } else if (name.ends_with(".json")) {
            if (!core::parse_json(file.content, name, {100000}))
                violated("a generated .json file is not JSON");
        }
    }
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(docs_import)
