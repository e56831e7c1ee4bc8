#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <simdjson.h>

#include "runner/core/json_parse.hpp"
#include "runner/schema/schema.hpp"

using namespace conform;
using nlohmann::json;

namespace {

schema::CompiledSchema must_compile(const json& s, schema::CompileOptions options = {}) {
    schema::Registry registry;
    auto compiled = schema::compile(s, registry, options);
    INFO((compiled ? std::string() : compiled.error().to_string()));
    REQUIRE(compiled);
    return std::move(compiled).value();
}

core::Diagnostic compile_error(const json& s) {
    schema::Registry registry;
    auto compiled = schema::compile(s, registry, schema::CompileOptions{"urn:t", "s.json"});
    REQUIRE_FALSE(compiled);
    return compiled.error();
}

const json k_repo_schema = json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://conform.test/GetRepo.response.schema.json",
  "type": "object",
  "required": ["RetCode", "RepoSet", "TotalCount"],
  "additionalProperties": false,
  "properties": {
    "RetCode": {"type": "integer"},
    "Action": {"type": "string"},
    "TotalCount": {"type": "integer"},
    "RepoSet": {"type": "array", "items": {"$ref": "#/$defs/RepoSet"}}
  },
  "$defs": {
    "RepoSet": {
      "type": "object",
      "required": ["RepoName", "RepoType"],
      "additionalProperties": false,
      "properties": {
        "RepoName": {"type": "string"},
        "RepoType": {"enum": ["private", "public"]}
      }
    }
  }
})");

} // namespace

TEST_CASE("every error is collected, with basic output locations") {
    auto compiled = must_compile(k_repo_schema);
    const json instance = json::parse(R"({
      "RetCode": 0, "TotalCount": "2", "Extra": 1,
      "RepoSet": ["a", {"RepoName": "b", "RepoType": "Private"}]
    })");
    CHECK_FALSE(compiled.is_valid(instance));
    auto result = compiled.validate(instance);
    REQUIRE_FALSE(result.valid);
    auto has = [&](std::string kw, std::string inst) {
        return std::any_of(result.errors.begin(), result.errors.end(), [&](const auto& u) {
            return u.keyword_location == kw && u.instance_location == inst;
        });
    };
    CHECK(has("/properties/TotalCount/type", "/TotalCount"));
    CHECK(has("/additionalProperties", "/Extra"));
    CHECK(has("/properties/RepoSet/items/$ref/type", "/RepoSet/0"));
    CHECK(has("/properties/RepoSet/items/$ref/properties/RepoType/enum", "/RepoSet/1/RepoType"));
    for (const auto& u : result.errors)
        if (u.keyword_location == "/properties/RepoSet/items/$ref/type")
            CHECK(u.absolute_keyword_location ==
                  "https://conform.test/GetRepo.response.schema.json#/$defs/RepoSet/type");
}

TEST_CASE("the simdjson view and the nlohmann view give the same errors") {
    auto compiled = must_compile(k_repo_schema);
    const std::string text =
        R"({"RetCode":0,"TotalCount":1,"RepoSet":[{"RepoName":"x"},{"RepoName":1,"RepoType":"public"}]})";
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    REQUIRE(parser.parse(text).get(root) == simdjson::SUCCESS);
    auto a = compiled.validate(json::parse(text));
    auto b = compiled.validate(core::JsonView::of(root));
    REQUIRE(a.errors.size() == 2);
    REQUIRE(a.errors.size() == b.errors.size());
    for (std::size_t i = 0; i < a.errors.size(); ++i) {
        CHECK(a.errors[i].keyword_location == b.errors[i].keyword_location);
        CHECK(a.errors[i].instance_location == b.errors[i].instance_location);
        CHECK(a.errors[i].error == b.errors[i].error);
    }
}

TEST_CASE("format is an annotation unless asserted") {
    const json s = {{"format", "ipv4"}};
    const json bad = "not an address", good = "192.168.0.1";
    CHECK(must_compile(s).is_valid(bad));
    schema::CompileOptions asserting;
    asserting.assert_format = true;
    CHECK_FALSE(must_compile(s, asserting).is_valid(bad));
    CHECK(must_compile(s, asserting).is_valid(good));
}

