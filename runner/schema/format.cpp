// The `format` checkers (2020-12 validation 7.3): one small pure function per format, each
// strict to the ABNF of the standard it cites, and one table naming them all. The official
// JSON-Schema-Test-Suite (optional/format) is the yardstick: tests/schema/format_test.cpp.
//
// Internationalized domain names (IDNA2008, RFC 5890-5893) need Unicode's derived-property
// tables, so the label checks come from libidn2 (the IDNA2008 library Debian ships), through
// the three functions of the "IDNA2008" section. What libidn2 leaves to its caller is done
// here: LDH labels, length limits, label separators and the Bidi rule across labels.

#include "runner/schema/format.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/core/text.hpp"
#include "runner/core/utf8.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema {
namespace {

// ---- Characters -------------------------------------------------------------------------------

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
using core::is_hex;
constexpr bool is_ascii(char c) {
    return static_cast<unsigned char>(c) < 0x80;
}

bool is_ascii(std::string_view s) {
    return std::ranges::all_of(s, [](char c) { return is_ascii(c); });
}

// "%" HEXDIG HEXDIG at pos (RFC 3986 2.1).
bool is_pct_encoded(std::string_view s, std::size_t pos) {
    return pos + 2 < s.size() && s[pos] == '%' && is_hex(s[pos + 1]) && is_hex(s[pos + 2]);
}

// RFC 3629 section 4: how long the sequence a lead byte starts is; 0 when it starts none.
using core::next_code_point;

std::optional<std::u32string> decode_utf8(std::string_view s) {
    std::u32string out;
    for (std::size_t pos = 0; pos < s.size();) {
        auto cp = next_code_point(s, pos);
        if (!cp)
            return std::nullopt;
        out += *cp;
    }
    return out;
}

bool is_utf8(std::string_view s) {
    return decode_utf8(s).has_value();
}

// Reads a text left to right; every parser below is a few calls on one of these.
class Scanner {
public:
    explicit Scanner(std::string_view text) : m_text(text) {}

    [[nodiscard]] bool at_end() const { return m_pos == m_text.size(); }
    [[nodiscard]] std::string_view rest() const { return m_text.substr(m_pos); }

    bool consume(char c) {
        if (at_end() || m_text[m_pos] != c)
            return false;
        ++m_pos;
        return true;
    }
    // ABNF strings are case-insensitive (RFC 5234 2.3; RFC 3339 5.6 NOTE: "t", "z").
    bool consume_either_case(char lower) {
        return consume(lower) || consume(static_cast<char>(lower - 32));
    }

