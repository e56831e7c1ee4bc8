// One mistake planted in a copy of the seed contracts, one clear error naming the file and the
// JSON pointer where it is.

#include <fstream>

#include <catch2/catch.hpp>

#include "runner/contract/contract.hpp"
#include "tests/contract/contract_test_support.hpp"

using namespace conform;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;

namespace {

// The diagnostic of a load that must fail.
core::Diagnostic load_error(const test::SchemasCopy& copy, const std::string& contract) {
    auto loaded = contract::load_contract(copy.dir() / contract);
    if (loaded)
        FAIL("loaded without error: " << contract);
    INFO(loaded.error().to_string());
    return loaded.error();
}

void check_where(const core::Diagnostic& d, const std::filesystem::path& file,
                 const std::string& pointer) {
    INFO(d.to_string());
    CHECK(d.where.file == file.string());
    CHECK(d.where.has_pointer);
    CHECK(d.where.pointer == pointer);
}

} // namespace

TEST_CASE("an untouched copy loads: the tests below each plant exactly one mistake", "[errors]") {
    test::SchemasCopy copy;
    auto contracts = contract::load_contracts(copy.dir());
    if (!contracts)
        FAIL(contracts.error().to_string());
    CHECK(contracts->size() == 3);
}

TEST_CASE("a typo'd key is an error at its pointer, with the likely intended key", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/contract.json", [](json& c) {
        json& pagination = c["operations"]["GetRepo"]["pagination"];
        pagination["limit_parm"] = pagination["limit_param"];
        pagination.erase("limit_param");
    });
    const core::Diagnostic d = load_error(copy, "ucloud-uhub");
    check_where(d, copy.file("ucloud-uhub/contract.json"),
                "/operations/GetRepo/pagination/limit_parm");
    CHECK(d.message == "property \"limit_parm\" is not allowed (did you mean \"limit_param\"?)");
    CHECK(d.to_string() == copy.file("ucloud-uhub/contract.json").string() +
                               "#/operations/GetRepo/pagination/limit_parm: property "
                               "\"limit_parm\" is not allowed (did you mean \"limit_param\"?)");
}

TEST_CASE("a typo'd optional key at the top level", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("tencent-ccr/contract.json", [](json& c) {
        c["titel"] = c["title"];
        c.erase("title");
    });
    const core::Diagnostic d = load_error(copy, "tencent-ccr");
    check_where(d, copy.file("tencent-ccr/contract.json"), "/titel");
    CHECK_THAT(d.message, Contains("\"titel\" is not allowed (did you mean \"title\"?)"));
}

TEST_CASE("an unknown key far from any declared one gets no guess", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/contract.json", [](json& c) { c["envelope"]["retries"] = 3; });
    const core::Diagnostic d = load_error(copy, "ucloud-uhub");
    check_where(d, copy.file("ucloud-uhub/contract.json"), "/envelope/retries");
    CHECK(d.message == "property \"retries\" is not allowed");
}

TEST_CASE("a wrong type is an error at the value", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/contract.json",
              [](json& c) { c["operations"]["GetRepo"]["pagination"]["limit_default"] = "20"; });
    const core::Diagnostic d = load_error(copy, "ucloud-uhub");
    check_where(d, copy.file("ucloud-uhub/contract.json"),
                "/operations/GetRepo/pagination/limit_default");
    CHECK_THAT(d.message, Contains("integer"));
}

TEST_CASE("a value outside an enum: an unknown signing scheme", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("genesissai-uhub/contract.json", [](json& c) { c["signing"] = "ucloud-sha256"; });
    const core::Diagnostic d = load_error(copy, "genesissai-uhub");
    check_where(d, copy.file("genesissai-uhub/contract.json"), "/signing");
}

TEST_CASE("a missing required member is reported at the object holding it", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/contract.json", [](json& c) { c["envelope"].erase("code"); });
    const core::Diagnostic d = load_error(copy, "ucloud-uhub");
    check_where(d, copy.file("ucloud-uhub/contract.json"), "/envelope");
    CHECK_THAT(d.message, Contains("\"code\""));

    test::SchemasCopy other;
    other.edit("ucloud-uhub/contract.json", [](json& c) { c.erase("vendor"); });
    const core::Diagnostic root = load_error(other, "ucloud-uhub");
    CHECK(root.where.file == other.file("ucloud-uhub/contract.json").string());
    CHECK(root.message == "required property \"vendor\" is missing");
    CHECK_FALSE(root.where.has_pointer); // the root: the file alone says where
}

