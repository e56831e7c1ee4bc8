#pragma once
// The `format` keyword's checkers (2020-12 validation 7.3), one row per format in a table.
// Formats are annotations unless asserted (--assert-format or the format-assertion
// vocabulary); the validator then calls check_format().

#include <span>
#include <string_view>

namespace conform::schema {

enum class FormatResult { valid, invalid, unknown_format };

struct FormatInfo {
    std::string_view name; // "date-time"
    std::string_view rule; // the standard it follows, e.g. "RFC 3339 section 5.6"
    bool (*check)(std::string_view value);
};

// Every format conform can assert, in a stable order (feeds docs and --help).
[[nodiscard]] std::span<const FormatInfo> known_formats() noexcept;

// Checks value against the named format; unknown_format when conform has no checker.
[[nodiscard]] FormatResult check_format(std::string_view format, std::string_view value);

} // namespace conform::schema
