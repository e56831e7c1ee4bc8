#include <catch2/catch.hpp>

#include <functional>

#include "runner/core/json_parse.hpp"
#include "runner/schema/schema.hpp"
#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

fs::path report_schema() {
    return fs::path(CONFORM_SOURCE_DIR) / "schemas/report.schema.json";
}

schema::CompiledSchema compiled_report_schema() {
    static schema::Registry registry;
    auto document = core::load_json_file(report_schema());
    REQUIRE(document);
    schema::CompileOptions options;
    options.origin = report_schema().string();
    auto compiled = schema::compile(*document, registry, options);
    if (!compiled)
        FAIL(compiled.error().to_string());
    return std::move(compiled).value();
}

std::string errors_of(const schema::ValidationResult& r) {
    std::string out;
    for (const auto& e : r.errors)
        out += e.instance_location + ": " + e.error + " (" + e.keyword_location + ")\n";
    return out;
}

// report.json of the sample run with one change, parsed back.
core::Result<report::ReportModel>
parse_changed(const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json doc(report::to_report_json(test::sample_run()));
    change(doc);
    return report::parse_report(doc, "r.json");
}

} // namespace

TEST_CASE("report.json validates against schemas/report.schema.json") {
    const auto schema = compiled_report_schema();
    auto model = test::sample_run();
    const auto doc = nlohmann::json::parse(report::render_json(model));
    const auto result = schema.validate(doc);
    INFO(errors_of(result));
    CHECK(result.valid);

    SECTION("including an unreachable target and a deviation without exchange or source") {
        model.targets[1].reachable = false;
        model.targets[1].error = "connection refused";
        auto& check = model.cases[3].checks[2];
        check.exchange_of.clear();
        check.deviations[0].source.reset();
        const auto r = schema.validate(nlohmann::json::parse(report::render_json(model)));
        INFO(errors_of(r));
        CHECK(r.valid);
    }
    SECTION("and the schema catches a wrong report") {
        auto bad = doc;
        bad["targets"][1]["cases"][0]["checks"][0]["deviations"][0]["id"] = "type.wrong";
        bad["targets"][0]["cases"][0]["status"] = "fine";
        const auto r = schema.validate(bad);
        CHECK_FALSE(r.valid);
    }
}

TEST_CASE("the schema's deviation ids are the taxonomy table") {
    auto document = core::load_json_file(report_schema());
    REQUIRE(document);
    std::vector<std::string> table;
    for (const auto& d : core::k_deviations)
        table.emplace_back(d.name);
    CHECK((*document)["$defs"]["deviation"]["properties"]["id"]["enum"]
              .get<std::vector<std::string>>() == table);
    CHECK((*document)["properties"]["conform_report"]["const"] == report::k_report_version);
}

TEST_CASE("a deviation carries every field, its fingerprint and its exchange") {
    const nlohmann::json doc(report::to_report_json(test::sample_run()));
    const auto& d = doc["targets"][1]["cases"][0]["checks"][0]["deviations"][0];
    CHECK(d["id"] == "type.mismatch");
    CHECK(d["kind"] == "scalar-for-object");
    CHECK(d["severity"] == "error");
    CHECK(d["instance_pointer"] == "/RepoSet/0");
    CHECK(d["schema_pointer"] == "/properties/RepoSet/items/type");
    CHECK(d["expected"] == "object (RepoSet)");
    CHECK(d["actual"] == "string \"uhub-demo\"");
    CHECK(d["count"] == 9);
    CHECK(d["source"] == nlohmann::json{{"doc", "ucloud-uhub.GetRepo.zh.md"}, {"line", 47}});
    CHECK(d["exchange"] == 0);
    CHECK(d["fingerprint"] == test::sample_run().cases[3].checks[0].deviations[0].fingerprint());
    CHECK(doc["targets"][1]["cases"][0]["exchanges"][0]["response"]["status"] == 200);
}

TEST_CASE("load_report reads report.json back into the same model") {
    const auto dir = test::fresh_dir("load");
    const auto model = test::sample_run();
    const std::string text = report::render_json(model);
    test::write(dir / "report.json", text);
    auto loaded = report::load_report(dir / "report.json");
    if (!loaded)
        FAIL(loaded.error().to_string());
    CHECK(report::render_json(*loaded) == text);
    CHECK(loaded->cases.size() == 6);
    CHECK(loaded->cases[3].checks[0].exchange_of == std::vector<std::size_t>{0});
    CHECK(loaded->cases[3].checks[0].deviations[0].source->line == 47);
    CHECK(loaded->targets[1].info.name == "doc-sample");
    CHECK(loaded->summary.seconds == 1.5);
    // Every other format renders the same from the loaded model.
    for (const auto& f : report::k_formats)
        if (f.render)
            CHECK(f.render(*loaded) == f.render(model));
}

TEST_CASE("a bad report is an error naming the file and the JSON pointer") {
    SECTION("not JSON: file, line and column") {
        const auto dir = test::fresh_dir("bad");
        test::write(dir / "report.json", "{\n  \"conform_report\": 1,\n  oops\n}");
        auto r = report::load_report(dir / "report.json");
        REQUIRE_FALSE(r);
        CHECK(r.error().where.file == (dir / "report.json").string());
        CHECK(r.error().where.line == 3);
    }
    SECTION("another version") {
        auto r = parse_changed([](auto& d) { d["conform_report"] = 2; });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.file == "r.json");
        CHECK(r.error().where.pointer == "/conform_report");
        CHECK(r.error().message.find("version 2") != std::string::npos);
    }
    SECTION("not a report") {
        auto r = parse_changed([](auto& d) { d.erase("conform_report"); });
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("not a conform report") != std::string::npos);
    }
    SECTION("an unknown deviation id") {
        auto r = parse_changed([](auto& d) {
            d["targets"][1]["cases"][0]["checks"][2]["deviations"][0]["id"] = "pagination.huge";
        });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/targets/1/cases/0/checks/2/deviations/0/id");
        CHECK(r.error().to_string().find("r.json") != std::string::npos);
    }
    SECTION("a wrong type") {
        auto r = parse_changed([](auto& d) { d["targets"][0]["cases"][1]["seconds"] = "fast"; });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/targets/0/cases/1/seconds");
        CHECK(r.error().message == "expected a number, got string");
    }
    SECTION("a missing member") {
        auto r = parse_changed([](auto& d) { d["summary"].erase("warnings"); });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/summary");
        CHECK(r.error().message == "missing member \"warnings\"");
    }
    SECTION("an exchange index past the case's exchanges") {
        auto r = parse_changed([](auto& d) {
            d["targets"][1]["cases"][0]["checks"][0]["deviations"][0]["exchange"] = 5;
        });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/targets/1/cases/0/checks/0/deviations/0/exchange");
    }
    SECTION("a status that contradicts the case") {
        auto r = parse_changed([](auto& d) { d["targets"][0]["cases"][0]["status"] = "failed"; });
        REQUIRE_FALSE(r);
        CHECK(r.error().where.pointer == "/targets/0/cases/0/status");
    }
}

TEST_CASE("invalid UTF-8 in a body excerpt does not stop report.json") {
    auto model = test::sample_run();
    model.cases[3].exchanges[0]["response"]["body"] = std::string("cut \xe4\xb8", 6);
    const std::string text = report::render_json(model);
    CHECK(text.find("cut \xef\xbf\xbd") != std::string::npos); // U+FFFD
    for (const auto& f : report::k_formats)
        if (f.render)
            CHECK_NOTHROW(f.render(model));
}
