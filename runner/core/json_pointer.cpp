#include "runner/core/json_pointer.hpp"

#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

namespace conform::core {

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

void append_pointer_token(std::string& pointer, std::string_view token) {
    pointer += '/';
    for (char c : token) {
        if (c == '~')
            pointer += "~0";
        else if (c == '/')
            pointer += "~1";
        else
            pointer += c;
    }
}

Result<std::vector<std::string>> parse_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty())
        return tokens;
    if (pointer.front() != '/')
        return fail("JSON pointer \"" + std::string(pointer) + "\" does not start with '/'");
    std::string token;
    for (std::size_t i = 1; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            tokens.push_back(std::move(token));
            token.clear();
            continue;
        }
        char c = pointer[i];
        if (c == '~') {
            if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
                return fail("JSON pointer \"" + std::string(pointer) + "\" has a bad '~' escape");
            token += pointer[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            token += c;
        }
    }
    return tokens;
}

namespace {

// Calls step(token) for each reference token of pointer, in order, as parse_pointer reads
// them, without building the list: a token is a view of pointer unless it holds an escape.
// false: pointer is malformed, or step said stop (it returns false).
template <class Step> bool for_each_token(std::string_view pointer, Step&& step) {
    if (pointer.empty())
        return true;
    if (pointer.front() != '/')
        return false;
    std::string unescaped;
    for (std::size_t start = 1;;) {
        std::size_t end = pointer.find('/', start);
        if (end == std::string_view::npos)
            end = pointer.size();
        std::string_view token = pointer.substr(start, end - start);
        if (token.find('~') != std::string_view::npos) {
            unescaped.clear();
            for (std::size_t i = 0; i < token.size(); ++i) {
                if (token[i] != '~') {
                    unescaped += token[i];
                    continue;
                }
                if (i + 1 >= token.size() || (token[i + 1] != '0' && token[i + 1] != '1'))
                    return false;
                unescaped += token[++i] == '0' ? '~' : '/';
            }
            token = unescaped;
        }
        if (!step(token))
            return false;
        if (end == pointer.size())
            return true;
        start = end + 1;
    }
}

// RFC 6901: an array index is "0" or digits without a leading zero.
std::optional<std::size_t> array_index(std::string_view token, std::size_t size) {
    if (token.empty() || (token.size() > 1 && token[0] == '0'))
        return std::nullopt;
    std::size_t index = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (ec != std::errc() || end != token.data() + token.size() || index >= size)
        return std::nullopt;
    return index;
}

} // namespace

const nlohmann::json* resolve_pointer(const nlohmann::json& document, std::string_view pointer) {
    const nlohmann::json* at = &document;
    const bool found = for_each_token(pointer, [&](std::string_view token) {
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end())
                return false;
            at = &*it;
            return true;
        }
        if (at->is_array()) {
            const auto index = array_index(token, at->size());
            if (!index)
                return false;
            at = &(*at)[*index];
            return true;
        }
        return false;
    });
    return found ? at : nullptr;
}

std::optional<JsonView> resolve_pointer(JsonView document, std::string_view pointer) {
    JsonView at = document;
    const bool found = for_each_token(pointer, [&](std::string_view token) {
        if (at.is_object()) {
            auto next = at.find(token);
            if (!next)
                return false;
            at = *next;
            return true;
        }
        if (at.is_array()) {
            const auto index = array_index(token, at.size());
            if (!index)
                return false;
            std::optional<JsonView> item;
            at.for_each_item([&](std::size_t i, JsonView v) {
                if (i != *index)
                    return true;
                item = v;
                return false;
            });
            at = *item;
            return true;
        }
        return false;
    });
    if (!found)
        return std::nullopt;
    return at;
}

std::string percent_decode(std::string_view text) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string Path::to_pointer() const {
    // Collect the chain root-first without allocating per step beyond the result.
    std::size_t count = 0;
    for (const Path* p = this; p && !p->is_root; p = p->parent)
        ++count;
    std::vector<const Path*> steps(count);
    const Path* p = this;
    for (std::size_t i = count; i > 0; --i, p = p->parent)
        steps[i - 1] = p;
    std::string out;
    for (const Path* s : steps) {
        if (s->is_index)
            out += '/' + std::to_string(s->index);
        else
            append_pointer_token(out, s->key);
    }
    return out;
}

const nlohmann::json* resolve_local_ref(const nlohmann::json& root, const nlohmann::json* node) {
    for (int hops = 0; node && node->is_object() && hops < 16; ++hops) {
        const auto it = node->find("$ref");
        if (it == node->end() || !it->is_string())
            return node;
        const std::string& ref = it->get_ref<const std::string&>();
        if (!ref.starts_with("#"))
            return node; // another document: not followed here
        node = resolve_pointer(root, percent_decode(std::string_view(ref).substr(1)));
    }
    return node;
}

} // namespace conform::core
