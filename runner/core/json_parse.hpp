#pragma once
// Reading JSON text into nlohmann::json with errors that name file, line and column.
// (The replay hot path parses with simdjson instead; see FastParser.)

#include <cstddef>
#include <filesystem>
#include <memory>
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

    // text into a document of its own, which outlives this parser (only the parser's scratch
    // is reused). text must be readable k_parse_padding bytes past its end (a line buffer
    // with spare capacity). nullptr when it is not JSON or is nested deeper than
    // limits.max_depth: the caller has a slower path that says why (parse() names it).
    [[nodiscard]] std::shared_ptr<const JsonDocument> parse_owned(std::string_view text,
                                                                  ParseLimits limits = {});
    // The same, lent: the document is this parser's scratch, valid until its next
    // parse_owned() or parse_lent() (the pointer owns nothing). No copy, no allocation: for a
    // caller done with each document before it parses the next.
    [[nodiscard]] std::shared_ptr<const JsonDocument> parse_lent(std::string_view text,
                                                                 ParseLimits limits = {});

private:
    // text into the scratch document: its root, nullopt when it does not parse so.
    std::optional<JsonView> parse_scratch(std::string_view text, ParseLimits limits);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace conform::core
