#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include <fstream>
#include <set>

#include "runner/cli/commands.hpp"
#include "runner/core/deviation.hpp"
#include "tests/cli/run_conform.hpp"
#include "tests/support/shared.hpp"

using conform::test::run_conform;
using conform::test::TempDir;

namespace {
const char* k_schema = R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}})";
}

TEST_CASE("conform --help lists every subcommand and --version prints the version") {
    auto help = run_conform({"--help"});
    CHECK(help.exit_code == 0);
    // The rows of "Subcommands:", read back: exactly the command table's names, each with its
    // summary.
    std::set<std::string> listed;
    std::istringstream lines(help.out);
    bool in_subcommands = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("Subcommands:"))
            in_subcommands = true;
        else if (in_subcommands && line.size() > 2 && line.starts_with("  ") && line[2] != ' ')
            listed.insert(line.substr(2, line.find(' ', 2) - 2));
    }
    std::set<std::string> table;
    for (const conform::cli::Command& command : conform::cli::k_commands) {
        table.insert(command.name);
        INFO(command.name);
        CHECK(help.out.find(command.summary) != std::string::npos);
    }
    CHECK(listed == table);
    auto version = run_conform({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.find("conform " CONFORM_VERSION) != std::string::npos);
    auto sub = run_conform({"validate", "--help"});
    CHECK(sub.exit_code == 0);
    for (const char* flag :
         {"--schema", "--resource-dir", "--output", "--assert-format", "--jsonl"})
        CHECK(sub.out.find(flag) != std::string::npos);
}

TEST_CASE("validate: exit 0 when valid, 1 when invalid, with basic output units") {
    TempDir dir;
    auto schema = dir.write("s.json", k_schema);
    auto good = dir.write("good.json", R"({"n": 1})");
    auto bad = dir.write("bad.json", R"({"n": "1"})");
    auto ok = run_conform({"validate", "--schema", schema.string(), good.string()});
    CHECK(ok.exit_code == 0);
    auto r = run_conform({"validate", "--schema", schema.string(), "--output", "basic",
                          good.string(), bad.string()});
    CHECK(r.exit_code == 1);
    std::istringstream lines(r.out);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    auto a = nlohmann::json::parse(first), b = nlohmann::json::parse(second);
    CHECK(a["valid"] == true);
    CHECK(b["valid"] == false);
    CHECK(b["instance"] == bad.string());
    REQUIRE(b["errors"].size() == 1);
    CHECK(b["errors"][0]["keywordLocation"] == "/properties/n/type");
    CHECK(b["errors"][0]["instanceLocation"] == "/n");
    CHECK(b["errors"][0].contains("absoluteKeywordLocation"));
    CHECK(b["errors"][0].contains("error"));
}

TEST_CASE("validate --jsonl: one verdict per line; a bad line is reported and the run goes on") {
    TempDir dir;
    auto schema = dir.write("s.json", k_schema);
    auto lines = dir.write("in.jsonl", "{\"n\": 1}\n{\"n\": \n\n{\"n\": true}\n{\"n\": 2}\n");
    auto r = run_conform(
        {"validate", "--schema", schema.string(), "--output", "flag", "--jsonl", lines.string()});
    CHECK(r.exit_code == 2); // an input error outranks an invalid instance
    std::istringstream in(r.out);
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line));
    REQUIRE(out.size() == 4);
    CHECK(out[0] == nlohmann::json{{"instance", "1"}, {"valid", true}});
    CHECK(out[1]["instance"] == "2");
    CHECK(out[1]["error"].get<std::string>().find("in.jsonl:2:") != std::string::npos);
    CHECK(out[2] == nlohmann::json{{"instance", "4"}, {"valid", false}});
    CHECK(out[3] == nlohmann::json{{"instance", "5"}, {"valid", true}});
}