    // Exactly n ASCII digits, as a number.
    std::optional<int> fixed_digits(int n) {
        int value = 0;
        for (int i = 0; i < n; ++i, ++m_pos) {
            if (at_end() || !is_digit(m_text[m_pos]))
                return std::nullopt;
            value = value * 10 + (m_text[m_pos] - '0');
        }
        return value;
    }
    // 1*DIGIT or nothing; how many digits were read.
    std::size_t skip_digits() {
        const std::size_t start = m_pos;
        while (!at_end() && is_digit(m_text[m_pos]))
            ++m_pos;
        return m_pos - start;
    }
    [[nodiscard]] char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

// ---- Dates and times: RFC 3339 section 5.6 ------------------------------------------------

constexpr bool is_leap_year(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// RFC 3339 5.7: date-mday's maximum depends on the month and, for February, the year.
constexpr int days_in_month(int year, int month) {
    constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : k_days[static_cast<std::size_t>(month - 1)];
}

// full-date = date-fullyear "-" date-month "-" date-mday
bool read_full_date(Scanner& s) {
    const auto year = s.fixed_digits(4);
    if (!year || !s.consume('-'))
        return false;
    const auto month = s.fixed_digits(2);
    if (!month || *month < 1 || *month > 12 || !s.consume('-'))
        return false;
    const auto day = s.fixed_digits(2);
    return day && *day >= 1 && *day <= days_in_month(*year, *month);
}

// time-offset = "Z" / time-numoffset, as minutes east of UTC. "-00:00" (5.3: UTC with an
// unknown local offset) is UTC.
std::optional<int> read_time_offset(Scanner& s) {
    if (s.consume_either_case('z'))
        return 0;
    int sign = 1;
    if (s.consume('-'))
        sign = -1;
    else if (!s.consume('+'))
        return std::nullopt;
    const auto hour = s.fixed_digits(2);
    if (!hour || *hour > 23 || !s.consume(':'))
        return std::nullopt;
    const auto minute = s.fixed_digits(2);
    if (!minute || *minute > 59)
        return std::nullopt;
    return sign * (*hour * 60 + *minute);
}

// full-time = partial-time time-offset; partial-time = time-hour ":" time-minute ":"
// time-second [time-secfrac]
bool read_full_time(Scanner& s) {
    const auto hour = s.fixed_digits(2);
    if (!hour || *hour > 23 || !s.consume(':'))
        return false;
    const auto minute = s.fixed_digits(2);
    if (!minute || *minute > 59 || !s.consume(':'))
        return false;
    const auto second = s.fixed_digits(2);
    if (!second || *second > 60)
        return false;
    if (s.consume('.') && s.skip_digits() == 0) // time-secfrac = "." 1*DIGIT
        return false;
    const auto offset = read_time_offset(s);
    if (!offset)
        return false;
    if (*second < 60)
        return true;
    // 5.7: a leap second is 23:59:60 in UTC; the local time minus the offset is UTC.
    constexpr int k_minutes_per_day = 24 * 60;
    const int utc = ((*hour * 60 + *minute - *offset) % k_minutes_per_day + k_minutes_per_day) %
                    k_minutes_per_day;
    return utc == 23 * 60 + 59;
}

bool is_date(std::string_view v) {
    Scanner s(v);
    return read_full_date(s) && s.at_end();
}

bool is_time(std::string_view v) {
    Scanner s(v);
    return read_full_time(s) && s.at_end();
}

// date-time = full-date "T" full-time
bool is_date_time(std::string_view v) {
    Scanner s(v);
    return read_full_date(s) && s.consume_either_case('t') && read_full_time(s) && s.at_end();
}

// RFC 3339 appendix A: 1*DIGIT unit elements whose units are consecutive letters of `units`
// ("ymd": dur-year = 1*DIGIT "Y" [dur-month], dur-month = 1*DIGIT "M" [dur-day], ...).
// How many were read, or nullopt when the order is broken or a number has no unit.
std::optional<int> read_duration_elements(Scanner& s, std::string_view units) {
    int count = 0;
    std::size_t expected = std::string_view::npos; // any unit may come first
    while (s.skip_digits() > 0) {
        const char unit_char = s.peek();
        const std::size_t unit = units.find(core::ascii_lower(unit_char));
        if (s.at_end() || unit == std::string_view::npos || (count > 0 && unit != expected))
            return std::nullopt;
        s.consume(unit_char);
        expected = unit + 1;
        ++count;
    }
    return count;
}

// duration = "P" (dur-date / dur-time / dur-week); dur-date = (dur-day / dur-month / dur-year)
// [dur-time]; dur-time = "T" (dur-hour / dur-minute / dur-second); dur-week = 1*DIGIT "W".
// ABNF strings are case-insensitive (RFC 5234 2.3), as 5.6's NOTE spells out for "T" and "Z".
bool is_duration(std::string_view v) {
    Scanner s(v);
    if (!s.consume_either_case('p'))
        return false;
    if (v.size() > 2 && core::ascii_lower(v.back()) == 'w') // weeks stand alone
        return std::ranges::all_of(v.substr(1, v.size() - 2), is_digit);
    const auto date_elements = read_duration_elements(s, "ymd");
    if (!date_elements)
        return false;
    if (s.consume_either_case('t')) {
        const auto time_elements = read_duration_elements(s, "hms");
        return time_elements && *time_elements > 0 && s.at_end();
    }
    return *date_elements > 0 && s.at_end();
}

// ---- IP addresses -------------------------------------------------------------------------

// inet_pton and libidn2 read C strings: an embedded NUL would hide whatever follows it.
std::optional<std::string> as_c_string(std::string_view v) {
    if (v.find('\0') != std::string_view::npos)
        return std::nullopt;
    return std::string(v);
}

// RFC 2673 3.2 dotted-quad: exactly four decimal octets 0-255. inet_pton(AF_INET) is that
// strict (no leading zeros, no inet_aton shorthand, no hex); the tests pin it.
bool is_ipv4(std::string_view v) {
    const auto text = as_c_string(v);
    in_addr address{};
    return text && inet_pton(AF_INET, text->c_str(), &address) == 1;
}

// RFC 4291 2.2: eight 16-bit hex groups, one "::" run, an optional dotted-quad tail. No zone
// id (RFC 6874 is URI syntax, not an address) and no prefix length.
bool is_ipv6(std::string_view v) {
    const auto text = as_c_string(v);
    in6_addr address{};
    return text && inet_pton(AF_INET6, text->c_str(), &address) == 1;
}

// ---- IDNA2008 (libidn2) -------------------------------------------------------------------

struct Idn2Free {
    void operator()(void* p) const { idn2_free(p); }
};
template <class T> using Idn2Ptr = std::unique_ptr<T, Idn2Free>;

const std::uint8_t* as_bytes(const std::string& s) {
    return reinterpret_cast<const std::uint8_t*>(s.c_str());
}

// RFC 5891 4.2 + 5.4 (the registration checks, run by libidn2 on the label's Unicode form):
// every code point PVALID or passing its CONTEXTJ/CONTEXTO rule (RFC 5892 appendix A), NFC, no
// leading combining mark, no "--" in positions 3-4, no leading or trailing hyphen, the Bidi
// rule (RFC 5893) within the label, and an A-label of at most 63 octets. Returns the A-label.
std::optional<std::string> register_u_label(std::string_view label, bool normalize_nfc) {
    const auto u_label = as_c_string(label);
    if (!u_label)
        return std::nullopt;
    std::uint8_t* out = nullptr;
    const int rc =
        idn2_register_u8(as_bytes(*u_label), nullptr, &out, normalize_nfc ? IDN2_NFC_INPUT : 0);
    Idn2Ptr<std::uint8_t> owned(out);
    if (rc != IDN2_OK || !out)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(out));
}

// The same checks from the A-label side: it must be valid Punycode (RFC 3492), decode to a
// valid U-label with a non-ASCII character, and re-encode to itself (RFC 5891 5.3).
bool is_a_label(const std::string& lowercase_label) {
    std::uint8_t* out = nullptr;
    const int rc = idn2_register_u8(nullptr, as_bytes(lowercase_label), &out, 0);
    Idn2Ptr<std::uint8_t> owned(out);
    return rc == IDN2_OK;
}

// The U-label an A-label (already checked with is_a_label) stands for.
std::optional<std::u32string> decode_a_label(const std::string& lowercase_label) {
    std::uint32_t* out = nullptr;
    const int rc = idn2_to_unicode_8z4z(lowercase_label.c_str(), &out, 0);
    Idn2Ptr<std::uint32_t> owned(out);
    if (rc != IDN2_OK || !out)
        return std::nullopt;
    std::u32string decoded;
    for (const std::uint32_t* p = out; *p != 0; ++p)
        decoded += static_cast<char32_t>(*p);
    return decoded;
}

// ---- Host names: RFC 1123 2.1, IDNA2008 (RFC 5890 2.3.2.3, 5891) ---------------------------

// RFC 1034 3.1: 255 octets on the wire, i.e. 253 characters written without the root's dot.
constexpr std::size_t k_max_domain_length = 253;
constexpr std::size_t k_max_label_length = 63;

// RFC 1123 2.1 (RFC 952 as amended): letters, digits and hyphens, 1-63 octets, neither first
// nor last a hyphen; a leading digit is allowed.
bool is_ldh_label(std::string_view label) {
    if (label.empty() || label.size() > k_max_label_length || label.front() == '-' ||
        label.back() == '-')
        return false;
    return std::ranges::all_of(label,
                               [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

// RFC 5890 2.3.1: the ACE prefix, in any case.
bool has_ace_prefix(std::string_view label) {
    return label.size() >= 4 && core::ascii_lower(label.substr(0, 4)) == "xn--";
}

struct DomainRules {
    bool unicode = false;       // U-labels and the ideographic full stops (idn-hostname, idn-email)
    bool normalize_nfc = false; // idn-email: RFC 6532 3.1 leaves normalization to the sender
};

// A label in both forms: the ASCII form counts toward the length limits (RFC 5890 2.3.2.1),
// the Unicode form feeds the Bidi rule.
struct DomainLabel {
    std::string ascii;
    std::u32string unicode;
};

std::optional<DomainLabel> read_label(std::string_view label, const DomainRules& rules) {
    if (is_ascii(label)) {
        if (!is_ldh_label(label))
            return std::nullopt;
        if (!has_ace_prefix(label))
            return DomainLabel{std::string(label), std::u32string(label.begin(), label.end())};
        // RFC 4343: DNS labels compare case-insensitively; the round trip is lowercase.
        std::string lowercase = core::ascii_lower(label);
        if (!is_a_label(lowercase))
            return std::nullopt;
        auto unicode = decode_a_label(lowercase);
        if (!unicode)
            return std::nullopt;
        return DomainLabel{std::move(lowercase), std::move(*unicode)};
    }
    if (!rules.unicode)
        return std::nullopt;
    auto unicode = decode_utf8(label);
    if (!unicode)
        return std::nullopt;
    auto ascii = register_u_label(label, rules.normalize_nfc);
    if (!ascii)
        return std::nullopt;
    return DomainLabel{std::move(*ascii), std::move(*unicode)};
}

// Labels separated by "." and, in internationalized names, by U+3002 IDEOGRAPHIC FULL STOP,
// U+FF0E FULLWIDTH FULL STOP and U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP (RFC 3490 3.1, kept by
// UTS #46 and by the suite).
std::vector<std::string_view> split_labels(std::string_view name, bool unicode_separators) {
    constexpr std::array<std::string_view, 3> k_wide_dots = {"\xE3\x80\x82", "\xEF\xBC\x8E",
                                                             "\xEF\xBD\xA1"};
    std::vector<std::string_view> labels;
    std::size_t start = 0;
    for (std::size_t i = 0; i < name.size();) {
        std::size_t separator = name[i] == '.' ? 1 : 0;
        for (auto dot : k_wide_dots)
            if (unicode_separators && name.substr(i).starts_with(dot))
                separator = dot.size();
        if (separator == 0) {
            ++i;
            continue;
        }
        labels.push_back(name.substr(start, i - start));
        i += separator;
        start = i;
    }
    labels.push_back(name.substr(start));
    return labels;
}

// Bidi_Class R, AL or AN (RFC 5893 1.4: such a label is an RTL label), from UnicodeData 14.0;
// unassigned code points inside the right-to-left blocks are folded into the ranges.
constexpr std::array<std::pair<char32_t, char32_t>, 49> k_rtl_ranges = {{
    {0x05BE, 0x05BE},   {0x05C0, 0x05C0},   {0x05C3, 0x05C3},   {0x05C6, 0x05C6},
    {0x05D0, 0x0605},   {0x0608, 0x0608},   {0x060B, 0x060B},   {0x060D, 0x060D},
    {0x061B, 0x064A},   {0x0660, 0x0669},   {0x066B, 0x066F},   {0x0671, 0x06D5},
    {0x06DD, 0x06DD},   {0x06E5, 0x06E6},   {0x06EE, 0x06EF},   {0x06FA, 0x0710},
    {0x0712, 0x072F},   {0x074D, 0x07A5},   {0x07B1, 0x07EA},   {0x07F4, 0x07F5},
    {0x07FA, 0x07FA},   {0x07FE, 0x0815},   {0x081A, 0x081A},   {0x0824, 0x0824},
    {0x0828, 0x0828},   {0x0830, 0x0858},   {0x085E, 0x0891},   {0x08A0, 0x08C9},
    {0x08E2, 0x08E2},   {0x200F, 0x200F},   {0xFB1D, 0xFB1D},   {0xFB1F, 0xFB28},
    {0xFB2A, 0xFD3D},   {0xFD50, 0xFDC7},   {0xFDF0, 0xFDFC},   {0xFE70, 0xFEFC},
    {0x10800, 0x1091B}, {0x10920, 0x10A00}, {0x10A10, 0x10A35}, {0x10A40, 0x10AE4},
    {0x10AEB, 0x10B35}, {0x10B40, 0x10D23}, {0x10D30, 0x10EA9}, {0x10EAD, 0x10F45},
    {0x10F51, 0x10F81}, {0x10F86, 0x10FF6}, {0x1E800, 0x1E8CF}, {0x1E900, 0x1E943},
    {0x1E94B, 0x1EEBB},
}};

bool is_rtl_char(char32_t c) {
    const auto it =
        std::ranges::upper_bound(k_rtl_ranges, c, {}, &std::pair<char32_t, char32_t>::first);
    return it != k_rtl_ranges.begin() && c <= std::prev(it)->second;
}
// Of the PVALID code points, these are the only ones with Bidi_Class EN and AN.
bool is_european_digit(char32_t c) {
    return (c >= '0' && c <= '9') || (c >= 0x06F0 && c <= 0x06F9);
}
bool is_arabic_digit(char32_t c) {
    return c >= 0x0660 && c <= 0x0669;
}

// RFC 5893 section 2: once any label is RTL (a "Bidi domain name"), every label must satisfy
// the Bidi rule. libidn2 applies it inside each RTL U-label but for condition 4, and cannot see
// the other labels of the name.
bool satisfies_bidi_rule_across_labels(const std::vector<DomainLabel>& labels) {
    const auto is_rtl = [](const DomainLabel& l) {
        return std::ranges::any_of(l.unicode, is_rtl_char);
    };
    if (std::ranges::none_of(labels, is_rtl))
        return true;
    for (const auto& label : labels) {
        if (is_rtl(label)) {
            // Condition 4: in an RTL label, EN and AN digits do not mix.
            if (std::ranges::any_of(label.unicode, is_european_digit) &&
                std::ranges::any_of(label.unicode, is_arabic_digit))
                return false;
        } else if (is_european_digit(label.unicode.front())) {
            // Condition 1: the first character is of class L (or R/AL, which would make it RTL).
            return false;
        }
    }
    return true;
}

bool is_domain(std::string_view name, const DomainRules& rules) {
    std::vector<DomainLabel> labels;
    std::size_t length = 0;
    for (auto part : split_labels(name, rules.unicode)) {
        auto label = read_label(part, rules); // an empty label (".", "a..b", "a.") fails here
        if (!label)
            return false;
        length += label->ascii.size() + (labels.empty() ? 0 : 1);
        labels.push_back(std::move(*label));
    }
    return length <= k_max_domain_length && satisfies_bidi_rule_across_labels(labels);
}

// hostname: RFC 1123 2.1, including A-labels (2020-12 validation 7.3.3 cites RFC 5891 4.4).
bool is_hostname(std::string_view v) {
    return is_domain(v, {});
}

// idn-hostname: RFC 5890 2.3.2.3, U-labels and A-labels mixed with LDH labels.
bool is_idn_hostname(std::string_view v) {
    return is_domain(v, {.unicode = true});
}

// ---- E-mail addresses: RFC 5321 4.1.2, RFC 6531 3.3 -----------------------------------------

// RFC 5321 4.5.3.1.1: the local part is at most 64 octets.
constexpr std::size_t k_max_local_part_length = 64;

// atext (RFC 5322 3.2.3, used by RFC 5321's Atom); RFC 6531 3.3 adds UTF8-non-ascii.
bool is_atext(char c) {
    return is_alpha(c) || is_digit(c) ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Dot-string = Atom *("." Atom)
bool is_dot_string(std::string_view local, bool unicode) {
    if (local.empty() || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return false;
    if (unicode && !is_utf8(local))
        return false;
    return std::ranges::all_of(
        local, [unicode](char c) { return c == '.' || is_atext(c) || (unicode && !is_ascii(c)); });
}

// Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP = %d32-33 / %d35-91 / %d93-126;
// quoted-pairSMTP = %d92 %d32-126 (RFC 6531 3.3 adds UTF8-non-ascii to qtextSMTP).
bool is_quoted_string(std::string_view local, bool unicode) {
    if (local.size() < 2 || local.front() != '"' || local.back() != '"')
        return false;
    if (unicode && !is_utf8(local))
        return false;
    const std::string_view content = local.substr(1, local.size() - 2);
    for (std::size_t i = 0; i < content.size(); ++i) {
        const auto c = static_cast<unsigned char>(content[i]);
        if (c == '\\') {
            if (++i == content.size() || content[i] < 32 || content[i] > 126)
                return false;
        } else if (c == '"' || c < 32 || c == 127 || (c > 127 && !unicode)) {
            return false;
        }
    }
    return true;
}

// address-literal = "[" ( IPv4-address-literal / IPv6-address-literal ) "]" (4.1.3). The
// General-address-literal needs an IANA-registered tag, and IPv6 is the only one.
bool is_address_literal(std::string_view domain) {
    if (domain.size() < 2 || domain.front() != '[' || domain.back() != ']')
        return false;
    const std::string_view inner = domain.substr(1, domain.size() - 2);
    if (inner.size() > 5 && core::ascii_lower(inner.substr(0, 5)) == "ipv6:") // ABNF strings are
        return is_ipv6(inner.substr(5));                                      // case-insensitive
    return is_ipv4(inner);
}

// Mailbox = Local-part "@" ( Domain / address-literal ). A quoted local part may hold "@", a
// domain cannot: the last "@" separates them.
bool is_mailbox(std::string_view v, const DomainRules& rules) {
    const auto at = v.rfind('@');
    if (at == std::string_view::npos)
        return false;
    const std::string_view local = v.substr(0, at);
    const std::string_view domain = v.substr(at + 1);
    if (local.size() > k_max_local_part_length ||
        !(is_dot_string(local, rules.unicode) || is_quoted_string(local, rules.unicode)))
        return false;
    return is_address_literal(domain) || is_domain(domain, rules);
}

bool is_email(std::string_view v) {
    return is_mailbox(v, {});
}
bool is_idn_email(std::string_view v) {
    return is_mailbox(v, {.unicode = true, .normalize_nfc = true});
}

// ---- URIs and IRIs: RFC 3986 sections 3-4, RFC 3987 section 2.2 ----------------------------

enum class UriForm { uri, iri };

// RFC 3987 2.2 ucschar, and iprivate (allowed in the query only).
bool is_ucschar(char32_t c) {
    if (c >= 0xA0 && c <= 0xD7FF)
        return true;
    if ((c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFEF))
        return true;
    // %x10000-1FFFD ... %xD0000-DFFFD, %xE1000-EFFFD: planes 1-14 minus each plane's last two
    return c >= 0x10000 && c <= 0xEFFFD && (c & 0xFFFF) <= 0xFFFD && (c < 0xE0000 || c >= 0xE1000);
}
bool is_iprivate(char32_t c) {
    return (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0xFFFFD) ||
           (c >= 0x100000 && c <= 0x10FFFD);
}

constexpr std::string_view k_sub_delims = "!$&'()*+,;=";

// *( unreserved / pct-encoded / sub-delims / extra ): the shape of every URI component; an IRI
// also takes ucschar, and iprivate where private_use says so.
bool is_component(std::string_view text, std::string_view extra, UriForm form,
                  bool private_use = false) {
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '%') {
            if (!is_pct_encoded(text, i))
                return false;
            i += 3;
        } else if (!is_ascii(c)) {
            const auto cp = next_code_point(text, i);
            if (form == UriForm::uri || !cp ||
                !(is_ucschar(*cp) || (private_use && is_iprivate(*cp))))
                return false;
        } else if (is_alpha(c) || is_digit(c) ||
                   std::string_view("-._~").find(c) != std::string_view::npos ||
                   k_sub_delims.find(c) != std::string_view::npos ||
                   extra.find(c) != std::string_view::npos) {
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) {
    return !s.empty() && is_alpha(s.front()) && std::ranges::all_of(s, [](char c) {
        return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
    });
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]"; IPvFuture = "v" 1*HEXDIG "."
// 1*( unreserved / sub-delims / ":" ). No RFC 6874 zone id.
bool is_ip_literal(std::string_view host) {
    const std::string_view inner = host.substr(1, host.size() - 2);
    if (inner.empty() || core::ascii_lower(inner.front()) != 'v')
        return is_ipv6(inner);
    const auto dot = inner.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == inner.size())
        return false;
    return std::ranges::all_of(inner.substr(1, dot - 1), is_hex) &&
           is_component(inner.substr(dot + 1), ":", UriForm::uri);
}

// authority = [ userinfo "@" ] host [ ":" port ]; host = IP-literal / IPv4address / reg-name
// (every IPv4address is also a reg-name, so "999.1.1.1" is a valid host).
bool is_authority(std::string_view authority, UriForm form) {
    if (const auto at = authority.find('@'); at != std::string_view::npos) {
        if (!is_component(authority.substr(0, at), ":", form))
            return false;
        authority.remove_prefix(at + 1); // a second "@" is left in the host, which rejects it
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return false;
        host = authority.substr(0, close + 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':'))
            return false;
        port = after.empty() ? after : after.substr(1);
        if (!is_ip_literal(host))
            return false;
    } else {
        if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        }
        if (!is_component(host, "", form))
            return false;
    }
    return std::ranges::all_of(port, is_digit); // port = *DIGIT
}

// URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]; relative-ref = relative-part
// [ "?" query ] [ "#" fragment ] (4.2); the I-forms of RFC 3987 when form is iri.
bool is_uri_reference_of(std::string_view text, UriForm form, bool require_scheme) {
    std::string_view rest = text;
    // A ":" before any "/", "?" or "#" ends a scheme; a relative reference cannot have one
    // there (path-noscheme, 4.2), so an invalid scheme means an invalid reference.
    if (const auto end = text.find_first_of(":/?#");
        end != std::string_view::npos && text[end] == ':') {
        if (!is_scheme(text.substr(0, end)))
            return false;
        rest.remove_prefix(end + 1);
    } else if (require_scheme) {
        return false;
    }
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
        if (!is_component(rest.substr(hash + 1), ":@/?", form)) // fragment
            return false;
        rest = rest.substr(0, hash);
    }
    if (const auto question = rest.find('?'); question != std::string_view::npos) {
        if (!is_component(rest.substr(question + 1), ":@/?", form, true)) // query
            return false;
        rest = rest.substr(0, question);
    }
    if (rest.starts_with("//")) { // "//" authority path-abempty
        rest.remove_prefix(2);
        const auto slash = rest.find('/');
        if (!is_authority(rest.substr(0, slash), form))
            return false;
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    // path-abempty / path-absolute / path-rootless / path-noscheme / path-empty: segments of
    // pchar; an empty first segment only occurs as "//", which was the authority.
    return is_component(rest, ":@/", form);
}

bool is_uri(std::string_view v) {
    return is_uri_reference_of(v, UriForm::uri, true);
}
bool is_uri_reference(std::string_view v) {
    return is_uri_reference_of(v, UriForm::uri, false);
}
bool is_iri(std::string_view v) {
    return is_uri_reference_of(v, UriForm::iri, true);
}
bool is_iri_reference(std::string_view v) {
    return is_uri_reference_of(v, UriForm::iri, false);
}

// ---- URI Templates: RFC 6570 section 2 ------------------------------------------------------

// varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" / pct-encoded
bool is_varname(std::string_view name) {
    if (name.empty() || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string_view::npos)
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '%') {
            if (!is_pct_encoded(name, i))
                return false;
            i += 2;
        } else if (!(is_alpha(name[i]) || is_digit(name[i]) || name[i] == '_' || name[i] == '.')) {
            return false;
        }
    }
    return true;
}

// varspec = varname [ modifier-level4 ]; prefix = ":" max-length (%x31-39 0*3DIGIT);
// explode = "*"
bool is_varspec(std::string_view spec) {
    if (spec.ends_with('*'))
        return is_varname(spec.substr(0, spec.size() - 1));
    if (const auto colon = spec.find(':'); colon != std::string_view::npos) {
        const std::string_view length = spec.substr(colon + 1);
        if (length.empty() || length.size() > 4 || length.front() == '0' ||
            !std::ranges::all_of(length, is_digit))
            return false;
        spec = spec.substr(0, colon);
    }
    return is_varname(spec);
}

// expression = "{" [ operator ] variable-list "}"; the op-reserve characters ("=", ",", "!",
// "@", "|") are held back for future extensions (2.2), so they are not valid today.
bool is_template_expression(std::string_view body) {
    if (!body.empty() && std::string_view("+#./;?&").find(body.front()) != std::string_view::npos)
        body.remove_prefix(1);
    for (std::size_t start = 0;;) { // variable-list = varspec *( "," varspec )
        const auto comma = body.find(',', start);
        if (!is_varspec(body.substr(start, comma - start)))
            return false;
        if (comma == std::string_view::npos)
            return true;
        start = comma + 1;
    }
}

// literals: any character but CTL, SP, DQUOTE, "%" (outside pct-encoded), "<", ">", "\", "^",
// "`", "{", "|", "}"; non-ASCII must be ucschar or iprivate. The ABNF also leaves out "'", an
// RFC 3986 sub-delim; the suite (after the RFC's errata) allows it.
bool is_uri_template(std::string_view v) {
    for (std::size_t i = 0; i < v.size();) {
        const char c = v[i];
        if (c == '{') {
            const auto close = v.find_first_of("{}", i + 1);
            if (close == std::string_view::npos || v[close] != '}' ||
                !is_template_expression(v.substr(i + 1, close - i - 1)))
                return false;
            i = close + 1;
        } else if (c == '%') {
            if (!is_pct_encoded(v, i))
                return false;
            i += 3;
        } else if (!is_ascii(c)) {
            const auto cp = next_code_point(v, i);
            if (!cp || !(is_ucschar(*cp) || is_iprivate(*cp)))
                return false;
        } else if (c <= ' ' || c == 0x7F ||
                   std::string_view("\"<>\\^`|}").find(c) != std::string_view::npos) {
            return false;
        } else {
            ++i;
        }
    }
    return true;
}

// ---- JSON Pointers: RFC 6901 section 3, draft-bhutton-relative-json-pointer-00 ------------

// json-pointer = *( "/" reference-token ); "~" only as escaped = "~" ( "0" / "1" )
bool is_json_pointer(std::string_view v) {
    if (!v.empty() && v.front() != '/')
        return false;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == '~' && (++i == v.size() || (v[i] != '0' && v[i] != '1')))
            return false;
    return is_utf8(v); // the grammar is over code points
}

// non-negative-integer = %x30 / %x31-39 *( %x30-39 )
bool read_non_negative_integer(Scanner& s) {
    if (s.consume('0'))
        return true;
    return s.peek() >= '1' && s.peek() <= '9' && s.skip_digits() > 0;
}

// relative-json-pointer = non-negative-integer [index-manipulation] json-pointer
//                       / non-negative-integer [index-manipulation] "#"
// index-manipulation = ("+" / "-") non-negative-integer. The draft's ABNF left the
// manipulation out of the "#" form, an omission fixed in later revisions.
bool is_relative_json_pointer(std::string_view v) {
    Scanner s(v);
    if (!read_non_negative_integer(s))
        return false;
    if ((s.consume('+') || s.consume('-')) && !read_non_negative_integer(s))
        return false;
    if (s.consume('#'))
        return s.at_end();
    return is_json_pointer(s.rest());
}

// ---- UUIDs and regular expressions ----------------------------------------------------------

// RFC 4122 section 3: time-low "-" time-mid "-" time-high-and-version "-"
// clock-seq-and-reserved clock-seq-low "-" node, 8-4-4-4-12 hex digits; any version, variant.
bool is_uuid(std::string_view v) {
    if (v.size() != 36)
        return false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen ? v[i] != '-' : !is_hex(v[i]))
            return false;
    }
    return true;
}

