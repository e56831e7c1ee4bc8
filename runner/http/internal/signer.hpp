#pragma once
// conform::http signing — the request signatures of ../shared/SIGNING.md, for the live runner
// (sign) and the reference server (verify), and `conform sign`.
//
//   const Scheme& s = *find_scheme("tencent-v2-hmac");        // the "signing" of contract.json
//   CONFORM_TRY(Credentials creds, credentials_from_env(s, ProcessEnvironment{}));
//   CONFORM_TRY(SignedQuery signed_query, s.sign(params, target, creds, clock, nonces));
//   send(target, signed_query.query());                        // percent-encoded, Signature last
//
//   Verdict v = s.verify(received, target, {known_credentials, clock, &nonce_ledger});
//   if (!v.ok()) answer_error(v.code, v.code_desc, v.message);  // RetCode 171, code 4100, ...
//
// Secrets: a Credentials' secret is never sent, printed or logged. SignedQuery::explain (the
// string that was signed) has it replaced by "<UCLOUD_PRIVATE_KEY>" / "<TENCENTCLOUD_SECRET_KEY>".

#include <array>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runner/core/clock.hpp"
#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/http/http.hpp"

namespace conform::http {

// ---- Injected edges (STYLE.md lesson 2): tests and the reference server bring their own. ----

// The clock is core's one edge (core/clock.hpp); the signers read its wall time. These names
// stay so that a signer's reader meets the clock where the nonces and environment are.
using Clock = core::Clock;
using SystemClock = core::SystemClock;
using FixedClock = core::ManualClock; // at a fixed wall time; set() moves it

// Tencent's Nonce: "a random positive integer, new for each request".
class NonceSource {
public:
    virtual ~NonceSource() = default;
    // In [1, 2^31 - 1], so that a 32-bit signed parser on the server side reads it.
    [[nodiscard]] virtual std::uint32_t next_nonce() = 0;
};

// Thread-safe: concurrent workers may share one.
class RandomNonceSource final : public NonceSource {
public:
    RandomNonceSource();                            // seeded from std::random_device
    explicit RandomNonceSource(std::uint64_t seed); // reproducible sequence
    [[nodiscard]] std::uint32_t next_nonce() override;

private:
    std::mutex m_mutex;
    std::mt19937_64 m_engine;
};

class Environment {
public:
    virtual ~Environment() = default;
    // The variable's value; nullopt when unset.
    [[nodiscard]] virtual std::optional<std::string> get(std::string_view name) const = 0;
};

class ProcessEnvironment final : public Environment {
public:
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const override;
};

// ---- Credentials ----

struct Credentials {
    std::string key_id; // UCloud PublicKey / Tencent SecretId: sent with every request
    std::string secret; // UCloud PrivateKey / Tencent SecretKey: never sent, printed or logged
};

struct Scheme;

// DESIGN.md: credentials come from the environment only. Reads the scheme's two variables;
// fails naming both, and which are missing, when either is unset or empty.
[[nodiscard]] core::Result<Credentials> credentials_from_env(const Scheme& scheme,
                                                             const Environment& environment);

// ---- Signing ----

// Where a request goes, as its signature sees it. Only Tencent v2 signs these.
struct RequestTarget {
    std::string method = "GET"; // signed in capitals
    std::string host;           // signing_host(): with ":port" only off the default port
    std::string path = "/";
};

struct SignedQuery {
    QueryParams params;  // to send: the signed parameters sorted by name, Signature last
    std::string explain; // the string that was signed, with the secret masked

