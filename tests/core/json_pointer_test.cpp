#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
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

TEST_CASE("resolve_pointer reads a view as it reads a tree: escapes, indices, bad pointers") {
    const auto doc = nlohmann::json::parse(
        R"({"a": {"b/c": [10, 20], "~d": {"e~f/": 3}}, "": 1, "x": [[1, [2, 3]]]})");
    FastParser parser;
    const std::string text = doc.dump();
    auto view = parser.parse(text);
    REQUIRE(view);
    for (const char* pointer :
         {"", "/", "/a/b~1c/1", "/a/~0d/e~0f~1", "/x/0/1/0", "/x/0/1/1", "/a/b~1c/01", "/a/b~1c/2",
          "/a/b~1c/-", "/a/~2d", "/a/~", "a", "/a/b~1c/1/z", "/nope", "/x/0/"}) {
        INFO(pointer);
        const nlohmann::json* tree = resolve_pointer(doc, pointer);
        const auto seen = resolve_pointer(*view, pointer);
        REQUIRE(static_cast<bool>(tree) == seen.has_value());
        if (tree)
            CHECK(seen->to_json() == *tree);
    }
    CHECK(*resolve_pointer(doc, "/a/~0d/e~0f~1") == 3);
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
