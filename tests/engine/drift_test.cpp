// `conform run --compare`: a recording sent again, today's answers checked and compared by
// shape with the recorded ones.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/engine/drift.hpp"
#include "runner/schema/schema.hpp"
#include "runner/serve/serve.hpp"
#include "tests/support/contracts.hpp"

using namespace conform;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<std::string> describe(const std::vector<engine::DriftChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes)
        out.push_back(std::string(engine::name_of(c.kind)) + " " + c.pointer + " " + c.recorded +
                      " -> " + c.live);
    return out;
}

std::unique_ptr<http::Server> serve_as(serve::PersonaId persona) {
    auto fixtures = serve::load_fixtures(test::ucloud_contract(), contract::default_cases_dir());
    REQUIRE(fixtures);
    serve::ReferenceOptions options;
    options.persona = persona;
    auto reference = serve::make_reference(test::ucloud_contract(), std::move(*fixtures), options);
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    return std::move(*server);
}

// The built-in test keys in the environment, as a user's real keys would be, while it lives
// (other tests in this process rely on the keys being absent).
class TestKeys {
public:
    TestKeys() {
        const http::Credentials keys = serve::test_credentials(scheme());
        ::setenv(std::string(scheme().key_id_env).c_str(), keys.key_id.c_str(), 1);
        ::setenv(std::string(scheme().secret_env).c_str(), keys.secret.c_str(), 1);
    }
    ~TestKeys() {
        ::unsetenv(std::string(scheme().key_id_env).c_str());
        ::unsetenv(std::string(scheme().secret_env).c_str());
    }
    TestKeys(const TestKeys&) = delete;
    TestKeys& operator=(const TestKeys&) = delete;

private:
    static const http::Scheme& scheme() {
        return *http::find_scheme(test::ucloud_contract().signing);
    }
};

// drift.json is what schemas/drift.schema.json says.
void check_drift_schema(const json& drift) {
    static schema::Registry registry;
    auto document = core::load_json_file(contract::default_schemas_dir() / "drift.schema.json");
    REQUIRE(document);
    auto compiled = schema::compile(*document, registry, {});
    REQUIRE(compiled);
    const auto result = compiled->validate(drift);
    for (const auto& e : result.errors)
        UNSCOPED_INFO(e.instance_location << ": " << e.error);
    CHECK(result.valid);
}

json read(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    return json::parse(in);
}

} // namespace

TEST_CASE("compare_shapes: fields added and removed (topmost only), types and counts changed") {
    const json then = {{"TotalCount", 2},
                       {"RepoSet", {{{"Name", "a"}, {"Size", 1}}, {{"Name", "b"}, {"Size", 2}}}},
                       {"Old", {{"x", 1}, {"y", 2}}}};
    const json now = {{"TotalCount", "2"},
                      {"RepoSet", {{{"Name", "a"}, {"Size", 1.5}, {"Tags", {"t"}}}}},
                      {"New", {{"z", true}}}};
    CHECK(describe(engine::compare_shapes(then, now)) ==
          std::vector<std::string>{"added /New  -> object", "removed /Old object -> ",
                                   "count-changed /RepoSet 2 items -> 1 item",
                                   "type-changed /RepoSet/*/Size integer -> number",
                                   "added /RepoSet/*/Tags  -> array",
                                   "type-changed /TotalCount integer -> string"});
    // Values are not shape: the same shape with other values is no drift.
    json other = then;
    other["RepoSet"][0]["Name"] = "zzz";
    other["TotalCount"] = 7;
    CHECK(engine::compare_shapes(then, other).empty());
}

TEST_CASE("run --compare: the same server shows no drift; a changed one shows what changed") {
    const TestKeys keys;
    const fs::path dir =
        fs::temp_directory_path() / ("conform-drift-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto reference = serve_as(serve::PersonaId::reference);

    // A recording of a live run.
    engine::RunJob record;
    record.targets = {{"api", reference->base_url()}};
    record.contracts = {"ucloud-uhub"};
    record.record = dir / "live.jsonl";
    record.report.dir = dir / "recorded";
    record.report.console.quiet = true;
    std::ostringstream out, err;
    REQUIRE(engine::run_run(record, out, err).value() == core::Verdict::conformant);

    engine::CompareJob job;
    job.files = {dir / "live.jsonl"};
    job.contracts = {"ucloud-uhub"};
    job.report.console.quiet = true;

    SECTION("against the server it was recorded from: everything compared, nothing drifted") {
        job.report.dir = dir / "same";
        std::ostringstream o, e;
        const auto verdict = engine::run_compare(job, o, e);
        INFO(o.str() << e.str());
        CHECK(verdict.value() == core::Verdict::conformant);
        const json drift = read(dir / "same" / "drift.json");
        CHECK(drift.at("compared").get<std::size_t>() > 10);
        CHECK(drift.at("drifted") == 0);
        check_drift_schema(drift);
        CHECK(read(dir / "same" / "report.json").at("summary").at("deviations") == 0);
    }
    SECTION("against a server that added a field: drift, reported apart from conformance") {
        auto changed = serve_as(serve::PersonaId::extra_field);
        job.target = engine::TargetSpec{"next", changed->base_url()};
        job.report.dir = dir / "changed";
        std::ostringstream o, e;
        const auto verdict = engine::run_compare(job, o, e);
        INFO(o.str() << e.str());
        // field.unexpected is a warning; drift alone does not fail
        CHECK(verdict.value() == core::Verdict::conformant);
        const json drift = read(dir / "changed" / "drift.json");
        CHECK(drift.at("drifted").get<std::size_t>() > 0);
        bool added = false;
        for (const json& x : drift.at("exchanges"))
            for (const json& c : x.at("changes"))
                added |= c.at("kind") == "added";
        CHECK(added);
        check_drift_schema(drift);
        CHECK_THAT(o.str(), Catch::Contains("Drift (the API changed since it was recorded"));
        CHECK(read(dir / "changed" / "report.json").at("summary").at("warnings").get<int>() > 0);

        job.fail_on_drift = true;
        job.report.dir = dir / "changed-fail";
        std::ostringstream o2, e2;
        CHECK(engine::run_compare(job, o2, e2).value() == core::Verdict::deviations);
        changed->stop();
    }
    SECTION("a server that is gone: exit 3") {
        auto gone = serve_as(serve::PersonaId::reference);
        const std::string url = gone->base_url();
        gone->stop();
        gone.reset();
        job.target = engine::TargetSpec{"", url};
        job.report.dir = dir / "gone";
        std::ostringstream o, e;
        CHECK(engine::run_compare(job, o, e).value() == core::Verdict::unreachable);
    }
    reference->stop();
    fs::remove_all(dir);
}
