// The scheme table (STYLE.md lesson 6) and what both schemes share: credentials from the
// environment, the sending order, verdicts, secret masking.
#include <algorithm>

#include "runner/http/internal/signers.hpp"

namespace conform::http {
namespace {

constexpr std::array k_schemes = {
    Scheme{SchemeId::ucloud_sha1, "ucloud-sha1",
           "UCloud: SHA1 of the sorted name+value pairs and the private key (PublicKey, "
           "Signature)",
           "UCLOUD_PUBLIC_KEY", "UCLOUD_PRIVATE_KEY", "PublicKey", internal::ucloud_sign,
           internal::ucloud_verify},
    Scheme{SchemeId::tencent_v2_hmac, "tencent-v2-hmac",
           "Tencent Cloud API v2: Base64 HMAC-SHA1 (or HmacSHA256) of METHOD+host+path?sorted "
           "pairs (SecretId, Timestamp, Nonce, SignatureMethod, Signature)",
           "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "SecretId", internal::tencent_sign,
           internal::tencent_verify},
};
static_assert(k_schemes.size() == static_cast<std::size_t>(SchemeId::tencent_v2_hmac) + 1,
              "every SchemeId has a row");
static_assert(
    [] {
        for (std::size_t i = 0; i < k_schemes.size(); ++i)
            if (static_cast<std::size_t>(k_schemes[i].id) != i)
                return false;
        return true;
    }(),
    "k_schemes rows are in SchemeId order");

} // namespace

std::span<const Scheme> schemes() noexcept {
    return k_schemes;
}

const Scheme& scheme(SchemeId id) noexcept {
    return k_schemes[static_cast<std::size_t>(id)];
}

const Scheme* find_scheme(std::string_view name) noexcept {
    for (const Scheme& s : k_schemes)
        if (s.name == name)
            return &s;
    return nullptr;
}

core::Result<Credentials> credentials_from_env(const Scheme& scheme,
                                               const Environment& environment) {
    // An empty variable counts as missing: signing with an empty key can only fail remotely.
    std::optional<std::string> key_id = environment.get(scheme.key_id_env);
    std::optional<std::string> secret = environment.get(scheme.secret_env);
    const bool has_key_id = key_id && !key_id->empty();
    const bool has_secret = secret && !secret->empty();
    if (has_key_id && has_secret)
        return Credentials{std::move(*key_id), std::move(*secret)};
    std::string missing;
    if (!has_key_id)
        missing += scheme.key_id_env;
    if (!has_secret)
        missing += std::string(missing.empty() ? "" : " and ") + std::string(scheme.secret_env);
    return core::fail(std::string(scheme.name) + " signing needs the environment variables " +
                      std::string(scheme.key_id_env) + " and " + std::string(scheme.secret_env) +
                      "; not set or empty: " + missing);
}

namespace internal {

std::string mask_secret(std::string text, std::string_view secret, std::string_view env_name) {
    if (secret.empty())
        return text;
    const std::string placeholder = "<" + std::string(env_name) + ">";
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + placeholder.size()))
        text.replace(at, secret.size(), placeholder);
    return text;
}

QueryParams sorted_with_signature(const QueryParams& params, std::string signature) {
    // Sent in the order they were signed in, so that a reader of the query string can follow
    // the signature; the Signature goes last.
    QueryParams out;
    for (QueryParam& p : sorted_by_name(params))
        if (p.name != "Signature")
            out.add(std::move(p.name), std::move(p.value));
    out.add("Signature", std::move(signature));
    return out;
}

Verdict make_verdict(SchemeId scheme, VerifyStatus status, std::string detail) {
    const VerifyStatusInfo& row = status_info(status);
    Verdict v;
    v.status = status;
    v.detail = std::move(detail);
    if (scheme == SchemeId::ucloud_sha1) {
        v.code = row.ucloud_ret_code;
        v.message = row.ucloud_message.empty() ? v.detail : std::string(row.ucloud_message);
    } else {
        v.code = row.tencent_code;
        v.code_desc = row.tencent_code_desc;
        v.message = status == VerifyStatus::ok ? std::string() : v.detail;
    }
    return v;
}

const Credentials* find_credentials(std::span<const Credentials> known,
                                    std::string_view key_id) noexcept {
    const auto it = std::find_if(known.begin(), known.end(),
                                 [&](const Credentials& c) { return c.key_id == key_id; });
    return it == known.end() ? nullptr : &*it;
}

} // namespace internal
} // namespace conform::http
