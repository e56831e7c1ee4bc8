#pragma once
// UTF-8 decoding (RFC 3629), the one decoder of the project: format checks (schema/), report
// text (report/) and reportable bodies (record/) all read code points through it.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace conform::core {

// The length a lead byte announces: 1-4, or 0 when it cannot start a well-formed sequence
// (a continuation byte, C0/C1 which only start overlong forms, F5-FF past U+10FFFF).
[[nodiscard]] constexpr std::size_t utf8_length(unsigned char lead) noexcept {
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    return lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
}

// One well-formed UTF-8 sequence at pos (no overlong forms, no surrogates, nothing above
// U+10FFFF): its code point, pos advanced past it. Otherwise nullopt, pos unchanged.
[[nodiscard]] constexpr std::optional<char32_t> next_code_point(std::string_view s,
                                                                std::size_t& pos) noexcept {
    constexpr std::array<char32_t, 5> k_smallest = {0, 0, 0x80, 0x800, 0x10000};
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    if (pos >= s.size())
        return std::nullopt;
    const std::size_t length = utf8_length(byte(pos));
    if (length == 0 || s.size() - pos < length)
        return std::nullopt;
    char32_t cp = byte(pos) & (length == 1 ? 0x7F : 0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(pos + i) & 0xC0) != 0x80)
            return std::nullopt;
        cp = (cp << 6) | (byte(pos + i) & 0x3F);
    }
    if (cp < k_smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return std::nullopt;
    pos += length;
    return cp;
}

} // namespace conform::core
