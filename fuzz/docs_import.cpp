// docs: the markdown page importer (import_page). Input: a page. Properties: nothing
// crashes or hangs; every generated .json file is JSON and every .jsonl line is JSON.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"

namespace conform::fuzz {

int docs_import(const std::uint8_t* data, std::size_t size) {
    const std::string_view page = as_text(data, size);
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
