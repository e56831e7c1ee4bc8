// Fixture datasets: the committed ones load; a bad one is an error naming file and pointer.
#include <fstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "runner/contract/cases.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"
#include "runner/schema/schema.hpp"
#include "runner/serve/internal/synthesize.hpp"
#include "runner/serve/serve.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("fixtures: the committed datasets load with their filters and samples",
          "[serve][fixtures]") {
    for (const contract::Contract& c : test::seed_contracts()) {
        INFO(c.name);
        const serve::Fixtures f = test::seed_fixtures(c);
        CHECK(f.contract == c.name);
        const contract::Operation& op = test::seed_operation(c);
        const serve::OperationFixture* fixture = f.find(op.name);
        REQUIRE(fixture != nullptr);
        CHECK(fixture->items.size() == 23);
        CHECK(fixture->file.filename() == op.name + ".dataset.json");
        CHECK(fixture->sample_body.has_value()); // the page's own sample answer
        CHECK(fixture->doc_sample_expected.has_value());
        CHECK(f.find("NoSuchOperation") == nullptr);
        if (c.envelope.action) {
            REQUIRE(fixture->filters.size() == 1);
            CHECK(fixture->filters[0].param == "Type");
            CHECK(fixture->filters[0].field == "IsShared");
            CHECK(fixture->filters[0].values.size() == 2);
            CHECK(fixture->sample_body->at("TotalCount") == 2);
        } else {
            CHECK(fixture->filters.empty());
            CHECK(fixture->sample_body->contains("data"));
        }
    }
}

namespace {

// A private copy of cases/<contract>/ with the dataset edited, loaded from there.
class EditedDataset {
public:
    explicit EditedDataset(const std::string& contract_name)
        : m_contract(test::seed_contract(contract_name)),
          m_root(fs::temp_directory_path() /
                 ("conform-serve-fixtures-" + std::to_string(::getpid()) + "-" +
                  std::to_string(s_counter++))) {
        fs::create_directories(m_root / contract_name);
        const auto& op = test::seed_operation(m_contract);
        m_file = m_root / contract_name / (op.name + ".dataset.json");
        auto doc = core::load_json_file(contract::default_cases_dir() / contract_name /
                                        (op.name + ".dataset.json"));
        REQUIRE(doc);
        m_doc = *doc;
    }
    ~EditedDataset() {
        std::error_code ec;
        fs::remove_all(m_root, ec);
    }
    json& doc() { return m_doc; }
    const fs::path& file() const { return m_file; }
    core::Result<serve::Fixtures> load(const std::string& text = {}) {
        std::ofstream(m_file, std::ios::trunc) << (text.empty() ? m_doc.dump(2) : text);
        return serve::load_fixtures(m_contract, m_root);
    }
    fs::path root() const { return m_root; }

private:
    static inline int s_counter = 0;
    const contract::Contract& m_contract;
    fs::path m_root;
    fs::path m_file;
    json m_doc;
};

std::string error_of(const core::Result<serve::Fixtures>& r) {
    REQUIRE_FALSE(r);
    return r.error().to_string();
}

} // namespace

