#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_view.hpp"

using conform::core::JsonType;
using conform::core::JsonView;
using nlohmann::json;

namespace {

struct Both {
    json nl;
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    explicit Both(const std::string& text) : nl(json::parse(text)) {
        REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
    }
};

} // namespace

TEST_CASE("both views agree on types, numbers and strings") {
    Both doc(R"({"i": -3, "u": 18446744073709551615, "f": 1.0, "s": "h\u00e9", "b": true,
                 "n": null, "a": [1, 2], "o": {"k": 1}})");
    for (JsonView v : {JsonView(doc.nl), JsonView::of(doc.element)}) {
        CHECK(v.type() == JsonType::object);
        CHECK(v.size() == 8);
        CHECK(v.find("i")->as_int64() == -3);
        CHECK(v.find("u")->as_uint64() == 18446744073709551615ull);
        CHECK(v.find("f")->is_integer()); // 1.0 is an integer in JSON Schema
        CHECK(v.find("s")->as_string() == "h\xc3\xa9");
        CHECK(v.find("b")->as_bool());
        CHECK(v.find("n")->is_null());
        CHECK(v.find("a")->size() == 2);
        CHECK_FALSE(v.find("missing"));
        std::vector<std::string> keys;
        v.for_each_member([&](std::string_view k, JsonView) {
            keys.emplace_back(k);
            return true;
        });
        CHECK(keys.size() == 8);
    }
}

TEST_CASE("equality follows JSON Schema: numbers by value, objects unordered") {
    Both a(R"({"x": [1, 2.0, {"p": 1, "q": 2}]})");
    Both b(R"({"x": [1.0, 2, {"q": 2, "p": 1}]})");
    CHECK(JsonView(a.nl) == JsonView::of(b.element));
    CHECK(JsonView::of(a.element) == JsonView(b.nl));
    Both c(R"({"x": [1, 2, {"q": 2, "p": "1"}]})");
    CHECK_FALSE(JsonView(a.nl) == JsonView(c.nl));
    CHECK_FALSE(JsonView(json(0)) == JsonView(json(false)));
}

TEST_CASE("iteration can stop early") {
    json arr = json::array({1, 2, 3, 4});
    int seen = 0;
    JsonView(arr).for_each_item([&](std::size_t, JsonView) { return ++seen < 2; });
    CHECK(seen == 2);
}

TEST_CASE("FastParser reports errors with a location and enforces depth") {
    conform::core::FastParser parser;
    auto ok = parser.parse(R"({"a": [1, 2]})");
    REQUIRE(ok);
    CHECK(ok->find("a")->size() == 2);
    auto bad = parser.parse("{\"a\": [1, 2}", "x.jsonl");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().where.file == "x.jsonl");
    CHECK(bad.error().where.column > 0);
    std::string deep(300, '[');
    deep += std::string(300, ']');
    auto too_deep = parser.parse(deep);
    REQUIRE_FALSE(too_deep);
    CHECK(too_deep.error().message.find("deeper than 256") != std::string::npos);
}

TEST_CASE("nesting far beyond the limit is an error, not a stack overflow") {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    auto r = conform::core::parse_json(deep, "deep.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().where.column == 257);
}
