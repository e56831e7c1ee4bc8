#include "tests/schema/suite_support.hpp"

#include <simdjson.h>

#include "runner/core/json_parse.hpp"

namespace conform::test {

schema::Registry suite_registry(const std::filesystem::path& suite_root) {
    schema::Registry registry;
    registry.map_directory("http://localhost:1234/", suite_root / "remotes");
    return registry;
}

void run_suite_file(const std::filesystem::path& file, schema::Registry& registry,
                    bool assert_format, SuiteTally& tally) {
    const std::string name = file.filename().string();
    auto groups = core::load_json_file(file);
    if (!groups) {
        tally.failures.push_back({name, "", "", groups.error().to_string()});
        return;
    }
    simdjson::dom::parser parser;
    for (const auto& group : *groups) {
        const std::string description = group.at("description").get<std::string>();
        schema::CompileOptions options;
        options.assert_format = assert_format;
        options.base_uri = "https://conform.test/suite/" + name;
        options.origin = name;
        auto compiled = schema::compile(group.at("schema"), registry, options);
        for (const auto& test : group.at("tests")) {
            ++tally.run;
            const std::string test_name = test.at("description").get<std::string>();
            if (!compiled) {
                tally.failures.push_back(
                    {name, description, test_name, "compile: " + compiled.error().to_string()});
                continue;
            }
            const bool expected = test.at("valid").get<bool>();
            const nlohmann::json& data = test.at("data");
            std::string detail;
            if (compiled->is_valid(data) != expected)
                detail += " fast(nlohmann)";
            const auto full = compiled->validate(data);
            if (full.valid != expected)
                detail += " basic(nlohmann)";
            if (!full.valid && full.errors.empty())
                detail += " invalid-without-errors";
            if (full.valid && !full.errors.empty())
                detail += " valid-with-errors";
            simdjson::dom::element element;
            const std::string text = data.dump();
            if (parser.parse(text).get(element) == simdjson::SUCCESS) {
                const auto view = core::JsonView::of(element);
                if (compiled->is_valid(view) != expected)
                    detail += " fast(simdjson)";
                if (compiled->validate(view).valid != expected)
                    detail += " basic(simdjson)";
            } else {
                detail += " simdjson-parse";
            }
            if (detail.empty())
                ++tally.passed;
            else
                tally.failures.push_back({name, description, test_name,
                                          "expected " +
                                              std::string(expected ? "valid" : "invalid") +
                                              "; wrong:" + detail});
        }
    }
}

} // namespace conform::test
