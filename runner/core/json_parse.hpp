#pragma once
// Reading JSON text into nlohmann::json with errors that name file, line and column.
// (The replay hot path parses with simdjson instead; see FastParser.)

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"

namespace conform::core {

// The bytes parse_owned() may read past its text's end (simdjson's SIMDJSON_PADDING; checked
// in json_parse.cpp).
inline constexpr std::size_t k_parse_padding = 64;

struct ParseLimits {
    std::size_t max_depth = 256; // nesting of arrays/objects; deeper input is an error
};

// Line and column (1-based) of byte offset in text.
[[nodiscard]] Location location_of(std::string_view text, std::size_t offset,
                                   std::string_view file);

[[nodiscard]] Result<nlohmann::json> parse_json(std::string_view text, std::string_view file = {},
                                                ParseLimits limits = {});
[[nodiscard]] Result<std::string> read_text_file(const std::filesystem::path& path);
[[nodiscard]] Result<nlohmann::json> load_json_file(const std::filesystem::path& path,
                                                    ParseLimits limits = {});

// A simdjson document that owns its tape: parsed once (FastParser::parse_owned, by whoever
// read the text) and read through views by others, on any thread, for as long as it is shared.
class JsonDocument {
public:
    JsonDocument();
    ~JsonDocument();
    JsonDocument(const JsonDocument&) = delete;
    JsonDocument& operator=(const JsonDocument&) = delete;

    [[nodiscard]] JsonView root() const noexcept { return m_root; }

private:
    friend class FastParser;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    JsonView m_root;
};

// simdjson behind a door: parses one document at a time, reusing its buffers; the view it
// returns is valid until the next parse(). Errors come back as Diagnostics.
class FastParser {
public:
    FastParser();
    ~FastParser();
    FastParser(const FastParser&) = delete;
    FastParser& operator=(const FastParser&) = delete;

    [[nodiscard]] Result<JsonView> parse(std::string_view text, std::string_view file = {},
                                         ParseLimits limits = {});

    // text into this parser's scratch document, its buffers reused: the root, valid until the
    // next parse (the view owns nothing). text must be readable k_parse_padding bytes past its
    // end (a line buffer with spare capacity). nullopt when it is not JSON or is nested deeper
    // than limits.max_depth: the caller has a slower path that says why (parse() names it).
    [[nodiscard]] std::optional<JsonView> parse_scratch(std::string_view text,
                                                        ParseLimits limits = {});
    // In the text parse_scratch() parsed last (pass it again): the bytes of the member reached
    // through keys (object keys, outermost first; none: the whole value), blanks around it
    // left out. Found from simdjson's index of the text's structure, not by reading the text
    // again. nullopt: absent, or a key on the way written with an escape (its bytes are not
    // the key's). A key that occurs twice in an object is the caller's to rule out.
    [[nodiscard]] std::optional<std::string_view>
    scratch_text(std::string_view text, std::span<const std::string_view> keys) const;
    // The scratch document handed over, rooted at the member reached through keys (none: its
    // root; the first member of a name): lent (the pointer owns nothing: the scratch, valid
    // until the next parse; no copy, no allocation, for a caller done with each document
    // before it parses the next) or copied out into a document of its own, which outlives
    // this parser. nullptr when a key is absent.
    [[nodiscard]] std::shared_ptr<const JsonDocument>
    take_scratch(std::span<const std::string_view> keys, bool lend);

    // parse_scratch() then take_scratch() of the root, copied out or lent.
    [[nodiscard]] std::shared_ptr<const JsonDocument> parse_owned(std::string_view text,
                                                                  ParseLimits limits = {});
    [[nodiscard]] std::shared_ptr<const JsonDocument> parse_lent(std::string_view text,
                                                                 ParseLimits limits = {});

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace conform::core
