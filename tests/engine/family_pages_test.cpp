// Real vendor pages, imported as families and run against the embedded reference with no
// hand-written file: each operation here once stopped its whole family (a synthesized answer
// its own schema refused, or a default request the reference refused). Reads the pages from
// ../shared/api-docs; skipped, visibly, without it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "runner/docs/docs.hpp"
#include "tests/engine/family_run.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

struct Expect {
    const char* folder;    // under ../shared/api-docs
    const char* operation; // must run at least one case, every case passing
    const char* why;       // what once went wrong
};

// clang-format off
constexpr Expect k_expected[] = {
    {"ucloud/pathx-api", "DescribeUPath", "the page documents no Message: the answer carries none"},
    {"ucloud/ucdn-api", "GetAuthConfig", "items nested five deep are synthesized whole"},
    {"ucloud/uddos-api", "GetBGPServiceIP", "a documented field beside the list is synthesized too"},
    {"ucloud/vpc-api", "DescribeNATGWPolicy", "the item key is PolicyId, not the NATGWId filter"},
    {"ucloud/uec-api", "GetUEcVHostData", "the required indexed Type.N is sent as Type.0"},
    {"tencent-v2/cvm", "DescribeKeyPairs", "no page of the family documents codeDesc"},
    {"ucloud/ussl-api", "GetUnconfirmedComplementInfo", "its integer Type links to no string Type"},
};
// clang-format on

} // namespace

TEST_CASE("real families run against the reference with no deviation and no written file",
          "[engine][family][shared]") {
    CONFORM_REQUIRE_SHARED("real vendor families against the reference");
    const fs::path dir = test::fresh_dir("engine-family-pages");
    const fs::path schemas = dir / "schemas";
    std::vector<std::string> contracts;
    for (const Expect& e : k_expected) {
        const std::string name = fs::path(e.folder).filename().string();
        if (std::find(contracts.begin(), contracts.end(), name) != contracts.end())
            continue;
        docs::FamilyImportRequest request;
        request.inputs = {*test::shared_dir() / "api-docs" / e.folder};
        request.contract = name;
        request.out_dir = schemas / name;
        const auto imported = docs::run_family_import(request);
        REQUIRE(imported);
        contracts.push_back(name);
    }
    const auto run = test::run_family(schemas, dir, contracts);
    INFO(run.console);
    REQUIRE(run.verdict);
    CHECK(*run.verdict == core::Verdict::conformant);
    CHECK(run.err.find("has no data") == std::string::npos);

    std::map<std::string, std::size_t> passed;
    std::string type_sent;
    for (const auto& target : run.report.at("targets"))
        for (const auto& c : target.at("cases")) {
            INFO(c.dump(1).substr(0, 2000));
            CHECK(c.at("deviation_count") == 0);
            if (c.at("status") == "passed")
                ++passed[c.at("operation").get<std::string>()];
            if (c.at("operation") == "GetUEcVHostData" && c.at("case") == "default-request")
                type_sent = c.at("exchanges").dump();
        }
    for (const Expect& e : k_expected) {
        INFO(e.folder << " " << e.operation << ": " << e.why);
        CHECK(passed[e.operation] > 0);
    }
    CHECK(type_sent.find("Type.0=") != std::string::npos);
    fs::remove_all(dir);
}
