#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

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

TEST_CASE("both views walk an array's items alike, containers within skipped whole") {
    Both doc(R"({"a": [1, -2, 18446744073709551615, 2.5, "s", "", true, false, null,
                       [3, [4, {"k": [5]}]], {"x": {"y": [6, 7]}}, [], {}, "last"],
                 "empty": [], "object": {"k": 1}, "scalar": 3})");
    auto walk = [](JsonView v, int stop_after = -1) {
        std::vector<std::pair<std::size_t, json>> out;
        v.for_each_item([&](std::size_t i, JsonView item) {
            out.emplace_back(i, item.to_json());
            return static_cast<int>(out.size()) != stop_after;
        });
        return out;
    };
    // The same walk by cursor (items()), the way loops without a callback read a list.
    auto cursor_walk = [](JsonView v) {
        std::vector<std::pair<std::size_t, json>> out;
        auto items = v.items();
        JsonView item;
        while (items.next(item))
            out.emplace_back(out.size(), item.to_json());
        return out;
    };
    const JsonView nl(doc.nl), simd = JsonView::of(doc.element);
    const auto expected = walk(*nl.find("a"));
    REQUIRE(expected.size() == 14);
    CHECK(walk(*simd.find("a")) == expected);
    CHECK(cursor_walk(*simd.find("a")) == expected);
    CHECK(cursor_walk(*nl.find("a")) == expected);
    CHECK(walk(*simd.find("a"), 10) == walk(*nl.find("a"), 10));
    CHECK(walk(*simd.find("a"), 10).size() == 10);
    for (const char* name : {"empty", "object", "scalar"}) {
        INFO(name);
        CHECK(walk(*simd.find(name)).empty());
        CHECK(walk(*nl.find(name)).empty());
        CHECK(cursor_walk(*simd.find(name)).empty());
        CHECK(cursor_walk(*nl.find(name)).empty());
    }
    CHECK(cursor_walk(JsonView()).empty()); // the null view: nothing to walk
    // An item that is itself an array, walked in turn.
    std::vector<json> inner;
    for (const auto& [i, item] : expected)
        if (item.is_array())
            inner.push_back(item);
    std::vector<json> simd_inner;
    simd.find("a")->for_each_item([&](std::size_t, JsonView item) {
        if (item.is_array()) {
            json copy = json::array();
            item.for_each_item([&](std::size_t, JsonView x) {
                copy.push_back(x.to_json());
                return true;
            });
            simd_inner.push_back(copy);
        }
        return true;
    });
    CHECK(simd_inner == inner);
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

TEST_CASE("parse_owned: documents of their own, each the size it uses, whatever came before") {
    conform::core::FastParser parser;
    // Large first, then smaller: the scratch keeps the larger one's words past the smaller
    // one's end, which a document must not take for its own.
    json large = json::array();
    for (int i = 0; i < 200; ++i)
        large.push_back({{"name", "item-" + std::to_string(i)}, {"n", i}, {"x", i * 0.5}});
    const std::vector<std::string> texts = {
        large.dump(),
        R"({"s":"caf\u00e9 \"q\" \\ \n","i":-9223372036854775808,"u":18446744073709551615,)"
        R"("d":-1.5e-300,"t":true,"f":false,"z":null,"e":"","o":{},"a":[]})",
        R"("just a string")", "42", "[[[]],[{}]]", R"({"":""})",
        // Strings, then numbers whose raw words begin with the byte of a string's tape word
        // ('"', 0x22): 0x2200000000000000 and the double with those bits.
        R"({"first":"a string long enough to matter","second":"another string of some length",)"
        R"("third":"and a third one, past the padding","n":2449958197289549824,)"
        R"("d":2.0e-144})"};
    std::vector<std::shared_ptr<const conform::core::JsonDocument>> kept;
    for (const std::string& text : texts) {
        std::string padded = text;
        padded.reserve(text.size() + conform::core::k_parse_padding);
        auto document = parser.parse_owned(padded);
        REQUIRE(document);
        kept.push_back(document);
    }
    for (std::size_t i = 0; i < texts.size(); ++i) { // all still readable, each its own
        INFO(texts[i]);
        CHECK(kept[i]->root().to_json() == json::parse(texts[i]));
    }
    std::string bad = R"({"a": [1, 2})";
    bad.reserve(bad.size() + conform::core::k_parse_padding);
    CHECK_FALSE(parser.parse_owned(bad));
    std::string deep = std::string(20, '[') + std::string(20, ']');
    deep.reserve(deep.size() + conform::core::k_parse_padding);
    CHECK_FALSE(parser.parse_owned(deep, conform::core::ParseLimits{10}));
    CHECK(parser.parse_owned(deep, conform::core::ParseLimits{30}));
}