TEST_CASE("fixtures: errors name the file and the JSON pointer", "[serve][fixtures]") {
    SECTION("the unedited copy loads") {
        EditedDataset d("ucloud-uhub");
        CHECK(d.load());
    }
    SECTION("a missing dataset: synthesized from the response schema instead") {
        EditedDataset d("ucloud-uhub");
        auto r = serve::load_fixtures(test::seed_contract("ucloud-uhub"), d.root() / "nowhere");
        REQUIRE(r);
        CHECK(r->find("GetRepo")->synthesized);
        CHECK(r->find("GetRepo")->items.size() == 45);
    }
    SECTION("not JSON: file and line") {
        EditedDataset d("ucloud-uhub");
        const std::string e = error_of(d.load("{\n  \"items\": [\n    oops\n  ]\n}\n"));
        CHECK(e.find(d.file().string() + ":3:") != std::string::npos);
    }
    SECTION("against schemas/dataset.schema.json") {
        EditedDataset d("ucloud-uhub");
        d.doc()["items"][4] = "not an object";
        const std::string e = error_of(d.load());
        CHECK(e.find(d.file().string() + "#/items/4") != std::string::npos);
        CHECK(e.find("dataset.schema.json") != std::string::npos);
    }
    SECTION("an unknown deviation id in doc_sample") {
        EditedDataset d("tencent-ccr");
        d.doc()["doc_sample"]["expected"][1] = "type.wrong";
        CHECK(error_of(d.load()).find("#/doc_sample/expected/1") != std::string::npos);
    }
    SECTION("an item that does not validate against the response schema") {
        EditedDataset d("ucloud-uhub");
        d.doc()["items"][3]["IsShared"] = "yes";
        const std::string e = error_of(d.load());
        CHECK(e.find("#/items/3/IsShared") != std::string::npos);
        CHECK(e.find("GetRepo.response.schema.json") != std::string::npos);
    }
    SECTION("an item without its key, and a repeated key") {
        EditedDataset d("tencent-ccr");
        d.doc()["items"][2].erase("reponame");
        CHECK(error_of(d.load()).find("#/items/2") != std::string::npos);
        EditedDataset e("tencent-ccr");
        e.doc()["items"][5]["reponame"] = e.doc()["items"][1]["reponame"];
        const std::string message = error_of(e.load());
        CHECK(message.find("#/items/5/reponame") != std::string::npos);
        CHECK(message.find("repeats") != std::string::npos);
    }
    SECTION("a filter on an undeclared parameter or field") {
        EditedDataset d("ucloud-uhub");
        d.doc()["filters"][0]["param"] = "Kind";
        CHECK(error_of(d.load()).find("#/filters/0/param") != std::string::npos);
        EditedDataset e("ucloud-uhub");
        e.doc()["filters"][0]["field"] = "Shared";
        CHECK(error_of(e.load()).find("#/filters/0/field") != std::string::npos);
    }
    SECTION("a filter that misses a documented value, or maps an undocumented one") {
        EditedDataset d("genesissai-uhub");
        d.doc()["filters"][0]["values"].erase("Public");
        const std::string e = error_of(d.load());
        CHECK(e.find("#/filters/0/values") != std::string::npos);
        CHECK(e.find("\"Public\"") != std::string::npos);
        EditedDataset f("genesissai-uhub");
        f.doc()["filters"][0]["values"]["public"] = "true"; // the Chinese page's spelling
        CHECK(error_of(f.load()).find("#/filters/0/values/public") != std::string::npos);
    }
}

namespace {

const contract::Contract& test_family() {
    static const contract::Contract c = [] {
        auto loaded = contract::load_contract(fs::path(CONFORM_SOURCE_DIR) /
                                                  "tests/contract/fixtures/family/uhub-family",
                                              fs::path(CONFORM_SOURCE_DIR) / "schemas");
        REQUIRE(loaded);
        return std::move(*loaded);
    }();
    return c;
}

// The Action is the caller's: with_operation false.
json answer(const serve::Reference& ref, test::Client& client, http::QueryParams params) {
    return client.call(ref, std::move(params), test::Sign::yes, false);
}

} // namespace

TEST_CASE("synthesis: every operation answers without a dataset, consistently across links",
          "[serve][fixtures][synthesize]") {
    const contract::Contract& c = test_family();
    auto fixtures = serve::load_fixtures(c, fs::temp_directory_path() / "conform-no-datasets");
    REQUIRE(fixtures);
    for (const auto& [name, op] : c.operations) {
        INFO(name);
        const serve::OperationFixture* f = fixtures->find(name);
        REQUIRE(f);
        CHECK(f->synthesized);
        if (op.pagination)
            CHECK(f->items.size() >= 45); // several pages of the default 20
        else
            CHECK(op.response.compiled.validate(*f->body).valid);
    }
    // Deterministic.
    auto again = serve::load_fixtures(c, fs::temp_directory_path() / "conform-no-datasets");
    REQUIRE(again);
    CHECK(again->find("GetRepoImage")->items == fixtures->find("GetRepoImage")->items);

    serve::ReferenceOptions options;
    auto ref = serve::make_reference(c, std::move(*fixtures), options);
    REQUIRE(ref);
    test::Client client(c);
    const json repos = answer(**ref, client, {{"Action", "GetRepo"}});
    REQUIRE(repos.at("RetCode") == 0);
    CHECK(repos.at("RepoSet").size() == 20);
    CHECK(c.find_operation("GetRepo")->response.compiled.validate(repos).valid);
    const std::string repo = repos.at("RepoSet").at(0).at("RepoName");
    // The repository GetRepo listed is one GetRepoImage has images for, and only those.
    const json images = answer(**ref, client, {{"Action", "GetRepoImage"}, {"RepoName", repo}});
    REQUIRE(images.at("RetCode") == 0);
    REQUIRE(!images.at("ImageSet").empty());
    for (const json& image : images.at("ImageSet"))
        CHECK(image.at("RepoName") == repo);
    const json none =
        answer(**ref, client, {{"Action", "GetRepoImage"}, {"RepoName", "no-such-repo"}});
    CHECK(none.at("ImageSet").empty());
    // Without the required RepoName: refused.
    CHECK(answer(**ref, client, {{"Action", "GetRepoImage"}}).at("RetCode") != 0);
    const json quota = answer(**ref, client, {{"Action", "DescribeQuota"}, {"Region", "r"}});
    CHECK(quota.at("RetCode") == 0);
    CHECK(quota.contains("Quota"));
}

