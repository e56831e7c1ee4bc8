#include "runner/schema/regex.hpp"
#include "runner/core/text.hpp"

#include <bit>
#include <cstdint>
#include <cstdio>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <re2/re2.h>

namespace conform::schema {
namespace {

// ECMA-262 names Unicode properties in long form (\p{Letter}, \p{Script=Greek}); RE2 knows
// the short General_Category names and bare script names.
constexpr std::pair<std::string_view, std::string_view> k_category_names[] = {
    {"Letter", "L"},
    {"Cased_Letter", "L"},
    {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Nonspacing_Mark", "Mn"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"},
    {"Close_Punctuation", "Pe"},
    {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"},
    {"Other_Punctuation", "Po"},
    {"Symbol", "S"},
    {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Surrogate", "Cs"},
    {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

std::string property_name(std::string_view name) {
    for (std::string_view prefix :
         {"General_Category=", "gc=", "Script=", "sc=", "Script_Extensions=", "scx="})
        if (name.starts_with(prefix))
            name.remove_prefix(prefix.size());
    for (const auto& [ecma, re2] : k_category_names)
        if (ecma == name)
            return std::string(re2);
    return std::string(name);
}

// ECMA \s (WhiteSpace and LineTerminator, Unicode-wide) or \S, written out as RE2 spells it.
void append_ecma_space(std::string& out, bool negated, bool in_class) {
    const char* space = "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
                        "\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
    if (!negated)
        out += in_class ? std::string(space) : "[" + std::string(space) + "]";
    else if (!in_class)
        out += "[^" + std::string(space) + "]";
    else
        out += "\\S"; // negated class inside a class: RE2's ASCII \S is close
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
            if (n == 'u' && i + 5 < p.size() && core::is_hex(p[i + 2]) && core::is_hex(p[i + 3]) &&
                core::is_hex(p[i + 4]) && core::is_hex(p[i + 5])) {
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
                append_ecma_space(out, n == 'S', in_class);
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

// ---- the simple-pattern matcher ----

using ByteSet = std::array<bool, 128>;

bool is_ascii_punct(char c) {
    return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
           !(c >= 'A' && c <= 'Z');
}

void add_range(ByteSet& set, char lo, char hi) {
    for (int c = static_cast<unsigned char>(lo); c <= static_cast<unsigned char>(hi); ++c)
        set[static_cast<std::size_t>(c)] = true;
}

// One escape (after the backslash) that names a single ASCII character: the control escapes
// ECMA and RE2 agree on, and escaped punctuation.
std::optional<char> escaped_char(char n) {
    switch (n) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    case 'v':
        return '\v';
    default:
        break;
    }
    if (is_ascii_punct(n))
        return n;
    return std::nullopt;
}

// \d and \w: ASCII-only in both ECMA-262 and RE2. Anything else (\s, \D, \b, \p...) is not
// part of the subset.
bool add_class_escape(ByteSet& set, char n) {
    if (n == 'd') {
        add_range(set, '0', '9');
        return true;
    }
    if (n == 'w') {
        add_range(set, '0', '9');
        add_range(set, 'a', 'z');
        add_range(set, 'A', 'Z');
        set['_'] = true;
        return true;
    }
    return false;
}

struct Position {
    ByteSet set{};
    bool nullable = false; // from "?", "*" and the optional copies of "{n,m}"
    bool loops = false;    // from "*", "+" and "{n,}"
};

// Parses "[...]" starting after the "["; i ends after the "]". Only positive classes of ASCII
// characters, ranges and \d/\w: a negated class would have to match multi-byte characters.
bool parse_class(std::string_view p, std::size_t& i, ByteSet& set) {
    if (i >= p.size() || p[i] == '^' || p[i] == ']') // "[]a]" means different things to RE2
        return false;
    while (i < p.size() && p[i] != ']') {
        char lo = 0;
        const char c = p[i];
        if (c == '[' || static_cast<unsigned char>(c) >= 0x80) // "[[:alpha:]]" is POSIX to RE2
            return false;
        if (c == '\\') {
            if (i + 1 >= p.size())
                return false;
            if (add_class_escape(set, p[i + 1])) {
                i += 2;
                if (i < p.size() && p[i] == '-' && i + 1 < p.size() && p[i + 1] != ']')
                    return false; // "[\d-z]": a range from a class
                continue;
            }
            auto e = escaped_char(p[i + 1]);
            if (!e)
                return false;
            lo = *e;
            i += 2;
        } else {
            lo = c;
            ++i;
        }
        char hi = lo;
        if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
            const char h = p[i + 1];
            if (h == '[' || static_cast<unsigned char>(h) >= 0x80)
                return false;
            if (h == '\\') {
                if (i + 2 >= p.size())
                    return false;
                auto e = escaped_char(p[i + 2]);
                if (!e)
                    return false;
                hi = *e;
                i += 3;
            } else {
                hi = h;
                i += 2;
            }
            if (hi < lo)
                return false;
        }
        add_range(set, lo, hi);
    }
    if (i >= p.size())
        return false;
    ++i; // "]"
    return true;
}

// "{n}", "{n,}", "{n,m}" starting at the "{"; max == SIZE_MAX for no upper bound.
bool parse_braces(std::string_view p, std::size_t& i, std::size_t& min, std::size_t& max) {
    auto number = [&](std::size_t& out) {
        const std::size_t start = i;
        out = 0;
        while (i < p.size() && p[i] >= '0' && p[i] <= '9' && i - start < 4)
            out = out * 10 + static_cast<std::size_t>(p[i++] - '0');
        return i > start && (i >= p.size() || p[i] < '0' || p[i] > '9');
    };
    ++i; // "{"
    if (!number(min))
        return false;
    max = min;
    if (i < p.size() && p[i] == ',') {
        ++i;
        max = SIZE_MAX;
        if (i < p.size() && p[i] != '}' && !number(max))
            return false;
    }
    if (i >= p.size() || p[i] != '}' || max < min)
        return false;
    ++i;
    return true;
}

} // namespace

struct Regex::Simple {
    static constexpr std::size_t k_max_positions = 64;
    std::array<std::uint64_t, 128> accepts{};            // ASCII byte -> positions it can match
    std::array<std::uint64_t, k_max_positions> follow{}; // position -> positions next
    std::uint64_t first = 0;                             // positions a match can start with
    std::uint64_t last = 0;                              // positions a match can end with
    bool nullable = false;                               // the empty string matches the sequence
    bool anchored_start = false;
    bool anchored_end = false;

    // The same automaton made deterministic when it has few enough state sets (it nearly
    // always has a handful): one table load and one compare per byte. Empty when the subset
    // construction would grow too large; search() then simulates the position sets directly.
    // States are numbered so that those which decide the answer on entry (a match is found,
    // or none can be any more) come last, and the table holds each next state premultiplied
    // by 256: the walk is at = delta[at + byte] until at >= first_final.
    static constexpr std::size_t k_max_states = 32; // 32 * 256 fits the 16-bit entries
    std::vector<std::uint16_t> delta;               // state * 256 + byte -> next state * 256
    std::uint32_t first_final = 0;                  // the first deciding state, times 256
    std::vector<std::uint8_t> final_accepts;        // deciding state -> whether it is a match
    std::vector<std::uint8_t> accepting_at_end;     // state -> a match when the text ends there

    // The Glushkov automaton of the pattern when it is in the subset, else nothing. Only
    // asked after RE2 accepted the pattern, so the subset need not diagnose anything.
    static std::unique_ptr<const Simple> build(std::string_view p);
    [[nodiscard]] bool search(std::string_view text) const;

private:
    // The positions reachable from the set `from` on byte c; `at_start` while nothing has
    // been read yet.
    [[nodiscard]] std::uint64_t step(std::uint64_t from, bool at_start, unsigned char c) const {
        std::uint64_t next = anchored_start && !at_start ? 0 : first;
        for (std::uint64_t s = from; s; s &= s - 1)
            next |= follow[static_cast<std::size_t>(std::countr_zero(s))];
        return c < 128 ? next & accepts[c] : 0; // no position matches a multi-byte character
    }
    void link(const std::vector<Position>& positions);
    void determinize();
};

namespace {

// One atom of the subset at p[i]: a literal, an escape or a class. False when the pattern
// leaves the subset there (".", alternation, groups, anchors inside, non-ASCII...).
bool parse_atom(std::string_view p, std::size_t& i, Position& atom) {
    const char c = p[i];
    if (c == '[') {
        ++i;
        return parse_class(p, i, atom.set);
    }
    if (c == '\\') {
        if (i + 1 >= p.size())
            return false;
        if (!add_class_escape(atom.set, p[i + 1])) {
            auto e = escaped_char(p[i + 1]);
            if (!e)
                return false;
            atom.set[static_cast<unsigned char>(*e)] = true;
        }
        i += 2;
        return true;
    }
    if (static_cast<unsigned char>(c) < 0x80 &&
        std::string_view(".^$|?*+()[]{}\\").find(c) == std::string_view::npos) {
        atom.set[static_cast<unsigned char>(c)] = true;
        ++i;
        return true;
    }
    return false;
}

// The quantifier after an atom, if any: min and max repetitions (max == SIZE_MAX for none).
// A lazy "?" is skipped (the same strings match); a quantifier on a quantifier leaves the
// subset.
bool parse_quantifier(std::string_view p, std::size_t& i, std::size_t& min, std::size_t& max) {
    min = max = 1;
    if (i >= p.size())
        return true;
    switch (p[i]) {
    case '*':
        min = 0;
        max = SIZE_MAX;
        ++i;
        break;
    case '+':
        max = SIZE_MAX;
        ++i;
        break;
    case '?':
        min = 0;
        ++i;
        break;
    case '{':
        if (!parse_braces(p, i, min, max))
            return false;
        break;
    default:
        break;
    }
    if (i < p.size() && p[i] == '?' && !(min == 1 && max == 1))
        ++i;
    return i >= p.size() || std::string_view("*+?{").find(p[i]) == std::string_view::npos;
}

} // namespace

auto Regex::Simple::build(std::string_view p) -> std::unique_ptr<const Simple> {
    std::vector<Position> positions;
    bool anchored_start = false, anchored_end = false;
    std::size_t i = 0;
    if (i < p.size() && p[i] == '^') {
        anchored_start = true;
        ++i;
    }
    while (i < p.size()) {
        if (p[i] == '$' && i + 1 == p.size()) {
            anchored_end = true;
            break;
        }
        Position atom;
        std::size_t min = 1, max = 1;
        if (!parse_atom(p, i, atom) || !parse_quantifier(p, i, min, max))
            return nullptr;
        // a{2,4} is a a a? a?; a{2,} is a a+: one position per copy
        const std::size_t copies = max == SIZE_MAX ? std::max<std::size_t>(min, 1) : max;
        if (positions.size() + copies > k_max_positions)
            return nullptr;
        for (std::size_t k = 0; k < copies; ++k) {
            Position pos = atom;
            pos.nullable = k >= min;
            pos.loops = max == SIZE_MAX && k + 1 == copies;
            positions.push_back(pos);
        }
    }
    auto out = std::make_unique<Simple>();
    out->anchored_start = anchored_start;
    out->anchored_end = anchored_end;
    out->link(positions);
    out->determinize();
    return out;
}

// Glushkov's construction over a sequence of (possibly nullable, possibly looping)
// positions: what each position accepts, what may follow it, where a match starts and ends.
void Regex::Simple::link(const std::vector<Position>& positions) {
    const std::size_t n = positions.size();
    for (std::size_t a = 0; a < n; ++a) {
        const std::uint64_t bit = std::uint64_t{1} << a;
        for (std::size_t c = 0; c < 128; ++c)
            if (positions[a].set[c])
                accepts[c] |= bit;
        if (positions[a].loops)
            follow[a] |= bit;
        // the positions after a that can come next: up to and including the first
        // mandatory one
        for (std::size_t b = a + 1; b < n; ++b) {
            follow[a] |= std::uint64_t{1} << b;
            if (!positions[b].nullable)
                break;
        }
    }
    nullable = true;
    for (std::size_t b = 0; b < n; ++b) {
        first |= std::uint64_t{1} << b;
        if (!positions[b].nullable) {
            nullable = false;
            break;
        }
    }
    for (std::size_t b = n; b-- > 0;) {
        last |= std::uint64_t{1} << b;
        if (!positions[b].nullable)
            break;
    }
}

void Regex::Simple::determinize() {
    // DFA state 0 is "nothing read yet"; every other state is a set of positions.
    std::vector<std::uint64_t> sets = {0};
    std::vector<std::size_t> table;
    for (std::size_t s = 0; s < sets.size(); ++s) {
        for (unsigned c = 0; c < 256; ++c) {
            const std::uint64_t next = step(sets[s], s == 0, static_cast<unsigned char>(c));
            std::size_t t = 1;
            while (t < sets.size() && sets[t] != next)
                ++t;
            if (t == sets.size()) {
                if (sets.size() == k_max_states)
                    return; // too many: keep simulating the position sets
                sets.push_back(next);
            }
            table.push_back(t);
        }
    }
    // What entering each state decides: a match (unanchored end), no match possible any more
    // (anchored start, nothing left), or nothing yet.
    enum Verdict : std::uint8_t { undecided, accept, reject };
    std::vector<Verdict> verdict(sets.size(), undecided);
    for (std::size_t s = 1; s < sets.size(); ++s) {
        const bool ends = (sets[s] & last) != 0;
        if (!anchored_end && ends)
            verdict[s] = accept;
        else if (anchored_start && sets[s] == 0)
            verdict[s] = reject;
    }
    // Undecided states first (state 0 among them), deciding ones after.
    std::vector<std::size_t> order, renumbered(sets.size());
    for (std::size_t s = 0; s < sets.size(); ++s)
        if (verdict[s] == undecided)
            order.push_back(s);
    first_final = static_cast<std::uint32_t>(order.size() * 256);
    for (std::size_t s = 0; s < sets.size(); ++s)
        if (verdict[s] != undecided)
            order.push_back(s);
    for (std::size_t n = 0; n < order.size(); ++n)
        renumbered[order[n]] = n;
    delta.resize(table.size());
    final_accepts.assign(sets.size(), 0);
    accepting_at_end.assign(sets.size(), 0);
    for (std::size_t n = 0; n < order.size(); ++n) {
        const std::size_t old = order[n];
        for (std::size_t c = 0; c < 256; ++c)
            delta[n * 256 + c] = static_cast<std::uint16_t>(renumbered[table[old * 256 + c]] * 256);
        final_accepts[n] = verdict[old] == accept;
        accepting_at_end[n] = old != 0 && (sets[old] & last) != 0;
    }
}

bool Regex::Simple::search(std::string_view text) const {
    if (nullable && (!anchored_start || !anchored_end || text.empty()))
        return true; // the empty match at the start (or at the end)
    if (!delta.empty()) {
        const std::uint16_t* const table = delta.data();
        std::uint32_t at = 0;
        for (const char ch : text) {
            at = table[at + static_cast<unsigned char>(ch)];
            if (at >= first_final)
                return final_accepts[at / 256] != 0;
        }
        return anchored_end && accepting_at_end[at / 256] != 0;
    }
    std::uint64_t state = 0; // positions the text read so far can end on
    for (std::size_t i = 0; i < text.size(); ++i) {
        state = step(state, i == 0, static_cast<unsigned char>(text[i]));
        if (!anchored_end && (state & last))
            return true;
        if (anchored_start && state == 0)
            return false;
    }
    return anchored_end && (state & last);
}

namespace {

// The pattern as a message shows it: at most 80 bytes, never half a UTF-8 sequence.
std::string shown(std::string_view pattern) {
    constexpr std::size_t limit = 80;
    if (pattern.size() <= limit)
        return "\"" + std::string(pattern) + "\"";
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(pattern[cut]) & 0xC0) == 0x80)
        --cut;
    return "\"" + std::string(pattern.substr(0, cut)) + "\"... (" + std::to_string(pattern.size()) +
           " bytes)";
}

} // namespace

core::Result<Regex> Regex::compile(std::string_view ecma_pattern, const RegexLimits& limits) {
    if (ecma_pattern.size() > limits.max_length)
        return core::fail("regular expression " + shown(ecma_pattern) + " is longer than " +
                          std::to_string(limits.max_length) + " bytes (the pattern length limit)");
    auto translated = translate(ecma_pattern);
    if (!translated)
        return core::fail("invalid regular expression " + shown(ecma_pattern) + ": " +
                          translated.error().message);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_max_mem(limits.max_memory); // bounded, like every other input limit
    auto re = std::make_unique<RE2>(*translated, options);
    if (re->error_code() == RE2::ErrorPatternTooLarge)
        return core::fail("regular expression " + shown(ecma_pattern) + " needs more than " +
                          std::to_string(limits.max_memory) +
                          " bytes to compile (the pattern memory limit): simplify it");
    if (!re->ok())
        return core::fail("invalid regular expression " + shown(ecma_pattern) + ": " + re->error());
    Regex out;
    out.m_re = std::move(re);
    out.m_simple = Simple::build(ecma_pattern);
    return out;
}

// flatten: the automaton's walk inlines here, one call per string checked.
[[gnu::flatten]] bool Regex::search(std::string_view text) const {
    if (m_simple)
        return m_simple->search(text);
    // Match() directly: PartialMatch's variadic capture plumbing costs more than the match
    return m_re->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                       nullptr, 0);
}

std::string_view Regex::pattern() const {
    return m_re->pattern();
}

Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

} // namespace conform::schema
