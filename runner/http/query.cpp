// Query strings: the ordered parameter list, RFC 3986 percent-encoding and the strict parser.
#include <algorithm>
#include <array>

#include "runner/http/http.hpp"

namespace conform::http {
namespace {

// RFC 3986 2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool is_unreserved(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

// RFC 3986 2.1: "producers ... should use uppercase hexadecimal digits".
constexpr std::array<char, 16> k_upper_hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                              '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

core::Unexpected<core::Diagnostic> query_error(std::string message) {
    core::Location where;
    where.file = "<query>";
    return core::fail(std::move(message), std::move(where));
}

} // namespace

void QueryParams::add(std::string name, std::string value) {
    m_params.push_back({std::move(name), std::move(value)});
}

void QueryParams::set(std::string_view name, std::string value) {
    auto first = std::find_if(m_params.begin(), m_params.end(),
                              [&](const QueryParam& p) { return p.name == name; });
    if (first == m_params.end()) {
        m_params.push_back({std::string(name), std::move(value)});
        return;
    }
    first->value = std::move(value);
    m_params.erase(std::remove_if(std::next(first), m_params.end(),
                                  [&](const QueryParam& p) { return p.name == name; }),
                   m_params.end());
}

std::size_t QueryParams::erase(std::string_view name) {
    return std::erase_if(m_params, [&](const QueryParam& p) { return p.name == name; });
}

const std::string* QueryParams::find(std::string_view name) const {
    for (const QueryParam& p : m_params)
        if (p.name == name)
            return &p.value;
    return nullptr;
}

bool name_bytes_less(std::string_view a, std::string_view b) noexcept {
    // Compare as unsigned bytes explicitly: the order must not depend on char's signedness.
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
    });
}

std::vector<QueryParam> sorted_by_name(const QueryParams& params) {
    std::vector<QueryParam> sorted(params.begin(), params.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const QueryParam& a, const QueryParam& b) {
        return name_bytes_less(a.name, b.name);
    });
    return sorted;
}

std::string percent_encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c)) {
            out += ch;
        } else {
            out += '%';
            out += k_upper_hex[c >> 4];
            out += k_upper_hex[c & 0x0F];
        }
    }
    return out;
}

std::string encode_query(const QueryParams& params) {
    std::string out;
    for (const QueryParam& p : params) {
        if (!out.empty())
            out += '&';
        out += percent_encode(p.name);
        out += '=';
        out += percent_encode(p.value);
    }
    return out;
}

core::Result<std::string> percent_decode(std::string_view text, std::size_t offset) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            // Form decoding, as the gateways do (see http.hpp).
            out += ' ';
        } else if (c != '%') {
            out += c;
        } else {
            const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
            const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return query_error("invalid percent-encoding at offset " +
                                   std::to_string(offset + i) +
                                   ": '%' must be followed by two "
                                   "hex digits, got \"" +
                                   std::string(text.substr(i, 3)) + "\"");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
    }
    return out;
}

core::Result<QueryParams> parse_query(std::string_view query) {
    bool encoded = false;
    return parse_query(query, encoded);
}

namespace {

// What a query byte is to the parser and to the encoded rules, one table load each.
enum Byte : std::uint8_t { unreserved, amp, equals, percent, plus, other };
constexpr std::array<std::uint8_t, 256> k_query_bytes = [] {
    std::array<std::uint8_t, 256> t{};
    for (unsigned c = 0; c < 256; ++c)
        t[c] = is_unreserved(static_cast<unsigned char>(c)) ? unreserved : other;
    t['&'] = amp;
    t['='] = equals;
    t['%'] = percent;
    t['+'] = plus;
    return t;
}();

} // namespace

// One pass per pair: where it ends, its first '=', whether it needs decoding, and whether
// every byte keeps the query encode_query's own spelling (the tests hold `encoded` to that
// definition: encode_query of the parameters gives the query back).
core::Result<QueryParams> parse_query(std::string_view query, bool& encoded) {
    QueryParams params;
    CONFORM_CHECK(parse_query_into(query, encoded, params));
    return params;
}

core::Result<void> parse_query_into(std::string_view query, bool& encoded, QueryParams& params) {
    params.clear();
    params.reserve(static_cast<std::size_t>(std::count(query.begin(), query.end(), '&')) + 1);
    const auto upper_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
    encoded = true;
    const std::size_t n = query.size();
    std::size_t start = 0;
    while (start <= n) {
        std::size_t eq = std::string_view::npos;
        bool decode = false;
        std::size_t end = start;
        for (; end < n; ++end) {
            const auto c = static_cast<unsigned char>(query[end]);
            const std::uint8_t kind = k_query_bytes[c];
            if (kind == unreserved) [[likely]]
                continue;
            if (kind == amp)
                break;
            if (kind == equals) {
                if (eq == std::string_view::npos)
                    eq = end;
                else
                    encoded = false; // a second '=' is not unreserved
            } else if (kind == percent) {
                decode = true;
                // An uppercase %XX of a byte that needs it; anything else is not as encoded.
                if (!(end + 2 < n && upper_hex(query[end + 1]) && upper_hex(query[end + 2]) &&
                      !is_unreserved(static_cast<unsigned char>(hex_value(query[end + 1]) * 16 +
                                                                hex_value(query[end + 2])))))
                    encoded = false;
            } else {
                decode = decode || kind == plus;
                encoded = false;
            }
        }
        const std::string_view pair = query.substr(start, end - start);
        // An empty pair or one without '=' (the query's only pair may be empty: no pair at all).
        if (eq == std::string_view::npos && !(pair.empty() && start == 0 && end == n))
            encoded = false;
        if (!pair.empty()) {
            const std::string_view raw_name = pair.substr(0, eq - start);
            if (raw_name.empty())
                return query_error("empty parameter name at offset " + std::to_string(start));
            const std::string_view raw_value =
                eq == std::string_view::npos ? std::string_view() : pair.substr(eq - start + 1);
            if (!decode) { // most pairs: taken as they are, with no Result between
                params.add_copy(raw_name, raw_value);
            } else {
                std::string name, value;
                CONFORM_TRY(name, percent_decode(raw_name, start));
                if (eq != std::string_view::npos) {
                    CONFORM_TRY(value, percent_decode(raw_value, eq + 1));
                }
                params.add(std::move(name), std::move(value));
            }
        }
        start = end + 1;
    }
    return {};
}

std::string signing_host(std::string_view host, std::uint16_t port, bool https) {
    // SIGNING.md, Tencent step 3: "with its port when the target is not on the default port".
    const std::uint16_t default_port = https ? 443 : 80;
    std::string out(host);
    if (port != default_port)
        out += ':' + std::to_string(port);
    return out;
}

} // namespace conform::http
