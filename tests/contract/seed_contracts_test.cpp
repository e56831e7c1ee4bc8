// The three committed seed contracts load through our validator and expose the facts the
// runner relies on: routing, signing, envelopes, pagination, and compiled schemas that judge
// responses.

#include <catch2/catch.hpp>

#include "runner/contract/contract.hpp"
#include "runner/core/json_parse.hpp"
#include "tests/contract/contract_test_support.hpp"

using namespace conform;
using nlohmann::json;

namespace {

contract::Contract load_seed(const std::string& name) {
    auto loaded = contract::load_contract(test::seed_schemas_dir() / name);
    if (!loaded)
        FAIL(loaded.error().to_string());
    return std::move(loaded).value();
}

const contract::Operation& operation(const contract::Contract& c, const std::string& name) {
    const contract::Operation* op = c.find_operation(name);
    REQUIRE(op != nullptr);
    return *op;
}

} // namespace

TEST_CASE("load_contracts finds the three seed contracts, sorted, without meta/", "[seed]") {
    auto contracts = contract::load_contracts(test::seed_schemas_dir());
    if (!contracts)
        FAIL(contracts.error().to_string());
    REQUIRE(contracts->size() == 3);
    CHECK((*contracts)[0].name == "genesissai-uhub");
    CHECK((*contracts)[1].name == "tencent-ccr");
    CHECK((*contracts)[2].name == "ucloud-uhub");
    for (const contract::Contract& c : *contracts) {
        INFO(c.name);
        CHECK(c.routing.in == "query");
        CHECK(c.routing.param == "Action");
        CHECK(c.directory.filename() == c.name);
        // ucloud-uhub is the whole UHub family: three listings and four writes
        CHECK(c.operations.size() == (c.name == "ucloud-uhub" ? 7u : 1u));
        CHECK(c.read_only.size() == (c.name == "ucloud-uhub" ? 3u : 1u));
    }
}

TEST_CASE("tencent-ccr: v2 envelope, HMAC signing, GetFavor paging", "[seed]") {
    const contract::Contract c = load_seed("tencent-ccr");
    CHECK(c.vendor == "Tencent Cloud");
    CHECK(c.base_url == "https://ccr.api.qcloud.com/v2/index.php");
    CHECK(c.signing == "tencent-v2-hmac");
    CHECK(c.envelope.code.pointer == "/code");
    CHECK(c.envelope.code.success == json(0));
    CHECK(c.envelope.message_pointer == "/message");
    REQUIRE(c.envelope.description.has_value());
    CHECK(c.envelope.description->pointer == "/codeDesc");
    CHECK(c.envelope.description->success == json("Success"));
    CHECK_FALSE(c.envelope.action.has_value());
    CHECK(c.is_read_only("GetFavor"));

    const contract::Operation& op = operation(c, "GetFavor");
    CHECK(op.name == "GetFavor");
    CHECK(op.method == "GET");
    CHECK(op.doc == "tencent-ccr.GetFavor.en.md");
    CHECK(op.doc_line > 0);
    REQUIRE(op.pagination.has_value());
    CHECK(*op.pagination ==
          contract::Pagination{"offset", 0, "limit", 20, "/repoInfo", "/totalCount", "reponame"});
    CHECK(op.request.path == c.directory / "GetFavor.request.schema.json");
    CHECK(op.response.path == c.directory / "GetFavor.response.schema.json");
    CHECK(op.samples == c.directory / "GetFavor.samples.jsonl");
    CHECK(op.overlay == c.directory / "GetFavor.overlay.json");

    const json page = test::contract_fixture("tencent-ccr.GetFavor.page.json").at("body");
    CHECK(op.response.compiled.validate(page).valid);
    // The page's own sample nests the list under "data": the closed schema reports it.
    json nested = {{"code", 0},
                   {"codeDesc", "Success"},
                   {"message", ""},
                   {"data", {{"repoInfo", page["repoInfo"]}, {"totalCount", 1}}}};
    CHECK_FALSE(op.response.compiled.is_valid(nested));
}

