#include "runner/docs/internal/defaults.hpp"

#include <array>

#include "runner/docs/internal/markdown.hpp"

namespace conform::docs::internal {
namespace {

bool is_token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '+' || c == '-';
}

bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Skips quotes and spaces, then reads an ASCII token; a trailing '.' ends the sentence.
std::string read_token(std::string_view text) {
    static constexpr std::array<std::string_view, 6> k_quotes = {"\"",     "'", "\u201c",
                                                                 "\u2018", " ", "\t"};
    bool skipped = true;
    while (skipped) {
        skipped = false;
        for (std::string_view q : k_quotes) {
            if (text.substr(0, q.size()) == q) {
                text.remove_prefix(q.size());
                skipped = true;
            }
        }
    }
    std::size_t n = 0;
    while (n < text.size() && is_token_char(text[n]))
        ++n;
    std::string token(text.substr(0, n));
    while (!token.empty() && (token.back() == '.' || token.back() == '-' || token.back() == '+'))
        token.pop_back();
    return token;
}

bool is_bool_text(std::string_view text) {
    const std::string lower = to_lower_ascii(text);
    return lower == "true" || lower == "false";
}

// Words that follow "default value is" in prose without being a value.
bool is_filler(std::string_view token) {
    static constexpr std::array<std::string_view, 9> k_filler = {
        "used", "the", "a", "an", "not", "set", "given", "applied", "empty"};
    const std::string lower = to_lower_ascii(token);
    for (std::string_view word : k_filler)
        if (lower == word)
            return true;
    return false;
}

// Whether text names token as a word of its own (a choice the description lists).
bool offers(std::string_view text, std::string_view token) {
    for (std::size_t at = text.find(token); at != std::string_view::npos;
         at = text.find(token, at + 1)) {
        const bool starts = at == 0 || !is_token_char(text[at - 1]);
        const std::size_t end = at + token.size();
        if (starts && (end == text.size() || !is_token_char(text[end])))
            return true;
    }
    return false;
}

// Whether a word ends where `after` starts: at the end, before ASCII (a space, punctuation)
// or CJK punctuation, not inside a longer phrase ("Web推荐防火墙": the Web-recommended firewall).
bool ends_a_word(std::string_view after) {
    static constexpr std::array<std::string_view, 6> k_punctuation = {
        "\u3002", "\u3001", "\u300d", "\u300f", "\u201d", "\u2019"}; // 。、」』”’
    if (after.empty() || static_cast<unsigned char>(after[0]) < 0x80)
        return true;
    for (std::string_view p : k_punctuation)
        if (after.starts_with(p))
            return true;
    return false;
}

// Chinese: 默认 / 缺省, then optional 值, then optional 为 / 是 / ： / : / =, then the value.
// A number or boolean is one however it is joined ("默认20", "默认为20条"). A word is one after
// a connector when it ends there ("默认值：private。"), or right after the marker when the
// description offers it elsewhere as a choice ("private私有仓库，public公共仓库，默认public");
// not in a phrase ("默认：Web推荐防火墙") nor after a space alone ("默认 TTL，默认为 600":
// the 600). A connector followed by prose ("默认为当前地域的默认VPC": the region's default
// VPC) states the default in words: no value, however the sentence goes on.
std::optional<std::string> find_chinese(std::string_view text) {
    static constexpr std::array<std::string_view, 2> k_markers = {"\u9ed8\u8ba4", "\u7f3a\u7701"};
    static constexpr std::array<std::string_view, 8> k_connectors = {
        "\u503c", "\u4e3a", "\u662f", "\uff1a", ":", "=", " ", "\t"};
    for (std::string_view marker : k_markers) {
        for (std::size_t at = text.find(marker); at != std::string_view::npos;
             at = text.find(marker, at + marker.size())) {
            std::string_view rest = text.substr(at + marker.size());
            bool connected = false; // by a word or sign, not only by spaces
            bool spaced = false;
            bool skipped = true;
            while (skipped) {
                skipped = false;
                for (std::string_view c : k_connectors) {
                    if (rest.substr(0, c.size()) == c) {
                        rest.remove_prefix(c.size());
                        (c == " " || c == "\t" ? spaced : connected) = true;
                        skipped = true;
                    }
                }
            }
            const std::string token = read_token(rest);
            if (is_number_text(token) || is_bool_text(token))
                return token;
            const std::size_t where = token.empty() ? std::string_view::npos : rest.find(token);
            const bool word =
                where != std::string_view::npos && ends_a_word(rest.substr(where + token.size()));
            if (connected)
                return word ? std::optional<std::string>(token) : std::nullopt;
            // "默认项目" (the default project): no value here, keep looking
            if (word && !spaced && offers(text.substr(0, at), token))
                return token;
        }
    }
    return std::nullopt;
}

std::optional<std::string> find_english(std::string_view text) {
    const std::string lower = to_lower_ascii(text);
    struct Form {
        std::string_view after; // text after "default"
        bool bare;              // value accepted only when it is a number or boolean
    };
    static constexpr std::array<Form, 12> k_forms = {{
        {"s to ", false},
        {"ed to ", false},
        {" value is ", false},
        {" value of ", false},
        {" value: ", false},
        {" value:", false},
        {" value = ", false},
        {" is ", false},
        {": ", false},
        {":", false},
        {" = ", false},
        {" ", true},
    }};
    for (std::size_t at = lower.find("default"); at != std::string::npos;
         at = lower.find("default", at + 7)) {
        if (at > 0 && is_letter(lower[at - 1]))
            continue;
        const std::size_t after = at + 7;
        for (const Form& form : k_forms) {
            if (lower.compare(after, form.after.size(), form.after) != 0)
                continue;
            const std::string token = read_token(text.substr(after + form.after.size()));
            const bool plain_value = is_number_text(token) || is_bool_text(token);
            if (!token.empty() && (form.bare ? plain_value : !is_filler(token)))
                return token;
            break; // only the longest matching form is meaningful
        }
    }
    return std::nullopt;
}

} // namespace

bool is_number_text(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
        ++i;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        ++i;
        ++digits;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            ++i;
            ++digits;
        }
    }
    return digits > 0 && i == text.size();
}

std::optional<std::string> find_default(std::string_view description) {
    const std::string text = halfwidth(description); // "默认为２０"
    if (auto chinese = find_chinese(text))
        return chinese;
    return find_english(text);
}

} // namespace conform::docs::internal
