#include "runner/core/uri.hpp"

#include <vector>

#include <uriparser/Uri.h>

namespace conform::core {
namespace {

// Owns a parsed UriUriA (and the text it points into).
class ParsedUri {
public:
    explicit ParsedUri(std::string_view text) : m_text(text) {
        const char* error_pos = nullptr;
        m_ok = uriParseSingleUriExA(&m_uri, m_text.data(), m_text.data() + m_text.size(),
                                    &error_pos) == URI_SUCCESS;
    }
    ~ParsedUri() { uriFreeUriMembersA(&m_uri); }
    ParsedUri(const ParsedUri&) = delete;
    ParsedUri& operator=(const ParsedUri&) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] bool has_scheme() const { return m_ok && m_uri.scheme.first != nullptr; }
    UriUriA* get() { return &m_uri; }

private:
    std::string m_text;
    UriUriA m_uri{};
    bool m_ok = false;
};

std::string to_string(const UriUriA* uri) {
    int chars = 0;
    if (uriToStringCharsRequiredA(uri, &chars) != URI_SUCCESS)
        return {};
    std::vector<char> buffer(static_cast<std::size_t>(chars) + 1);
    if (uriToStringA(buffer.data(), uri, chars + 1, nullptr) != URI_SUCCESS)
        return {};
    return std::string(buffer.data());
}

bool has_forbidden_chars(std::string_view text) {
    for (unsigned char c : text)
        if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '^' ||
            c == '`' || c == '{' || c == '|' || c == '}')
            return true;
    return false;
}

} // namespace

Result<std::string> resolve_uri(std::string_view base, std::string_view reference) {
    ParsedUri ref(reference);
    if (!ref.ok())
        return fail("invalid URI reference \"" + std::string(reference) + "\"");
    if (ref.has_scheme()) {
        // Already absolute: only dot segments need removing (RFC 3986 5.2.2).
        UriUriA* u = ref.get();
        uriNormalizeSyntaxExA(u, URI_NORMALIZE_PATH);
        return to_string(u);
    }
    ParsedUri b(base);
    if (!b.has_scheme())
        return fail("cannot resolve \"" + std::string(reference) + "\": base URI \"" +
                    std::string(base) + "\" is not absolute");
    UriUriA resolved{};
    if (uriAddBaseUriA(&resolved, ref.get(), b.get()) != URI_SUCCESS) {
        uriFreeUriMembersA(&resolved);
        return fail("cannot resolve \"" + std::string(reference) + "\" against \"" +
                    std::string(base) + "\"");
    }
    std::string out = to_string(&resolved);
    uriFreeUriMembersA(&resolved);
    return out;
}

std::pair<std::string_view, std::string_view> split_fragment(std::string_view uri) {
    auto hash = uri.find('#');
    if (hash == std::string_view::npos)
        return {uri, {}};
    return {uri.substr(0, hash), uri.substr(hash + 1)};
}

bool is_uri(std::string_view text) {
    if (has_forbidden_chars(text))
        return false;
    ParsedUri u(text);
    return u.has_scheme();
}

bool is_uri_reference(std::string_view text) {
    if (has_forbidden_chars(text))
        return false;
    ParsedUri u(text);
    return u.ok();
}

} // namespace conform::core
