#include <catch2/catch.hpp>

#include "runner/engine/internal/endpoint.hpp"

using conform::engine::endpoint_of;

TEST_CASE("endpoint: a target without a path takes the contract's") {
    auto e = endpoint_of("http://127.0.0.1:8080", "https://ccr.api.qcloud.com/v2/index.php");
    REQUIRE(e);
    CHECK(e->base_url == "http://127.0.0.1:8080/v2/index.php");
    CHECK(e->signing_host == "127.0.0.1:8080");
    CHECK(e->path == "/v2/index.php");
    e = endpoint_of("https://api.example.com/", "https://api.ucloud.cn");
    REQUIRE(e);
    CHECK(e->base_url == "https://api.example.com/");
    CHECK(e->signing_host == "api.example.com");
    CHECK(e->port == 443);
    e = endpoint_of("http://[::1]:9000/custom", "https://api.ucloud.cn");
    REQUIRE(e);
    CHECK(e->host == "::1");
    CHECK(e->base_url == "http://[::1]:9000/custom");
    CHECK(e->signing_host == "[::1]:9000");
}

TEST_CASE("endpoint: anything but an absolute http(s) URL is an error naming it") {
    for (const char* bad : {"ftp://x", "127.0.0.1:80", "http://", "http://h:0", "http://h:99999",
                            "http://h/?a=1", "http://[::1", "http://u@h/"}) {
        auto e = endpoint_of(bad, "https://api.ucloud.cn");
        INFO(bad);
        REQUIRE_FALSE(e);
        CHECK(e.error().message.find(bad) != std::string::npos);
    }
}