TEST_CASE("scratch_text: a member's bytes, found from the parse's structural index") {
    using Keys = std::vector<std::string_view>;
    conform::core::FastParser parser;
    std::string text =
        R"( {"request":{"body":"in the request","x":{"body":0}},)"
        R"( "response" : { "headers":[["body","h"]], "body" :  {"body":{"a":[1, {"b":2}],"z":[5,6]}} ,)"
        R"("after":[1,{"x":[2,3]}],"status":200 , "n": -1.5e3 },)"
        R"("nested":{"a":[1,2],"b":{"c":3,"d":4}},"s":"a \"quoted\" \\ string", "last":[]} )";
    text.reserve(text.size() + conform::core::k_parse_padding);
    REQUIRE(parser.parse_scratch(text));
    auto at = [&](Keys keys) { return parser.scratch_text(text, keys); };
    CHECK(at({"response", "body"}) == R"({"body":{"a":[1, {"b":2}],"z":[5,6]}})");
    CHECK(at({"response", "body", "body"}) == R"({"a":[1, {"b":2}],"z":[5,6]})");
    CHECK(at({"response", "body", "body", "a"}) == R"([1, {"b":2}])");
    CHECK(at({"request", "body"}) == R"("in the request")");
    CHECK(at({"request", "x", "body"}) == "0");
    CHECK(at({"response", "status"}) == "200");
    CHECK(at({"response", "n"}) == "-1.5e3");
    CHECK(at({"s"}) == R"("a \"quoted\" \\ string")");
    CHECK(at({"last"}) == "[]");
    CHECK(at({"nested", "b"}) == R"({"c":3,"d":4})");
    CHECK(at({"response", "after"}) == R"([1,{"x":[2,3]}])");
    CHECK(at({}) == text.substr(1, text.size() - 2));
    // Absent, or not where the keys lead: "body" is no member of the root, "x" none of the
    // response; "h" a value, not a key; "status" holds no object to go into.
    CHECK_FALSE(at({"body"}));
    CHECK_FALSE(at({"response", "x"}));
    CHECK_FALSE(at({"response", "headers", "body"}));
    CHECK_FALSE(at({"response", "status", "a"}));
    CHECK_FALSE(at({"h"}));
    // Another text than the one parsed last is not read.
    CHECK_FALSE(parser.scratch_text(text + " ", Keys{"s"}));

    // A key written with an escape is the parse's key, but its bytes are not: not found so.
    std::string escaped = R"({"resp\u006fnse":{"body":1},"b":{"k\"":2}})";
    escaped.reserve(escaped.size() + conform::core::k_parse_padding);
    const auto root = parser.parse_scratch(escaped);
    REQUIRE(root);
    CHECK(root->find("response"));
    CHECK_FALSE(parser.scratch_text(escaped, Keys{"response", "body"}));
    CHECK_FALSE(parser.scratch_text(escaped, Keys{"b", "k"}));
    CHECK_FALSE(parser.scratch_text(text, Keys{"s"})); // parsed last: escaped, not text

    std::string bad = R"({"a": [1, 2})";
    bad.reserve(bad.size() + conform::core::k_parse_padding);
    CHECK_FALSE(parser.parse_scratch(bad));
    CHECK_FALSE(parser.scratch_text(bad, Keys{"a"}));
}

TEST_CASE("take_scratch: the parse rooted at a member, lent or copied out") {
    using Keys = std::vector<std::string_view>;
    conform::core::FastParser parser;
    std::string first = R"({"response":{"status":200,"body":{"items":[1,2,3],"name":"one"}}})";
    first.reserve(first.size() + conform::core::k_parse_padding);
    REQUIRE(parser.parse_scratch(first));
    const auto owned = parser.take_scratch(Keys{"response", "body"}, false);
    REQUIRE(owned);
    CHECK(owned->root().to_json() == json::parse(R"({"items":[1,2,3],"name":"one"})"));
    const auto scalar = parser.take_scratch(Keys{"response", "status"}, false);
    REQUIRE(scalar);
    CHECK(scalar->root().as_int64() == 200);
    CHECK_FALSE(parser.take_scratch(Keys{"response", "absent"}, false));
    const auto lent = parser.take_scratch(Keys{"response", "body", "items"}, true);
    REQUIRE(lent);
    CHECK(lent.use_count() == 0); // owning nothing
    CHECK(lent->root().to_json() == json::parse("[1,2,3]"));

    // The next parse overwrites what was lent; what was copied out stays.
    std::string second = R"({"response":{"body":{"name":"two, and longer than the first"}}})";
    second.reserve(second.size() + conform::core::k_parse_padding);
    REQUIRE(parser.parse_scratch(second));
    CHECK(owned->root().to_json() == json::parse(R"({"items":[1,2,3],"name":"one"})"));
    CHECK(parser.take_scratch(Keys{"response", "body", "name"}, true)->root().as_string() ==
          "two, and longer than the first");
}

