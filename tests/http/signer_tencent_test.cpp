// tencent-v2-hmac (../shared/SIGNING.md, "Tencent Cloud legacy API v2"). Expected signatures
// were computed outside conform with
// `printf '%s' '<source string>' | openssl dgst -sha1 -hmac '<key>' -binary | base64`.
#include <catch2/catch.hpp>

#include "runner/http/internal/signers.hpp"
#include "tests/http/signing_support.hpp"

using namespace conform::http;
using conform::test::FixedNonces;

namespace {

const Scheme& tencent() {
    return scheme(SchemeId::tencent_v2_hmac);
}

// Tencent's published API 2.0 worked example, as SIGNING.md quotes it.
const Credentials k_tencent_credentials{"AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA",
                                        "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA"};
constexpr std::string_view k_doc_source =
    "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=11886&Region=gz&"
    "SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&instanceIds.0=ins-"
    "09dx96dg&limit=20&offset=0";
constexpr std::string_view k_doc_signature = "NSI3UqqD99b/UJb4tbG/xZpRW64=";
const RequestTarget k_doc_target{"GET", "cvm.api.qcloud.com", "/v2/index.php"};

QueryParams tencent_doc_params() {
    // Deliberately not in sorted order; SecretId comes from the credentials.
    return {{"offset", "0"},
            {"limit", "20"},
            {"Action", "DescribeInstances"},
            {"Region", "gz"},
            {"Timestamp", "1465185768"},
            {"Nonce", "11886"},
            {"instanceIds.0", "ins-09dx96dg"}};
}

SignedQuery sign(const QueryParams& params, const RequestTarget& target,
                 const Credentials& credentials, std::int64_t now = 1700000000,
                 std::uint32_t nonce = 42) {
    const FixedClock clock(now);
    FixedNonces nonces({nonce});
    auto signed_query = tencent().sign(params, target, credentials, clock, nonces);
    REQUIRE(signed_query);
    return std::move(signed_query).value();
}

} // namespace

TEST_CASE("tencent-v2-hmac reproduces SIGNING.md's worked example", "[signer][tencent]") {
    SECTION("the pure steps") {
        QueryParams params = tencent_doc_params();
        params.add("SecretId", k_tencent_credentials.key_id);
        CHECK(internal::tencent_source_string(params, k_doc_target) == k_doc_source);
        CHECK(internal::tencent_digest(params) == internal::Digest::sha1);
        CHECK(*internal::tencent_signature(k_doc_source, k_tencent_credentials.secret,
                                           internal::Digest::sha1) == k_doc_signature);
    }
    SECTION("the signer, with Timestamp and Nonce given") {
        const SignedQuery s = sign(tencent_doc_params(), k_doc_target, k_tencent_credentials);
        CHECK(s.explain == k_doc_source);
        CHECK(*s.params.find("Signature") == k_doc_signature);
        CHECK(*s.params.find("Timestamp") == "1465185768"); // as given, not the clock's
        CHECK(*s.params.find("Nonce") == "11886");
        CHECK_FALSE(s.params.contains("SignatureMethod")); // not added: HmacSHA1 is the default
        CHECK(s.query() ==
              "Action=DescribeInstances&Nonce=11886&Region=gz&SecretId="
              "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&instanceIds.0=ins-"
              "09dx96dg&limit=20&offset=0&Signature=NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D");
    }
}

