#include "runner/core/json_parse.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace conform::core {
namespace {

// The first offset outside JSON strings where stop(offset) holds, left to right: string
// contents, escapes included, are skipped (a '"' opens or closes one and is not offered).
template <class Stop>
std::optional<std::size_t> first_outside_strings(std::string_view text, Stop stop) {
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (stop(i))
            return i;
    }
    return std::nullopt;
}

// Finds the first place where nesting exceeds max_depth, without recursion.
std::optional<std::size_t> too_deep_at(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    return first_outside_strings(text, [&](std::size_t i) {
        const char c = text[i];
        if (c == '[' || c == '{')
            return ++depth > max_depth;
        if ((c == ']' || c == '}') && depth > 0)
            --depth;
        return false;
    });
}

Diagnostic depth_error(std::string_view text, std::size_t at, std::string_view file,
                       std::size_t max_depth) {
    return Diagnostic{"JSON nesting deeper than " + std::to_string(max_depth) + " levels",
                      location_of(text, at, file)};
}

// "[json.exception.out_of_range.406] number overflow parsing '1e400'" -> a Diagnostic at the
// first occurrence of the literal outside a string (the whole text when it cannot be found).
Diagnostic number_range_error(std::string_view text, std::string_view what, std::string_view file) {
    std::string_view literal;
    if (auto open = what.find('\''), close = what.rfind('\'');
        open != std::string_view::npos && close > open)
        literal = what.substr(open + 1, close - open - 1);
    const std::size_t at =
        literal.empty() ? 0 : first_outside_strings(text, [&](std::size_t i) {
                                  return text.substr(i, literal.size()) == literal;
                              }).value_or(0);
    const std::string shown = literal.empty() ? std::string("a number") : std::string(literal);
    return Diagnostic{"invalid JSON: number " + shown + " is out of range (beyond a double)",
                      location_of(text, at, file)};
}

} // namespace

Location location_of(std::string_view text, std::size_t offset, std::string_view file) {
    Location loc;
    loc.file = std::string(file);
    loc.line = 1;
    std::size_t line_start = 0;
    const std::size_t end = std::min(offset, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++loc.line;
            line_start = i + 1;
        }
    }
    loc.column = end - line_start + 1;
    return loc;
}

