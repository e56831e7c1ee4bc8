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

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace conform::core
