#pragma once
// Vendor type words -> JSON Schema, as one visible table (STYLE.md lesson 6). A type cell is
// read as zero or more array wrappers ("array[X]", "Array of X", "X[]", "X Array", "X List")
// around a base that is either a row of this table or the name of a data model on the page.
// Anything else is an unknown type word: a warning, never a silent {}.

#include <cstddef>
#include <string>
#include <string_view>

namespace conform::docs::internal {

// Where a data model found by field name goes in a generic container row: "Object" becomes the
// model itself, "Object Array" and "Array" become arrays of it.
enum class ModelSlot { none, self, items };

struct TypeWordRow {
    std::string_view word;   // matched ASCII-case-insensitively
    std::string_view schema; // JSON Schema fragment, as JSON text
    ModelSlot slot = ModelSlot::none;
};

// clang-format off
inline constexpr TypeWordRow k_type_words[] = {
    // integers; unsigned words carry their lower bound
    {"Int",          R"({"type":"integer"})"},
    {"Int32",        R"({"type":"integer"})"},
    {"Int64",        R"({"type":"integer"})"},
    {"Integer",      R"({"type":"integer"})"},
    {"Long",         R"({"type":"integer"})"},
    {"Uint",         R"({"minimum":0,"type":"integer"})"},
    {"Uint32",       R"({"minimum":0,"type":"integer"})"},
    {"Uint64",       R"({"minimum":0,"type":"integer"})"},
    {"整数",         R"({"type":"integer"})"},
    {"整型",         R"({"type":"integer"})"},
    {"整形",         R"({"type":"integer"})"}, // as pages misspell 整型
    {"长整型",       R"({"type":"integer"})"},
    {"长整数",       R"({"type":"integer"})"},
    // other numbers
    {"Float",        R"({"type":"number"})"},
    {"Double",       R"({"type":"number"})"},
    {"Number",       R"({"type":"number"})"},
    {"Decimal",      R"({"type":"number"})"},
    {"浮点数",       R"({"type":"number"})"},
    {"浮点型",       R"({"type":"number"})"},
    {"浮点",         R"({"type":"number"})"},
    // strings; Tencent's "Timestamp" (API 3.0: "Timestamp ISO8601") and the date words are
    // dates and times written as strings
    {"String",       R"({"type":"string"})"},
    {"Timestamp",    R"({"type":"string"})"},
    {"Timestamp ISO8601", R"({"type":"string"})"},
    {"Date",         R"({"type":"string"})"},
    {"DateTime",     R"({"type":"string"})"},
    {"字符串",       R"({"type":"string"})"},
    // booleans
    {"Bool",         R"({"type":"boolean"})"},
    {"Boolean",      R"({"type":"boolean"})"},
    {"布尔",         R"({"type":"boolean"})"},
    {"布尔值",       R"({"type":"boolean"})"},
    {"布尔型",       R"({"type":"boolean"})"},
    // containers whose shape a data model table on the page may give
    {"Object",       R"({"type":"object"})", ModelSlot::self},
    {"对象",         R"({"type":"object"})", ModelSlot::self},
    {"Object Array", R"({"items":{"type":"object"},"type":"array"})", ModelSlot::items},
    {"Array",        R"({"type":"array"})", ModelSlot::items},
    {"数组",         R"({"type":"array"})", ModelSlot::items},
};
// clang-format on

namespace detail {
constexpr char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool same_word(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}
constexpr bool words_unique() {
    for (std::size_t i = 0; i < std::size(k_type_words); ++i)
        for (std::size_t j = i + 1; j < std::size(k_type_words); ++j)
            if (same_word(k_type_words[i].word, k_type_words[j].word))
                return false;
    return true;
}
} // namespace detail
static_assert(detail::words_unique(), "k_type_words: a word appears twice");

// The row for a word, or nullptr.
[[nodiscard]] const TypeWordRow* find_type_word(std::string_view word);

// A type cell read as array wrappers around a base.
struct TypeExpr {
    std::size_t array_depth = 0;      // "array[array[X]]" -> 2
    std::string base;                 // "RepoSet", "String", or the unreadable text
    const TypeWordRow* row = nullptr; // when base is a type word
    bool names_model = false;         // base looks like a data model name (an identifier)
};

// Reads a raw type cell ("array[[*RepoSet*](#RepoSet)]", "Array of String", "Object Array").
[[nodiscard]] TypeExpr parse_type(std::string_view cell);

// True for [A-Za-z_][A-Za-z0-9_.]* : what a field or data model name looks like.
[[nodiscard]] bool is_identifier(std::string_view text);

} // namespace conform::docs::internal
