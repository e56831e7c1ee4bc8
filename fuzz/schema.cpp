// schema: compile a schema document and validate an instance against it, through both JSON
// views, on the fast path and collecting every error and annotation. Input: the first line is
// the schema, the rest the instance (the input is both when it has no newline).
// Properties: nothing crashes or hangs; is_valid() agrees with validate().valid, and the
// nlohmann and simdjson views give the same answer.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/schema/schema.hpp"

namespace conform::fuzz {

int schema(const std::uint8_t* data, std::size_t size) {
    static schema::Registry registry; // the bundled meta-schemas, parsed once
    static core::FastParser fast;
    const auto [schema_text, instance_text] = split_first_line(as_text(data, size));
    auto schema_json = core::parse_json(schema_text, "schema.json");
    if (!schema_json)
        return 0;
    auto instance = core::parse_json(instance_text, "instance.json");
    if (!instance)
        return 0;

    schema::CompileOptions options;
    options.origin = "schema.json";
    // Format assertion reaches the format checkers; an odd size leaves format an annotation.
    options.assert_format = size % 2 == 0;
    auto compiled = schema::compile(*schema_json, registry, options);
    if (!compiled) {
        (void)compiled.error().to_string();
        return 0;
    }
    const bool fast_answer = compiled->is_valid(core::JsonView(*instance));
    const schema::ValidationResult full = compiled->validate(core::JsonView(*instance), true);
    if (fast_answer != full.valid)
        violated("is_valid and validate disagree");
    if (!full.valid && full.errors.empty())
        violated("invalid without an error unit");
    (void)schema::to_output_json(full, schema::OutputFormat::basic).dump();

    if (auto simd = fast.parse(instance_text); simd && !has_duplicate_keys(*simd)) {
        if (compiled->is_valid(*simd) != fast_answer)
            violated("nlohmann and simdjson instances validate differently");
        if (compiled->validate(*simd).valid != fast_answer)
            violated("validate through simdjson disagrees");
    }
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(schema)
