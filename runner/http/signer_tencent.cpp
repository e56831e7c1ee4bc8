// tencent-v2-hmac: Tencent Cloud's legacy API 2.0 signature (../shared/SIGNING.md, "Tencent
// Cloud legacy API v2").
#include <algorithm>
#include <cctype>
#include <charconv>

#include "runner/http/internal/signers.hpp"

#include "runner/core/text.hpp"

namespace conform::http::internal {
namespace {

constexpr std::string_view k_secret_id = "SecretId";
constexpr std::string_view k_timestamp = "Timestamp";
constexpr std::string_view k_nonce = "Nonce";
constexpr std::string_view k_signature_method = "SignatureMethod";

// A decimal integer with nothing around it; nullopt otherwise.
std::optional<std::int64_t> parse_int64(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

Digest tencent_digest(const QueryParams& params) {
    // Step 4: "HMAC-SHA256 only when SignatureMethod is exactly HmacSHA256"; HmacSHA1 is the
    // default when absent, and any other value signs as SHA1 too.
    const std::string* method = params.find(k_signature_method);
    return method != nullptr && *method == "HmacSHA256" ? Digest::sha256 : Digest::sha1;
}

std::string tencent_source_string(const QueryParams& params, const RequestTarget& target) {
    // Step 3: "HTTP method in capitals + host + path + ? + that joined string".
    std::string out = core::ascii_upper(target.method);
    out += target.host;
    out += target.path;
    out += '?';
    bool first = true;
    // Step 1: every parameter except Signature, sorted by name comparing bytes (the names as
    // sent: the '_' -> '.' rewrite below is for this string only).
    for (const QueryParam& p : sorted_by_name(params)) {
        if (p.name == k_signature)
            continue;
        if (!first)
            out += '&';
        first = false;
        // Step 2: "an underscore in a parameter name is written as a dot"; values unencoded.
        std::string name = p.name;
        std::replace(name.begin(), name.end(), '_', '.');
        out += name;
        out += '=';
        out += p.value;
    }
    return out;
}

core::Result<std::string> tencent_signature(std::string_view source_string,
                                            std::string_view secret_key, Digest digest) {
    CONFORM_TRY(std::string mac, hmac(digest, secret_key, source_string));
    return base64(mac);
}

core::Result<SignedQuery> tencent_sign(const QueryParams& params, const RequestTarget& target,
                                       const Credentials& credentials, const Clock& clock,
                                       NonceSource& nonces) {
    QueryParams to_sign = params;
    to_sign.erase(k_signature);
    to_sign.set(k_secret_id, credentials.key_id);
    // Timestamp "Unix seconds, now" and Nonce "new for each request", unless given: a user
    // reproducing a signature (conform sign) or an auth-negative case (an expired Timestamp)
    // sets them.
    if (!to_sign.contains(k_timestamp))
        to_sign.add(std::string(k_timestamp), render_integer(clock.unix_seconds()));
    if (!to_sign.contains(k_nonce))
        to_sign.add(std::string(k_nonce), std::to_string(nonces.next_nonce()));
    // SignatureMethod is not added when absent: HmacSHA1 is the default, and Tencent's own
    // worked example does not send it.
    const std::string source = tencent_source_string(to_sign, target);
    CONFORM_TRY(std::string signature,
                tencent_signature(source, credentials.secret, tencent_digest(to_sign)));
    const Scheme& self = scheme(SchemeId::tencent_v2_hmac);
    SignedQuery out;
    out.explain = mask_secret(source, credentials.secret, self.secret_env);
    out.params = sorted_with_signature(to_sign, std::move(signature));
    return out;
}

Verdict tencent_verify(const QueryParams& received, const RequestTarget& target,
                       const VerifyContext& context) {
    constexpr SchemeId k_self = SchemeId::tencent_v2_hmac;
    const std::string* signature = received.find(k_signature);
    if (signature == nullptr)
        return make_verdict(k_self, VerifyStatus::missing_signature, "no Signature parameter");
    const std::string* secret_id = received.find(k_secret_id);
    if (secret_id == nullptr)
        return make_verdict(k_self, VerifyStatus::unknown_key, "no SecretId parameter");
    const Credentials* credentials = find_credentials(context.known, *secret_id);
    if (credentials == nullptr)
        return make_verdict(k_self, VerifyStatus::unknown_key,
                            "SecretId \"" + *secret_id + "\" is not known");

    const std::string* timestamp_text = received.find(k_timestamp);
    const auto timestamp =
        timestamp_text ? parse_int64(*timestamp_text) : std::optional<std::int64_t>{};
    if (!timestamp)
        return make_verdict(k_self, VerifyStatus::invalid_parameter,
                            timestamp_text
                                ? "Timestamp \"" + *timestamp_text + "\" is not an integer"
                                : std::string("no Timestamp parameter"));
    const std::string* nonce_text = received.find(k_nonce);
    const auto nonce = nonce_text ? parse_int64(*nonce_text) : std::optional<std::int64_t>{};
    if (!nonce || *nonce <= 0)
        return make_verdict(k_self, VerifyStatus::invalid_parameter,
                            nonce_text ? "Nonce \"" + *nonce_text + "\" is not a positive integer"
                                       : std::string("no Nonce parameter"));

    // SIGNING.md: "Servers refuse a Timestamp too far from their clock (the reference server:
    // more than 300 seconds)", in either direction.
    const std::int64_t now = context.clock.unix_seconds();
    const std::int64_t skew = *timestamp > now ? *timestamp - now : now - *timestamp;
    if (skew > context.window_seconds)
        return make_verdict(k_self, VerifyStatus::stale_timestamp,
                            "Timestamp " + *timestamp_text + " is " + std::to_string(skew) +
                                " s from the server clock (" + std::to_string(now) +
                                "); the window is " + std::to_string(context.window_seconds) +
                                " s");

    const std::string source = tencent_source_string(received, target);
    auto expected = tencent_signature(source, credentials->secret, tencent_digest(received));
    if (!expected)
        return make_verdict(k_self, VerifyStatus::signature_mismatch, expected.error().message);
    if (!constant_time_equal(*signature, *expected))
        return make_verdict(k_self, VerifyStatus::signature_mismatch,
                            "Signature does not match the source string " + source);

    // Only a correctly signed request uses up its nonce: a forged one cannot burn nonces.
    if (context.nonces != nullptr)
        switch (context.nonces->remember(*secret_id, std::to_string(*nonce), *timestamp, now)) {
        case NonceLedger::Remembered::fresh:
            break;
        case NonceLedger::Remembered::reused:
            return make_verdict(k_self, VerifyStatus::reused_nonce,
                                "Nonce " + *nonce_text + " was already used with this SecretId");
        case NonceLedger::Remembered::full:
            return make_verdict(k_self, VerifyStatus::nonce_ledger_full,
                                "RequestLimitExceeded: too many fresh nonces inside the " +
                                    std::to_string(context.window_seconds) +
                                    " s window; retry later");
        }
    return make_verdict(k_self, VerifyStatus::ok, {});
}

} // namespace conform::http::internal
