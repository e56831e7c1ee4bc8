// Generated cases: what the hand-written GetRepo set covers, derived from the contract; links
// across a family; a cases file that adds to and overrides the generated set.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <tuple>

#include <unistd.h>

#include "runner/contract/cases.hpp"
#include "tests/contract/contract_test_support.hpp"

using namespace conform;
namespace fs = std::filesystem;

using test::source;

namespace {

contract::Contract family() {
    auto c = contract::load_contract(fs::path(CONFORM_CONTRACT_FIXTURES) / "family/uhub-family",
                                     source("schemas"));
    INFO((c ? std::string() : c.error().to_string()));
    REQUIRE(c);
    return std::move(*c);
}

// What a case asks for, without its values: its kind, the parameters it sends and leaves out,
// how it is signed and what it expects.
using Shape = std::tuple<std::string, std::string, std::set<std::string>, std::set<std::string>,
                         std::string, std::string>;
Shape shape_of(const contract::Case& c) {
    std::set<std::string> params, omit(c.omit.begin(), c.omit.end());
    for (const auto& [k, _] : c.params)
        params.insert(k);
    return {c.name,
            std::string(contract::name_of(c.kind)),
            params,
            omit,
            std::string(contract::name_of(c.signing)),
            std::string(contract::name_of(c.expect))};
}

const contract::Case* find(const contract::CaseFile& f, std::string_view name) {
    for (const auto& c : f.cases)
        if (c.name == name)
            return &c;
    return nullptr;
}

} // namespace

TEST_CASE("generated cases cover what the hand-written GetRepo set covers", "[generate]") {
    auto c = contract::load_contract(source("schemas/ucloud-uhub"));
    REQUIRE(c);
    auto hand =
        contract::load_case_file(source("cases/ucloud-uhub/GetRepo.cases.json"), source("schemas"));
    REQUIRE(hand);
    const contract::CaseFile generated =
        contract::generate_cases(*c, *c->find_operation("GetRepo"));
    std::set<Shape> made;
    for (const auto& g : generated.cases) {
        CHECK(g.source == contract::CaseSource::generated);
        CHECK(g.skip.empty());
        made.insert(shape_of(g));
    }
    for (const auto& h : hand->cases) {
        INFO(h.name);
        CHECK(made.count(shape_of(h)) == 1);
    }
    const contract::Case* walk = find(generated, "walk-limit-7");
    REQUIRE(walk);
    CHECK(walk->walk_limit == 7);
    CHECK(find(generated, "offset-past-end")->params ==
          contract::Query{{"Limit", "5"}, {"Offset", "{{total+10}}"}});
}

TEST_CASE("generation is deterministic and names are unique", "[generate]") {
    const contract::Contract c = family();
    for (const auto& [name, op] : c.operations) {
        INFO(name);
        const auto a = contract::generate_cases(c, op);
        const auto b = contract::generate_cases(c, op);
        CHECK(contract::to_json(a) == contract::to_json(b));
        std::set<std::string> names;
        for (const auto& k : a.cases)
            CHECK(names.insert(k.name).second);
    }
}

TEST_CASE("links: identifiers a listing names are inferred by name across the family",
          "[generate][links]") {
    const contract::Contract c = family();
    CHECK(contract::links_of(c, *c.find_operation("GetRepo")).empty());
    CHECK(contract::links_of(c, *c.find_operation("GetRepoImage")) ==
          std::vector<contract::Link>{{"RepoName", "GetRepo", "/RepoSet/0/RepoName"}});
    CHECK(contract::links_of(c, *c.find_operation("GetImageTag")) ==
          std::vector<contract::Link>{{"RepoName", "GetRepo", "/RepoSet/0/RepoName"},
                                      {"ImageName", "GetRepoImage", "/ImageSet/0/ImageName"}});

    const auto tags = contract::generate_cases(c, *c.find_operation("GetImageTag"));
    const contract::Case* page = find(tags, "default-page");
    REQUIRE(page);
    // Never a made-up identifier: the case names its producers, and the run fills them from
    // their answers on the same target (or skips the case naming the parameter and producer).
    REQUIRE(page->links.size() == 2);
    CHECK(page->links[0].param == "RepoName");
    CHECK(page->links[0].from == "GetRepo");
    CHECK(page->links[1].param == "ImageName");
    CHECK(page->links[1].from == "GetRepoImage");
    CHECK(page->skip.empty());
    for (const auto& [k, _] : page->params)
        CHECK((k != "RepoName" && k != "ImageName"));
    // Leaving one out on purpose still needs the other.
    const contract::Case* missing = find(tags, "missing-reponame");
    REQUIRE(missing);
    REQUIRE(missing->links.size() == 1);
    CHECK(missing->links[0].param == "ImageName");
    // The routing negative needs nothing.
    const contract::Case* routing = find(tags, "missing-action");
    REQUIRE(routing);
    CHECK(routing->skip.empty());
    CHECK(routing->links.empty());
    // An unlinked required identifier is never made up either.
    const auto quota = contract::generate_cases(c, *c.find_operation("DescribeQuota"));
    CHECK(find(quota, "default-request")->skip.find("Region is required") != std::string::npos);
}

TEST_CASE("links declared in contract.json win over inference", "[generate][links]") {
    contract::Contract c = family();
    c.links.push_back({"GetImageTag", "RepoName", "GetRepoImage", "RepoName"});
    const auto links = contract::links_of(c, *c.find_operation("GetImageTag"));
    REQUIRE(links.size() == 2);
    CHECK(links[0] == contract::Link{"RepoName", "GetRepoImage", "/ImageSet/0/RepoName"});
}

TEST_CASE("plan_cases: generated for every read-only operation, a file adds and overrides",
          "[generate]") {
    const contract::Contract c = family();
    const fs::path dir = fs::temp_directory_path() / ("conform-plan-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / c.name);
    auto plan = contract::plan_cases(c, dir, source("schemas"));
    REQUIRE(plan);
    std::vector<std::string> ops;
    for (const auto& f : *plan)
        ops.push_back(f.operation);
    CHECK(ops == std::vector<std::string>{"DescribeQuota", "GetImageTag", "GetRepo",
                                          "GetRepoImage"}); // never DeleteRepo
    std::ofstream(dir / c.name / "GetRepo.cases.json") << R"({
      "contract": "uhub-family", "operation": "GetRepo", "generated": true,
      "cases": [
        {"name": "limit-1", "kind": "single", "params": {"Limit": "2"}},
        {"name": "mine", "kind": "single", "params": {"Type": "public"}}
      ]})";
    plan = contract::plan_cases(c, dir, source("schemas"));
    REQUIRE(plan);
    const contract::CaseFile& repo = (*plan)[2];
    REQUIRE(repo.operation == "GetRepo");
    const contract::Case* overridden = find(repo, "limit-1");
    REQUIRE(overridden);
    CHECK(overridden->source == contract::CaseSource::file);
    CHECK(overridden->params == contract::Query{{"Limit", "2"}});
    REQUIRE(find(repo, "mine"));
    CHECK(repo.cases.back().name == "mine");
    CHECK(find(repo, "default-page")->source == contract::CaseSource::generated);
    fs::remove_all(dir);
}
