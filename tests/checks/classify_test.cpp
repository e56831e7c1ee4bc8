#include <catch2/catch.hpp>

#include "runner/checks/checks.hpp"

using namespace conform;
using core::DeviationId;
using nlohmann::json;

namespace {

// A GetRepo-like response schema with documentation rows, as the importer writes them.
const json k_schema = json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://conform.test/GetRepo.response.schema.json",
  "type": "object",
  "additionalProperties": false,
  "required": ["RetCode", "TotalCount", "RepoSet"],
  "properties": {
    "RetCode": {"type": "integer", "x-source": {"doc": "page.md", "line": 10}},
    "TotalCount": {"type": "integer", "minimum": 0, "x-source": {"doc": "page.md", "line": 11}},
    "Enabled": {"type": "boolean"},
    "Created": {"type": "string", "format": "date"},
    "Owner": {"type": ["string", "null"]},
    "Scalar": {"type": "string"},
    "Meta": {"type": "object"},
    "RepoSet": {"type": "array", "maxItems": 3, "items": {"$ref": "#/$defs/RepoSet"},
                "x-source": {"doc": "page.md", "line": 12}}
  },
  "$defs": {
    "RepoSet": {
      "type": "object",
      "additionalProperties": false,
      "required": ["RepoName", "RepoType"],
      "properties": {
        "RepoName": {"type": "string", "x-source": {"doc": "page.md", "line": 20}},
        "RepoType": {"enum": ["private", "public"], "x-source": {"doc": "page.md", "line": 21}}
      }
    }
  }
})");

std::vector<core::Deviation> run(const json& instance, const std::string& op = "GetRepo") {
    schema::Registry registry;
    schema::CompileOptions options;
    options.assert_format = true;
    auto compiled = schema::compile(k_schema, registry, options);
    REQUIRE(compiled);
    auto result = compiled->validate(instance);
    return checks::classify({op, k_schema, instance, result});
}

json valid_page() {
    return json::parse(R"({"RetCode": 0, "TotalCount": 1,
                           "RepoSet": [{"RepoName": "a", "RepoType": "private"}]})");
}

const core::Deviation* find(const std::vector<core::Deviation>& all, DeviationId id,
                            const std::string& kind = {}) {
    for (const auto& d : all)
        if (d.id == id && (kind.empty() || d.kind == kind))
            return &d;
    return nullptr;
}

} // namespace

TEST_CASE("a conforming instance yields no deviation") {
    CHECK(run(valid_page()).empty());
}

TEST_CASE("field.missing cites the documentation row") {
    json page = valid_page();
    page["RepoSet"][0].erase("RepoType");
    auto all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].id == DeviationId::field_missing);
    CHECK(all[0].instance_pointer == "/RepoSet/0/RepoType");
    REQUIRE(all[0].source);
    CHECK(all[0].source->line == 21);
}

TEST_CASE("field.unexpected") {
    json page = valid_page();
    page["Extra"] = 1;
    auto all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].id == DeviationId::field_unexpected);
    CHECK(all[0].instance_pointer == "/Extra");
}

TEST_CASE("field.renamed pairs a missing field with its misspelling, by case or small edit") {
    json page = valid_page();
    page["RepoSet"][0]["reponame"] = page["RepoSet"][0]["RepoName"];
    page["RepoSet"][0].erase("RepoName");
    auto all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].id == DeviationId::field_renamed);
    CHECK(all[0].kind == "case");
    CHECK(all[0].expected == "\"RepoName\"");
    CHECK(all[0].actual == "\"reponame\"");
    CHECK(checks::is_probable_rename("TotalCount", "TotalCnt"));
    CHECK_FALSE(checks::is_probable_rename("TotalCount", "Message"));
}

TEST_CASE("field.misplaced: documented fields under another parent") {
    json page = {{"RetCode", 0}, {"data", {{"TotalCount", 1}, {"RepoSet", json::array()}}}};
    auto all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].id == DeviationId::field_misplaced);
    CHECK(all[0].instance_pointer == "/data");
    CHECK(all[0].message.find("TotalCount") != std::string::npos);
}

TEST_CASE("type.mismatch sub-kinds") {
    auto kind_of = [](const char* field, json value) {
        json page = valid_page();
        page[field] = std::move(value);
        auto all = run(page);
        REQUIRE(all.size() == 1);
        CHECK(all[0].id == DeviationId::type_mismatch);
        return all[0].kind;
    };
    CHECK(kind_of("TotalCount", "1") == "stringified-number");
    CHECK(kind_of("Enabled", "true") == "stringified-bool");
    CHECK(kind_of("Meta", 3) == "scalar-for-object");
    CHECK(kind_of("Scalar", json::object()) == "object-for-scalar");
    CHECK(kind_of("TotalCount", nullptr) == "null");
    CHECK(kind_of("Owner", 5) == "wrong-type");
}

TEST_CASE("one root cause, one deviation: nine strings for objects is one type.mismatch") {
    json page = valid_page();
    page["RepoSet"] = json::array();
    for (int i = 0; i < 9; ++i)
        page["RepoSet"].push_back("repo" + std::to_string(i));
    page["TotalCount"] = 9;
    auto all = run(page);
    const auto* mismatch = find(all, DeviationId::type_mismatch, "scalar-for-object");
    REQUIRE(mismatch);
    CHECK(mismatch->count == 9);
    CHECK(mismatch->instance_pointer == "/RepoSet/0");
    CHECK(find(all, DeviationId::value_range, "maxItems")); // 9 > maxItems 3
    CHECK(all.size() == 2);
}

TEST_CASE("value.enum names case-only near misses") {
    json page = valid_page();
    page["RepoSet"][0]["RepoType"] = "Private";
    auto all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].id == DeviationId::value_enum);
    CHECK(all[0].kind == "case-only");
    page["RepoSet"][0]["RepoType"] = "EzVxntiX";
    all = run(page);
    REQUIRE(all.size() == 1);
    CHECK(all[0].kind == "not-in-enum");
}

TEST_CASE("value.range and value.format") {
    json page = valid_page();
    page["TotalCount"] = -1;
    page["Created"] = "22/11/2026";
    auto all = run(page);
    CHECK(find(all, DeviationId::value_range, "minimum"));
    CHECK(find(all, DeviationId::value_format, "format"));
    CHECK(all.size() == 2);
}

TEST_CASE("fingerprints are stable across array indices and differ across causes") {
    json a = valid_page(), b = valid_page();
    a["RepoSet"][0]["RepoType"] = "x";
    b["RepoSet"] = json::array({json{{"RepoName", "z"}, {"RepoType", "public"}},
                                json{{"RepoName", "y"}, {"RepoType", "x"}}});
    auto da = run(a), db = run(b);
    REQUIRE(da.size() == 1);
    REQUIRE(db.size() == 1);
    CHECK(da[0].fingerprint() == db[0].fingerprint());
    CHECK(da[0].fingerprint() != run(a, "GetFavor")[0].fingerprint());
    CHECK(core::fold_indices("/RepoSet/12/RepoName") == "/RepoSet/*/RepoName");
}
