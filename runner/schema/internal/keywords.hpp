#pragma once
// The keyword table: every 2020-12 keyword, its vocabulary and the factory that compiles it
// (STYLE.md lesson 6). Factories live in keywords_<vocabulary>.cpp.

#include <array>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"
#include "runner/schema/internal/node.hpp"

namespace conform::schema::internal {

enum class Vocabulary : std::uint8_t {
    core,
    applicator,
    unevaluated,
    validation,
    meta_data,
    format_annotation,
    format_assertion,
    content,
};
inline constexpr std::size_t k_vocabulary_count = 8;

// The vocabulary URI, e.g. "https://json-schema.org/draft/2020-12/vocab/applicator".
[[nodiscard]] std::string_view vocabulary_uri(Vocabulary v);

// What the compiler offers a keyword factory.
class CompileServices {
public:
    virtual ~CompileServices() = default;
    // Compiles the subschema at `value`, which sits at `tokens` below the current keyword.
    virtual core::Result<const SchemaNode*>
    subschema(const nlohmann::json& value, std::initializer_list<std::string_view> tokens) = 0;
    // Resolves a $ref / $dynamicRef value against the current base URI.
    struct Reference {
        const SchemaNode* target = nullptr;
        std::string anchor;   // the fragment when it is a plain name
        bool dynamic = false; // target declares $dynamicAnchor == anchor (core 8.2.3.2)
    };
    virtual core::Result<Reference> reference(std::string_view ref, bool dynamic_ref) = 0;
    // A compile error at the current keyword (plus tokens below it).
    virtual core::Diagnostic error(std::string message,
                                   std::initializer_list<std::string_view> tokens = {}) const = 0;
    [[nodiscard]] virtual bool assert_format() const = 0;
    [[nodiscard]] virtual const RegexLimits& regex_limits() const = 0;
    [[nodiscard]] virtual bool vocabulary_enabled(Vocabulary v) const = 0;
};

// One keyword occurrence being compiled.
struct KeywordSite {
    const nlohmann::json& schema; // the schema object holding the keyword
    const nlohmann::json& value;  // the keyword's value
    std::string_view name;
    std::string absolute; // canonical location of the keyword
    CompileServices& services;
};

using KeywordFactory = core::Result<std::unique_ptr<Keyword>> (*)(const KeywordSite&);

struct KeywordInfo {
    std::string_view name;
    Vocabulary vocabulary;
    KeywordFactory factory; // nullptr: no evaluator (identifiers, or read by a sibling)
    bool annotation;        // kept as an annotation when the vocabulary is active
};

// Every keyword conform knows; anything else is an unknown keyword (an annotation).
[[nodiscard]] std::span<const KeywordInfo> keyword_table();
[[nodiscard]] const KeywordInfo* find_keyword(std::string_view name);

// Factories, grouped by the file that defines them.
core::Result<std::unique_ptr<Keyword>> make_ref(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_dynamic_ref(const KeywordSite&);

core::Result<std::unique_ptr<Keyword>> make_all_of(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_any_of(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_one_of(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_not(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_if(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_dependent_schemas(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_prefix_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_contains(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_properties(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_pattern_properties(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_additional_properties(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_property_names(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_unevaluated_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_unevaluated_properties(const KeywordSite&);

core::Result<std::unique_ptr<Keyword>> make_type(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_const(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_enum(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_multiple_of(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_maximum(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_exclusive_maximum(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_minimum(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_exclusive_minimum(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_max_length(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_min_length(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_pattern(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_max_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_min_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_unique_items(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_max_properties(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_min_properties(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_required(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_dependent_required(const KeywordSite&);
core::Result<std::unique_ptr<Keyword>> make_format(const KeywordSite&);

// "required" is evaluated by the fused object pass when a sibling applicator is present.
[[nodiscard]] bool required_is_fused(const KeywordSite& site);

// Shared by the keyword files.
[[nodiscard]] std::string describe(core::JsonView value);  // short JSON text for messages
[[nodiscard]] std::size_t utf8_length(std::string_view s); // code points
// An integer >= 0 that a std::size_t holds (1.0 counts; 1e300 does not): what minItems,
// minContains... must be.
[[nodiscard]] bool is_non_negative_integer(const nlohmann::json& v);

} // namespace conform::schema::internal
