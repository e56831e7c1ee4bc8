#include "runner/http/internal/body_decoder.hpp"
#include "runner/core/text.hpp"

#include <array>

#include <brotli/decode.h>
#include <zlib.h>

namespace conform::http::internal {

namespace {

// One output slice: the most a decoder writes past the point where the limit is noticed.
constexpr std::size_t k_slice = 16 * 1024;

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::optional<Coding> coding_of(std::string_view content_encoding) {
    const std::string_view value = trimmed(content_encoding);
    if (value.empty() || core::iequals(value, "identity"))
        return Coding::identity;
    if (core::iequals(value, "gzip") || core::iequals(value, "x-gzip") ||
        core::iequals(value, "deflate"))
        return Coding::zlib;
    if (core::iequals(value, "br"))
        return Coding::brotli;
    return std::nullopt; // a list of codings, or one we do not know
}

struct BodyDecoder::State {
    z_stream zlib{};
    bool zlib_open = false;
    BrotliDecoderState* brotli = nullptr;
    std::array<unsigned char, k_slice> slice{};
};

BodyDecoder::BodyDecoder(Coding coding, std::size_t max_bytes, std::string& out)
    : m_coding(coding), m_max(max_bytes), m_out(out), m_state(std::make_unique<State>()) {
    if (coding == Coding::zlib)
        // 15 + 32: a zlib or a gzip header, detected (RFC 9110 8.4.1: "deflate" is zlib).
        m_state->zlib_open = inflateInit2(&m_state->zlib, 15 + 32) == Z_OK;
    else if (coding == Coding::brotli)
        m_state->brotli = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
}

BodyDecoder::~BodyDecoder() {
    if (m_state->zlib_open)
        inflateEnd(&m_state->zlib);
    if (m_state->brotli)
        BrotliDecoderDestroyInstance(m_state->brotli);
}

BodyDecoder::Status BodyDecoder::append(const char* data, std::size_t size) {
    if (size > m_max - m_out.size())
        return Status::too_large;
    m_out.append(data, size);
    return Status::ok;
}

BodyDecoder::Status BodyDecoder::feed(const char* data, std::size_t size) {
    m_consumed += size;
    if (m_coding == Coding::identity)
        return append(data, size);
    auto* slice = m_state->slice.data();
    if (m_coding == Coding::zlib) {
        z_stream& z = m_state->zlib;
        if (!m_state->zlib_open) {
            m_error = "zlib could not start";
            return Status::bad;
        }
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        z.avail_in = static_cast<uInt>(size);
        // Until the input is used up and zlib holds no output back (a full slice may leave
        // some inside it).
        for (;;) {
            if (m_ended) {
                if (z.avail_in == 0)
                    break;
                // RFC 1952 2.2: a gzip file is a series of members; anything else after the
                // end is an error, found by the next inflate().
                inflateReset(&z);
                m_ended = false;
            }
            z.next_out = slice;
            z.avail_out = static_cast<uInt>(k_slice);
            const int ret = inflate(&z, Z_NO_FLUSH);
            const std::size_t produced = k_slice - z.avail_out;
            if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
                m_error = z.msg ? z.msg : "zlib error " + std::to_string(ret);
                return Status::bad;
            }
            if (append(reinterpret_cast<const char*>(slice), produced) != Status::ok)
                return Status::too_large;
            if (ret == Z_STREAM_END)
                m_ended = true;
            else if (z.avail_in == 0 && z.avail_out != 0)
                break; // everything decoded so far is out: more input is needed
            else if (ret == Z_BUF_ERROR && produced == 0)
                break;
        }
        return Status::ok;
    }
    BrotliDecoderState* state = m_state->brotli;
    if (!state) {
        m_error = "brotli could not start";
        return Status::bad;
    }
    const auto* in = reinterpret_cast<const std::uint8_t*>(data);
    std::size_t in_left = size;
    for (;;) {
        std::uint8_t* out = slice;
        std::size_t out_left = k_slice;
        const BrotliDecoderResult ret =
            BrotliDecoderDecompressStream(state, &in_left, &in, &out_left, &out, nullptr);
        if (ret == BROTLI_DECODER_RESULT_ERROR) {
            m_error = BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state));
            return Status::bad;
        }
        if (append(reinterpret_cast<const char*>(slice), k_slice - out_left) != Status::ok)
            return Status::too_large;
        if (ret == BROTLI_DECODER_RESULT_SUCCESS) {
            m_ended = true;
            if (in_left > 0) {
                m_error = std::to_string(in_left) + " bytes after the end of the brotli stream";
                return Status::bad;
            }
            return Status::ok;
        }
        if (ret == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
            return Status::ok;
        // BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: another slice.
    }
}

BodyDecoder::Status BodyDecoder::finish() {
    if (m_coding == Coding::identity || m_ended || m_consumed == 0)
        return Status::ok; // an empty body with a Content-Encoding is still an empty body
    m_error = std::string("the body ends before the end of its ") +
              (m_coding == Coding::zlib ? "gzip/deflate" : "brotli") + " stream";
    return Status::bad;
}

} // namespace conform::http::internal