    // What goes after '?': every name and value percent-encoded.
    [[nodiscard]] std::string query() const { return encode_query(params); }
};

// Signs params (explicit Timestamp, Nonce, SignatureMethod and Region are kept as given; the
// key id parameter is set from the credentials; any Signature given is replaced). Fails only
// when the crypto library does.
using SignFn = core::Result<SignedQuery> (*)(const QueryParams& params, const RequestTarget& target,
                                             const Credentials& credentials, const Clock& clock,
                                             NonceSource& nonces);

// ---- Verifying (the reference server) ----

// SIGNING.md: the reference server refuses a Timestamp more than 300 seconds from its clock.
inline constexpr std::int64_t k_timestamp_window_seconds = 300;

enum class VerifyStatus : std::uint8_t {
    ok,
    missing_signature,
    signature_mismatch,
    unknown_key,       // the key id is absent or not one the server knows
    invalid_parameter, // Tencent: Timestamp or Nonce absent or not a positive integer
    stale_timestamp,
    reused_nonce,
    nonce_ledger_full, // Tencent: too many fresh nonces to remember; refused as throttling
};

// SIGNING.md's error codes for each outcome (a taxonomy table, STYLE.md lesson 6). Only 4000
// InvalidParameter and 4100 AuthFailure have a documented Tencent codeDesc; the others borrow
// Tencent's API 3.0 names. UCloud documents the messages of 171 and 172 only.
struct VerifyStatusInfo {
    VerifyStatus status;
    std::string_view name;
    int ucloud_ret_code; // 0: ucloud-sha1 never reports this status
    std::string_view ucloud_message;
    int tencent_code;
    std::string_view tencent_code_desc;
};

inline constexpr std::array k_verify_statuses = {
    VerifyStatusInfo{VerifyStatus::ok, "ok", 0, "", 0, "Success"},
    VerifyStatusInfo{VerifyStatus::missing_signature, "missing-signature", 170, "Missing Signature",
                     4100, "AuthFailure"},
    VerifyStatusInfo{VerifyStatus::signature_mismatch, "signature-mismatch", 171,
                     "Signature VerifyAC Error", 4100, "AuthFailure"},
    VerifyStatusInfo{VerifyStatus::unknown_key, "unknown-key", 172, "User Not Exists", 4104,
                     "AuthFailure.SecretIdNotFound"},
    VerifyStatusInfo{VerifyStatus::invalid_parameter, "invalid-parameter", 0, "", 4000,
                     "InvalidParameter"},
    VerifyStatusInfo{VerifyStatus::stale_timestamp, "stale-timestamp", 0, "", 4500,
                     "AuthFailure.SignatureExpire"},
    VerifyStatusInfo{VerifyStatus::reused_nonce, "reused-nonce", 0, "", 4500,
                     "AuthFailure.RequestReplay"},
    VerifyStatusInfo{VerifyStatus::nonce_ledger_full, "nonce-ledger-full", 0, "", 4400,
                     "RequestLimitExceeded"},
};
static_assert(k_verify_statuses.size() ==
              static_cast<std::size_t>(VerifyStatus::nonce_ledger_full) + 1);
static_assert(
    [] {
        for (std::size_t i = 0; i < k_verify_statuses.size(); ++i)
            if (static_cast<std::size_t>(k_verify_statuses[i].status) != i)
                return false;
        return true;
    }(),
    "k_verify_statuses rows are in VerifyStatus order");

[[nodiscard]] constexpr const VerifyStatusInfo& status_info(VerifyStatus status) noexcept {
    return k_verify_statuses[static_cast<std::size_t>(status)];
}

// What the server answers: the scheme's code for the error envelope (UCloud RetCode, Tencent
// code + codeDesc) and a message; detail says exactly why, for logs and tests (never secrets).
struct Verdict {
    VerifyStatus status = VerifyStatus::ok;
    int code = 0;
    std::string_view code_desc; // Tencent codeDesc; empty for UCloud
    std::string message;        // for the envelope's message field
    std::string detail;

    [[nodiscard]] bool ok() const noexcept { return status == VerifyStatus::ok; }
};

// Tencent replay protection: remembers (SecretId, Nonce) pairs for as long as a request
// carrying them could still pass the timestamp window. The reference server owns one;
// thread-safe. Memory is bounded: at most `capacity` pairs (about 120 bytes each; the default
// 262,144 is about 30 MiB). When that many are still inside their window, a fresh pair is
// refused (`full`) rather than remembered or let through unchecked: the server answers it as
// throttling (RequestLimitExceeded) and a client retries after backing off.
inline constexpr std::size_t k_nonce_ledger_capacity = std::size_t{1} << 18;

class NonceLedger {
public:
    enum class Remembered : std::uint8_t { fresh, reused, full };