TEST_CASE("tencent-v2-hmac HmacSHA256, a port and a lowercase method", "[signer][tencent]") {
    const QueryParams params{{"Action", "GetFavor"},
                             {"Region", "ap-guangzhou"},
                             {"SignatureMethod", "HmacSHA256"},
                             {"offset", "14"},
                             {"limit", "7"},
                             {"Timestamp", "1700000000"},
                             {"Nonce", "7"}};
    const RequestTarget target{"get", "127.0.0.1:8443", "/v2/index.php"};
    const SignedQuery s = sign(params, target, Credentials{"AKIDexample", "secret-key"});
    // printf '%s' '<explain>' | openssl dgst -sha256 -hmac secret-key -binary | base64
    CHECK(s.explain == "GET127.0.0.1:8443/v2/index.php?Action=GetFavor&Nonce=7&Region=ap-"
                       "guangzhou&SecretId=AKIDexample&SignatureMethod=HmacSHA256&Timestamp="
                       "1700000000&limit=7&offset=14");
    CHECK(*s.params.find("Signature") == "te5o6RCJ+nf3C1LBcFFQbTrC8Ay1LgnVQlrh8elN2gk=");
    CHECK_THAT(s.query(),
               Catch::EndsWith("Signature=te5o6RCJ%2Bnf3C1LBcFFQbTrC8Ay1LgnVQlrh8elN2gk%3D"));
}

TEST_CASE("tencent-v2-hmac signs SHA256 only for exactly HmacSHA256", "[signer][tencent]") {
    for (const char* method : {"HmacSHA1", "hmacsha256", "HmacSHA256 ", "HMACSHA256"}) {
        INFO(method);
        CHECK(internal::tencent_digest(QueryParams{{"SignatureMethod", method}}) ==
              internal::Digest::sha1);
    }
    CHECK(internal::tencent_digest(QueryParams{}) == internal::Digest::sha1);
    CHECK(internal::tencent_digest(QueryParams{{"SignatureMethod", "HmacSHA256"}}) ==
          internal::Digest::sha256);
    // Base64 of 20 bytes (SHA1) is 28 characters; of 32 bytes (SHA256), 44.
    const QueryParams sloppy{{"Action", "GetFavor"}, {"SignatureMethod", "hmacsha256"}};
    CHECK(sign(sloppy, k_doc_target, k_tencent_credentials).params.find("Signature")->size() == 28);
}

TEST_CASE("tencent-v2-hmac writes '_' in names as '.' after sorting", "[signer][tencent]") {
    // SIGNING.md step 1 sorts the names as sent ("a.c" < "a_b": '.' 0x2E < '_' 0x5F); step 2
    // writes the underscore as a dot in the source string only.
    const QueryParams params{{"Action", "GetFavor"}, {"Region", "ap-guangzhou"},  {"a_b", "1"},
                             {"a.c", "2"},           {"Timestamp", "1700000000"}, {"Nonce", "42"}};
    const SignedQuery s = sign(params, RequestTarget{"GET", "ccr.api.qcloud.com", "/v2/index.php"},
                               Credentials{"AKIDexample", "secret-key"});
    CHECK(s.explain == "GETccr.api.qcloud.com/v2/index.php?Action=GetFavor&Nonce=42&Region=ap-"
                       "guangzhou&SecretId=AKIDexample&Timestamp=1700000000&a.c=2&a.b=1");
    CHECK(*s.params.find("Signature") == "G+W8jGosVJNKXoQxTfGOPkFEMv0=");
    CHECK(s.params.contains("a_b")); // sent with its real name
}

TEST_CASE("tencent-v2-hmac fills Timestamp from the clock and Nonce from the source",
          "[signer][tencent]") {
    const QueryParams params{{"Action", "GetFavor"},
                             {"Region", "ap-guangzhou"},
                             {"Signature", "old"},
                             {"SecretId", "someone-else"}};
    const SignedQuery s = sign(params, k_doc_target, k_tencent_credentials, 1712345678, 987654);
    CHECK(*s.params.find("Timestamp") == "1712345678");
    CHECK(*s.params.find("Nonce") == "987654");
    CHECK(*s.params.find("SecretId") == k_tencent_credentials.key_id);
    CHECK(s.query().find("old") == std::string::npos);

    RandomNonceSource random(12345);
    for (int i = 0; i < 1000; ++i) {
        const std::uint32_t nonce = random.next_nonce();
        REQUIRE(nonce >= 1);
        REQUIRE(nonce <= 0x7FFFFFFFu);
    }
    RandomNonceSource a(7), b(7);
    CHECK(a.next_nonce() == b.next_nonce()); // a seed reproduces the sequence
}