Result<nlohmann::json> parse_json(std::string_view text, std::string_view file,
                                  ParseLimits limits) {
    if (auto at = too_deep_at(text, limits.max_depth))
        return fail(depth_error(text, *at, file, limits.max_depth));
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is 1-based and points just past the offending character
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        std::string what = e.what();
        // strip nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: "
        if (auto colon = what.find(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
        return fail("invalid JSON: " + what, location_of(text, at, file));
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond double's range ("1e400"): nlohmann throws out_of_range.406 naming
        // the literal but not where it is; found by fuzz/json_parse. Locate the literal.
        return fail(number_range_error(text, e.what(), file));
    } catch (const nlohmann::json::exception& e) {
        return fail(std::string("invalid JSON: ") + e.what(),
                    Location{std::string(file), 0, 0, {}, false});
    }
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail("cannot open file", Location{path.string(), 0, 0, {}, false});
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        return fail("cannot read file", Location{path.string(), 0, 0, {}, false});
    return buffer.str();
}

Result<nlohmann::json> load_json_file(const std::filesystem::path& path, ParseLimits limits) {
    CONFORM_TRY(std::string text, read_text_file(path));
    return parse_json(text, path.string(), limits);
}

static_assert(k_parse_padding >= simdjson::SIMDJSON_PADDING);

struct JsonDocument::Impl {
    simdjson::dom::document document;
};

struct FastParser::Impl {
    simdjson::dom::parser parser;
    simdjson::dom::parser owned_parser;       // parse_owned's scratch, and its document:
    simdjson::dom::document scratch;          // sized for the text, copied out at the size used
    JsonDocument lent;                        // take_scratch's lent: a view of the scratch
    std::optional<std::size_t> scratch_bytes; // the text the scratch holds: its size
    JsonView scratch_root;
};

JsonDocument::JsonDocument() : m_impl(std::make_unique<Impl>()) {}
JsonDocument::~JsonDocument() = default;

FastParser::FastParser() : m_impl(std::make_unique<Impl>()) {}
FastParser::~FastParser() = default;

Result<JsonView> FastParser::parse(std::string_view text, std::string_view file,
                                   ParseLimits limits) {
    if (m_impl->parser.max_depth() != limits.max_depth) {
        if (auto err =
                m_impl->parser.allocate(std::max<std::size_t>(text.size(), 4096), limits.max_depth))
            return fail(std::string("cannot allocate JSON parser: ") + simdjson::error_message(err),
                        Location{std::string(file), 0, 0, {}, false});
    }
    simdjson::dom::element root;
    // parse() copies into padded storage when the input is not padded
    auto error = m_impl->parser.parse(text.data(), text.size()).get(root);
    if (error == simdjson::DEPTH_ERROR) {
        auto at = too_deep_at(text, limits.max_depth).value_or(0);
        return fail(depth_error(text, at, file, limits.max_depth));
    }
    if (error) {
        // simdjson does not say where; locate the problem with nlohmann's parser (cold path)
        auto slow = parse_json(text, file, limits);
        if (!slow)
            return fail(std::move(slow).error());
        return fail(std::string("invalid JSON: ") + simdjson::error_message(error),
                    Location{std::string(file), 0, 0, {}, false});
    }
    return JsonView::of(root);
}

namespace {

// The tape words a parsed document uses (simdjson's tape format, doc/tape.md: the first root
// word's payload is the index past the closing root word). simdjson sizes a tape for the
// text's length, eight times what a document of objects and strings uses. nullopt: not the
// layout described (never so for a document simdjson parsed).
std::optional<std::size_t> tape_words(const simdjson::dom::document& document) {
    constexpr std::uint64_t payload = (std::uint64_t{1} << 56) - 1;
    const std::uint64_t* tape = document.tape.get();
    const auto words = static_cast<std::size_t>(tape[0] & payload);
    if (words < 2 || static_cast<char>(tape[words - 1] >> 56) != 'r')
        return std::nullopt;
    return words;
}

} // namespace

std::optional<JsonView> FastParser::parse_scratch(std::string_view text, ParseLimits limits) {
    Impl& impl = *m_impl;
    impl.scratch_bytes = std::nullopt;
    simdjson::dom::parser& parser = impl.owned_parser;
    if (parser.max_depth() != limits.max_depth &&
        parser.allocate(std::max<std::size_t>(text.size(), 4096), limits.max_depth))
        return std::nullopt;
    simdjson::dom::element root;
    if (parser.parse_into_document(impl.scratch, text.data(), text.size(), false).get(root))
        return std::nullopt;
    impl.scratch_bytes = text.size();
    impl.scratch_root = JsonView::of(root);
    return impl.scratch_root;
}

namespace {

bool is_json_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// What a structural character does to the nesting: +1 opens an array or object, -1 closes one.
constexpr std::array<std::int8_t, 256> k_nesting = [] {
    std::array<std::int8_t, 256> nesting{};
    nesting['{'] = nesting['['] = 1;
    nesting['}'] = nesting[']'] = -1;
    return nesting;
}();

std::int8_t nesting(char c) noexcept {
    return k_nesting[static_cast<unsigned char>(c)];
}

// A scalar whose structural character is the index's `at`-th: its bytes in text, up to the
// next structural character (',' '}' ']') or the text's end, blanks left out.
std::string_view scalar_text(std::string_view text, const std::uint32_t* index, std::uint32_t count,
                             std::uint32_t at) {
    const std::size_t start = index[at];
    std::size_t end = at + 1 < count ? index[at + 1] : text.size();
    while (end > start && is_json_space(text[end - 1]))
        --end;
    return text.substr(start, end - start);
}

// How many members follow the first member named key in object; value is set to its value.
// nullopt: no such member, or more members than simdjson's tape counts (2^24 - 1).
std::optional<std::size_t> members_after(JsonView object, std::string_view key, JsonView& value) {
    const std::size_t size = object.size();
    if (size >= 0xFFFFFF)
        return std::nullopt;
    std::size_t position = 0;
    auto members = object.members();
    std::string_view name;
    while (members.next(name, value)) {
        if (name == key)
            return size - position - 1;
        ++position;
    }
    return std::nullopt;
}

// The index's entry for the last structural character of the member reached through keys
// from root (an object: the index's last entry closes it). Read from the text's end: at each
// level the members after the one wanted, whose number the parse knows, are stepped over
// backward; for a response body that is a few members' bytes instead of all of the body's.
std::optional<std::uint32_t> last_structural(JsonView root, std::span<const std::string_view> keys,
                                             std::string_view text, const std::uint32_t* index,
                                             std::uint32_t count) {
    std::uint32_t at = count - 1; // closes the object the key is a member of
    JsonView object = root;
    for (const std::string_view key : keys) {
        JsonView value;
        const auto after = members_after(object, key, value);
        if (!after)
            return std::nullopt;
        // Backward, a closing bracket goes in and an opening one comes out; each ',' outside
        // brackets ends a member.
        std::ptrdiff_t depth = 0;
        for (std::size_t commas = *after; commas > 0;) {
            if (at == 0)
                return std::nullopt;
            const char c = text[index[--at]];
            depth -= nesting(c);
            commas -= depth == 0 && c == ',';
        }
        if (at == 0)
            return std::nullopt;
        --at; // the member's value ends here
        object = value;
    }
    return at;
}

} // namespace

std::optional<std::string_view>
FastParser::scratch_text(std::string_view text, std::span<const std::string_view> keys) const {
    const Impl& impl = *m_impl;
    // simdjson's stage 1 left, in its parser, the offset of every structural character of
    // the text: { } [ ] : , and the first byte of each string and other scalar.
    const auto* stage1 = impl.owned_parser.implementation.get();
    if (impl.scratch_bytes != text.size() || !stage1 || stage1->n_structural_indexes == 0)
        return std::nullopt;
    const std::uint32_t* index = stage1->structural_indexes.get();
    const std::uint32_t count = stage1->n_structural_indexes;
    // Where the value begins: left to right, depth counted, a string followed by ':' is a
    // key; keys[level] is looked for among the members of the object the keys before it
    // reached (at depth level + 1).
    std::optional<std::uint32_t> first;
    if (keys.empty())
        first = 0;
    std::size_t level = 0;
    std::ptrdiff_t depth = 0;
    for (std::uint32_t i = 0; !first && i < count; ++i) {
        const std::size_t at = index[i];
        const std::int8_t step = nesting(text[at]);
        depth += step;
        if (step < 0 && depth <= static_cast<std::ptrdiff_t>(level))
            return std::nullopt; // the object searched has ended
        if (text[at] != '"' || depth != static_cast<std::ptrdiff_t>(level + 1))
            continue;
        const std::string_view key = keys[level], rest = text.substr(at + 1);
        if (i + 2 >= count || text[index[i + 1]] != ':' ||
            !(rest.size() > key.size() && rest.starts_with(key) && rest[key.size()] == '"'))
            continue;
        if (++level == keys.size())
            first = i + 2;
        else if (text[index[i + 2]] != '{')
            return std::nullopt;
        else
            ++i; // the ':'
    }
    if (!first)
        return std::nullopt;
    const char opens = text[index[*first]];
    if (nesting(opens) <= 0)
        return scalar_text(text, index, count, *first);
    // Where an array or object ends: found from the text's end.
    const auto last = keys.empty() ? std::optional<std::uint32_t>(count - 1)
                                   : last_structural(impl.scratch_root, keys, text, index, count);
    if (!last || *last <= *first || text[index[*last]] != (opens == '{' ? '}' : ']'))
        return std::nullopt;
    return text.substr(index[*first], index[*last] + 1 - index[*first]);
}

namespace {

std::optional<JsonView> member_at(JsonView root, std::span<const std::string_view> keys) {
    std::optional<JsonView> at = root;
    for (const std::string_view key : keys)
        if (!(at = at->find(key)))
            return std::nullopt;
    return at;
}

} // namespace

std::shared_ptr<const JsonDocument> FastParser::take_scratch(std::span<const std::string_view> keys,
                                                             bool lend) {
    Impl& impl = *m_impl;
    if (!impl.scratch_bytes)
        return nullptr;
    if (lend) {
        const auto member = member_at(impl.scratch_root, keys);
        if (!member)
            return nullptr;
        impl.lent.m_root = *member;
        // Owning nothing: the document is the scratch, which the next parse overwrites.
        return std::shared_ptr<const JsonDocument>(std::shared_ptr<const JsonDocument>(),
                                                   &impl.lent);
    }
    // Copied out, the tape at the size used and the strings at simdjson's bound for this text
    // (5/3 of it: the scratch's may be a larger text's), so that documents held by a replay's
    // walks stay small. (The end of the last string cannot be found from the tape's end: a
    // number's raw value word may look like a string's; reading the tape forward to it costs
    // more than copying to the bound.)
    const auto words = tape_words(impl.scratch);
    if (!words)
        return nullptr;
    const std::size_t bytes = 5 * *impl.scratch_bytes / 3 + simdjson::SIMDJSON_PADDING;
    auto document = std::make_shared<JsonDocument>();
    simdjson::dom::document& owned = document->m_impl->document;
    owned.tape.reset(new (std::nothrow) std::uint64_t[*words]);
    owned.string_buf.reset(new (std::nothrow) std::uint8_t[bytes]);
    if (!owned.tape || !owned.string_buf)
        return nullptr;
    std::memcpy(owned.tape.get(), impl.scratch.tape.get(), *words * sizeof(std::uint64_t));
    std::memcpy(owned.string_buf.get(), impl.scratch.string_buf.get(), bytes);
    const auto member = member_at(JsonView::of(owned.root()), keys);
    if (!member)
        return nullptr;
    document->m_root = *member;
    return document;
}

std::shared_ptr<const JsonDocument> FastParser::parse_lent(std::string_view text,
                                                           ParseLimits limits) {
    return parse_scratch(text, limits) ? take_scratch({}, true) : nullptr;
}

std::shared_ptr<const JsonDocument> FastParser::parse_owned(std::string_view text,
                                                            ParseLimits limits) {
    return parse_scratch(text, limits) ? take_scratch({}, false) : nullptr;
}

} // namespace conform::core