// ECMA-262 22.2.1 (with the u flag): the letters that may follow "\" and what must follow them.
// RE2 also takes \a, \z, \A, \C, \Q..\E, \pL and \x{...}, which are not ECMA-262.
bool is_ecma_escape(std::string_view p, std::size_t i) {
    const char c = p[i];
    const std::string_view after = p.substr(i + 1);
    // character classes, assertions, control escapes, NUL
    if (std::string_view("dDwWsSbBfnrtv0").find(c) != std::string_view::npos)
        return true;
    switch (c) {
    case 'c':
        return !after.empty() && is_alpha(after.front());
    case 'x':
        return after.size() >= 2 && is_hex(after[0]) && is_hex(after[1]);
    case 'u':
        return after.starts_with('{') ||
               (after.size() >= 4 && std::ranges::all_of(after.substr(0, 4), is_hex));
    case 'k':
        return after.starts_with('<');
    case 'p':
    case 'P':
        return after.starts_with('{');
    default:
        return !is_alpha(c); // digits are backreferences; punctuation escapes itself
    }
}

// What may follow "(?": ":" "=" "!" "<=" "<!" "<name>", or the ES2025 modifiers
// "(?ims-ims:". RE2's (?P<name>, (?i) and (?#...) are not ECMA-262.
bool is_ecma_group_prefix(std::string_view after) {
    if (after.starts_with(':') || after.starts_with('=') || after.starts_with('!') ||
        after.starts_with("<=") || after.starts_with("<!"))
        return true;
    if (after.starts_with('<')) {
        const auto close = after.find('>');
        return close != std::string_view::npos && close > 1 && !is_digit(after[1]);
    }
    const auto colon = after.find_first_not_of("ims-");
    return colon != std::string_view::npos && colon > 0 && after[colon] == ':';
}