TEST_CASE("tencent-v2-hmac explain never holds the secret key", "[signer][tencent][secret]") {
    const SignedQuery s = sign(tencent_doc_params(), k_doc_target, k_tencent_credentials);
    CHECK(s.explain.find(k_tencent_credentials.secret) == std::string::npos);
    CHECK(s.query().find(k_tencent_credentials.secret) == std::string::npos);
    // Even a parameter that (wrongly) carries the secret is masked in explain.
    QueryParams leaky = tencent_doc_params();
    leaky.add("Note", k_tencent_credentials.secret);
    const SignedQuery l = sign(leaky, k_doc_target, k_tencent_credentials);
    CHECK(l.explain.find(k_tencent_credentials.secret) == std::string::npos);
    CHECK_THAT(l.explain, Catch::Contains("Note=<TENCENTCLOUD_SECRET_KEY>"));
}

TEST_CASE("tencent-v2-hmac verification", "[signer][tencent][verify]") {
    const std::vector<Credentials> known{k_tencent_credentials};
    FixedClock clock(1465185768 + 10);
    NonceLedger nonces;
    const auto verify = [&](const QueryParams& received, const RequestTarget& target) {
        return tencent().verify(received, target, VerifyContext{known, clock, &nonces});
    };
    auto received =
        parse_query(sign(tencent_doc_params(), k_doc_target, k_tencent_credentials).query());
    REQUIRE(received);

    SECTION("ok, then the same Nonce again: 4500") {
        const Verdict first = verify(*received, k_doc_target);
        CHECK(first.ok());
        CHECK(first.code == 0);
        CHECK(first.code_desc == "Success");
        const Verdict again = verify(*received, k_doc_target);
        CHECK(again.status == VerifyStatus::reused_nonce);
        CHECK(again.code == 4500);
    }
    SECTION("a full nonce ledger: 4400 RequestLimitExceeded, which a client backs off from") {
        NonceLedger tiny(k_timestamp_window_seconds, 0);
        const Verdict v =
            tencent().verify(*received, k_doc_target, VerifyContext{known, clock, &tiny});
        CHECK(v.status == VerifyStatus::nonce_ledger_full);
        CHECK(v.code == 4400);
        CHECK(v.code_desc == "RequestLimitExceeded");
        CHECK_THAT(v.message, Catch::Contains("RequestLimitExceeded"));
    }
    SECTION("missing Signature: 4100 AuthFailure") {
        received->erase("Signature");
        const Verdict v = verify(*received, k_doc_target);
        CHECK(v.status == VerifyStatus::missing_signature);
        CHECK(v.code == 4100);
        CHECK(v.code_desc == "AuthFailure");
    }
    SECTION("a changed value, or another host, path or method: 4100") {
        for (const RequestTarget& other :
             {RequestTarget{"GET", "cvm.api.qcloud.com:8080", "/v2/index.php"},
              RequestTarget{"POST", "cvm.api.qcloud.com", "/v2/index.php"},
              RequestTarget{"GET", "cvm.api.qcloud.com", "/v2/"}}) {
            const Verdict v = verify(*received, other);
            CHECK(v.status == VerifyStatus::signature_mismatch);
            CHECK(v.code == 4100);
        }
        received->set("limit", "100");
        CHECK(verify(*received, k_doc_target).code == 4100);
        CHECK(nonces.size() == 0); // a refused request does not use up its nonce
    }
    SECTION("an unknown SecretId: 4104") {
        received->set("SecretId", "AKIDunknown");
        const Verdict v = verify(*received, k_doc_target);
        CHECK(v.status == VerifyStatus::unknown_key);
        CHECK(v.code == 4104);
    }
    SECTION("a Timestamp more than 300 s away: 4500; exactly 300 s: accepted") {
        clock.set(1465185768 + 301);
        Verdict v = verify(*received, k_doc_target);
        CHECK(v.status == VerifyStatus::stale_timestamp);
        CHECK(v.code == 4500);
        CHECK_THAT(v.detail, Catch::Contains("301 s"));
        clock.set(1465185768 - 301); // from the future
        CHECK(verify(*received, k_doc_target).status == VerifyStatus::stale_timestamp);
        clock.set(1465185768 + 300);
        CHECK(verify(*received, k_doc_target).ok());
    }
    SECTION("Timestamp or Nonce not an integer: 4000 InvalidParameter") {
        QueryParams bad = *received;
        bad.set("Timestamp", "soon");
        CHECK(verify(bad, k_doc_target).code == 4000);
        bad = *received;
        bad.set("Nonce", "-3");
        CHECK(verify(bad, k_doc_target).code == 4000);
        bad.erase("Nonce");
        CHECK(verify(bad, k_doc_target).code_desc == "InvalidParameter");
    }
    SECTION("an unencoded Signature ('+' became a space) is refused") {
        const std::vector<Credentials> ccr{Credentials{"AKIDexample", "secret-key"}};
        clock.set(1700000000);
        const QueryParams params{{"Action", "GetFavor"},
                                 {"Region", "ap-guangzhou"},
                                 {"SignatureMethod", "HmacSHA256"},
                                 {"offset", "14"},
                                 {"limit", "7"},
                                 {"Timestamp", "1700000000"},
                                 {"Nonce", "7"}};
        const RequestTarget target{"GET", "127.0.0.1:8443", "/v2/index.php"};
        const SignedQuery s = sign(params, target, ccr[0]);
        REQUIRE(s.params.find("Signature")->find('+') != std::string::npos);
        auto careless = parse_query("Action=GetFavor&Region=ap-guangzhou&SignatureMethod="
                                    "HmacSHA256&offset=14&limit=7&Timestamp=1700000000&Nonce=7&"
                                    "SecretId=AKIDexample&Signature=" +
                                    *s.params.find("Signature"));
        REQUIRE(careless);
        CHECK(tencent().verify(*careless, target, VerifyContext{ccr, clock}).code == 4100);
        CHECK(tencent().verify(*parse_query(s.query()), target, VerifyContext{ccr, clock}).ok());
    }
}

