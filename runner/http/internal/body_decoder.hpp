#pragma once
// Content-Encoding undone by us, on bounded zlib/brotli streams, instead of by httplib: the
// decoded body counts against ClientOptions::max_body_bytes as it is produced, so a gzip or
// brotli bomb (a few MiB on the wire, GiBs decoded) stops at the limit with at most one
// output slice beyond what was kept.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace conform::http::internal {

enum class Coding : unsigned char { identity, zlib, brotli }; // zlib: gzip, x-gzip, deflate

// The coding a Content-Encoding value names; nullopt for one we do not decode (the body is
// then kept as sent, as RFC 9110 8.4 lets a client that did not ask for it do).
[[nodiscard]] std::optional<Coding> coding_of(std::string_view content_encoding);

class BodyDecoder {
public:
    enum class Status : unsigned char { ok, too_large, bad };

    // Appends the decoded bytes to out, never letting it grow past max_bytes.
    BodyDecoder(Coding coding, std::size_t max_bytes, std::string& out);
    ~BodyDecoder();
    BodyDecoder(const BodyDecoder&) = delete;
    BodyDecoder& operator=(const BodyDecoder&) = delete;

    [[nodiscard]] Status feed(const char* data, std::size_t size);
    // The body is complete: a compressed stream must have reached its end.
    [[nodiscard]] Status finish();
    // Why the last call answered bad ("invalid distance too far back").
    [[nodiscard]] const std::string& error() const noexcept { return m_error; }
    [[nodiscard]] std::size_t consumed() const noexcept { return m_consumed; }

private:
    struct State;
    Status append(const char* data, std::size_t size);

    Coding m_coding;
    std::size_t m_max;
    std::string& m_out;
    std::unique_ptr<State> m_state;
    std::size_t m_consumed = 0; // encoded bytes fed
    bool m_ended = false;       // the compressed stream reached its end
    std::string m_error;
};

} // namespace conform::http::internal
