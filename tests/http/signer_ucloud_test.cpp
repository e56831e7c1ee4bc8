// ucloud-sha1 (../shared/SIGNING.md, "UCloud"). Expected signatures were computed outside
// conform with `printf '%s' '<concatenation><private key>' | sha1sum`.
#include <catch2/catch.hpp>

#include "runner/http/internal/signers.hpp"
#include "tests/http/signing_support.hpp"

using namespace conform::http;
using conform::test::FixedNonces;

namespace {

const Scheme& ucloud() {
    return scheme(SchemeId::ucloud_sha1);
}

// UCloud's own published example (CreateUHostInstance), whose documented signature is
// 4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65; sha1sum agrees.
const Credentials k_doc_credentials{"ucloudsomeone@example.com1296235120854146120",
                                    "46f09bb9fab4f12dfc160dae12273d5332b5debe"};
QueryParams doc_params() {
    // Deliberately not in sorted order.
    return {{"Zone", "cn-bj2-04"},
            {"Action", "CreateUHostInstance"},
            {"Region", "cn-bj2"},
            {"ImageId", "f43736e1-65a5-4bea-ad2e-8a46e18883c2"},
            {"CPU", "2"},
            {"ChargeType", "Month"},
            {"LoginMode", "Password"},
            {"Password", "VUNsb3VkLmNu"},
            {"Memory", "2048"},
            {"DiskSpace", "10"},
            {"Name", "Host01"},
            {"Quantity", "1"}};
}

SignedQuery sign(const QueryParams& params, const Credentials& credentials) {
    const FixedClock clock(1700000000);
    FixedNonces nonces({1});
    auto signed_query = ucloud().sign(params, RequestTarget{}, credentials, clock, nonces);
    REQUIRE(signed_query);
    return std::move(signed_query).value();
}

Verdict verify(const QueryParams& received, std::span<const Credentials> known) {
    const FixedClock clock(1700000000);
    return ucloud().verify(received, RequestTarget{}, VerifyContext{known, clock});
}

} // namespace

TEST_CASE("ucloud-sha1 reproduces UCloud's published example", "[signer][ucloud]") {
    const SignedQuery s = sign(doc_params(), k_doc_credentials);
    CHECK(*s.params.find("Signature") == "4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65");
    CHECK(*s.params.find("PublicKey") == k_doc_credentials.key_id); // set from the credentials
    // Sent in signing order, Signature last.
    CHECK(s.params[0].name == "Action");
    CHECK(s.params[1].name == "CPU");
    CHECK(s.params[2].name == "ChargeType");
    CHECK(s.params[s.params.size() - 1].name == "Signature");
    CHECK(s.query() ==
          "Action=CreateUHostInstance&CPU=2&ChargeType=Month&DiskSpace=10&ImageId=f43736e1-65a5-"
          "4bea-ad2e-8a46e18883c2&LoginMode=Password&Memory=2048&Name=Host01&Password="
          "VUNsb3VkLmNu&PublicKey=ucloudsomeone%40example.com1296235120854146120&Quantity=1&"
          "Region=cn-bj2&Zone=cn-bj2-04&Signature=4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65");
}

TEST_CASE("ucloud-sha1 sorts names by bytes", "[signer][ucloud][sort]") {
    // "CPU" before "ChargeType" ('P' < 'h'), "Name.10" before "Name.2" ('1' < '2').
    QueryParams params{{"Name.2", "b"},     {"ChargeType", "Month"},
                       {"PublicKey", "pk"}, {"Name.10", "a"},
                       {"CPU", "2"},        {"Action", "X"}};
    CHECK(internal::ucloud_concatenation(params) ==
          "ActionXCPU2ChargeTypeMonthName.10aName.2bPublicKeypk");
    // printf '%s' 'ActionXCPU2ChargeTypeMonthName.10aName.2bPublicKeypkprivate' | sha1sum
    CHECK(*internal::ucloud_signature(params, "private") ==
          "5f2de892613eb03f23a4a499d039576c7e038e5a");
    const SignedQuery s = sign(params, Credentials{"pk", "private"});
    CHECK(*s.params.find("Signature") == "5f2de892613eb03f23a4a499d039576c7e038e5a");
}

