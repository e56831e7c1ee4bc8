#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/core/json_pointer.hpp"

using namespace conform::core;

TEST_CASE("pointer tokens escape ~ and /") {
    CHECK(escape_pointer_token("a/b~c") == "a~1b~0c");
    auto tokens = parse_pointer("/a~1b/~0c/0");
    REQUIRE(tokens);
    CHECK(*tokens == std::vector<std::string>{"a/b", "~c", "0"});
    CHECK_FALSE(parse_pointer("a"));
    CHECK_FALSE(parse_pointer("/a~2"));
}

TEST_CASE("resolve_pointer follows RFC 6901") {
    auto doc = nlohmann::json::parse(R"({"a": {"b/c": [10, 20]}, "": 1})");
    CHECK(*resolve_pointer(doc, "/a/b~1c/1") == 20);
    CHECK(*resolve_pointer(doc, "/") == 1);
    CHECK(resolve_pointer(doc, "/a/b~1c/01") == nullptr); // leading zero
    CHECK(resolve_pointer(doc, "/a/b~1c/2") == nullptr);
    CHECK(resolve_pointer(doc, "") == &doc);
}

TEST_CASE("Path builds instance locations lazily") {
    Path root;
    Path a = root.member("Repo/Set");
    Path b = a.item(3);
    Path c = b.member("Name");
    CHECK(c.to_pointer() == "/Repo~1Set/3/Name");
    CHECK(root.to_pointer().empty());
}

TEST_CASE("percent-decoding of fragments") {
    CHECK(percent_decode("/a%25b/%7Bc%7D") == "/a%b/{c}");
    CHECK(percent_decode("100%") == "100%");
}