TEST_CASE("a missing operation file names the member that names it", "[errors]") {
    test::SchemasCopy copy;
    copy.remove("ucloud-uhub/GetRepo.operation.json");
    const core::Diagnostic d = load_error(copy, "ucloud-uhub");
    check_where(d, copy.file("ucloud-uhub/contract.json"), "/operations/GetRepo/operation");
    CHECK_THAT(d.message, StartsWith("file \"GetRepo.operation.json\" does not exist in "));

    test::SchemasCopy other;
    other.remove("tencent-ccr/GetFavor.samples.jsonl");
    check_where(load_error(other, "tencent-ccr"), other.file("tencent-ccr/contract.json"),
                "/operations/GetFavor/samples");
}

TEST_CASE("a read_only name that is not an operation", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("tencent-ccr/contract.json", [](json& c) {
        c["read_only"] = json::array({"GetFavor", "GetFavour"});
    });
    const core::Diagnostic d = load_error(copy, "tencent-ccr");
    check_where(d, copy.file("tencent-ccr/contract.json"), "/read_only/1");
    CHECK(d.message ==
          "read-only operation \"GetFavour\" is not an operation of this contract (it has: "
          "GetFavor)");
}

TEST_CASE("a broken response schema names that schema file and pointer", "[errors]") {
    SECTION("a keyword value the meta-schema forbids") {
        test::SchemasCopy copy;
        copy.edit("ucloud-uhub/GetRepo.response.schema.json", [](json& s) {
            s["$defs"]["RepoSet"]["properties"]["RepoName"]["type"] = "strng";
        });
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/GetRepo.response.schema.json"),
                    "/$defs/RepoSet/properties/RepoName/type");
        CHECK_THAT(d.message, StartsWith("not a valid draft 2020-12 schema: "));
    }
    SECTION("a $ref to nothing: a compile error") {
        test::SchemasCopy copy;
        copy.edit("ucloud-uhub/GetRepo.response.schema.json", [](json& s) {
            s["properties"]["RepoSet"]["items"]["$ref"] = "#/$defs/RepoSets";
        });
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/GetRepo.response.schema.json"),
                    "/properties/RepoSet/items/$ref");
        CHECK_THAT(d.message, Contains("#/$defs/RepoSets"));
    }
    SECTION("not JSON at all: file, line and column") {
        test::SchemasCopy copy;
        {
            std::ofstream out(copy.file("tencent-ccr/GetFavor.response.schema.json"),
                              std::ios::trunc);
            out << "{\n  \"type\": \"object\",\n  oops\n}\n";
        }
        const core::Diagnostic d = load_error(copy, "tencent-ccr");
        CHECK(d.where.file == copy.file("tencent-ccr/GetFavor.response.schema.json").string());
        CHECK(d.where.line == 3);
    }
}

TEST_CASE("an operation.json that breaks operation.schema.json names that file", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/GetRepo.operation.json", [](json& o) { o["method"] = "FETCH"; });
    check_where(load_error(copy, "ucloud-uhub"), copy.file("ucloud-uhub/GetRepo.operation.json"),
                "/method");
}

