#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/checks/checks.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
using checks::Expect;
using core::DeviationId;
using nlohmann::json;

namespace {

const contract::Contract& seed(const std::string& name) {
    static std::map<std::string, contract::Contract> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        auto loaded =
            contract::load_contract(std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas" / name);
        INFO((loaded ? std::string() : loaded.error().to_string()));
        REQUIRE(loaded);
        it = cache.emplace(name, std::move(loaded).value()).first;
    }
    return it->second;
}

std::vector<core::Deviation> check(const char* contract, const char* op, const json& body,
                                   Expect expect) {
    return checks::check_envelope(seed(contract).envelope, op, body, expect);
}

const json k_ucloud_ok = {
    {"Action", "GetRepoResponse"}, {"RetCode", 0}, {"TotalCount", 0}, {"RepoSet", json::array()}};
const json k_ucloud_error = {
    {"Action", "GetRepoResponse"}, {"RetCode", 230}, {"Message", "Params [Limit] is invalid"}};
const json k_tencent_ok = {{"code", 0}, {"codeDesc", "Success"}, {"message", ""}};
const json k_tencent_error = {
    {"code", 4000}, {"codeDesc", "InvalidParameter"}, {"message", "limit is invalid"}};

} // namespace

TEST_CASE("envelope: documented success and error answers pass") {
    CHECK(check("ucloud-uhub", "GetRepo", k_ucloud_ok, Expect::success).empty());
    CHECK(check("ucloud-uhub", "GetRepo", k_ucloud_error, Expect::refusal).empty());
    CHECK(check("tencent-ccr", "GetFavor", k_tencent_ok, Expect::success).empty());
    CHECK(check("tencent-ccr", "GetFavor", k_tencent_error, Expect::refusal_preferred).empty());
}

TEST_CASE(
    "envelope.status: success for a negative case is a warning when refusal is only preferred") {
    auto all = check("ucloud-uhub", "GetRepo", k_ucloud_ok, Expect::refusal_preferred);
    REQUIRE(test::ids(all) == std::vector{DeviationId::envelope_status});
    CHECK(all[0].severity == core::Severity::warning);
    all = check("ucloud-uhub", "GetRepo", k_ucloud_ok, Expect::refusal);
    REQUIRE(test::ids(all) == std::vector{DeviationId::envelope_status});
    CHECK(all[0].severity == core::Severity::error);
}

TEST_CASE("envelope.status: an error for a valid request") {
    auto all = check("tencent-ccr", "GetFavor", k_tencent_error, Expect::success);
    REQUIRE(test::ids(all) == std::vector{DeviationId::envelope_status});
    CHECK(all[0].kind == "failure-on-positive");
}

TEST_CASE("envelope.shape: missing or mistyped status, message, description, action echo") {
    json no_code = k_ucloud_ok;
    no_code.erase("RetCode");
    CHECK(test::ids(check("ucloud-uhub", "GetRepo", no_code, Expect::success)) ==
          std::vector{DeviationId::envelope_shape});
    json string_code = k_ucloud_ok;
    string_code["RetCode"] = "0";
    CHECK(test::ids(check("ucloud-uhub", "GetRepo", string_code, Expect::success)) ==
          std::vector{DeviationId::envelope_shape});
    json no_message = k_ucloud_error;
    no_message.erase("Message");
    CHECK(test::ids(check("ucloud-uhub", "GetRepo", no_message, Expect::refusal)) ==
          std::vector{DeviationId::envelope_shape});
    json wrong_echo = k_ucloud_ok;
    wrong_echo["Action"] = "GetRepo";
    auto echo = check("ucloud-uhub", "GetRepo", wrong_echo, Expect::success);
    REQUIRE(test::ids(echo) == std::vector{DeviationId::envelope_shape});
    CHECK(echo[0].kind == "action-echo");
    CHECK(check("ucloud-uhub", "", k_ucloud_error, Expect::refusal).empty()); // no op, no echo
    json bad_desc = k_tencent_ok;
    bad_desc["codeDesc"] = "OK";
    CHECK(test::ids(check("tencent-ccr", "GetFavor", bad_desc, Expect::success)) ==
          std::vector{DeviationId::envelope_shape});
}
