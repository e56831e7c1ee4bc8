#include <catch2/catch.hpp>

#include "runner/checks/doc_lint.hpp"
#include "tests/support/shared.hpp"

using namespace conform;

namespace {

namespace fs = std::filesystem;

checks::LintReport lint(std::vector<std::string> pages, bool overlays = true) {
    checks::LintRequest request;
    for (const auto& p : pages)
        request.docs.push_back(*test::shared_dir() / "api-docs" / p);
    if (overlays)
        request.schemas_dir = fs::path(CONFORM_SOURCE_DIR) / "schemas";
    auto report = checks::lint_docs(request);
    INFO((report ? std::string() : report.error().to_string()));
    REQUIRE(report);
    return std::move(report).value();
}

const checks::LintFinding* find(const checks::LintReport& r, std::string_view doc,
                                std::string_view id, std::string_view pointer) {
    for (const auto& f : r.findings)
        if (f.doc == doc && core::name_of(f.deviation.id) == id &&
            f.deviation.instance_pointer == pointer)
            return &f;
    return nullptr;
}

constexpr const char* k_tencent = "tencent-ccr.GetFavor.en.md";
constexpr const char* k_ucloud = "ucloud-uhub.GetRepo.zh.md";
constexpr const char* k_genesis = "genesissai-uhub.GetRepo.en.md";

} // namespace

TEST_CASE("doc lint: Tencent's sample nests the documented fields under data, totalCount an int") {
    CONFORM_REQUIRE_SHARED("doc lint of the Tencent page");
    auto r = lint({k_tencent});
    CHECK(find(r, k_tencent, "field.misplaced", "/data"));
    const auto* total = find(r, k_tencent, "type.mismatch", "/data/totalCount");
    REQUIRE(total);
    CHECK(total->deviation.expected == "string");
    CHECK(total->line > 0);
}

TEST_CASE("doc lint: UCloud and GenesisAI samples contradict their tables") {
    CONFORM_REQUIRE_SHARED("doc lint of the UHub pages");
    auto r = lint({k_ucloud, k_genesis});
    for (const char* doc : {k_ucloud, k_genesis}) {
        INFO(doc);
        const auto* strings = find(r, doc, "type.mismatch", "/RepoSet/0");
        REQUIRE(strings);
        CHECK(strings->deviation.kind == "scalar-for-object");
        CHECK(strings->deviation.count == 9);
        CHECK(find(r, doc, "pagination.over-limit", "/RepoSet"));
        CHECK(find(r, doc, "pagination.items-exceed-total", "/TotalCount"));
        CHECK(find(r, doc, "value.enum", "/Type"));
        CHECK(find(r, doc, "doc.sample-vs-table", "/ProjectId"));
    }
    const auto* drift = find(r, k_ucloud, "doc.translation-drift", "/properties/Type/enum");
    if (!drift)
        drift = find(r, k_genesis, "doc.translation-drift", "/properties/Type/enum");
    REQUIRE(drift);
    CHECK(drift->deviation.kind == "enum-case");
}

TEST_CASE("doc lint: one page alone has no translation to drift from") {
    CONFORM_REQUIRE_SHARED("doc lint of one page");
    auto r = lint({k_ucloud});
    for (const auto& f : r.findings)
        CHECK(f.deviation.id != core::DeviationId::doc_translation_drift);
}

TEST_CASE("doc lint JSON carries the documented fields") {
    CONFORM_REQUIRE_SHARED("doc lint JSON");
    auto findings = checks::lint_json(lint({k_tencent}));
    REQUIRE(findings.is_array());
    REQUIRE_FALSE(findings.empty());
    for (const auto& f : findings)
        for (const char* key :
             {"id", "severity", "doc", "pointer", "expected", "actual", "message"})
            CHECK(f.contains(key));
}

TEST_CASE("doc lint: a page whose sample matches its tables yields nothing") {
    checks::LintRequest request;
    request.docs.push_back(fs::path(CONFORM_SOURCE_DIR) /
                           "tests/docs/fixtures/acme-tcr.ListQueues.en.md");
    auto r = checks::lint_docs(request);
    REQUIRE(r);
    CHECK(r->findings.empty());
}

TEST_CASE("doc lint: a missing page is an error naming it") {
    checks::LintRequest request;
    request.docs.push_back("/nonexistent/page.md");
    auto r = checks::lint_docs(request);
    REQUIRE_FALSE(r);
    CHECK(r.error().to_string().find("page.md") != std::string::npos);
}