TEST_CASE("validate: bad schemas exit 2 naming the file and line or pointer") {
    TempDir dir;
    auto instance = dir.write("i.json", "{}");
    auto syntax = dir.write("syntax.json", "{\"type\":\n  [}");
    auto r = run_conform({"validate", "--schema", syntax.string(), instance.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("syntax.json:2:4") != std::string::npos);
    auto non_schema = dir.write("nonschema.json", R"({"properties": {"a": {"minLength": -1}}})");
    r = run_conform({"validate", "--schema", non_schema.string(), instance.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nonschema.json#/properties/a/minLength") != std::string::npos);
    auto dangling = dir.write("dangling.json", R"({"$ref": "other.json"})");
    r = run_conform({"validate", "--schema", dangling.string(), instance.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("other.json") != std::string::npos);
    auto cycle = dir.write("cycle.json",
                           R"({"$defs": {"a": {"$ref": "#"}}, "allOf": [{"$ref": "#/$defs/a"}]})");
    r = run_conform({"validate", "--schema", cycle.string(), instance.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("cycle") != std::string::npos);
}

TEST_CASE("validate: --resource-dir serves remote references from disk") {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "remote");
    dir.write("remote/int.json", R"({"type": "integer"})");
    auto schema = dir.write("s.json", R"({"$ref": "http://localhost:1234/int.json"})");
    auto good = dir.write("good.json", "3");
    auto bad = dir.write("bad.json", "\"3\"");
    const std::string mapping = (dir.path() / "remote").string() + "=http://localhost:1234/";
    CHECK(run_conform(
              {"validate", "--schema", schema.string(), "--resource-dir", mapping, good.string()})
              .exit_code == 0);
    CHECK(run_conform(
              {"validate", "--schema", schema.string(), "--resource-dir", mapping, bad.string()})
              .exit_code == 1);
    // without the mapping the reference is an error, never a download
    auto r = run_conform({"validate", "--schema", schema.string(), good.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("never fetches") != std::string::npos);
}

TEST_CASE("validate --assert-format turns format into an assertion") {
    TempDir dir;
    auto schema = dir.write("s.json", R"({"format": "date-time"})");
    auto bad = dir.write("bad.json", "\"2026-13-01T00:00:00Z\"");
    CHECK(run_conform({"validate", "--schema", schema.string(), bad.string()}).exit_code == 0);
    CHECK(run_conform({"validate", "--schema", schema.string(), "--assert-format", bad.string()})
              .exit_code == 1);
}

TEST_CASE("validate: the suite's remotes through --resource-dir") {
    CONFORM_REQUIRE_SHARED("suite remotes via the CLI");
    TempDir dir;
    auto schema = dir.write(
        "s.json",
        R"({"$ref": "http://localhost:1234/draft2020-12/subSchemas.json#/$defs/refToInteger"})");
    auto bad = dir.write("bad.json", "\"a\"");
    const std::string mapping =
        (*conform::test::shared_dir() / "json-schema-test-suite/remotes").string() +
        "=http://localhost:1234/";
    CHECK(run_conform(
              {"validate", "--schema", schema.string(), "--resource-dir", mapping, bad.string()})
              .exit_code == 1);
}

TEST_CASE("docs lint: exit 1 with JSON findings on the seed pages, 2 on a missing page") {
    CONFORM_REQUIRE_SHARED("conform docs lint on the seed pages");
    const auto pages = *conform::test::shared_dir() / "api-docs";
    auto r = run_conform({"docs", "lint", "--format", "json", "--schemas",
                          std::string(CONFORM_SOURCE_DIR) + "/schemas",
                          (pages / "ucloud-uhub.GetRepo.zh.md").string(),
                          (pages / "genesissai-uhub.GetRepo.en.md").string()});
    CHECK(r.exit_code == 1);
    auto findings = nlohmann::json::parse(r.out);
    REQUIRE(findings.is_array());
    bool drift = false;
    for (const auto& f : findings)
        drift = drift || f["id"] == "doc.translation-drift";
    CHECK(drift);
    TempDir dir;
    auto missing = run_conform({"docs", "lint", (dir.path() / "nope.md").string()});
    CHECK(missing.exit_code == 2);
}

TEST_CASE("docs/deviations.md is what conform list-deviations prints (docs that cannot rot)") {
    auto r = run_conform({"list-deviations", "--format", "md"});
    REQUIRE(r.exit_code == 0);
    std::ifstream in(std::string(CONFORM_SOURCE_DIR) + "/docs/deviations.md", std::ios::binary);
    std::stringstream committed;
    committed << in.rdbuf();
    INFO("regenerate with: conform list-deviations --format md > docs/deviations.md");
    CHECK(committed.str() == r.out);
    auto json = nlohmann::json::parse(run_conform({"list-deviations", "--format", "json"}).out);
    CHECK(json.size() == conform::core::k_deviations.size());
}

TEST_CASE("run: the embedded default exits 1 (the docs deviate) and writes report.json") {
    conform::test::TempDir dir;
    auto r = run_conform({"run", "--quiet", "--report-dir", dir.path().string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("doc-sample") != std::string::npos);
    CHECK(std::filesystem::exists(dir.path() / "report.json"));
}

TEST_CASE("run: usage errors exit 2 and name the problem") {
    auto r = run_conform({"run", "--check", "no-such-check"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no-such-check") != std::string::npos);
    r = run_conform({"run", "--target", "ftp://example.com", "--report-dir",
                     (std::filesystem::temp_directory_path() / "conform-cli-ftp").string()});
    CHECK(r.exit_code == 2); // not an http(s) URL: a usage error naming it
    CHECK(r.err.find("ftp://example.com") != std::string::npos);
    r = run_conform({"run", "--param", "novalue", "--contract", "ucloud-uhub"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("NAME=VALUE") != std::string::npos);
    r = run_conform({"run", "--help"});
    CHECK(r.exit_code == 0);
    for (const char* option : {"--target", "--contract", "--cases", "--check", "--persona",
                               "--report-dir", "--jobs", "--rate", "--cacert", "--insecure"})
        CHECK(r.out.find(option) != std::string::npos);
}

TEST_CASE("serve --list-personas: every persona with the ids it must produce") {
    auto r = run_conform({"serve", "--list-personas"});
    CHECK(r.exit_code == 0);
    for (const char* persona : {"reference",
                                "doc-sample",
                                "items-as-strings",
                                "total-as-string",
                                "data-envelope",
                                "lowercase-fields",
                                "missing-field",
                                "extra-field",
                                "ignore-limit",
                                "ignore-offset",
                                "off-by-one",
                                "duplicate-items",
                                "unstable-total",
                                "wrong-default-limit",
                                "accept-invalid",
                                "accept-unsigned",
                                "http-500",
                                "html-error",
                                "slow",
                                "truncated-body",
                                "create-noop",
                                "update-noop",
                                "delete-noop",
                                "delete-missing-ok",
                                "duplicate-create-ok"})
        CHECK(r.out.find(persona) != std::string::npos);
    CHECK(r.out.find("pagination.over-limit") != std::string::npos);
    r = run_conform({"serve"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("validate: nesting past --max-depth is a clear error (exit 2), raised on demand") {
    conform::test::TempDir dir;
    const auto schema = dir.write("s.json", "{\"type\": \"array\"}");
    const auto deep = dir.write("deep.json", std::string(1000, '[') + std::string(1000, ']'));
    auto r = run_conform({"validate", "--schema", schema.string(), deep.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("deeper than 256") != std::string::npos);
    r = run_conform(
        {"validate", "--schema", schema.string(), "--max-depth", "1001", deep.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(run_conform({"validate", "--schema", schema.string(), "--max-depth", "0", deep.string()})
              .exit_code == 2);
    // --max-ref-depth bounds subschemas nested while validating ($ref chains).
    const auto refs = dir.write("refs.json", R"({"$defs": {"a": {"$ref": "#/$defs/b"},
        "b": {"type": "integer"}}, "$ref": "#/$defs/a"})");
    const auto one = dir.write("one.json", "1");
    CHECK(run_conform({"validate", "--schema", refs.string(), one.string()}).exit_code == 0);
    r = run_conform({"validate", "--schema", refs.string(), "--max-ref-depth", "2", one.string()});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("evaluation deeper than 2") != std::string::npos);
}

TEST_CASE("run and replay: --max-depth, --max-ref-depth and --max-line-bytes bound what is read") {
    conform::test::TempDir dir;
    const std::string samples =
        (std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas/ucloud-uhub/GetRepo.samples.jsonl")
            .string();
    auto report_of = [&](const std::string& name, std::vector<std::string> args) {
        const std::string report_dir = (dir.path() / name).string();
        args.insert(args.begin() + 1, {"--quiet", "--report-dir", report_dir});
        auto r = run_conform(args);
        std::ifstream in(std::filesystem::path(report_dir) / "report.json");
        std::stringstream text;
        text << in.rdbuf();
        return std::make_pair(r, text.str());
    };

    // The defaults read every sample line and parse every body.
    auto [plain, plain_report] = report_of("plain", {"replay", samples});
    INFO(plain.out << plain.err);
    CHECK(plain.exit_code != 2);
    CHECK(plain_report.find("the body is not JSON") == std::string::npos);
    CHECK(plain_report.find("evaluation deeper than") == std::string::npos);

    // A line longer than --max-line-bytes is one bad line naming file:line (exit 2).
    auto [short_lines, short_report] =
        report_of("short", {"replay", "--max-line-bytes", "100", samples});
    CHECK(short_lines.exit_code == 2);
    CHECK(short_report.find("longer than the limit of 100") != std::string::npos);
    CHECK(short_report.find("GetRepo.samples.jsonl:1") != std::string::npos);

    // A body nested deeper than --max-depth is not JSON to the checks, saying why.
    auto [shallow, shallow_report] = report_of("shallow", {"replay", "--max-depth", "2", samples});
    CHECK(shallow.exit_code == 1);
    CHECK(shallow_report.find("the body is not JSON") != std::string::npos);
    CHECK(shallow_report.find("deeper than 2") != std::string::npos);

    // Validation nested deeper than --max-ref-depth is an error at that keyword.
    auto [no_refs, no_refs_report] = report_of("refs", {"replay", "--max-ref-depth", "1", samples});
    CHECK(no_refs.exit_code == 1);
    CHECK(no_refs_report.find("evaluation deeper than 1") != std::string::npos);

    // `conform run` takes the same limits for live answers.
    auto [live, live_report] = report_of(
        "live", {"run", "--contract", "ucloud-uhub", "--persona", "reference", "--max-depth", "2"});
    CHECK(live.exit_code == 1);
    CHECK(live_report.find("deeper than 2") != std::string::npos);
    auto help = run_conform({"replay", "--help"});
    for (const char* option : {"--max-depth", "--max-ref-depth", "--max-line-bytes"})
        CHECK(help.out.find(option) != std::string::npos);
    CHECK(run_conform({"run", "--max-depth", "0"}).exit_code == 2);
}
