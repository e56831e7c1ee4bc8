// The HTML report as people see it: rendered by Debian's headless Chromium (scripts/test
// installs it), whose --dump-dom prints the page after its inline script ran.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

std::string chromium() {
    const std::string configured = CONFORM_CHROMIUM;
    if (!configured.empty() && fs::exists(configured))
        return configured;
    return "";
}

// The DOM of file://page#fragment after load, or "" when Chromium failed (its log in INFO).
std::string dump_dom(const std::string& tool, const fs::path& page, const std::string& fragment) {
    const fs::path dir = page.parent_path();
    const std::string command = "timeout 120 '" + tool +
                                "' --headless --no-sandbox --disable-gpu --no-first-run "
                                "--disable-extensions --user-data-dir='" +
                                (dir / "profile").string() + "' --dump-dom 'file://" +
                                page.string() + fragment + "' > '" + (dir / "dom.html").string() +
                                "' 2> '" + (dir / "chromium.log").string() + "'";
    const int status = std::system(command.c_str());
    INFO(test::slurp(dir / "chromium.log"));
    REQUIRE(status == 0);
    return test::slurp(dir / "dom.html");
}

// The start tag of the deviation article for id, as the browser serialised it.
std::string article_tag(const std::string& dom, const std::string& id) {
    const auto at = dom.find("data-id=\"" + id + "\"");
    if (at == std::string::npos)
        return "";
    const auto start = dom.rfind('<', at);
    return dom.substr(start, dom.find('>', at) - start + 1);
}

} // namespace

TEST_CASE("HTML in headless Chromium: the matrix and the deviations render; #id= filters") {
    const std::string tool = chromium();
    if (tool.empty()) {
        std::cerr << "SKIPPED: HTML report in a browser: chromium not found (apt-get install "
                     "chromium; scripts/test does)\n";
        WARN("SKIPPED: chromium is absent; the HTML report was not rendered in a browser");
        return;
    }
    const fs::path dir = test::fresh_dir("chromium");
    const fs::path page = dir / "report.html";
    test::write(page, report::render_html(test::sample_run()));

    const std::string dom = dump_dom(tool, page, "");
    // The matrix: both targets as columns, the failing cell coloured as such.
    CHECK_THAT(dom, Catch::Contains("<table class=\"matrix\">"));
    CHECK_THAT(dom,
               Catch::Contains("<th>reference</th>") && Catch::Contains("<th>doc-sample</th>"));
    CHECK_THAT(dom, Catch::Contains("class=\"fail\""));
    // Both deviations, shown, with the request that proves them.
    const std::string type = article_tag(dom, "type.mismatch");
    const std::string over = article_tag(dom, "pagination.over-limit");
    REQUIRE_FALSE(type.empty());
    REQUIRE_FALSE(over.empty());
    CHECK_THAT(type, !Catch::Contains("hidden"));
    CHECK_THAT(over, !Catch::Contains("hidden"));
    CHECK_THAT(dom, Catch::Contains("Limit=3"));

    // The inline script ran: a link to one id shows only that id's deviations.
    const std::string filtered = dump_dom(tool, page, "#id=pagination.over-limit");
    CHECK_THAT(article_tag(filtered, "type.mismatch"), Catch::Contains("hidden"));
    CHECK_THAT(article_tag(filtered, "pagination.over-limit"), !Catch::Contains("hidden"));
    fs::remove_all(dir);
}
