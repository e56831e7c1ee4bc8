// The type-word table (k_type_words) and the array wrappers around it.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/docs/internal/type_words.hpp"

using namespace conform::docs::internal;
using nlohmann::json;

namespace {
json schema_of(std::string_view word) {
    const TypeWordRow* row = find_type_word(word);
    REQUIRE(row != nullptr);
    return json::parse(row->schema);
}
} // namespace

TEST_CASE("every type-word row holds a JSON Schema fragment", "[docs][types]") {
    for (const TypeWordRow& row : k_type_words) {
        INFO(row.word);
        const json schema = json::parse(row.schema, nullptr, false);
        REQUIRE_FALSE(schema.is_discarded());
        CHECK(schema.is_object());
        CHECK(schema.contains("type"));
    }
}

TEST_CASE("the vendor type words map as documented", "[docs][types]") {
    const json integer = {{"type", "integer"}};
    const json unsigned_integer = {{"type", "integer"}, {"minimum", 0}};
    for (const char* word : {"Int", "int", "Integer", "Int64", "Long", "整型", "整形", "长整型"})
        CHECK(schema_of(word) == integer);
    CHECK(schema_of("浮点型") == json{{"type", "number"}});
    CHECK(schema_of("布尔型") == json{{"type", "boolean"}});
    for (const char* word : {"Uint", "UInt", "Uint64"})
        CHECK(schema_of(word) == unsigned_integer);
    for (const char* word : {"Float", "Double"})
        CHECK(schema_of(word) == json{{"type", "number"}});
    for (const char* word : {"String", "string", "Timestamp ISO8601", "Date", "DateTime"})
        CHECK(schema_of(word) == json{{"type", "string"}});
    for (const char* word : {"Bool", "Boolean", "boolean"})
        CHECK(schema_of(word) == json{{"type", "boolean"}});
    CHECK(schema_of("Object") == json{{"type", "object"}});
    CHECK(schema_of("Object Array") == json{{"type", "array"}, {"items", {{"type", "object"}}}});
    CHECK(find_type_word("Object")->slot == ModelSlot::self);
    CHECK(find_type_word("Object Array")->slot == ModelSlot::items);
    CHECK(find_type_word("Varchar") == nullptr);
}

TEST_CASE("array wrappers around a type word or a model name", "[docs][types]") {
    struct Case {
        const char* cell;
        std::size_t depth;
        const char* base;
        bool word;
    };
    const Case cases[] = {
        {"array[[*RepoSet*](#RepoSet)]", 1, "RepoSet", false},
        {"Array of RepoSet", 1, "RepoSet", false},
        {"Array of [RepoInfo](/document/api/1#RepoInfo)", 1, "RepoInfo", false},
        {"RepoSet[]", 1, "RepoSet", false},
        {"array[string]", 1, "string", true},
        {"Array of String", 1, "String", true},
        {"String Array", 1, "String", true},
        {"String List", 1, "String", true},
        {"array［RepoSet］", 1, "RepoSet", false}, // full-width brackets
        {"array[array[int]]", 2, "int", true},
        {"List<Int64>", 1, "Int64", true},
        {"Object Array", 0, "Object Array", true},
        {"**Uint**", 0, "Uint", true},
    };
    for (const Case& c : cases) {
        INFO(c.cell);
        const TypeExpr type = parse_type(c.cell);
        CHECK(type.array_depth == c.depth);
        CHECK(type.base == c.base);
        CHECK((type.row != nullptr) == c.word);
        CHECK(type.names_model == !c.word);
    }
}

TEST_CASE("text that is neither a type word nor a name", "[docs][types]") {
    const TypeExpr type = parse_type("字典 / map");
    CHECK(type.row == nullptr);
    CHECK_FALSE(type.names_model);
    CHECK(parse_type("").base.empty());
}
