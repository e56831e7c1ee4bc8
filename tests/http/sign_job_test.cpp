// `conform sign` through the library function the command calls, with injected edges.
#include <catch2/catch.hpp>

#include <sstream>

#include "runner/http/http.hpp"
#include "tests/http/signing_support.hpp"

using namespace conform::http;
using conform::test::FixedNonces;
using conform::test::MapEnvironment;

namespace {

const MapEnvironment k_env({
    {"TENCENTCLOUD_SECRET_ID", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"},
    {"TENCENTCLOUD_SECRET_KEY", "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA"},
    {"UCLOUD_PUBLIC_KEY", "ucloudsomeone@example.com1296235120854146120"},
    {"UCLOUD_PRIVATE_KEY", "46f09bb9fab4f12dfc160dae12273d5332b5debe"},
});

struct Run {
    bool done;         // signed; else error holds why (`conform sign` exits 2 with it)
    std::string error; // the message `conform sign` prints after "conform: error: "
    std::string out;
    std::string err;
};

Run run(const SignJob& job, const Environment& environment = k_env) {
    const FixedClock clock(1700000000);
    FixedNonces nonces({4242});
    std::ostringstream out, err;
    const auto verdict = run_sign(job, SignEdges{environment, clock, nonces}, out, err);
    if (verdict)
        CHECK(*verdict == conform::core::Verdict::conformant);
    return {verdict.has_value(), verdict ? std::string() : verdict.error().message, out.str(),
            err.str()};
}

SignJob tencent_doc_job() {
    SignJob job;
    job.scheme = "tencent-v2-hmac";
    job.host = "cvm.api.qcloud.com";
    job.path = "/v2/index.php";
    job.params = {"Action=DescribeInstances",   "Nonce=11886", "Region=gz", "Timestamp=1465185768",
                  "instanceIds.0=ins-09dx96dg", "limit=20",    "offset=0"};
    return job;
}

} // namespace

TEST_CASE("sign reproduces the Tencent worked example with explicit Timestamp and Nonce",
          "[sign]") {
    SignJob job = tencent_doc_job();
    job.explain = true;
    const Run r = run(job);
    CHECK(r.done);
    CHECK(r.out == "Action=DescribeInstances&Nonce=11886&Region=gz&SecretId="
                   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&instanceIds.0="
                   "ins-09dx96dg&limit=20&offset=0&Signature=NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D\n");
    CHECK(r.err == "conform: string to sign (tencent-v2-hmac): GETcvm.api.qcloud.com/v2/"
                   "index.php?Action=DescribeInstances&Nonce=11886&Region=gz&SecretId="
                   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768&instanceIds.0="
                   "ins-09dx96dg&limit=20&offset=0\n");
}

TEST_CASE("sign --contract uses the contract's scheme, host and path", "[sign]") {
    SECTION("tencent-ccr: the clock's Timestamp and a fresh Nonce") {
        SignJob job;
        job.contract = "tencent-ccr";
        job.params = {"Action=GetFavor", "Region=ap-guangzhou", "limit=7"};
        job.explain = true;
        const Run r = run(job);
        CHECK(r.done);
        CHECK_THAT(r.out, Catch::StartsWith("Action=GetFavor&Nonce=4242&Region=ap-guangzhou&"
                                            "SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&"
                                            "Timestamp=1700000000&limit=7&Signature="));
        CHECK_THAT(r.err, Catch::Contains("GETccr.api.qcloud.com/v2/index.php?Action=GetFavor"));
    }
    SECTION("ucloud-uhub and genesissai-uhub: UCloud's published example") {
        for (const char* contract : {"ucloud-uhub", "genesissai-uhub"}) {
            SignJob job;
            job.contract = contract;
            job.params = {"Action=CreateUHostInstance",
                          "Region=cn-bj2",
                          "Zone=cn-bj2-04",
                          "ImageId=f43736e1-65a5-4bea-ad2e-8a46e18883c2",
                          "CPU=2",
                          "ChargeType=Month",
                          "LoginMode=Password",
                          "Password=VUNsb3VkLmNu",
                          "Memory=2048",
                          "DiskSpace=10",
                          "Name=Host01",
                          "Quantity=1"};
            job.explain = true;
            const Run r = run(job);
            INFO(contract);
            CHECK(r.done);
            CHECK_THAT(r.out,
                       Catch::EndsWith("&Signature=4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65\n"));
            CHECK_THAT(r.err, Catch::EndsWith("Zonecn-bj2-04<UCLOUD_PRIVATE_KEY>\n"));
        }
    }
}

TEST_CASE("sign output never holds a secret key", "[sign][secret]") {
    for (const char* contract : {"tencent-ccr", "ucloud-uhub"}) {
        SignJob job;
        job.contract = contract;
        job.params = {"Action=GetRepo", "Region=cn-bj2"};
        job.explain = true;
        const Run r = run(job);
        INFO(contract);
        REQUIRE(r.done);
        for (const char* secret :
             {"Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", "46f09bb9fab4f12dfc160dae12273d5332b5debe"}) {
            CHECK(r.out.find(secret) == std::string::npos);
            CHECK(r.err.find(secret) == std::string::npos);
        }
    }
}

TEST_CASE("sign without credentials exits 2 naming the variables", "[sign][credentials]") {
    const MapEnvironment empty({});
    SignJob job;
    job.contract = "tencent-ccr";
    job.params = {"Action=GetFavor"};
    const Run r = run(job, empty);
    CHECK_FALSE(r.done);
    CHECK(r.out.empty());
    CHECK_THAT(r.error, Catch::Contains("TENCENTCLOUD_SECRET_ID") &&
                            Catch::Contains("TENCENTCLOUD_SECRET_KEY"));
}

TEST_CASE("sign usage errors exit 2", "[sign]") {
    struct Bad {
        const char* what;
        SignJob job;
        const char* message;
    };
    SignJob neither;
    SignJob both = tencent_doc_job();
    both.contract = "tencent-ccr";
    SignJob unknown_contract;
    unknown_contract.contract = "aws-s3";
    SignJob unknown_scheme;
    unknown_scheme.scheme = "aws-sigv4";
    SignJob no_host = tencent_doc_job();
    no_host.host.clear();
    SignJob url_host = tencent_doc_job();
    url_host.host = "https://cvm.api.qcloud.com";
    SignJob bad_path = tencent_doc_job();
    bad_path.path = "v2/index.php";
    SignJob bad_param = tencent_doc_job();
    bad_param.params.push_back("=value");
    SignJob no_equals = tencent_doc_job();
    no_equals.params.push_back("Limit");
    for (const Bad& bad :
         {Bad{"neither", neither, "exactly one of --contract"},
          Bad{"both", both, "exactly one of --contract"},
          Bad{"contract", unknown_contract, "known: tencent-ccr, ucloud-uhub, genesissai-uhub"},
          Bad{"scheme", unknown_scheme, "known: ucloud-sha1, tencent-v2-hmac"},
          Bad{"host", no_host, "give --host"}, Bad{"url", url_host, "not a URL"},
          Bad{"path", bad_path, "must start with '/'"},
          Bad{"param", bad_param, "--param takes NAME=VALUE"},
          Bad{"equals", no_equals, "got \"Limit\""}}) {
        INFO(bad.what);
        const Run r = run(bad.job);
        CHECK_FALSE(r.done);
        CHECK(r.out.empty());
        CHECK_THAT(r.error, Catch::Contains(bad.message));
    }
}

TEST_CASE("sign warns about requests the gateway will refuse anyway", "[sign]") {
    SignJob job;
    job.contract = "tencent-ccr";
    job.params = {"Version=2017-03-12", "Signature=x"};
    const Run r = run(job);
    CHECK(r.done);
    CHECK_THAT(r.err, Catch::Contains("no Action") && Catch::Contains("no Region") &&
                          Catch::Contains("Version parameter") &&
                          Catch::Contains("Signature is replaced"));
}
