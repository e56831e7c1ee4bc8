// Credentials come from the environment only (DESIGN.md), read by one function.
#include <catch2/catch.hpp>

#include "runner/http/http.hpp"
#include "tests/http/signing_support.hpp"

using namespace conform::http;
using conform::test::ScopedEnv;

TEST_CASE("credentials_from_env reads the scheme's two variables", "[credentials]") {
    const ScopedEnv id("TENCENTCLOUD_SECRET_ID", "AKIDfromenv");
    const ScopedEnv key("TENCENTCLOUD_SECRET_KEY", "key-from-env");
    auto credentials =
        credentials_from_env(scheme(SchemeId::tencent_v2_hmac), ProcessEnvironment{});
    REQUIRE(credentials);
    CHECK(credentials->key_id == "AKIDfromenv");
    CHECK(credentials->secret == "key-from-env");
}

TEST_CASE("credentials_from_env names the variables when they are missing", "[credentials]") {
    const Scheme& ucloud = scheme(SchemeId::ucloud_sha1);
    SECTION("both missing") {
        const ScopedEnv id("UCLOUD_PUBLIC_KEY", std::nullopt);
        const ScopedEnv key("UCLOUD_PRIVATE_KEY", std::nullopt);
        auto credentials = credentials_from_env(ucloud, ProcessEnvironment{});
        REQUIRE_FALSE(credentials);
        CHECK(credentials.error().message ==
              "ucloud-sha1 signing needs the environment variables UCLOUD_PUBLIC_KEY and "
              "UCLOUD_PRIVATE_KEY; not set or empty: UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY");
    }
    SECTION("one empty counts as missing, and its value is not echoed") {
        const ScopedEnv id("UCLOUD_PUBLIC_KEY", "pub");
        const ScopedEnv key("UCLOUD_PRIVATE_KEY", "");
        auto credentials = credentials_from_env(ucloud, ProcessEnvironment{});
        REQUIRE_FALSE(credentials);
        CHECK_THAT(credentials.error().message,
                   Catch::EndsWith("not set or empty: UCLOUD_PRIVATE_KEY"));
    }
    SECTION("the secret present, the id missing: the secret is never in the message") {
        const ScopedEnv id("UCLOUD_PUBLIC_KEY", std::nullopt);
        const ScopedEnv key("UCLOUD_PRIVATE_KEY", "very-secret-value");
        auto credentials = credentials_from_env(ucloud, ProcessEnvironment{});
        REQUIRE_FALSE(credentials);
        CHECK(credentials.error().message.find("very-secret-value") == std::string::npos);
        CHECK_THAT(credentials.error().message, Catch::EndsWith("empty: UCLOUD_PUBLIC_KEY"));
    }
}

TEST_CASE("ProcessEnvironment tells unset from empty", "[credentials]") {
    const ScopedEnv set("CONFORM_TEST_VARIABLE", "");
    CHECK(ProcessEnvironment{}.get("CONFORM_TEST_VARIABLE") == std::optional<std::string>(""));
    const ScopedEnv unset("CONFORM_TEST_VARIABLE_UNSET", std::nullopt);
    CHECK_FALSE(ProcessEnvironment{}.get("CONFORM_TEST_VARIABLE_UNSET").has_value());
}
