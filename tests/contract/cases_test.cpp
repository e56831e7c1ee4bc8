#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "runner/contract/cases.hpp"
#include "tests/contract/contract_test_support.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
namespace fs = std::filesystem;

using test::source;

namespace {

// A copy of a seed cases file with one change, in a temp folder.
fs::path mutated(const std::function<void(nlohmann::json&)>& change) {
    auto doc = nlohmann::json::parse(std::ifstream(source("cases/ucloud-uhub/GetRepo.cases.json")));
    change(doc);
    const fs::path file = test::fresh_dir("cases") / "GetRepo.cases.json";
    std::ofstream(file) << doc.dump(2);
    return file;
}

} // namespace

TEST_CASE("the seed cases load for every contract and cover the documented kinds") {
    for (const char* name : {"ucloud-uhub", "genesissai-uhub", "tencent-ccr"}) {
        INFO(name);
        auto contract = contract::load_contract(source("schemas") / name);
        REQUIRE(contract);
        auto files = contract::load_cases_for(*contract, source("cases"), source("schemas"));
        REQUIRE(files);
        REQUIRE(files->size() == 1);
        std::set<contract::CaseKind> kinds;
        for (const auto& c : files->front().cases)
            kinds.insert(c.kind);
        CHECK(kinds.size() == 4);
        const auto walk =
            std::find_if(files->front().cases.begin(), files->front().cases.end(),
                         [](const auto& c) { return c.kind == contract::CaseKind::walk; });
        REQUIRE(walk != files->front().cases.end());
        CHECK(walk->walk_limit == 7);
    }
}

TEST_CASE("placeholders resolve against the reported total") {
    CHECK(contract::resolve_placeholders("{{total}}", 23).value() == "23");
    CHECK(contract::resolve_placeholders("{{total+10}}", 23).value() == "33");
    CHECK(contract::resolve_placeholders("x{{total-3}}y", 23).value() == "x20y");
    CHECK(contract::resolve_placeholders("plain", 23).value() == "plain");
    CHECK_FALSE(contract::resolve_placeholders("{{count}}", 23));
    CHECK_FALSE(contract::resolve_placeholders("{{total*2}}", 23));
    CHECK_FALSE(contract::resolve_placeholders("{{total", 23));
}

TEST_CASE("bad cases files are errors naming the file and pointer") {
    SECTION("a misspelt key") {
        auto file = mutated([](auto& d) { d["cases"][0]["expekt"] = "success"; });
        auto r = contract::load_case_file(file, source("schemas"));
        REQUIRE_FALSE(r);
        CHECK(r.error().where.file == file.string());
        CHECK(r.error().where.pointer == "/cases/0/expekt");
    }
    SECTION("a walk without its limit") {
        auto file = mutated([](auto& d) { d["cases"][1].erase("walk"); });
        auto r = contract::load_case_file(file, source("schemas"));
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer.starts_with("/cases/1"));
    }
    SECTION("a name used twice") {
        auto file = mutated([](auto& d) { d["cases"][1]["name"] = d["cases"][0]["name"]; });
        auto r = contract::load_case_file(file, source("schemas"));
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/cases/1/name");
    }
    SECTION("an unknown placeholder") {
        auto file = mutated([](auto& d) { d["cases"][0]["params"]["Offset"] = "{{count}}"; });
        auto r = contract::load_case_file(file, source("schemas"));
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/cases/0/params/Offset");
    }
}

TEST_CASE("a cases schema changed between loads is the one a case file is checked against") {
    // Compiled once per process while the file reads the same; an edit takes effect at once.
    const fs::path dir = test::fresh_dir("cases-schema");
    fs::copy_file(source("schemas/cases.schema.json"), dir / "cases.schema.json",
                  fs::copy_options::overwrite_existing);
    const fs::path file = source("cases/ucloud-uhub/GetRepo.cases.json");
    REQUIRE(contract::load_case_file(file, dir));
    REQUIRE(contract::load_case_file(file, dir)); // the compiled schema, again

    auto schema = nlohmann::json::parse(std::ifstream(dir / "cases.schema.json"));
    schema["required"].push_back("owner"); // no seed cases file names one
    std::ofstream(dir / "cases.schema.json") << schema.dump(2);
    auto r = contract::load_case_file(file, dir);
    REQUIRE_FALSE(r);
    CHECK(r.error().where.file == file.string());
    CHECK(r.error().message.find("owner") != std::string::npos);
    fs::remove_all(dir);
}
