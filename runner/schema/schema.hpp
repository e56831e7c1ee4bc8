#pragma once
// conform::schema — a JSON Schema draft 2020-12 validator.
//
//   Registry registry;                          // bundled meta-schemas; add resources/dirs
//   auto compiled = compile(schema_json, registry, options);   // Result<CompiledSchema>
//   bool ok = compiled->is_valid(instance);                     // fast path, no messages
//   ValidationResult r = compiled->validate(instance);          // every error, "basic" units
//
// A schema is compiled once into a tree of keyword evaluators; validation reads instances
// through core::JsonView (nlohmann or simdjson) and never re-reads the schema JSON. References
// resolve only through the Registry: never the network.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"
#include "runner/schema/format.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema {

// Where schema documents come from, keyed by absolute URI (without fragment): the bundled
// 2020-12 meta-schemas, documents added in code, and directories mapped to a URI prefix whose
// files are read on first use.
class Registry {
public:
    Registry(); // holds the bundled 2020-12 meta-schemas
    Registry(Registry&&) noexcept;
    Registry& operator=(Registry&&) noexcept;
    ~Registry();

    // Makes document retrievable as uri (absolute, no fragment).
    void add(std::string uri, nlohmann::json document);
    // Maps "http://localhost:1234/" -> a directory: "<prefix>a/b.json" reads "<dir>/a/b.json".
    void map_directory(std::string uri_prefix, std::filesystem::path directory);
    // The document retrievable as uri; nullptr when unknown; an error when a mapped file is
    // present but not valid JSON. Returned pointers stay valid for the Registry's lifetime.
    [[nodiscard]] core::Result<const nlohmann::json*> find(std::string_view uri);
    // Where a document came from (a file path, or the URI) for error messages.
    [[nodiscard]] std::string origin_of(std::string_view uri) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

struct CompileOptions {
    // Base URI of the root schema when it has no $id (e.g. "file:///path/schema.json").
    std::string base_uri = "urn:conform:schema";
    // Where the schema came from, for error messages (a file path).
    std::string origin;
    // Validate `format` as an assertion (otherwise it is an annotation only).
    bool assert_format = false;
    // Limits on hostile input; each is a clear error, never a crash (tests/fuzz/limits_test.cpp).
    // Nesting of subschema evaluation at validation time ($ref, $dynamicRef and applicators
    // inside each other): deeper is an error unit ("evaluation deeper than N nested
    // subschemas") and is_valid() false. (Compiling never recurses through $ref.)
    std::size_t max_evaluation_depth = 1024;
    // JSON nesting of every schema document compiled (the root and each document a reference
    // loads), counted like core::ParseLimits::max_depth: deeper is a compile error naming the
    // pointer where it happens.
    std::size_t max_schema_depth = 256;
    // Instance nesting the validator follows: a subschema applied deeper than this is an
    // error unit at that instance location (a view over a programmatic or simdjson value may
    // be nested far deeper than a parsed file is allowed to be).
    std::size_t max_instance_depth = 256;
    // `pattern` and `patternProperties` names: longest pattern and RE2's memory per pattern;
    // over either is a compile error naming the pattern's pointer. (Asserted format "regex"
    // checks instances with the default RegexLimits.)
    RegexLimits regex = {};
};

// One "basic" output unit (2020-12 core 12.4.2).
struct OutputUnit {
    std::string keyword_location;          // dynamic path, through $ref: "/properties/a/type"
    std::string absolute_keyword_location; // canonical: "https://x/s.json#/properties/a/type"
    std::string instance_location;         // "/a"
    std::string error;                     // human-readable; empty for annotations
    std::string property;      // the member an object keyword is about (required, additional...)
    nlohmann::json annotation; // annotations only
};

struct ValidationResult {
    bool valid = true;
    std::vector<OutputUnit> errors;
    std::vector<OutputUnit> annotations; // only when asked for, and only if valid
};

enum class OutputFormat { flag, basic };

// {"valid": bool} or {"valid": bool, "errors": [...] / "annotations": [...]}.
[[nodiscard]] nlohmann::json to_output_json(const ValidationResult& result, OutputFormat format);

namespace internal {
struct Compiled;
}

class CompiledSchema {
public:
    CompiledSchema(CompiledSchema&&) noexcept;
    CompiledSchema& operator=(CompiledSchema&&) noexcept;
    ~CompiledSchema();

    // Fast path: stops at the first failure, builds no message.
    [[nodiscard]] bool is_valid(core::JsonView instance) const;
    // Every error, as basic output units; annotations too when asked.
    [[nodiscard]] ValidationResult validate(core::JsonView instance,
                                            bool collect_annotations = false) const;

private:
    friend core::Result<CompiledSchema> compile(const nlohmann::json&, Registry&,
                                                const CompileOptions&);
    explicit CompiledSchema(std::unique_ptr<internal::Compiled> compiled);
    std::unique_ptr<internal::Compiled> m_compiled;
};

// Compiles schema (a draft 2020-12 schema or boolean). Errors name the JSON pointer of the
// offending keyword: bad keyword values, unknown $ref targets, $ref cycles that cannot
// terminate, patterns RE2 cannot run, unsupported dialects, unknown required vocabularies.
[[nodiscard]] core::Result<CompiledSchema> compile(const nlohmann::json& schema, Registry& registry,
                                                   const CompileOptions& options = {});

// The URI of the 2020-12 dialect.
inline constexpr std::string_view k_draft2020_12 = "https://json-schema.org/draft/2020-12/schema";

} // namespace conform::schema
