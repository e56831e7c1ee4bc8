#include <catch2/catch.hpp>

#include <regex>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using conform::test::has;

using namespace conform;

namespace {} // namespace

TEST_CASE("Markdown: totals, matrix, deviations table and collapsed exchanges") {
    const std::string md = report::render_markdown(test::sample_run());
    CHECK(md.starts_with("## conform: 2 deviations in 1 case\n\n**6 cases**: 3 passed, 1 failed, "
                         "2 skipped"));
    CHECK(has(md, "| contract | operation | case | reference | doc-sample |\n"
                  "|---|---|---|---|---|\n"
                  "| ucloud-uhub | GetRepo | `default-page` | pass | **2 deviations** |\n"));
    CHECK(has(md, "| `type.mismatch` | error | `/RepoSet/0` (x9) | object (RepoSet) | string "
                  "\"uhub-demo\" | `ucloud-uhub/GetRepo/default-page` | doc-sample |\n"));
    CHECK(has(md, "<details><summary>ucloud-uhub/GetRepo/default-page @ doc-sample, exchange 1: "
                  "type.mismatch, pagination.over-limit</summary>\n\n"
                  "Request: `GET http://127.0.0.1:40002/?Action=GetRepo&Limit=3"));
    CHECK(has(md, "- `type.mismatch` contradicts `ucloud-uhub.GetRepo.zh.md:47`\n"));
    CHECK(has(md, "```json\n{\n  \"Action\": \"GetRepoResponse\","));
    CHECK(has(md, "### Environment (not deviations)\n"));
}

TEST_CASE("Markdown: table cells and fences survive hostile values") {
    auto model = test::sample_run();
    auto& d = model.cases[3].checks[0].deviations[0];
    d.expected = "a | b <i>x</i> *y* `z`";
    d.instance_pointer = "/a|b/`c";
    model.cases[3].exchanges[0]["response"]["body"] = "text with ``` a fence\n";
    const std::string md = report::render_markdown(model);
    CHECK(has(md, "| a \\| b &lt;i&gt;x&lt;/i&gt; \\*y\\* \\`z\\` |"));
    CHECK(has(md, "| ``/a\\|b/`c`` (x9) |"));
    CHECK(has(md, "\n````\ntext with ``` a fence\n\n````\n"));
}

TEST_CASE("HTML: self-contained, coloured matrix, details and a filter by id") {
    const std::string html = report::render_html(test::sample_run());
    CHECK(html.starts_with("<!DOCTYPE html>\n"));
    // No network: no external scripts, styles, images, fonts or imports.
    CHECK_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=)", std::regex::icase)));
    CHECK_FALSE(has(html, "<link"));
    CHECK_FALSE(has(html, "@import"));
    CHECK_FALSE(has(html, "url("));
    CHECK(has(html, "<td class=\"pass\">2/3 passed, 1 skipped</td>"));
    CHECK(has(html, "<td class=\"fail\">1/3 passed, 1 skipped, 2 deviations</td>"));
    CHECK(has(html, "<option value=\"type.mismatch\">type.mismatch (1)</option>"));
    CHECK(has(html, "<article class=\"deviation\" data-id=\"pagination.over-limit\">"));
    CHECK(has(html, "<dt>doc</dt><dd><code>ucloud-uhub.GetRepo.zh.md:47</code></dd>"));
    CHECK(has(html, "GET http://127.0.0.1:40002/?Action=GetRepo&amp;Limit=3"));
    CHECK(has(html, "Environment (not deviations)"));
}

TEST_CASE("HTML: every value is escaped") {
    auto model = test::sample_run();
    model.cases[3].name = "<script>alert(1)</script>";
    model.cases[3].checks[0].deviations[0].actual = "\"><img onerror=x>";
    model.cases[3].exchanges[0]["response"]["body"] = "</pre><script>bad()</script>";
    model.targets[1].info.name = "doc-sample";
    const std::string html = report::render_html(model);
    CHECK_FALSE(has(html, "<script>alert"));
    CHECK_FALSE(has(html, "<img"));
    CHECK_FALSE(has(html, "<script>bad"));
    CHECK(has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(has(html, "&quot;&gt;&lt;img onerror=x&gt;"));
    // the only script is our own filter
    std::size_t scripts = 0;
    for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
        ++scripts;
    CHECK(scripts == 1);
}