bool uses_non_ecma_syntax(std::string_view p) {
    bool in_class = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') {
            if (++i == p.size() || !is_ecma_escape(p, i))
                return true;
        } else if (in_class) {
            in_class = p[i] != ']';
        } else if (p[i] == '[') {
            in_class = true;
        } else if (p[i] == '(' && p.substr(i + 1).starts_with('?') &&
                   !is_ecma_group_prefix(p.substr(i + 2))) {
            return true;
        }
    }
    return false;
}

// regex: an ECMA-262 pattern conform can run. Patterns run on RE2 (regex.hpp), so lookaround
// and backreferences, valid ECMA-262, are reported invalid here: `pattern` could not use them.
bool is_regex(std::string_view v) {
    return !uses_non_ecma_syntax(v) && Regex::compile(v).has_value();
}

// ---- The table ----------------------------------------------------------------------------

// In the order of 2020-12 validation 7.3.
constexpr std::array k_formats = {
    FormatInfo{"date-time", "RFC 3339 section 5.6 (leap seconds: 5.7)", is_date_time},
    FormatInfo{"date", "RFC 3339 section 5.6 full-date", is_date},
    FormatInfo{"time", "RFC 3339 section 5.6 full-time", is_time},
    FormatInfo{"duration", "RFC 3339 appendix A duration", is_duration},
    FormatInfo{"email", "RFC 5321 section 4.1.2 Mailbox", is_email},
    FormatInfo{"idn-email", "RFC 6531 section 3.3 Mailbox", is_idn_email},
    FormatInfo{"hostname", "RFC 1123 section 2.1, A-labels per RFC 5891", is_hostname},
    FormatInfo{"idn-hostname", "RFC 5890 section 2.3.2.3 (IDNA2008)", is_idn_hostname},
    FormatInfo{"ipv4", "RFC 2673 section 3.2 dotted-quad", is_ipv4},
    FormatInfo{"ipv6", "RFC 4291 section 2.2", is_ipv6},
    FormatInfo{"uri", "RFC 3986 section 3 URI", is_uri},
    FormatInfo{"uri-reference", "RFC 3986 section 4.1 URI-reference", is_uri_reference},
    FormatInfo{"iri", "RFC 3987 section 2.2 IRI", is_iri},
    FormatInfo{"iri-reference", "RFC 3987 section 2.2 IRI-reference", is_iri_reference},
    FormatInfo{"uuid", "RFC 4122 section 3", is_uuid},
    FormatInfo{"uri-template", "RFC 6570 section 2", is_uri_template},
    FormatInfo{"json-pointer", "RFC 6901 section 3", is_json_pointer},
    FormatInfo{"relative-json-pointer", "draft-bhutton-relative-json-pointer-00 section 3",
               is_relative_json_pointer},
    FormatInfo{"regex", "ECMA-262 section 22.2.1, as far as RE2 runs it", is_regex},
};

constexpr bool names_are_unique() {
    for (std::size_t i = 0; i < k_formats.size(); ++i)
        for (std::size_t j = i + 1; j < k_formats.size(); ++j)
            if (k_formats[i].name == k_formats[j].name)
                return false;
    return true;
}
static_assert(names_are_unique(), "one row per format");

} // namespace

std::span<const FormatInfo> known_formats() noexcept {
    return k_formats;
}

FormatResult check_format(std::string_view format, std::string_view value) {
    const auto row = std::ranges::find(k_formats, format, &FormatInfo::name);
    if (row == k_formats.end())
        return FormatResult::unknown_format;
    return row->check(value) ? FormatResult::valid : FormatResult::invalid;
}

} // namespace conform::schema
