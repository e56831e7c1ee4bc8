#include <catch2/catch.hpp>

#include "runner/schema/regex.hpp"

using conform::schema::Regex;

TEST_CASE("ECMA-262 patterns run on RE2 with search semantics") {
    auto r = Regex::compile("^[a-z]+\\d{2}$");
    REQUIRE(r);
    CHECK(r->search("abc12"));
    CHECK_FALSE(r->search("abc123"));
    auto unanchored = Regex::compile("b");
    REQUIRE(unanchored);
    CHECK(unanchored->search("abc"));
}

TEST_CASE("ECMA escapes RE2 spells differently are translated") {
    auto u = Regex::compile("^\\u00e9$");
    REQUIRE(u);
    CHECK(u->search("\xc3\xa9"));
    auto s = Regex::compile("^\\s$");
    REQUIRE(s);
    CHECK(s->search("\xc2\xa0")); // NO-BREAK SPACE is ECMA whitespace
}

TEST_CASE("constructs RE2 cannot run are clear errors") {
    CHECK_FALSE(Regex::compile("(?!x)y"));
    CHECK_FALSE(Regex::compile("(a)\\1"));
    auto bad = Regex::compile("(");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("invalid regular expression") != std::string::npos);
}
