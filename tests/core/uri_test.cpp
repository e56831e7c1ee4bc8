#include <catch2/catch.hpp>

#include "runner/core/uri.hpp"

using namespace conform::core;

TEST_CASE("RFC 3986 5.4 reference resolution examples") {
    const std::string base = "http://a/b/c/d;p?q";
    auto r = [&](const char* ref) { return resolve_uri(base, ref).value(); };
    CHECK(r("g") == "http://a/b/c/g");
    CHECK(r("./g") == "http://a/b/c/g");
    CHECK(r("g/") == "http://a/b/c/g/");
    CHECK(r("/g") == "http://a/g");
    CHECK(r("//g") == "http://g");
    CHECK(r("?y") == "http://a/b/c/d;p?y");
    CHECK(r("#s") == "http://a/b/c/d;p?q#s");
    CHECK(r("../g") == "http://a/b/g");
    CHECK(r("../../g") == "http://a/g");
}

TEST_CASE("URNs and fragments") {
    CHECK(resolve_uri("urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "#/$defs/x").value() ==
          "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/x");
    auto [uri, frag] = split_fragment("http://x/y.json#/a");
    CHECK(uri == "http://x/y.json");
    CHECK(frag == "/a");
    CHECK_FALSE(resolve_uri("relative/base", "x"));
}

TEST_CASE("uri and uri-reference syntax") {
    CHECK(is_uri("https://example.com/a?b#c"));
    CHECK_FALSE(is_uri("/relative"));
    CHECK(is_uri_reference("/relative"));
    CHECK_FALSE(is_uri_reference("http://ex ample.com"));
}
