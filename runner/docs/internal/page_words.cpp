#include "runner/docs/internal/page_words.hpp"

#include "runner/docs/internal/type_words.hpp"

namespace conform::docs::internal {

std::optional<Section> section_of(std::string_view text) {
    const std::string lower = to_lower_ascii(plain_text(text));
    for (const SectionWord& row : k_section_words)
        if (lower.find(row.word) != std::string::npos)
            return row.section;
    return std::nullopt;
}

Columns columns_of(const std::vector<std::string>& header) {
    Columns columns;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string lower = to_lower_ascii(plain_text(header[i]));
        for (const ColumnWord& row : k_column_words) {
            if (lower.find(row.word) == std::string::npos)
                continue;
            std::optional<std::size_t>& slot = row.column == Column::name   ? columns.name
                                               : row.column == Column::type ? columns.type
                                               : row.column == Column::description
                                                   ? columns.description
                                                   : columns.required;
            if (!slot) // the first column of a kind wins ("描述" before "备注")
                slot = i;
            break;
        }
    }
    return columns;
}

std::optional<bool> read_required(std::string_view cell) {
    const std::string value = to_lower_ascii(plain_text(cell));
    static constexpr std::string_view k_yes[] = {"yes", "y",    "true", "required", "mandatory",
                                                 "是",  "必选", "必填", "必须"};
    static constexpr std::string_view k_no[] = {"no", "n",    "false", "optional", "",
                                                "否", "可选", "选填",  "非必填",   "-"};
    for (std::string_view word : k_yes)
        if (value == word)
            return true;
    for (std::string_view word : k_no)
        if (value == word)
            return false;
    return std::nullopt;
}

std::vector<std::string> identifiers_in(std::string_view text) {
    std::vector<std::string> out;
    auto word_char = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.';
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (!word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && word_char(text[j]))
            ++j;
        std::string word(text.substr(i, j - i));
        while (!word.empty() && word.back() == '.')
            word.pop_back();
        if (is_identifier(word))
            out.push_back(std::move(word));
        i = j;
    }
    return out;
}

bool is_camel_case(std::string_view word) {
    for (std::size_t i = 1; i < word.size(); ++i)
        if (word[i - 1] >= 'a' && word[i - 1] <= 'z' && word[i] >= 'A' && word[i] <= 'Z')
            return true;
    return false;
}

} // namespace conform::docs::internal