TEST_CASE("ucloud-uhub and genesissai-uhub: RetCode envelope, SHA1 signing, GetRepo paging",
          "[seed]") {
    for (const std::string name : {"ucloud-uhub", "genesissai-uhub"}) {
        INFO(name);
        const contract::Contract c = load_seed(name);
        CHECK(c.signing == "ucloud-sha1");
        CHECK(c.envelope.code.pointer == "/RetCode");
        CHECK(c.envelope.code.success == json(0));
        CHECK(c.envelope.message_pointer == "/Message");
        CHECK_FALSE(c.envelope.description.has_value());
        REQUIRE(c.envelope.action.has_value());
        CHECK(c.envelope.action->pointer == "/Action");
        CHECK(c.envelope.action->expected("GetRepo") == "GetRepoResponse");
        CHECK(c.is_read_only("GetRepo"));
        CHECK_FALSE(c.is_read_only("CreateRepo")); // not a read, wherever it is defined
        CHECK(c.find_operation("GetFavor") == nullptr);

        const contract::Operation& op = operation(c, "GetRepo");
        CHECK(op.method == "GET");
        REQUIRE(op.pagination.has_value());
        CHECK(op.pagination->offset_param == "Offset");
        CHECK(op.pagination->offset_default == 0);
        CHECK(op.pagination->limit_param == "Limit");
        CHECK(op.pagination->limit_default == 20);
        CHECK(op.pagination->items_pointer == "/RepoSet");
        CHECK(op.pagination->total_pointer == "/TotalCount");
        CHECK(op.pagination->item_key == "RepoName");
        CHECK(op.request.document.at("properties").contains("Type"));
        CHECK(op.response.document.at("$id") ==
              "https://conform.dev/schemas/" + name + "/GetRepo.response.schema.json");
    }
    CHECK(load_seed("ucloud-uhub").base_url == "https://api.ucloud.cn");
    CHECK(load_seed("genesissai-uhub").base_url == "https://api.genesissai.com");
}

TEST_CASE("GetRepo's compiled response schema accepts a conforming page and rejects RepoSet "
          "strings",
          "[seed]") {
    const contract::Contract c = load_seed("ucloud-uhub");
    const contract::Operation& op = operation(c, "GetRepo");
    const json page = test::contract_fixture("ucloud-uhub.GetRepo.page.json").at("body");
    const schema::ValidationResult good = op.response.compiled.validate(page);
    CHECK(good.valid);
    CHECK(good.errors.empty());

    const json strings = test::contract_fixture("ucloud-uhub.GetRepo.strings.json").at("body");
    const schema::ValidationResult bad = op.response.compiled.validate(strings);
    CHECK_FALSE(bad.valid);
    bool item_type_error = false;
    for (const schema::OutputUnit& e : bad.errors)
        item_type_error = item_type_error || (e.instance_location == "/RepoSet/0" &&
                                              e.keyword_location.ends_with("/type"));
    CHECK(item_type_error);
    // The $ref into $defs resolved within the file: errors cite the response schema's $id.
    CHECK(bad.errors.front().absolute_keyword_location.starts_with(
        "https://conform.dev/schemas/ucloud-uhub/GetRepo.response.schema.json#"));
}

TEST_CASE("the request schemas carry the overlays: Type's enum in each page's own words",
          "[seed]") {
    const contract::Contract ucloud = load_seed("ucloud-uhub");
    const contract::Contract genesis = load_seed("genesissai-uhub");
    const json query = {{"Type", "private"}, {"Limit", 3}};
    CHECK(operation(ucloud, "GetRepo").request.compiled.is_valid(query));
    CHECK_FALSE(operation(genesis, "GetRepo").request.compiled.is_valid(query));
}

TEST_CASE("contract.json's pagination equals the one imported into <Op>.operation.json", "[seed]") {
    // docs/contracts.md: the loader lets contract.json complete what the page left null; for
    // the seeds nothing is left null, so the two must be identical.
    auto contracts = contract::load_contracts(test::seed_schemas_dir());
    REQUIRE(contracts);
    for (const contract::Contract& c : *contracts)
        for (const auto& [name, op] : c.operations) {
            INFO(c.name << " " << name);
            auto contract_json = core::load_json_file(c.directory / "contract.json");
            auto operation_json = core::load_json_file(c.directory / (name + ".operation.json"));
            REQUIRE(contract_json);
            REQUIRE(operation_json);
            CHECK((*contract_json)["operations"][name]["pagination"] ==
                  (*operation_json)["pagination"]);
        }
}

TEST_CASE("load_contract accepts a trailing separator and a folder given from inside schemas/",
          "[seed]") {
    auto with_slash = contract::load_contract(test::seed_schemas_dir().string() + "/ucloud-uhub/");
    if (!with_slash)
        FAIL(with_slash.error().to_string());
    CHECK(with_slash->name == "ucloud-uhub");

    const std::filesystem::path before = std::filesystem::current_path();
    std::filesystem::current_path(test::seed_schemas_dir());
    auto relative = contract::load_contract("tencent-ccr");
    std::filesystem::current_path(before);
    if (!relative)
        FAIL(relative.error().to_string());
    CHECK(relative->name == "tencent-ccr");
    CHECK(relative->operations.count("GetFavor") == 1);
}
