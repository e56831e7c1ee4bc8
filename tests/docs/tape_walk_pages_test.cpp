// The validator's tape walk (schema/internal/tape_check.hpp) on the real thing: every UCloud
// folder in ../shared imported, and each operation's response schema asked about the pages' own
// response examples and about variants of them, once through simdjson (where the walk answers
// first) and once through nlohmann (the evaluator alone). The answers must be the same.

#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "runner/contract/contract.hpp"
#include "runner/schema/schema.hpp"
#include "tests/docs/docs_test_support.hpp"
#include "tests/support/shared.hpp"

using namespace conform;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Up to `limit` pointers of body's values below the root, depth first.
void pointers_of(const json& value, const json::json_pointer& at, std::size_t limit,
                 std::vector<json::json_pointer>& out) {
    if (out.size() >= limit)
        return;
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            out.push_back(at / key);
            pointers_of(member, at / key, limit, out);
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            out.push_back(at / i);
            pointers_of(value[i], at / i, limit, out);
        }
    }
}

// The body and variants of it with the deviations the checks look for: a value removed,
// turned into a string, a fraction, an object, an array; an undeclared member beside it.
std::vector<json> variants_of(const json& body) {
    std::vector<json> out{body};
    std::vector<json::json_pointer> pointers;
    pointers_of(body, json::json_pointer(), 24, pointers);
    for (const json::json_pointer& p : pointers) {
        json removed = body;
        const json::json_pointer parent = p.parent_pointer();
        if (removed.at(parent).is_object())
            removed.at(parent).erase(p.back());
        else
            removed.at(parent).erase(static_cast<std::size_t>(std::stoul(p.back())));
        out.push_back(std::move(removed));
        for (const json& other : {json("x"), json(1.5), json(7), json::object(), json::array()}) {
            json changed = body;
            changed.at(p) = other;
            out.push_back(std::move(changed));
        }
        if (body.at(p).is_object()) {
            json extra = body;
            extra.at(p)["ZzUndeclared"] = true;
            out.push_back(std::move(extra));
        }
    }
    return out;
}

} // namespace

TEST_CASE("on every UCloud page's responses, the tape walk answers as the evaluator does",
          "[docs][family][shared][schema]") {
    CONFORM_REQUIRE_SHARED("the tape walk on the UCloud pages");
    const fs::path pages = *test::shared_dir() / "api-docs" / "ucloud";
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(pages))
        if (entry.is_directory())
            folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    REQUIRE(folders.size() >= 40);

    const fs::path out = test::scratch_dir("tape-walk-pages");
    docs::FamilyImportRequest request;
    request.inputs = folders;
    request.schemas_dir = out;
    REQUIRE(docs::run_family_import(request));

    simdjson::dom::parser parser;
    std::size_t operations = 0, instances = 0, valid = 0, disagreements = 0;
    std::string first_disagreement;
    for (const auto& entry : fs::directory_iterator(out)) {
        if (!fs::exists(entry.path() / "contract.json"))
            continue;
        auto contract = contract::load_contract(entry.path(), test::k_schemas);
        if (!contract)
            FAIL(contract.error().to_string());
        for (const auto& [name, op] : contract->operations) {
            if (!op.samples)
                continue;
            ++operations;
            std::ifstream samples(*op.samples);
            for (std::string line; std::getline(samples, line);) {
                const json exchange = json::parse(line, nullptr, false);
                if (!exchange.contains("response") || !exchange["response"].contains("body") ||
                    !exchange["response"]["body"].is_object())
                    continue;
                for (const json& instance : variants_of(exchange["response"]["body"])) {
                    const std::string text = instance.dump();
                    simdjson::dom::element element;
                    REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
                    const bool by_evaluator = op.response.compiled.is_valid(instance);
                    const bool by_tape = op.response.compiled.is_valid(core::JsonView::of(element));
                    ++instances;
                    valid += by_evaluator;
                    if (by_evaluator != by_tape && disagreements++ == 0)
                        first_disagreement = contract->name + " " + op.name + ": " + text;
                }
            }
        }
    }
    INFO(first_disagreement);
    CHECK(disagreements == 0);
    // The walk was asked about a real spread: many operations, valid and invalid answers both.
    CHECK(operations > 800);
    CHECK(valid > 1000);
    CHECK(instances - valid > 10000);
}