    explicit NonceLedger(std::int64_t window_seconds = k_timestamp_window_seconds,
                         std::size_t capacity = k_nonce_ledger_capacity)
        : m_window(window_seconds), m_capacity(capacity) {}

    // Records the pair: fresh, or reused when it was already recorded and not yet forgotten,
    // or full (not recorded). A pair is kept until max(timestamp, now) + window: after that,
    // the request that carried it is refused as stale anyway.
    [[nodiscard]] Remembered remember(std::string_view key_id, std::string_view nonce,
                                      std::int64_t timestamp, std::int64_t now);
    [[nodiscard]] std::size_t size() const;

private:
    void forget_stale(std::int64_t now); // the caller holds m_mutex

    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::int64_t> m_forget_after; // key_id '\0' nonce -> time
    std::int64_t m_window;
    std::size_t m_capacity;
    std::int64_t m_next_sweep = 0;      // the periodic sweep: once per window
    std::int64_t m_next_full_sweep = 0; // when full: at most once a second
};

struct VerifyContext {
    std::span<const Credentials> known; // the key pairs the server accepts
    const Clock& clock;
    NonceLedger* nonces = nullptr; // Tencent nonce reuse; nullptr: not checked
    std::int64_t window_seconds = k_timestamp_window_seconds;
};

// Checks a received request (parameters decoded by parse_query) against its target.
using VerifyFn = Verdict (*)(const QueryParams& received, const RequestTarget& target,
                             const VerifyContext& context);

// ---- The schemes (a table, STYLE.md lesson 6) ----

enum class SchemeId : std::uint8_t { ucloud_sha1, tencent_v2_hmac };

struct Scheme {
    SchemeId id;
    std::string_view name;         // as "signing" in contract.json
    std::string_view description;  // one line, for `conform sign --help` and the docs
    std::string_view key_id_env;   // UCLOUD_PUBLIC_KEY / TENCENTCLOUD_SECRET_ID
    std::string_view secret_env;   // UCLOUD_PRIVATE_KEY / TENCENTCLOUD_SECRET_KEY
    std::string_view key_id_param; // PublicKey / SecretId
    SignFn sign;
    VerifyFn verify;
};

// Every scheme, in SchemeId order.
[[nodiscard]] std::span<const Scheme> schemes() noexcept;
[[nodiscard]] const Scheme& scheme(SchemeId id) noexcept;
// By contract.json name; nullptr when unknown ("none" is not a scheme: nothing to sign).
[[nodiscard]] const Scheme* find_scheme(std::string_view name) noexcept;

// ---- `conform sign` ----

struct SignJob {
    std::string contract; // a seed contract (tencent-ccr, ucloud-uhub, genesissai-uhub)...
    std::string scheme;   // ...or a scheme name directly; exactly one of the two
    std::string method = "GET";
    std::string host;                // HOST[:PORT]; empty: the contract's
    std::string path;                // empty: the contract's, or "/"
    std::vector<std::string> params; // "NAME=VALUE", unencoded, in sending order
    bool explain = false;
};

struct SignEdges {
    const Environment& environment;
    const Clock& clock;
    NonceSource& nonces;
};

// Prints the signed, percent-encoded query string on out; with job.explain, the string that
// was signed (secret masked) on err, labelled. Returns conformant when signed; a usage error or
// missing credentials is the Diagnostic (its message names the variables; no location).
[[nodiscard]] core::Result<core::Verdict> run_sign(const SignJob& job, const SignEdges& edges,
                                                   std::ostream& out, std::ostream& err);
// The same with the process environment, the system clock and random nonces.
[[nodiscard]] core::Result<core::Verdict> run_sign(const SignJob& job, std::ostream& out,
                                                   std::ostream& err);

} // namespace conform::http
