#pragma once
// The digests the signers need, over OpenSSL 3 (no hand-written crypto). OpenSSL's types and
// error queue stay in crypto.cpp: failures come back as Diagnostics (STYLE.md lesson 5).

#include <string>
#include <string_view>

#include "runner/core/result.hpp"

namespace conform::http::internal {

enum class Digest { sha1, sha256 };

// The digest of data as lowercase hex (UCloud: "40 lowercase hex digits" for SHA1).
[[nodiscard]] core::Result<std::string> digest_hex(Digest digest, std::string_view data);
// HMAC of data keyed with key: the raw digest bytes.
[[nodiscard]] core::Result<std::string> hmac(Digest digest, std::string_view key,
                                             std::string_view data);
// RFC 4648 section 4 Base64 with '=' padding and no line breaks.
[[nodiscard]] std::string base64(std::string_view bytes);
// Equality whose time does not depend on where the strings differ (signature comparison).
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;
// The OpenSSL error queue of this thread as one line (and emptied), for messages.
[[nodiscard]] std::string take_openssl_errors();

} // namespace conform::http::internal