TEST_CASE("contract.json and operation.json must agree", "[errors]") {
    SECTION("the operation's name") {
        test::SchemasCopy copy;
        copy.edit("ucloud-uhub/GetRepo.operation.json", [](json& o) { o["name"] = "GetRepos"; });
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/contract.json"), "/operations/GetRepo");
        CHECK(d.message ==
              "operation \"GetRepo\" is named \"GetRepos\" in GetRepo.operation.json#/name");
    }
    SECTION("a file name") {
        test::SchemasCopy copy;
        std::filesystem::copy_file(copy.file("ucloud-uhub/GetRepo.request.schema.json"),
                                   copy.file("ucloud-uhub/Other.request.schema.json"));
        copy.edit("ucloud-uhub/contract.json", [](json& c) {
            c["operations"]["GetRepo"]["request_schema"] = "Other.request.schema.json";
        });
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/contract.json"),
                    "/operations/GetRepo/request_schema");
        CHECK(d.message == "\"Other.request.schema.json\" disagrees with "
                           "GetRepo.operation.json#/files/request_schema "
                           "(\"GetRepo.request.schema.json\")");
    }
    SECTION("a pagination value the page states") {
        test::SchemasCopy copy;
        copy.edit("tencent-ccr/contract.json",
                  [](json& c) { c["operations"]["GetFavor"]["pagination"]["limit_default"] = 10; });
        const core::Diagnostic d = load_error(copy, "tencent-ccr");
        check_where(d, copy.file("tencent-ccr/contract.json"),
                    "/operations/GetFavor/pagination/limit_default");
        CHECK(d.message == "10 disagrees with GetFavor.operation.json#/pagination/limit_default "
                           "(20), read from the page");
    }
    SECTION("no pagination where the page has one") {
        test::SchemasCopy copy;
        copy.edit("tencent-ccr/contract.json",
                  [](json& c) { c["operations"]["GetFavor"]["pagination"] = nullptr; });
        check_where(load_error(copy, "tencent-ccr"), copy.file("tencent-ccr/contract.json"),
                    "/operations/GetFavor/pagination");
    }
    SECTION("the contract an operation was imported for") {
        test::SchemasCopy copy;
        copy.edit("ucloud-uhub/GetRepo.operation.json",
                  [](json& o) { o["contract"] = "genesissai-uhub"; });
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/GetRepo.operation.json"), "/contract");
        CHECK_THAT(d.message, Contains("re-import it with --contract ucloud-uhub"));
    }
}

TEST_CASE("contract.json completes what the page left null in operation.json", "[errors]") {
    test::SchemasCopy copy;
    copy.edit("ucloud-uhub/GetRepo.operation.json",
              [](json& o) { o["pagination"]["item_key"] = nullptr; });
    auto loaded = contract::load_contract(copy.dir() / "ucloud-uhub");
    if (!loaded)
        FAIL(loaded.error().to_string());
    CHECK(loaded->find_operation("GetRepo")->pagination->item_key == "RepoName");
}

TEST_CASE("a contract whose name is not its folder's", "[errors]") {
    test::SchemasCopy copy;
    std::filesystem::rename(copy.file("ucloud-uhub"), copy.file("my-uhub"));
    const core::Diagnostic d = load_error(copy, "my-uhub");
    check_where(d, copy.file("my-uhub/contract.json"), "/name");
    CHECK(d.message ==
          "contract \"ucloud-uhub\" sits in folder \"my-uhub\": the name must be the folder's");
}

TEST_CASE("load_contracts stops at the first bad contract; descriptors fall back to the built-in",
          "[errors]") {
    test::SchemasCopy copy;
    copy.edit("tencent-ccr/contract.json", [](json& c) { c["base_url"] = "ftp://example"; });
    auto all = contract::load_contracts(copy.dir());
    REQUIRE_FALSE(all);
    check_where(all.error(), copy.file("tencent-ccr/contract.json"), "/base_url");

    // Only the named contract is loaded: the bad one beside it is not this run's.
    const std::vector<std::string> ucloud{"ucloud-uhub"};
    CHECK(contract::load_named_contracts(copy.dir(), ucloud));
    // A folder of imported contracts holds no descriptor schemas: conform's own check them.
    copy.remove("operation.schema.json");
    CHECK(contract::descriptor_schema(copy.dir(), "operation.schema.json") !=
          copy.file("operation.schema.json"));
    auto without = contract::load_named_contracts(copy.dir(), ucloud);
    CHECK(without);
    auto still_bad = contract::load_contracts(copy.dir());
    REQUIRE_FALSE(still_bad);
    check_where(still_bad.error(), copy.file("tencent-ccr/contract.json"), "/base_url");

    auto nowhere = contract::load_contracts(copy.dir() / "absent");
    REQUIRE_FALSE(nowhere);
    CHECK(nowhere.error().where.file == (copy.dir() / "absent").string());
}

