#pragma once
// What recordings and HAR files share: base64 (RFC 4648 4), a UTF-8 check, and ISO 8601 UTC
// times. Internal to conform::record.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace conform::record::internal {

// RFC 4648 section 4, with padding.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
// Accepts padded and unpadded input and ignores whitespace (HAR exporters wrap lines);
// nullopt for any other character or a bad length.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
[[nodiscard]] bool is_utf8(std::string_view bytes) noexcept;

// "2026-12-01T10:00:00.123Z"
[[nodiscard]] std::string format_time(std::chrono::system_clock::time_point time);
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM|+HHMM)", as HAR exporters write it;
// nullopt otherwise.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point>
parse_time(std::string_view text);

} // namespace conform::record::internal
