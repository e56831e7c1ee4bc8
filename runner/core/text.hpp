#pragma once
// ASCII text helpers every module needs (header names, hex digits): locale-free, so the same
// bytes compare alike on every machine.

#include <algorithm>
#include <string_view>

namespace conform::core {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Case-insensitive equality of ASCII letters (HTTP header and parameter names).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

[[nodiscard]] constexpr bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace conform::core
