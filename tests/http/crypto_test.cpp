// The OpenSSL wrappers against published test vectors, so that a signer test failure points at
// the signer, not at the digest.
#include <catch2/catch.hpp>

#include "runner/http/internal/crypto.hpp"

using namespace conform::http::internal;

namespace {
std::string hex(std::string_view bytes) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        out += k_hex[static_cast<unsigned char>(c) >> 4];
        out += k_hex[static_cast<unsigned char>(c) & 0x0F];
    }
    return out;
}
} // namespace

TEST_CASE("digest_hex: FIPS 180 examples", "[crypto]") {
    CHECK(*digest_hex(Digest::sha1, "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(*digest_hex(Digest::sha1, "") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(*digest_hex(Digest::sha256, "abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("hmac: RFC 2202 and RFC 4231 test case 2", "[crypto]") {
    const std::string data = "what do ya want for nothing?";
    CHECK(hex(*hmac(Digest::sha1, "Jefe", data)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(hex(*hmac(Digest::sha256, "Jefe", data)) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // An empty key is valid HMAC (the key is zero-padded): `openssl dgst -sha1 -hmac ''`.
    CHECK(hex(*hmac(Digest::sha1, "", "")) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST_CASE("base64: RFC 4648 section 10", "[crypto]") {
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64(std::string("\xFB\xFF", 2)) == "+/8="); // the characters that need encoding
}

TEST_CASE("constant_time_equal", "[crypto]") {
    CHECK(constant_time_equal("", ""));
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
}
