// OpenSSL 3 behind the signers: EVP_Digest, HMAC(), EVP_EncodeBlock, CRYPTO_memcmp.
#include "runner/http/internal/crypto.hpp"

#include <algorithm>
#include <array>
#include <climits>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace conform::http::internal {
namespace {

const EVP_MD* message_digest(Digest digest) noexcept {
    return digest == Digest::sha256 ? EVP_sha256() : EVP_sha1();
}

std::string_view digest_name(Digest digest) noexcept {
    return digest == Digest::sha256 ? "SHA256" : "SHA1";
}

core::Unexpected<core::Diagnostic> openssl_failure(const std::string& what) {
    return core::fail("OpenSSL: " + what + " failed: " + take_openssl_errors());
}
} // namespace

core::Result<std::string> digest_hex(Digest digest, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &length, message_digest(digest), nullptr) !=
        1)
        return openssl_failure(std::string(digest_name(digest)));
    static constexpr char k_lower_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += k_lower_hex[md[i] >> 4];
        out += k_lower_hex[md[i] & 0x0F];
    }
    return out;
}

core::Result<std::string> hmac(Digest digest, std::string_view key, std::string_view data) {
    if (key.size() > static_cast<std::size_t>(INT_MAX))
        return core::fail("HMAC key too long");
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int length = 0;
    // An empty key still needs a valid pointer: OpenSSL 3.0 treats a null key as "no key".
    static constexpr unsigned char k_empty = 0;
    const void* key_data = key.empty() ? static_cast<const void*>(&k_empty) : key.data();
    if (HMAC(message_digest(digest), key_data, static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(),
             &length) == nullptr)
        return openssl_failure("HMAC-" + std::string(digest_name(digest)));
    return std::string(reinterpret_cast<const char*>(md.data()), length);
}

std::string base64(std::string_view bytes) {
    // EVP_EncodeBlock writes 4 characters per started 3 bytes, plus a terminating NUL.
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    std::size_t done = 0;
    // EVP_EncodeBlock takes an int length: feed it in chunks that are multiples of 3.
    constexpr std::size_t k_chunk = 3 * (1u << 20);
    for (std::size_t at = 0; at < bytes.size(); at += k_chunk) {
        const std::size_t n = std::min(k_chunk, bytes.size() - at);
        done += static_cast<std::size_t>(EVP_EncodeBlock(
            reinterpret_cast<unsigned char*>(out.data() + done),
            reinterpret_cast<const unsigned char*>(bytes.data() + at), static_cast<int>(n)));
    }
    out.resize(done);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false; // the length of a signature is public (it is fixed per scheme)
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string take_openssl_errors() {
    std::string out;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        if (!out.empty())
            out += "; ";
        out += text.data();
    }
    return out.empty() ? std::string("no OpenSSL error recorded") : out;
}

} // namespace conform::http::internal
