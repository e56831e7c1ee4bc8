#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

#include "runner/core/json_parse.hpp"
#include "tests/schema/suite_support.hpp"
#include "tests/support/shared.hpp"

namespace fs = std::filesystem;
using conform::test::SuiteTally;

namespace {

fs::path suite_root() {
    return *conform::test::shared_dir() / "json-schema-test-suite";
}

std::vector<fs::path> json_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".json")
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void report(const SuiteTally& tally) {
    for (const auto& f : tally.failures)
        std::cout << "  FAILED: " << f.file << " | " << f.group << " | " << f.test << " | "
                  << f.detail << "\n";
}

} // namespace

TEST_CASE("JSON-Schema-Test-Suite draft2020-12, one section per file", "[suite-file]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite draft2020-12");
    auto registry = conform::test::suite_registry(suite_root());
    for (const fs::path& file : json_files(suite_root() / "tests" / "draft2020-12")) {
        SECTION(file.filename().string()) {
            SuiteTally tally;
            conform::test::run_suite_file(file, registry, false, tally);
            report(tally);
            CHECK(tally.failures.empty());
            CHECK(tally.run > 0);
        }
    }
}

TEST_CASE("JSON-Schema-Test-Suite draft2020-12: all 1299 tests pass", "[suite-count]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite draft2020-12");
    auto registry = conform::test::suite_registry(suite_root());
    SuiteTally tally;
    for (const fs::path& file : json_files(suite_root() / "tests" / "draft2020-12"))
        conform::test::run_suite_file(file, registry, false, tally);
    report(tally);
    std::cout << "draft2020-12 required suite: " << tally.passed << "/" << tally.run << " passed\n";
    CHECK(tally.run == 1299);
    CHECK(tally.passed == tally.run);
}

TEST_CASE("JSON-Schema-Test-Suite draft2020-12 optional (counted, not required)",
          "[suite-optional]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite draft2020-12 optional");
    auto registry = conform::test::suite_registry(suite_root());
    const fs::path optional = suite_root() / "tests" / "draft2020-12" / "optional";
    SuiteTally plain, format;
    for (const fs::path& file : json_files(optional))
        conform::test::run_suite_file(file, registry, false, plain);
    for (const fs::path& file : json_files(optional / "format"))
        conform::test::run_suite_file(file, registry, true, format);
    std::cout << "draft2020-12 optional: " << plain.passed << "/" << plain.run
              << " passed; optional/format (asserted): " << format.passed << "/" << format.run
              << " passed\n";
    for (const auto& f : plain.failures)
        std::cout << "  optional miss: " << f.file << " | " << f.group << " | " << f.test << "\n";
    for (const auto& f : format.failures)
        std::cout << "  format miss: " << f.file << " | " << f.group << " | " << f.test << "\n";
    // Not required, but not allowed to slip: the counts passed when this was written (the misses
    // are draft-4 dependencies and cross-draft refs). More is welcome; raise the floor then.
    CHECK(plain.passed >= 145);
    CHECK(format.passed >= 759);
}

TEST_CASE("JSON-Schema-Test-Suite output-tests draft2020-12", "[suite-output]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite output-tests");
    using namespace conform;
    auto registry = conform::test::suite_registry(suite_root());
    const fs::path dir = suite_root() / "output-tests" / "draft2020-12" / "content";
    std::size_t run = 0, passed = 0;
    for (const fs::path& file : json_files(dir)) {
        auto groups = core::load_json_file(file);
        REQUIRE(groups);
        for (const auto& group : *groups) {
            schema::CompileOptions options;
            options.origin = file.filename().string();
            auto compiled = schema::compile(group.at("schema"), registry, options);
            REQUIRE(compiled);
            for (const auto& test : group.at("tests")) {
                ++run;
                auto result = compiled->validate(test.at("data"), true);
                const auto output = schema::to_output_json(result, schema::OutputFormat::basic);
                auto checker = schema::compile(test.at("output").at("basic"), registry,
                                               schema::CompileOptions{});
                REQUIRE(checker);
                const auto verdict = checker->validate(output);
                INFO(file.filename().string()
                     << " | " << test.at("description") << "\noutput: " << output.dump(2));
                CHECK(verdict.valid);
                passed += verdict.valid;
            }
        }
    }
    std::cout << "output-tests draft2020-12: " << passed << "/" << run << " passed\n";
    CHECK(run > 0);
}

TEST_CASE("every suite schema is valid against the bundled 2020-12 meta-schema", "[suite-meta]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite schemas vs meta-schema");
    using namespace conform;
    schema::Registry registry;
    auto meta_doc = registry.find(std::string(schema::k_draft2020_12));
    REQUIRE(meta_doc);
    REQUIRE(*meta_doc);
    auto meta = schema::compile(**meta_doc, registry);
    REQUIRE(meta);
    std::size_t checked = 0;
    for (const fs::path& file : json_files(suite_root() / "tests" / "draft2020-12")) {
        auto groups = core::load_json_file(file);
        REQUIRE(groups);
        for (const auto& group : *groups) {
            const auto& s = group.at("schema");
            if (s.is_object() && s.contains("$schema") && s["$schema"] != schema::k_draft2020_12)
                continue; // custom meta-schemas (vocabulary tests)
            INFO(file.filename().string() << " | " << group.at("description"));
            CHECK(meta->is_valid(s));
            ++checked;
        }
    }
    CHECK(checked > 300);
}

TEST_CASE("our own regressions, in the suite's format", "[regressions]") {
    auto registry = conform::test::suite_registry(fs::path(CONFORM_SOURCE_DIR) / "tests");
    SuiteTally tally;
    for (const fs::path& file :
         json_files(fs::path(CONFORM_SOURCE_DIR) / "tests/schema/regressions"))
        conform::test::run_suite_file(file, registry, false, tally);
    report(tally);
    CHECK(tally.run > 20);
    CHECK(tally.passed == tally.run);
}