TEST_CASE("bad schemas are errors naming the JSON pointer") {
    SECTION("a keyword with a value of the wrong kind") {
        auto d = compile_error(json::parse(R"({"properties": {"a": {"type": 5}}})"));
        CHECK(d.where.pointer == "/properties/a/type");
        CHECK(d.where.file == "s.json");
    }
    SECTION("a non-schema where a schema must be") {
        auto d = compile_error(json::parse(R"({"items": 3})"));
        CHECK(d.where.pointer == "/items");
    }
    SECTION("an unknown $ref target") {
        auto d = compile_error(json::parse(R"({"$ref": "#/$defs/missing"})"));
        CHECK(d.message.find("#/$defs/missing") != std::string::npos);
        CHECK(d.where.pointer == "/$ref");
    }
    SECTION("a remote $ref is never fetched") {
        auto d = compile_error(json::parse(R"({"$ref": "https://example.com/s.json"})"));
        CHECK(d.message.find("never fetches") != std::string::npos);
    }
    SECTION("a $ref cycle that cannot terminate") {
        auto d = compile_error(json::parse(
            R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                "$ref": "#/$defs/a"})"));
        CHECK(d.message.find("cycle") != std::string::npos);
    }
    SECTION("a pattern RE2 cannot run") {
        auto d = compile_error(json::parse(R"({"pattern": "(?=a)b"})"));
        CHECK(d.where.pointer == "/pattern");
        CHECK(d.message.find("RE2") != std::string::npos);
    }
    SECTION("an older dialect") {
        auto d =
            compile_error(json::parse(R"({"$schema": "http://json-schema.org/draft-07/schema#"})"));
        CHECK(d.message.find("2020-12") != std::string::npos);
    }
}

TEST_CASE("recursion through child instances is fine; runaway dynamic recursion is bounded") {
    auto tree = must_compile(json::parse(
        R"({"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}})"));
    json deep = json::object();
    json* at = &deep;
    for (int i = 0; i < 50; ++i) {
        (*at)["kids"] = json::array({json::object()});
        at = &(*at)["kids"][0];
    }
    CHECK(tree.is_valid(deep));
    (*at)["kids"] = 3;
    CHECK_FALSE(tree.is_valid(deep));
}

TEST_CASE("JSON parse errors carry line and column") {
    auto r = core::parse_json("{\n  \"a\": 1,\n  \"b\": ]\n}", "x.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().where.file == "x.json");
    CHECK(r.error().where.line == 3);
    CHECK(r.error().where.column == 8);
}

TEST_CASE("leaf schemas: the one-pass check agrees with every keyword, and errors stay theirs") {
    // Nodes whose keywords all test one value are answered by a LeafCheck (leaf_check.hpp)
    // without calling the keywords; a value it refuses is judged by the keywords themselves.
    struct Probe {
        json instance;
        bool valid;
        const char* failing; // a keyword an error names, when invalid
    };
    const auto check_all = [](const json& schema, std::initializer_list<Probe> probes) {
        const auto compiled = must_compile(schema);
        simdjson::dom::parser parser;
        for (const Probe& p : probes) {
            INFO(schema.dump() << " <- " << p.instance.dump());
            CHECK(compiled.is_valid(p.instance) == p.valid);
            const std::string text = p.instance.dump();
            simdjson::dom::element element;
            REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
            CHECK(compiled.is_valid(core::JsonView::of(element)) == p.valid);
            const auto result = compiled.validate(p.instance);
            CHECK(result.valid == p.valid);
            if (!p.valid) {
                const std::string location = std::string("/") + p.failing;
                CHECK(std::any_of(result.errors.begin(), result.errors.end(),
                                  [&](const auto& e) { return e.keyword_location == location; }));
            }
        }
    };
    check_all(json::parse(R"({"type": "string", "minLength": 2, "maxLength": 3,
                              "pattern": "^a", "enum": ["ab", "abc", "abcd", "b", "é"]})"),
              {{"ab", true, ""},
               {"abc", true, ""},
               {"a", false, "enum"},
               {"abcd", false, "maxLength"},
               {"b", false, "minLength"},
               {"bb", false, "enum"},
               {1, false, "type"}});
    // Lengths count code points, not bytes.
    check_all(
        json::parse(R"({"minLength": 2, "maxLength": 2})"),
        {{"éé", true, ""}, {"é", false, "minLength"}, {"ééé", false, "maxLength"}, {7, true, ""}});
    check_all(json::parse(R"({"type": "integer", "minimum": 0, "exclusiveMaximum": 10})"),
              {{0, true, ""},
               {9, true, ""},
               {1.0, true, ""},
               {-1, false, "minimum"},
               {10, false, "exclusiveMaximum"},
               {1.5, false, "type"},
               {"1", false, "type"}});
    check_all(json::parse(R"({"maximum": 18446744073709551615, "exclusiveMinimum": -0.5})"),
              {{18446744073709551615ull, true, ""},
               {0, true, ""},
               {-1, false, "exclusiveMinimum"},
               {"x", true, ""}});
    check_all(json::parse(R"({"const": "GetRepoResponse"})"),
              {{"GetRepoResponse", true, ""}, {"GetRepo", false, "const"}, {1, false, "const"}});
    // An enum holding a non-string is not a leaf check: the keyword decides, by JSON equality.
    check_all(json::parse(R"({"enum": ["a", 1, null]})"),
              {{"a", true, ""}, {1.0, true, ""}, {json(nullptr), true, ""}, {"b", false, "enum"}});
}

TEST_CASE("the object pass: more than 64 required names, patterns and additionalProperties") {
    // ObjectShape keeps the required names seen in a 64-bit mask, and in a vector beyond that.
    json schema = {{"type", "object"}, {"properties", json::object()}};
    json all = json::object();
    for (int i = 0; i < 70; ++i) {
        const std::string name = "p" + std::to_string(i);
        schema["required"].push_back(name);
        if (i % 2 == 0)
            schema["properties"][name] = {{"type", "integer"}};
        all[name] = i;
    }
    const auto compiled = must_compile(schema);
    simdjson::dom::parser parser;
    const auto both = [&](const json& instance) {
        const std::string text = instance.dump();
        simdjson::dom::element element;
        REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
        auto a = compiled.validate(instance);
        auto b = compiled.validate(core::JsonView::of(element));
        CHECK(a.valid == b.valid);
        REQUIRE(a.errors.size() == b.errors.size());
        return a;
    };
    CHECK(both(all).valid);
    json missing = all;
    missing.erase("p3");
    missing.erase("p68");
    missing["p10"] = "ten";
    const auto r = both(missing);
    REQUIRE(r.errors.size() == 3);
    std::vector<std::string> said;
    for (const auto& e : r.errors)
        said.push_back(e.keyword_location + " " + e.instance_location + " " + e.error);
    std::sort(said.begin(), said.end());
    CHECK(said[0] == "/properties/p10/type /p10 expected integer, got string \"ten\"");
    CHECK(said[1].rfind("/required  required property \"p3\" is missing", 0) == 0);
    CHECK(said[2].rfind("/required  required property \"p68\" is missing", 0) == 0);

    // A name matched by properties and a pattern is checked by both; one matched by neither
    // goes to additionalProperties. Every failing schema reports.
    const auto shaped = must_compile(json::parse(R"({
        "properties": {"id": {"type": "integer"}},
        "patternProperties": {"^i": {"minimum": 10}, "^x-": {"type": "string"}},
        "additionalProperties": {"type": "boolean"}})"));
    const json instance = json::parse(R"({"id": 5, "x-a": 1, "other": "no", "ok": true})");
    const auto result = shaped.validate(instance);
    std::vector<std::string> locations;
    for (const auto& e : result.errors)
        locations.push_back(e.keyword_location);
    std::sort(locations.begin(), locations.end());
    CHECK(locations == std::vector<std::string>{"/additionalProperties/type",
                                                "/patternProperties/^i/minimum",
                                                "/patternProperties/^x-/type"});
    CHECK(shaped.is_valid(json::parse(R"({"id": 12, "x-a": "s", "ok": false})")));
}

TEST_CASE("the tape walk confirms only what the evaluator accepts, limits included") {
    // is_valid over a simdjson instance first walks simdjson's tape (tape_check.hpp); every
    // answer must be the evaluator's, which the nlohmann view always gets.
    simdjson::dom::parser parser;
    const auto agree = [&](const schema::CompiledSchema& compiled, const json& instance,
                           bool valid) {
        INFO(instance.dump());
        CHECK(compiled.is_valid(instance) == valid);
        const std::string text = instance.dump();
        simdjson::dom::element element;
        REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
        CHECK(compiled.is_valid(core::JsonView::of(element)) == valid);
    };
    const auto repo = must_compile(k_repo_schema);
    const json page = json::parse(R"({"RetCode": 0, "Action": "GetRepoResponse",
        "TotalCount": 2, "RepoSet": [{"RepoName": "a", "RepoType": "private"},
                                     {"RepoType": "public", "RepoName": "b"}]})");
    agree(repo, page, true);
    SECTION("a required member missing, at the top and in an item") {
        json p = page;
        p.erase("TotalCount");
        agree(repo, p, false);
        p = page;
        p["RepoSet"][1].erase("RepoName");
        agree(repo, p, false);
    }
    SECTION("a member additionalProperties refuses, at the top and in an item") {
        json p = page;
        p["Extra"] = 1;
        agree(repo, p, false);
        p = page;
        p["RepoSet"][0]["Extra"] = "x";
        agree(repo, p, false);
    }
    SECTION("a wrong type or enum value deep in an item; a string for the list") {
        json p = page;
        p["RepoSet"][1]["RepoType"] = "shared";
        agree(repo, p, false);
        p = page;
        p["RepoSet"][0] = "a";
        agree(repo, p, false);
        p = page;
        p["RepoSet"] = "[]";
        agree(repo, p, false);
        p = page;
        p["TotalCount"] = 2.5;
        agree(repo, p, false);
        p["TotalCount"] = 2.0; // an integer, for JSON Schema
        agree(repo, p, true);
    }
    SECTION("a required name declared only by \"required\"; a repeated member counted once") {
        const auto s = must_compile(
            json::parse(R"({"required": ["a", "b"], "properties": {"a": {"type": "string"}}})"));
        agree(s, json::parse(R"({"a": "x", "b": null})"), true);
        agree(s, json::parse(R"({"a": "x", "c": null})"), false);
        agree(s, json::parse(R"({"b": 1, "a": 2})"), false);
        // Repeated names (simdjson keeps both; nlohmann would keep one): "b" is still missing.
        simdjson::dom::element twice;
        REQUIRE(parser.parse(std::string(R"({"a": "x", "a": "y"})")).get(twice) ==
                simdjson::SUCCESS);
        CHECK_FALSE(s.is_valid(core::JsonView::of(twice)));
    }
    SECTION("member names of 0 to 20 bytes, told apart by any one byte or their length") {
        // The walk compares a name where it was last found first, in the form simdjson
        // stores it (length and bytes, property_table.hpp): every byte must count.
        const auto name_of = [](std::size_t length) {
            std::string name;
            for (std::size_t i = 0; i < length; ++i)
                name += static_cast<char>('a' + (i * 7 + length) % 26);
            return name;
        };
        json properties = json::object(), in_order = json::object();
        for (std::size_t length = 0; length <= 20; ++length) {
            properties[name_of(length)] = {{"type", "integer"}};
            in_order[name_of(length)] = static_cast<int>(length);
        }
        const auto names = must_compile(
            json{{"type", "object"}, {"properties", properties}, {"additionalProperties", false}});
        agree(names, in_order, true);
        for (std::size_t length = 0; length <= 20; ++length) {
            const std::string name = name_of(length);
            std::vector<std::string> others;
            for (std::size_t at = 0; at < length; ++at) {
                std::string other = name;
                other[at] = 'Z'; // not a letter any name uses
                others.push_back(other);
            }
            others.push_back(name + "a");
            if (length > 0)
                others.push_back(name.substr(0, length - 1) + "Z");
            for (const std::string& other : others) {
                json instance = in_order;
                instance.erase(name);
                instance[other] = 1;
                agree(names, instance, false);
            }
            json wrong = in_order;
            wrong[name] = "a string"; // the name found: its value is checked
            agree(names, wrong, false);
        }
    }
    SECTION("nesting at the evaluation and instance limits") {
        const json tree_schema = json::parse(
            R"({"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}})");
        json deep = json::object();
        json* at = &deep;
        for (int i = 0; i < 12; ++i) {
            (*at)["kids"] = json::array({json::object()});
            at = &(*at)["kids"][0];
        }
        agree(must_compile(tree_schema), deep, true);
        schema::CompileOptions shallow;
        shallow.max_evaluation_depth = 20; // two levels of subschemas per level of the tree
        agree(must_compile(tree_schema, shallow), deep, false);
        schema::CompileOptions flat;
        flat.max_instance_depth = 10;
        agree(must_compile(tree_schema, flat), deep, false);
    }
}

TEST_CASE("every Registry shares the bundled meta-schemas, parsed once; added ones stay its own") {
    schema::Registry first, second;
    const std::string meta = "https://json-schema.org/draft/2020-12/schema";
    const auto a = first.find(meta), b = second.find(meta);
    REQUIRE((a && *a && b && *b));
    CHECK(*a == *b); // the same document, not an equal copy
    CHECK((**a).at("$id") == meta);
    first.add("urn:mine", json{{"type", "string"}});
    CHECK(*first.find("urn:mine") != nullptr);
    CHECK(*second.find("urn:mine") == nullptr);
    CHECK(first.origin_of(meta).find("bundled meta-schema") == 0);
}

TEST_CASE("minContains and maxContains too large for a count are compile errors, not overflows") {
    // Found by the schema fuzz target: 2.3e96 was cast to an integer (undefined behaviour).
    for (const char* bad :
         {R"({"contains": {}, "minContains": 2.3e96})", R"({"contains": {}, "maxContains": 1e20})",
          R"({"contains": {}, "minContains": -1})", R"({"contains": {}, "maxContains": 1.5})"}) {
        INFO(bad);
        const auto d = compile_error(json::parse(bad));
        CHECK_THAT(d.message, Catch::Contains("must be a non-negative integer"));
    }
    const auto two = must_compile(json::parse(R"({"contains": {"const": 1}, "minContains": 2.0})"));
    CHECK(two.is_valid(json::parse("[1, 1]")));
    CHECK_FALSE(two.is_valid(json::parse("[1, 2]")));
}

TEST_CASE("an object of many declared properties finds each one through both views", "[schema]") {
    // Past a handful, declared names are looked up through an index built as they are added.
    json schema = {{"type", "object"}, {"additionalProperties", false}};
    json instance = json::object();
    for (int i = 0; i < 40; ++i) {
        schema["properties"]["p" + std::to_string(i)] = {{"type", "integer"}};
        instance["p" + std::to_string(i)] = i;
    }
    const schema::CompiledSchema compiled = must_compile(schema);
    CHECK(compiled.validate(instance).valid);
    core::FastParser parser;
    CHECK(compiled.is_valid(*parser.parse(instance.dump())));
    instance["p39"] = "thirty-nine";
    const schema::ValidationResult result = compiled.validate(instance);
    REQUIRE_FALSE(result.valid);
    CHECK(result.errors.front().instance_location == "/p39");
    CHECK_FALSE(compiled.is_valid(*parser.parse(instance.dump())));
}
