// ucloud-sha1: UCloud's request signature (../shared/SIGNING.md, "UCloud"), also used by
// GenesisAI's copy of the API.
#include "runner/http/internal/signers.hpp"

namespace conform::http::internal {
namespace {
constexpr std::string_view k_public_key = "PublicKey";
} // namespace

std::string ucloud_concatenation(const QueryParams& params) {
    std::string out;
    // Step 2: sorted by name comparing bytes ("CPU" before "ChargeType").
    for (const QueryParam& p : sorted_by_name(params)) {
        if (p.name == k_signature) // step 1: every parameter "excluding Signature"
            continue;
        // Step 3: "each name immediately followed by its value exactly as sent, with no
        // separators and no URL encoding".
        out += p.name;
        out += p.value;
    }
    return out;
}

core::Result<std::string> ucloud_signature(const QueryParams& params,
                                           std::string_view private_key) {
    // Steps 4-5: append the private key; SHA1 as 40 lowercase hex digits.
    std::string to_sign = ucloud_concatenation(params);
    to_sign += private_key;
    return digest_hex(Digest::sha1, to_sign);
}

core::Result<SignedQuery> ucloud_sign(const QueryParams& params, const RequestTarget& /*target*/,
                                      const Credentials& credentials, const Clock& /*clock*/,
                                      NonceSource& /*nonces*/) {
    // UCloud signs parameters only: no method, host, time or nonce.
    QueryParams to_sign = params;
    to_sign.set(k_public_key, credentials.key_id); // step 1 "including PublicKey"
    to_sign.erase(k_signature);
    CONFORM_TRY(std::string signature, ucloud_signature(to_sign, credentials.secret));
    const Scheme& self = scheme(SchemeId::ucloud_sha1);
    SignedQuery out;
    // The signed string ends with the private key: explain shows its variable's name instead.
    out.explain = mask_secret(ucloud_concatenation(to_sign) + credentials.secret,
                              credentials.secret, self.secret_env);
    out.params = sorted_with_signature(to_sign, std::move(signature));
    return out;
}

Verdict ucloud_verify(const QueryParams& received, const RequestTarget& /*target*/,
                      const VerifyContext& context) {
    const std::string* signature = received.find(k_signature);
    if (signature == nullptr)
        return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::missing_signature,
                            "no Signature parameter");
    // SIGNING.md: an unknown public key is answered with 172 "before it even checks the
    // signature".
    const std::string* public_key = received.find(k_public_key);
    if (public_key == nullptr)
        return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::unknown_key,
                            "no PublicKey parameter");
    const Credentials* credentials = find_credentials(context.known, *public_key);
    if (credentials == nullptr)
        return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::unknown_key,
                            "PublicKey \"" + *public_key + "\" is not known");
    auto expected = ucloud_signature(received, credentials->secret);
    if (!expected)
        return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::signature_mismatch,
                            expected.error().message);
    if (!constant_time_equal(*signature, *expected))
        return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::signature_mismatch,
                            "Signature does not match the parameters signed with the "
                            "PublicKey's private key");
    return make_verdict(SchemeId::ucloud_sha1, VerifyStatus::ok, {});
}

} // namespace conform::http::internal
