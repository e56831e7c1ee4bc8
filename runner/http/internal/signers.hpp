#pragma once
// The two signing schemes of ../shared/SIGNING.md, one file each (signer_ucloud.cpp,
// signer_tencent.cpp); signer_table.cpp puts them in the scheme table. The pure steps are
// declared here so that tests can check them one by one against the worked examples.

#include <string>
#include <string_view>

#include "runner/http/http.hpp"
#include "runner/http/internal/crypto.hpp"

namespace conform::http::internal {

// Both schemes carry their signature in this query parameter (SIGNING.md).
inline constexpr std::string_view k_signature = "Signature";

// ---- ucloud-sha1 ----

// Steps 1-3: every parameter but Signature, sorted by name bytes, each name immediately
// followed by its value, unencoded, no separators. (Step 4 appends the private key.)
[[nodiscard]] std::string ucloud_concatenation(const QueryParams& params);
// Step 5: SHA1 of concatenation + private key, 40 lowercase hex digits.
[[nodiscard]] core::Result<std::string> ucloud_signature(const QueryParams& params,
                                                         std::string_view private_key);

[[nodiscard]] core::Result<SignedQuery> ucloud_sign(const QueryParams& params,
                                                    const RequestTarget& target,
                                                    const Credentials& credentials,
                                                    const Clock& clock, NonceSource& nonces);
[[nodiscard]] Verdict ucloud_verify(const QueryParams& received, const RequestTarget& target,
                                    const VerifyContext& context);

// ---- tencent-v2-hmac ----

// Step 4: HMAC-SHA256 only when SignatureMethod is exactly "HmacSHA256"; else HMAC-SHA1.
[[nodiscard]] Digest tencent_digest(const QueryParams& params);
// Steps 1-3: METHOD + host + path + '?' + name=value pairs (every parameter but Signature,
// sorted by name bytes, '_' in names written as '.', values unencoded) joined with '&'.
[[nodiscard]] std::string tencent_source_string(const QueryParams& params,
                                                const RequestTarget& target);
// Step 4: Base64 of the HMAC of the source string keyed with the secret key.
[[nodiscard]] core::Result<std::string>
tencent_signature(std::string_view source_string, std::string_view secret_key, Digest digest);

[[nodiscard]] core::Result<SignedQuery> tencent_sign(const QueryParams& params,
                                                     const RequestTarget& target,
                                                     const Credentials& credentials,
                                                     const Clock& clock, NonceSource& nonces);
[[nodiscard]] Verdict tencent_verify(const QueryParams& received, const RequestTarget& target,
                                     const VerifyContext& context);

// ---- shared by both ----

// text with every occurrence of secret replaced by "<" + env_name + ">".
[[nodiscard]] std::string mask_secret(std::string text, std::string_view secret,
                                      std::string_view env_name);
// The parameters to send: params sorted by name bytes without any Signature, then Signature.
[[nodiscard]] QueryParams sorted_with_signature(const QueryParams& params, std::string signature);
// The verdict for status under scheme: its code, codeDesc and message from k_verify_statuses.
[[nodiscard]] Verdict make_verdict(SchemeId scheme, VerifyStatus status, std::string detail);
// The credentials whose key id is key_id, or nullptr.
[[nodiscard]] const Credentials* find_credentials(std::span<const Credentials> known,
                                                  std::string_view key_id) noexcept;

} // namespace conform::http::internal
