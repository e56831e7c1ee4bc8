#include "runner/docs/internal/type_words.hpp"

#include "runner/docs/internal/markdown.hpp"

namespace conform::docs::internal {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && detail::same_word(text.substr(0, prefix.size()), prefix);
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           detail::same_word(text.substr(text.size() - suffix.size()), suffix);
}

// Removes one array wrapper; returns false when text has none.
bool unwrap_array(std::string_view& text) {
    struct Wrapper {
        std::string_view open, close;
    };
    static constexpr Wrapper k_wrappers[] = {
        {"array[", "]"},  {"array<", ">"}, {"list[", "]"}, {"list<", ">"}, {"array of ", ""},
        {"list of ", ""}, {"", "[]"},      {"", " array"}, {"", " list"}, // Tencent API 2.0:
                                                                          // "String List"
    };
    for (const Wrapper& w : k_wrappers) {
        if (!starts_with_ci(text, w.open) || !ends_with_ci(text, w.close))
            continue;
        if (text.size() <= w.open.size() + w.close.size())
            continue;
        text = trim(text.substr(w.open.size(), text.size() - w.open.size() - w.close.size()));
        return true;
    }
    return false;
}

} // namespace

const TypeWordRow* find_type_word(std::string_view word) {
    for (const TypeWordRow& row : k_type_words)
        if (detail::same_word(row.word, word))
            return &row;
    return nullptr;
}

bool is_identifier(std::string_view text) {
    if (text.empty())
        return false;
    auto alpha = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    };
    if (!alpha(text[0]))
        return false;
    for (char c : text)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '.')
            return false;
    return true;
}

TypeExpr parse_type(std::string_view cell) {
    const std::string plain = halfwidth(plain_text(cell));
    std::string_view text = trim(plain);
    TypeExpr expr;
    // A whole-word row wins over the wrappers: "Object Array" is a row, not "Array of Object".
    while (!find_type_word(text) && unwrap_array(text))
        ++expr.array_depth;
    expr.base = std::string(text);
    expr.row = find_type_word(text);
    expr.names_model = expr.row == nullptr && is_identifier(text);
    return expr;
}

} // namespace conform::docs::internal
