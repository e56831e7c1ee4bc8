#include "runner/schema/regex.hpp"

#include <cstdio>

#include <re2/re2.h>

namespace conform::schema {
namespace {

// ECMA-262 names Unicode properties in long form (\p{Letter}, \p{Script=Greek}); RE2 knows
// the short General_Category names and bare script names.
constexpr std::pair<std::string_view, std::string_view> k_category_names[] = {
    {"Letter", "L"},           {"Cased_Letter", "L"},       {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"}, {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},    {"Mark", "M"},               {"Combining_Mark", "M"},
    {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"},      {"Enclosing_Mark", "Me"},
    {"Number", "N"},           {"Decimal_Number", "Nd"},    {"digit", "Nd"},
    {"Letter_Number", "Nl"},   {"Other_Number", "No"},      {"Punctuation", "P"},
    {"punct", "P"},            {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"},
    {"Math_Symbol", "Sm"},     {"Currency_Symbol", "Sc"},   {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},    {"Separator", "Z"},          {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},  {"Paragraph_Separator", "Zp"}, {"Other", "C"},
    {"Control", "Cc"},         {"cntrl", "Cc"},             {"Format", "Cf"},
    {"Surrogate", "Cs"},       {"Private_Use", "Co"},       {"Unassigned", "Cn"},
};

std::string property_name(std::string_view name) {
    for (std::string_view prefix : {"General_Category=", "gc=", "Script=", "sc=",
                                    "Script_Extensions=", "scx="})
        if (name.starts_with(prefix))
            name.remove_prefix(prefix.size());
    for (const auto& [ecma, re2] : k_category_names)
        if (ecma == name)
            return std::string(re2);
    return std::string(name);
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Rewrites the ECMA-262 escapes RE2 spells differently: \uXXXX -> \x{XXXX},
// \u{X...} -> \x{X...}, \cX -> the control character, \d/\w/\s stay (ASCII in both,
// except \s which ECMA widens to Unicode spaces: written out as a class).
core::Result<std::string> translate(std::string_view p) {
    std::string out;
    out.reserve(p.size() + 8);
    bool in_class = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[i + 1];
            if (n == 'u' && i + 5 < p.size() && is_hex(p[i + 2]) &&
                is_hex(p[i + 3]) && is_hex(p[i + 4]) && is_hex(p[i + 5])) {
                out += "\\x{";
                out.append(p.substr(i + 2, 4));
                out += '}';
                i += 5;
                continue;
            }
            if (n == 'u' && i + 2 < p.size() && p[i + 2] == '{') {
                auto close = p.find('}', i + 3);
                if (close == std::string_view::npos)
                    return core::fail("unterminated \\u{...} escape");
                out += "\\x{";
                out.append(p.substr(i + 3, close - (i + 3)));
                out += '}';
                i = close;
                continue;
            }
            if ((n == 'p' || n == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
                auto close = p.find('}', i + 3);
                if (close == std::string_view::npos)
                    return core::fail("unterminated \\p{...} escape");
                out += '\\';
                out += n;
                out += '{';
                out += property_name(p.substr(i + 3, close - (i + 3)));
                out += '}';
                i = close;
                continue;
            }
            if (n == 'c' && i + 2 < p.size() &&
                ((p[i + 2] >= 'a' && p[i + 2] <= 'z') || (p[i + 2] >= 'A' && p[i + 2] <= 'Z'))) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", (p[i + 2] & 0x1f));
                out += buf;
                i += 2;
                continue;
            }
            if (n == 's' || n == 'S') {
                // ECMA \s: WhiteSpace and LineTerminator, Unicode-wide
                const char* space =
                    "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
                    "\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
                if (n == 's')
                    out += in_class ? std::string(space) : "[" + std::string(space) + "]";
                else if (!in_class)
                    out += "[^" + std::string(space) + "]";
                else
                    out += "\\S"; // negated class inside a class: RE2's ASCII \S is close
                ++i;
                continue;
            }
            if (n >= '1' && n <= '9' && !in_class)
                return core::fail("backreferences (\\" + std::string(1, n) +
                                  ") are not supported: conform runs patterns on RE2");
            out += c;
            out += n;
            ++i;
            continue;
        }
        if (c == '[' && !in_class)
            in_class = true;
        else if (c == ']' && in_class)
            in_class = false;
        else if (c == '(' && !in_class && i + 2 < p.size() && p[i + 1] == '?' &&
                 (p[i + 2] == '=' || p[i + 2] == '!' ||
                  (p[i + 2] == '<' && i + 3 < p.size() && (p[i + 3] == '=' || p[i + 3] == '!'))))
            return core::fail("lookaround assertions are not supported: conform runs patterns "
                              "on RE2 (linear time)");
        out += c;
    }
    return out;
}

} // namespace

core::Result<Regex> Regex::compile(std::string_view ecma_pattern) {
    CONFORM_TRY(std::string translated, translate(ecma_pattern));
    RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_max_mem(8 << 20); // bounded, like every other input limit
    auto re = std::make_unique<RE2>(translated, options);
    if (!re->ok())
        return core::fail("invalid regular expression \"" + std::string(ecma_pattern) +
                          "\": " + re->error());
    Regex out;
    out.m_re = std::move(re);
    return out;
}

bool Regex::search(std::string_view text) const {
    // Match() directly: PartialMatch's variadic capture plumbing costs more than the match
    return m_re->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                       nullptr, 0);
}

std::string_view Regex::pattern() const { return m_re->pattern(); }

Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

} // namespace conform::schema