TEST_CASE("nesting far beyond the limit is an error, not a stack overflow") {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    auto r = conform::core::parse_json(deep, "deep.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().where.column == 257);
}

namespace {

std::vector<JsonView> items_of(JsonView array) {
    std::vector<JsonView> items;
    array.for_each_item([&](std::size_t, JsonView item) {
        items.push_back(item);
        return true;
    });
    // The cursor reads the same items (the tape layout tests below walk every array so).
    std::size_t n = 0;
    auto cursor = array.items();
    JsonView item;
    while (cursor.next(item)) {
        REQUIRE(n < items.size());
        CHECK(item == items[n++]);
    }
    CHECK(n == items.size());
    return items;
}

// Compares a view with simdjson's own reading of the same value, all the way down. The view
// reads simdjson's tape itself (json_view.hpp): this is what fails if a simdjson release
// changes the tape layout.
void check_same(JsonView v, simdjson::dom::element e, const std::string& where) {
    namespace dom = simdjson::dom;
    INFO(where);
    switch (e.type()) {
    case dom::element_type::OBJECT: {
        REQUIRE(v.is_object());
        dom::object o = e.get_object().value();
        CHECK(v.size() == o.size());
        auto members = v.members();
        std::string_view key;
        JsonView value;
        for (dom::key_value_pair kv : o) {
            REQUIRE(members.next(key, value));
            CHECK(key == kv.key);
            check_same(value, kv.value, where + "/" + std::string(kv.key));
        }
        CHECK_FALSE(members.next(key, value));
        break;
    }
    case dom::element_type::ARRAY: {
        REQUIRE(v.is_array());
        dom::array a = e.get_array().value();
        CHECK(v.size() == a.size());
        const std::vector<JsonView> items = items_of(v);
        REQUIRE(items.size() == a.size());
        std::size_t i = 0;
        for (dom::element item : a) {
            check_same(items[i], item, where + "/" + std::to_string(i));
            ++i;
        }
        break;
    }
    case dom::element_type::STRING:
        REQUIRE(v.is_string());
        CHECK(v.as_string() == e.get_string().value());
        break;
    case dom::element_type::INT64:
        REQUIRE(v.number_kind() == conform::core::NumberKind::int64);
        CHECK(v.as_int64() == e.get_int64().value());
        break;
    case dom::element_type::UINT64:
        REQUIRE(v.number_kind() == conform::core::NumberKind::uint64);
        CHECK(v.as_uint64() == e.get_uint64().value());
        break;
    case dom::element_type::DOUBLE:
        REQUIRE(v.number_kind() == conform::core::NumberKind::floating);
        CHECK(std::bit_cast<std::uint64_t>(v.as_double()) ==
              std::bit_cast<std::uint64_t>(e.get_double().value()));
        break;
    case dom::element_type::BOOL:
        REQUIRE(v.is_boolean());
        CHECK(v.as_bool() == e.get_bool().value());
        break;
    case dom::element_type::NULL_VALUE:
        CHECK(v.is_null());
        break;
    }
}

} // namespace

TEST_CASE("a simdjson view reads every kind of value as simdjson does") {
    const std::string long_string(70000, 'x'); // longer than 16 bits of length
    const std::string text =
        R"({"empty_object": {}, "empty_array": [], "s": "a\u0000b\"\\\/\n\u00e9\ud83d\ude00",)"
        R"( "": "empty key", "i": -9223372036854775808, "u": 18446744073709551615,)"
        R"( "small": 7, "d": -0.0, "e": 1.5e300, "t": true, "f": false, "n": null,)"
        R"( "nested": {"a": [1, [2, [3, {"b": [[], {}]}]], "z"], "c": {"d": {"e": null}}},)"
        R"( "dup": 1, "dup": "second", "long": ")" +
        long_string + R"(", "after": [true]})";
    Both doc(text);
    check_same(JsonView::of(doc.element), doc.element, "");
    // members, values and lengths exactly as simdjson has them
    const JsonView root = JsonView::of(doc.element);
    CHECK(root.find("s")->as_string() ==
          std::string_view("a\0b\"\\/\n\xc3\xa9\xf0\x9f\x98\x80", 13));
    CHECK(root.find("long")->as_string().size() == 70000);
    CHECK(root.find("after")->size() == 1);
    // a view of a root scalar, and of scalars at the end of the tape
    for (const char* scalar :
         {"42", "-1", "18446744073709551615", "2.5", "\"s\"", "true", "false", "null"}) {
        Both one(scalar);
        check_same(JsonView::of(one.element), one.element, scalar);
        CHECK(JsonView::of(one.element) == JsonView(one.nl));
    }
}