TEST_CASE("ucloud-sha1 signs values unencoded and sends them encoded", "[signer][ucloud]") {
    // A UHub GetRepo whose public key holds '+', '/' and '='.
    const Credentials credentials{"pub+key/with=chars", "priv-key-123"};
    const QueryParams params{{"Action", "GetRepo"}, {"Region", "cn-bj2"}, {"ProjectId", "org-abc"},
                             {"Type", "private"},   {"Offset", "0"},      {"Limit", "20"}};
    const SignedQuery s = sign(params, credentials);
    // printf '%s' 'ActionGetRepoLimit20Offset0ProjectIdorg-abcPublicKeypub+key/with=chars
    //              Regioncn-bj2Typeprivatepriv-key-123' | sha1sum   (one line)
    CHECK(*s.params.find("Signature") == "5d247adbab90fe56380fb0fa040017015e8e5658");
    CHECK_THAT(s.query(), Catch::Contains("&PublicKey=pub%2Bkey%2Fwith%3Dchars&"));
    CHECK(s.explain == "ActionGetRepoLimit20Offset0ProjectIdorg-abcPublicKeypub+key/with=chars"
                       "Regioncn-bj2Typeprivate<UCLOUD_PRIVATE_KEY>");
}

TEST_CASE("ucloud-sha1 keeps repeated names in order and replaces a given Signature",
          "[signer][ucloud]") {
    // UCloud's GetRepo sample sends ProjectId twice.
    const QueryParams params{{"ProjectId", "p2"},
                             {"Action", "GetRepo"},
                             {"ProjectId", "p1"},
                             {"Signature", "stale"},
                             {"PublicKey", "ignored"}};
    CHECK(internal::ucloud_concatenation(params) ==
          "ActionGetRepoProjectIdp2ProjectIdp1PublicKeyignored");
    const SignedQuery s = sign(params, Credentials{"pk", "sk"});
    CHECK(s.query().find("stale") == std::string::npos);
    CHECK(*s.params.find("PublicKey") == "pk");
    CHECK(s.explain == "ActionGetRepoProjectIdp2ProjectIdp1PublicKeypk<UCLOUD_PRIVATE_KEY>");
}

TEST_CASE("ucloud-sha1 explain never holds the private key", "[signer][ucloud][secret]") {
    const SignedQuery s = sign(doc_params(), k_doc_credentials);
    CHECK(s.explain.find(k_doc_credentials.secret) == std::string::npos);
    CHECK(s.query().find(k_doc_credentials.secret) == std::string::npos);
    CHECK_THAT(s.explain, Catch::EndsWith("Zonecn-bj2-04<UCLOUD_PRIVATE_KEY>"));
}

TEST_CASE("ucloud-sha1 verification", "[signer][ucloud][verify]") {
    const std::vector<Credentials> known{Credentials{"other", "x"}, k_doc_credentials};
    // What the server receives: the sent query string, decoded.
    const std::string sent = sign(doc_params(), k_doc_credentials).query();
    auto received = parse_query(sent);
    REQUIRE(received);

    SECTION("ok") {
        const Verdict v = verify(*received, known);
        CHECK(v.ok());
        CHECK(v.code == 0);
    }
    SECTION("missing Signature: 170") {
        received->erase("Signature");
        const Verdict v = verify(*received, known);
        CHECK(v.status == VerifyStatus::missing_signature);
        CHECK(v.code == 170);
    }
    SECTION("a changed value: 171 Signature VerifyAC Error") {
        received->set("Memory", "4096");
        const Verdict v = verify(*received, known);
        CHECK(v.status == VerifyStatus::signature_mismatch);
        CHECK(v.code == 171);
        CHECK(v.message == "Signature VerifyAC Error");
    }
    SECTION("a wrong private key: 171") {
        const std::vector<Credentials> wrong{Credentials{k_doc_credentials.key_id, "nope"}};
        CHECK(verify(*received, wrong).code == 171);
    }
    SECTION("an unknown or missing PublicKey: 172 User Not Exists") {
        const std::vector<Credentials> others{Credentials{"other", "x"}};
        const Verdict v = verify(*received, others);
        CHECK(v.status == VerifyStatus::unknown_key);
        CHECK(v.code == 172);
        CHECK(v.message == "User Not Exists");
        received->erase("PublicKey");
        CHECK(verify(*received, known).code == 172);
    }
    SECTION("an unencoded '+' in the public key decodes to a space: 172") {
        // SIGNING.md: the gateway "answers RetCode 172 before it even checks the signature".
        const Credentials plus{"pub+key", "sk"};
        const std::vector<Credentials> plus_known{plus};
        const SignedQuery s = sign(QueryParams{{"Action", "GetRepo"}}, plus);
        std::string careless; // a client that does not encode values
        for (const QueryParam& p : s.params)
            careless += (careless.empty() ? "" : "&") + p.name + "=" + p.value;
        auto decoded = parse_query(careless);
        REQUIRE(decoded);
        CHECK(*decoded->find("PublicKey") == "pub key");
        CHECK(verify(*decoded, plus_known).code == 172);
        CHECK(verify(*parse_query(s.query()), plus_known).ok()); // encoded: accepted
    }
}