TEST_CASE("synthesis: a written dataset still wins", "[serve][fixtures][synthesize]") {
    const auto& c = test::seed_contract("ucloud-uhub");
    const serve::Fixtures written = test::seed_fixtures(c);
    CHECK_FALSE(written.find("GetRepo")->synthesized);
    CHECK(written.find("GetRepo")->items.size() == 23);
}

namespace {

// A response document whose Snapshot holds its children and its parent: its own kind twice.
const json k_recursive = json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {"snapshot": {"$ref": "#/$defs/Snapshot"}},
  "$defs": {"Snapshot": {
    "type": "object", "additionalProperties": false, "required": ["snapshotId", "children"],
    "properties": {"snapshotId": {"type": "string"},
                   "children": {"type": "array", "items": {"$ref": "#/$defs/Snapshot"}},
                   "parent": {"$ref": "#/$defs/Snapshot"}}}}
})");

} // namespace

TEST_CASE("synthesis: a struct that holds its own kind is synthesized once",
          "[serve][fixtures][synthesize]") {
    // Each level nested it again (the parent, one child): 2^16 objects, and past the depth
    // bound an object without its required fields. Now: left out where optional, empty where
    // an array may be, valid.
    const json value = serve::internal::synthesize_value(k_recursive, k_recursive, "", 0);
    CHECK(value ==
          json({{"snapshot", {{"snapshotId", "snapshotid-00"}, {"children", json::array()}}}}));
    schema::Registry registry;
    auto compiled = schema::compile(k_recursive, registry, {});
    REQUIRE(compiled);
    CHECK(compiled->validate(value).valid);
}

TEST_CASE("synthesis: an imported Tencent page whose items hold their own kind answers small "
          "and valid",
          "[serve][fixtures][synthesize]") {
    const fs::path root =
        fs::temp_directory_path() / ("conform-recursive-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "pages");
    std::ofstream(root / "pages" / "DescribeSnapshots.en.md", std::ios::binary)
        << "## 1. API Description\n\nThis API (DescribeSnapshots) lists snapshots.\n\n"
           "Domain name for API request: snapshot.api.qcloud.com\n\n"
           "## 2. Input Parameters\n\n| Parameter Name | Required | Type | Description |\n"
           "|---|---|---|---|\n| offset | No | Int | Offset. Default is 0. |\n"
           "| limit | No | Int | Number of results. Default is 20. |\n\n"
           "## 3. Output Parameters\n\n| Parameter Name | Type | Description |\n|---|---|---|\n"
           "| code | Int | Error code. |\n| message | String | Error. |\n"
           "| totalCount | Int | Snapshots. |\n| snapshotSet | Array of Snapshot | Snapshots. |\n\n"
           "Snapshot\n\n| Parameter Name | Type | Description |\n|---|---|---|\n"
           "| snapshotId | String | ID. |\n| parent | Snapshot | Taken from. |\n"
           "| children | Array of Snapshot | Taken from it. |\n";
    docs::FamilyImportRequest request;
    request.inputs = {root / "pages"};
    request.contract = "tencent-snapshot";
    request.out_dir = root / "schemas" / "tencent-snapshot";
    REQUIRE(docs::run_family_import(request));
    auto c = contract::load_contract(request.out_dir, contract::default_schemas_dir());
    REQUIRE(c);
    auto fixtures = serve::load_fixtures(*c, root / "no-datasets");
    REQUIRE(fixtures);
    const serve::OperationFixture* f = fixtures->find("DescribeSnapshots");
    REQUIRE(f);
    REQUIRE_FALSE(f->items.empty());
    for (const json& item : f->items) // an identifier, no parent, no children
        CHECK(item.size() == 1);
    serve::ReferenceOptions options;
    options.clock = std::make_shared<http::FixedClock>(test::k_now); // the client signs then
    auto ref = serve::make_reference(*c, std::move(*fixtures), options);
    REQUIRE(ref);
    test::Client client(*c);
    const json page = client.call(**ref, {{"Action", "DescribeSnapshots"}, {"limit", "100"}},
                                  test::Sign::yes, false);
    INFO(page.dump());
    CHECK(page.at("code") == 0);
    CHECK(page.dump().size() < 20000);
    CHECK(c->find_operation("DescribeSnapshots")->response.compiled.validate(page).valid);
    fs::remove_all(root);
}