TEST_CASE("a scalar view keeps its value, not its document") {
    JsonView s, i, d;
    {
        const json value = json::parse(R"(["text", -5, 0.25])");
        s = JsonView(value[0]);
        i = JsonView(value[1]);
        d = JsonView(value[2]);
        CHECK(s.as_string() == "text");
    }
    // numbers and booleans are copied into the view (strings still point into the document)
    CHECK(i.as_int64() == -5);
    CHECK(i.as_double() == -5.0);
    CHECK(d.as_double() == 0.25);
    CHECK_FALSE(d.is_integer());
    CHECK(d.as_int64() == 0);
    // conversions between kinds are the same for both sources
    Both doc(R"([1e30, -1e30, 3.0, 9223372036854775808])");
    for (JsonView v : {JsonView(doc.nl), JsonView::of(doc.element)}) {
        const std::vector<JsonView> items = items_of(v);
        REQUIRE(items.size() == 4);
        CHECK(items[0].as_int64() == INT64_MAX);
        CHECK(items[0].as_uint64() == UINT64_MAX);
        CHECK(items[1].as_int64() == INT64_MIN);
        CHECK(items[1].as_uint64() == 0);
        CHECK(items[2].is_integer());
        CHECK(items[3].number_kind() == conform::core::NumberKind::uint64);
        CHECK(items[3].as_double() == 9223372036854775808.0);
    }
}

TEST_CASE("find compares whole names of every length, escaped ones unescaped") {
    // Names of 0 to 20 bytes (each width core::same_bytes reads differently), each next to one
    // of the same length that differs only in its first or last byte; a name repeated (the
    // first wins, as simdjson's at_key and nlohmann's parse keep) and one spelt with escapes.
    std::string text = "{";
    std::vector<std::string> wanted;
    for (std::size_t n = 0; n <= 20; ++n) {
        std::string name(n, 'k');
        for (std::size_t i = 0; i < n; ++i)
            name[i] = static_cast<char>('a' + (i * 7 + n) % 26);
        std::string first = name, last = name;
        if (n > 0) {
            first[0] = '#';
            last[n - 1] = '#';
        }
        if (n > 0) // before the name, with other values: a loose comparison finds them
            for (const std::string& k : {first, last})
                text += json(k).dump() + ":" + std::to_string(100 + n) + ",";
        text += json(name).dump() + ":" + std::to_string(n) + ",";
        wanted.push_back(name);
    }
    text += R"("dup":1,"dup":2,"tab\t\u00e9":3})";
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
    const json nl = json::parse(text);
    for (JsonView v : {JsonView(nl), JsonView::of(element)}) {
        for (std::size_t n = 0; n < wanted.size(); ++n) {
            INFO("length " << n);
            const auto found = v.find(wanted[n]);
            REQUIRE(found);
            CHECK(found->as_int64() == static_cast<std::int64_t>(n));
            CHECK_FALSE(v.find(wanted[n] + "x"));
        }
        CHECK(v.find("tab\t\xc3\xa9")->as_int64() == 3);
        CHECK_FALSE(v.find("tab\\t\\u00e9"));
    }
    CHECK(JsonView::of(element).find("dup")->as_int64() == 1);
}

TEST_CASE("find with a hint: where the object before had the key, else anywhere") {
    // Items whose members come in one order, then another, then without the key.
    const std::string text =
        R"([{"a":1,"b":[1,{"k":0}],"k":"x"},{"a":2,"b":[],"k":"y"},{"k":"z","a":3},{"a":4},)"
        R"({"a":5,"b":{"k":"nested"},"k":"w"}])";
    conform::core::FastParser parser;
    auto parsed = parser.parse(text);
    REQUIRE(parsed);
    const json tree = json::parse(text);
    for (const auto& [list, simdjson] :
         {std::pair{*parsed, true}, std::pair{JsonView(tree), false}}) {
        std::vector<std::string> found;
        std::vector<std::size_t> hints;
        std::size_t hint = 0;
        list.for_each_item([&](std::size_t, JsonView item) {
            auto k = item.find("k", hint);
            found.push_back(k ? std::string(k->as_string()) : "-");
            hints.push_back(hint);
            CHECK(k.has_value() == item.find("k").has_value());
            return true;
        });
        CHECK(found == std::vector<std::string>{"x", "y", "z", "-", "w"});
        if (simdjson) // (nlohmann's objects are maps: looked up, no position)
            CHECK(hints == std::vector<std::size_t>{2, 2, 0, 0, 2});
    }
    std::size_t hint = 7;                           // past the members: looked for anywhere
    CHECK(parsed->find("k", hint) == std::nullopt); // not an object
    auto one = parser.parse(R"({"a":1,"k":"v"})");
    REQUIRE(one);
    CHECK(one->find("k", hint)->as_string() == "v");
    CHECK(hint == 1);
}