TEST_CASE("every verify status has its documented codes", "[signer][verify]") {
    CHECK(status_info(VerifyStatus::missing_signature).ucloud_ret_code == 170);
    CHECK(status_info(VerifyStatus::signature_mismatch).ucloud_ret_code == 171);
    CHECK(status_info(VerifyStatus::unknown_key).ucloud_ret_code == 172);
    CHECK(status_info(VerifyStatus::signature_mismatch).tencent_code == 4100);
    CHECK(status_info(VerifyStatus::unknown_key).tencent_code == 4104);
    CHECK(status_info(VerifyStatus::stale_timestamp).tencent_code == 4500);
    CHECK(status_info(VerifyStatus::reused_nonce).tencent_code == 4500);
    CHECK(status_info(VerifyStatus::invalid_parameter).tencent_code == 4000);
}

TEST_CASE("the scheme table names the contract.json schemes", "[signer]") {
    REQUIRE(schemes().size() == 2);
    for (const Scheme& s : schemes()) {
        CHECK(s.sign != nullptr);
        CHECK(s.verify != nullptr);
        CHECK(find_scheme(s.name) == &s);
    }
    CHECK(find_scheme("ucloud-sha1") == &scheme(SchemeId::ucloud_sha1));
    CHECK(find_scheme("tencent-v2-hmac") == &scheme(SchemeId::tencent_v2_hmac));
    CHECK(find_scheme("none") == nullptr);
    CHECK(scheme(SchemeId::ucloud_sha1).key_id_env == "UCLOUD_PUBLIC_KEY");
    CHECK(scheme(SchemeId::tencent_v2_hmac).secret_env == "TENCENTCLOUD_SECRET_KEY");
}