TEST_CASE("contracts loaded on several threads are those loaded one by one, and so is the error",
          "[errors]") {
    test::SchemasCopy copy;
    // Twelve folders: the seeds and three copies of each under other names (a thread is
    // started for every four folders at most).
    for (const std::string seed : {"genesissai-uhub", "tencent-ccr", "ucloud-uhub"})
        for (const std::string n : {"-2", "-3", "-4"}) {
            const std::string name = seed + n;
            std::filesystem::copy(copy.file(seed), copy.file(name),
                                  std::filesystem::copy_options::recursive);
            copy.edit(name + "/contract.json", [&](json& c) { c["name"] = name; });
            for (const auto& entry : std::filesystem::directory_iterator(copy.file(name)))
                if (entry.path().string().ends_with(".operation.json"))
                    copy.edit(name + "/" + entry.path().filename().string(),
                              [&](json& op) { op["contract"] = name; });
        }
    // What a contract is, enough to tell two loads apart: its name, where it points, its
    // operations and what they validate with.
    auto digest = [](const std::vector<contract::Contract>& contracts) {
        std::string out;
        for (const contract::Contract& c : contracts) {
            out += c.name + " " + c.base_url + " " + c.directory.string() + ":";
            for (const auto& [name, op] : c.operations)
                out += " " + name + " " + op.response.path.string() + " " +
                       op.response.document.dump() + (op.pagination ? " paged" : "");
            out += "\n";
        }
        return out;
    };
    contract::LoadOptions one_by_one, at_once;
    at_once.threads = 8;
    auto expected = contract::load_contracts(copy.dir(), one_by_one);
    REQUIRE(expected);
    for (int round = 0; round < 10; ++round) {
        auto loaded = contract::load_contracts(copy.dir(), at_once);
        REQUIRE(loaded);
        CHECK(digest(*loaded) == digest(*expected));
    }
    // Two bad contracts: the error is the first's in folder order, whichever thread is faster.
    copy.edit("tencent-ccr/contract.json", [](json& c) { c["base_url"] = "ftp://example"; });
    copy.edit("genesissai-uhub/contract.json", [](json& c) { c["signing"] = 7; });
    auto first = contract::load_contracts(copy.dir(), one_by_one);
    REQUIRE_FALSE(first);
    check_where(first.error(), copy.file("genesissai-uhub/contract.json"), "/signing");
    for (int round = 0; round < 10; ++round) {
        auto loaded = contract::load_contracts(copy.dir(), at_once);
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().to_string() == first.error().to_string());
    }
}

TEST_CASE("a folder without contract.json is not a contract", "[errors]") {
    test::SchemasCopy copy;
    std::filesystem::create_directories(copy.file("notes"));
    auto all = contract::load_contracts(copy.dir()); // skipped when listing...
    REQUIRE(all);
    CHECK(all->size() == 3);
    auto one = contract::load_contract(copy.file("notes")); // ...an error when named
    REQUIRE_FALSE(one);
    CHECK_THAT(one.error().message, Contains("no contract.json"));
}

TEST_CASE("a $ref to a sibling file resolves from the contract's folder, never the network",
          "[refs]") {
    test::SchemasCopy copy;
    auto move_repo_set_out = [&](const std::string& ref, bool keep_id) {
        copy.edit("ucloud-uhub/GetRepo.response.schema.json", [&](json& s) {
            json models = {{"$schema", s["$schema"]}, {"$defs", s["$defs"]}};
            std::ofstream(copy.file("ucloud-uhub/models.schema.json")) << models.dump(2);
            s.erase("$defs");
            if (!keep_id)
                s.erase("$id");
            s["properties"]["RepoSet"]["items"]["$ref"] = ref;
        });
    };
    const json strings = test::contract_fixture("ucloud-uhub.GetRepo.strings.json").at("body");
    const json page = test::contract_fixture("ucloud-uhub.GetRepo.page.json").at("body");

    SECTION("by our https://conform.dev/schemas/ $id") {
        move_repo_set_out("models.schema.json#/$defs/RepoSet", true);
        auto loaded = contract::load_contract(copy.dir() / "ucloud-uhub");
        if (!loaded)
            FAIL(loaded.error().to_string());
        const contract::Operation& op = *loaded->find_operation("GetRepo");
        CHECK(op.response.compiled.is_valid(page));
        CHECK_FALSE(op.response.compiled.is_valid(strings));
    }
    SECTION("by the file's own location when it has no $id") {
        move_repo_set_out("models.schema.json#/$defs/RepoSet", false);
        auto loaded = contract::load_contract(copy.dir() / "ucloud-uhub");
        if (!loaded)
            FAIL(loaded.error().to_string());
        CHECK_FALSE(loaded->find_operation("GetRepo")->response.compiled.is_valid(strings));
    }
    SECTION("a missing sibling is a compile error at the $ref") {
        move_repo_set_out("absent.schema.json#/$defs/RepoSet", true);
        const core::Diagnostic d = load_error(copy, "ucloud-uhub");
        check_where(d, copy.file("ucloud-uhub/GetRepo.response.schema.json"),
                    "/properties/RepoSet/items/$ref");
    }
}
