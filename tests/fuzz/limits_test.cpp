// The input limits of issue 7, each a clear error with a default and an option to change it:
// JSON nesting (core::ParseLimits::max_depth, schema::CompileOptions::max_schema_depth and
// max_instance_depth), the evaluation/$ref depth (CompileOptions::max_evaluation_depth) and
// regex size (CompileOptions::regex: RegexLimits::max_length, max_memory). Nothing here may
// overflow the stack at 100,000 levels of nesting, under ASan too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/core/json_view.hpp"
#include "runner/schema/regex.hpp"
#include "runner/schema/schema.hpp"

using namespace conform;
using nlohmann::json;

namespace {

constexpr std::size_t k_deep = 100000;

std::string nested_arrays_text(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// [[[...[1]...]]] built without the parser (which would refuse it).
json nested_arrays(std::size_t depth) {
    json value = 1;
    for (std::size_t i = 0; i < depth; ++i) {
        json outer = json::array();
        outer.push_back(std::move(value));
        value = std::move(outer);
    }
    return value;
}

// {"not": {"not": ... {}}}: one subschema per level of JSON nesting.
json nested_not_schema(std::size_t depth) {
    json value = json::object();
    for (std::size_t i = 0; i < depth; ++i) {
        json outer = json::object();
        outer["not"] = std::move(value);
        value = std::move(outer);
    }
    return value;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("JSON text nested 100,000 deep is a clear parse error at 256 levels", "[limits]") {
    const std::string text = nested_arrays_text(k_deep);
    auto slow = core::parse_json(text, "deep.json");
    REQUIRE_FALSE(slow);
    CHECK(slow.error().message == "JSON nesting deeper than 256 levels");
    CHECK(slow.error().where.line == 1);
    CHECK(slow.error().where.column == 257);

    core::FastParser fast;
    auto quick = fast.parse(text, "deep.json");
    REQUIRE_FALSE(quick);
    CHECK(quick.error().message == "JSON nesting deeper than 256 levels");
    CHECK(quick.error().where.column == 257);

    // The limit is an option: ParseLimits::max_depth.
    CHECK(core::parse_json(nested_arrays_text(300), "", core::ParseLimits{300}));
    CHECK_FALSE(core::parse_json(nested_arrays_text(300), "", core::ParseLimits{299}));
}

TEST_CASE("JsonView compares and copies values nested 100,000 deep", "[limits]") {
    const json a = nested_arrays(k_deep);
    const json b = nested_arrays(k_deep);
    const json c = nested_arrays(k_deep - 1);
    CHECK(core::JsonView(a) == core::JsonView(b));
    CHECK_FALSE(core::JsonView(a) == core::JsonView(c));
    const json copy = core::JsonView(a).to_json();
    CHECK(copy.is_array());

    // simdjson, with the parse limit raised on purpose
    core::FastParser fast;
    auto deep = fast.parse(nested_arrays_text(k_deep), "", core::ParseLimits{k_deep + 1});
    REQUIRE(deep);
    CHECK(deep->is_array());
    CHECK(deep->size() == 1);
    CHECK_FALSE(*deep == core::JsonView(a)); // innermost [] vs [1]
    CHECK(deep->to_json().is_array());

    std::string pointer;
    for (std::size_t i = 0; i < k_deep; ++i)
        pointer += "/0";
    auto innermost = core::resolve_pointer(core::JsonView(a), pointer);
    REQUIRE(innermost);
    CHECK(innermost->as_int64() == 1);
}

TEST_CASE("a schema nested 100,000 deep is a compile error at 256 levels", "[limits]") {
    schema::Registry registry;
    const json deep = nested_not_schema(k_deep);
    schema::CompileOptions options;
    options.origin = "deep.schema.json";
    auto compiled = schema::compile(deep, registry, options);
    REQUIRE_FALSE(compiled);
    CHECK(compiled.error().message == "schema nested deeper than 256 levels (arrays and objects)");
    CHECK(compiled.error().where.has_pointer);
    std::string expected;
    for (int i = 0; i < 256; ++i)
        expected += "/not";
    CHECK(compiled.error().where.pointer == expected);
    CHECK(compiled.error().where.file == "deep.schema.json");

    // Below the limit it compiles and validates; the limit is max_schema_depth.
    CHECK(schema::compile(nested_not_schema(200), registry));
    options.max_schema_depth = 50;
    CHECK_FALSE(schema::compile(nested_not_schema(60), registry, options));
}

TEST_CASE("an instance nested 100,000 deep is an error unit at 256 levels", "[limits]") {
    schema::Registry registry;
    // Recursion that consumes the instance: every level is checked against the root.
    auto compiled = schema::compile(
        json::parse(R"({"type": ["array", "integer"], "items": {"$ref": "#"}})"), registry);
    REQUIRE(compiled);
    const json deep = nested_arrays(k_deep);

    CHECK_FALSE(compiled->is_valid(deep));
    const schema::ValidationResult result = compiled->validate(deep);
    CHECK_FALSE(result.valid);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].error ==
          "instance nested deeper than 256 levels: validation does not descend further");
    CHECK(std::count(result.errors[0].instance_location.begin(),
                     result.errors[0].instance_location.end(), '/') == 257);

    // The same through simdjson
    core::FastParser fast;
    auto simd = fast.parse(nested_arrays_text(k_deep), "", core::ParseLimits{k_deep + 1});
    REQUIRE(simd);
    CHECK_FALSE(compiled->is_valid(*simd));
    CHECK_FALSE(compiled->validate(*simd).valid);

    // Shallow enough: valid; the limit is max_instance_depth.
    CHECK(compiled->is_valid(nested_arrays(200)));
    schema::CompileOptions options;
    options.max_instance_depth = 100;
    auto strict =
        schema::compile(json::parse(R"({"type": ["array", "integer"], "items": {"$ref": "#"}})"),
                        registry, options);
    REQUIRE(strict);
    CHECK_FALSE(strict->is_valid(nested_arrays(200)));
}

TEST_CASE("keywords that read a whole value take an instance nested 100,000 deep", "[limits]") {
    schema::Registry registry;
    const json deep = nested_arrays(k_deep);
    for (const char* text :
         {R"({"type": "string"})", R"({"const": [[1]]})", R"({"enum": [1, [[1]]]})",
          R"({"not": {"type": "array"}})", R"({"maxItems": 0})"}) {
        INFO(text);
        auto compiled = schema::compile(json::parse(text), registry);
        REQUIRE(compiled);
        const schema::ValidationResult result = compiled->validate(deep, true);
        CHECK_FALSE(result.valid);
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors[0].error.size() < 200); // the value is described, shortened
    }
    // Two deep items: uniqueItems compares them without recursion.
    json pair = json::array({nested_arrays(k_deep), nested_arrays(k_deep)});
    auto unique = schema::compile(json::parse(R"({"uniqueItems": true})"), registry);
    REQUIRE(unique);
    CHECK_FALSE(unique->is_valid(pair));
}

TEST_CASE("a chain of $ref deeper than max_evaluation_depth is a clear error", "[limits]") {
    schema::Registry registry;
    auto chain = [](bool reversed, int links = 1500) {
        // $defs/a0 -> a1 -> ... -> a<links> = {"type": "integer"}
        json defs = json::object();
        for (int i = 0; i < links; ++i)
            defs["a" + std::to_string(i)] = {{"$ref", "#/$defs/a" + std::to_string(i + 1)}};
        defs["a" + std::to_string(links)] = {{"type", "integer"}};
        json schema = {{"$defs", defs}};
        if (!reversed) {
            schema["$ref"] = "#/$defs/a0";
        } else {
            // Compiled from the far end first, each link finds the next already compiled: the
            // compile stays shallow and evaluation meets the chain's whole length.
            json all = json::array();
            for (int i = links; i >= 0; --i)
                all.push_back({{"$ref", "#/$defs/a" + std::to_string(i)}});
            schema["allOf"] = all;
        }
        return schema;
    };

    // Either way the chain compiles without nesting calls (references are compiled from a
    // queue), and evaluation stops at the limit with a message.
    for (bool reversed : {false, true}) {
        INFO("reversed " << reversed);
        auto compiled = schema::compile(chain(reversed), registry);
        REQUIRE(compiled);
        CHECK_FALSE(compiled->is_valid(json(1)));
        const schema::ValidationResult result = compiled->validate(json(1));
        CHECK_FALSE(result.valid);
        REQUIRE_FALSE(result.errors.empty());
        CHECK(contains(result.errors[0].error, "evaluation deeper than 1024 nested subschemas"));
        CHECK(contains(result.errors[0].keyword_location, "/$ref/$ref/$ref"));
    }

    // Within the limit it validates; the limit is max_evaluation_depth.
    schema::CompileOptions options;
    options.max_evaluation_depth = 500;
    for (bool reversed : {false, true}) {
        auto allowed = schema::compile(chain(reversed, 600), registry);
        REQUIRE(allowed);
        CHECK(allowed->is_valid(json(1)));
        CHECK_FALSE(allowed->is_valid(json("x")));
        auto strict = schema::compile(chain(reversed, 600), registry, options);
        REQUIRE(strict);
        CHECK_FALSE(strict->is_valid(json(1)));
    }
}

TEST_CASE("a pattern over the length limit is an error naming its pointer", "[limits]") {
    schema::Registry registry;
    const std::string long_pattern(40000, 'a');
    json s = {{"properties", {{"name", {{"pattern", long_pattern}}}}}};
    auto compiled = schema::compile(s, registry);
    REQUIRE_FALSE(compiled);
    CHECK(contains(compiled.error().message, "is longer than 32768 bytes"));
    CHECK(compiled.error().message.size() < 300); // the pattern is shown shortened
    CHECK(compiled.error().where.pointer == "/properties/name/pattern");

    json p = {{"patternProperties", {{long_pattern, true}}}};
    auto by_name = schema::compile(p, registry);
    REQUIRE_FALSE(by_name);
    CHECK(contains(by_name.error().message, "is longer than 32768 bytes"));
    CHECK(by_name.error().where.pointer.starts_with("/patternProperties/aaaa"));

    schema::CompileOptions options;
    options.regex.max_length = 50000;
    CHECK(schema::compile(s, registry, options));
}

TEST_CASE("a pattern over RE2's memory limit is an error naming its pointer", "[limits]") {
    schema::Registry registry;
    json s = {{"properties", {{"name", {{"pattern", "^\\p{L}{100}$"}}}}}};
    schema::CompileOptions options;
    options.regex.max_memory = 1 << 16;
    auto compiled = schema::compile(s, registry, options);
    REQUIRE_FALSE(compiled);
    CHECK(contains(compiled.error().message, "needs more than 65536 bytes to compile"));
    CHECK(compiled.error().where.pointer == "/properties/name/pattern");
    CHECK(schema::compile(s, registry)); // fits the default 8 MiB

    auto direct = schema::Regex::compile("^\\p{L}{100}$", schema::RegexLimits{1000, 1 << 16});
    REQUIRE_FALSE(direct);
    CHECK(contains(direct.error().message, "needs more than 65536 bytes"));
    CHECK_FALSE(schema::Regex::compile(std::string(1001, 'a'), schema::RegexLimits{1000}));
}
