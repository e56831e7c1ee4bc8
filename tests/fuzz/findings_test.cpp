// One test per fuzz finding in the modules fuzz/ covers (fuzz/FINDINGS.md lists all of them;
// the raw reproducers are replayed from regressions/ by replay_test.cpp).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_view.hpp"
#include "runner/schema/schema.hpp"

using namespace conform;
using nlohmann::json;

TEST_CASE("fuzz json_parse-1: a number beyond double's range is a parse error", "[fuzz-finding]") {
    // nlohmann throws out_of_range.406 (not parse_error) for "1e400": it escaped parse_json.
    auto r = core::parse_json("{\n  \"RetCode\": 1e3080\n}", "big.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "invalid JSON: number 1e3080 is out of range (beyond a double)");
    CHECK(r.error().where.file == "big.json");
    CHECK(r.error().where.line == 2);
    CHECK(r.error().where.column == 14);

    // The literal inside a string before it does not mislead the location.
    auto quoted = core::parse_json(R"(["1e400", 1e400])");
    REQUIRE_FALSE(quoted);
    CHECK(quoted.error().where.column == 11);

    core::FastParser fast;
    auto q = fast.parse("[2E2222]", "big.json");
    REQUIRE_FALSE(q);
    CHECK(q.error().message == "invalid JSON: number 2E2222 is out of range (beyond a double)");

    CHECK(core::parse_json("[1e308, -1e308, 1e-400]")); // in range, or underflow to 0
}

TEST_CASE("review-1: uniqueItems on a long array is not quadratic", "[fuzz-finding]") {
    // Pairwise comparison took minutes for a 100,000-item response; long arrays now compare
    // only items whose hashes agree, and report the same first pair as before.
    schema::Registry registry;
    auto unique = schema::compile(json::parse(R"({"uniqueItems": true})"), registry);
    REQUIRE(unique);
    json items = json::array();
    for (int i = 0; i < 100000; ++i)
        items.push_back(i);
    const auto start = std::chrono::steady_clock::now();
    CHECK(unique->is_valid(items));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));

    items.push_back(json::parse(R"({"b": [1, {"c": null}], "a": 1.0})"));
    items[70000] = 5.0; // equal to items[5] by value
    items[80000] = json::parse(R"({"a": 1, "b": [1.0, {"c": null}]})");
    const schema::ValidationResult r = unique->validate(items);
    CHECK_FALSE(r.valid);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].error == "items 5 and 70000 are equal (5)");

    items[70000] = 70000;
    const schema::ValidationResult objects = unique->validate(items);
    REQUIRE(objects.errors.size() == 1);
    CHECK(objects.errors[0].error.starts_with("items 80000 and 100000 are equal ("));

    // Short arrays keep the pairwise path; the message is the same.
    CHECK(unique->validate(json::parse("[1, 2, 1.0]")).errors.at(0).error ==
          "items 0 and 2 are equal (1)");
}

TEST_CASE("review-2: messages describe strings that are not UTF-8", "[fuzz-finding]") {
    // A programmatic instance may hold any bytes; nlohmann's dump() threw type_error.316.
    schema::Registry registry;
    auto compiled = schema::compile(json::parse(R"({"type": "number"})"), registry);
    REQUIRE(compiled);
    const json bad = std::string("caf\xe9");
    schema::ValidationResult r;
    REQUIRE_NOTHROW(r = compiled->validate(bad));
    CHECK_FALSE(r.valid);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].error.find("expected number") != std::string::npos);
}
