#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using conform::test::has;

using namespace conform;
namespace fs = std::filesystem;

namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

// xmllint from libxml2-utils (scripts/deps), or "" when it is not installed.
std::string xmllint() {
    const std::string configured = CONFORM_XMLLINT;
    if (!configured.empty() && fs::exists(configured))
        return configured;
    return "";
}

// Runs xmllint on xml against the Jenkins-shaped XSD; returns its exit status and output.
std::pair<int, std::string> validate_with_xmllint(const std::string& tool, const std::string& xml,
                                                  const std::string& name) {
    const auto dir = test::fresh_dir("xmllint-" + name);
    test::write(dir / "junit.xml", xml);
    const fs::path xsd = fs::path(CONFORM_SOURCE_DIR) / "tests/report/fixtures/junit.xsd";
    const std::string command = "'" + tool + "' --noout --schema '" + xsd.string() + "' '" +
                                (dir / "junit.xml").string() + "' > '" +
                                (dir / "out.txt").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return {status, test::slurp(dir / "out.txt")};
}

report::ReportModel hostile_run() {
    auto model = test::sample_run();
    auto& d = model.cases[3].checks[0].deviations[0];
    d.actual = "string \"a<b>&c'\x01\x1f\" \xef\xbf\xbf end\r\n";
    d.message = "]]> and <![CDATA[ in a message\tand a bell \x07";
    model.cases[3].name = "default-page & <friends>";
    model.cases[4].skipped = "skip \"because\" <reasons>\x02";
    model.cases[0].environment.push_back("a note with \x1b[31m colour codes");
    model.targets[1].reachable = false;
    model.targets[1].error = "connect: connection refused <127.0.0.1>";
    return model;
}

} // namespace

TEST_CASE("JUnit: one testcase per case × check, suites per contract.operation.target") {
    const std::string xml = report::render_junit(test::sample_run());
    CHECK(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"conform\" "
        "tests=\"12\" failures=\"2\" errors=\"0\" skipped=\"3\" time=\"1.500\">\n"));
    CHECK(has(xml, "<testsuite name=\"ucloud-uhub.GetRepo.reference\" tests=\"6\" failures=\"0\""));
    CHECK(has(xml, "<testcase classname=\"ucloud-uhub.GetRepo.doc-sample\" "
                   "name=\"default-page/schema\" time=\"0.042\">\n"
                   "      <failure type=\"type.mismatch\" message=\"RepoSet items are strings; the "
                   "table documents RepoSet objects\">expected: object (RepoSet)\n"
                   "actual:   string \"uhub-demo\"\n"
                   "pointer:  /RepoSet/0 (x9)\n"));
    CHECK(has(xml, "request:  GET http://127.0.0.1:40002/?Action=GetRepo&amp;Limit=3"));
    CHECK(has(xml, "<failure type=\"pagination.over-limit\""));
    // a skipped case without checks is one testcase; a skipped check is its own
    CHECK(has(xml, "name=\"walk-limit-3\" time=\"0.000\">\n      <skipped message=\"the doc-sample "
                   "persona serves one page only\"/>"));
    CHECK(has(xml, "name=\"unsigned/auth\" time=\"0.031\">\n      <skipped message=\"the persona "
                   "does not verify signatures\"/>"));
    CHECK(has(xml, "<system-out>environment: throttled once"));
}

TEST_CASE("JUnit: escaping, including characters XML 1.0 cannot carry") {
    const std::string xml = report::render_junit(hostile_run());
    CHECK(has(xml, "name=\"default-page &amp; &lt;friends&gt;/schema\""));
    CHECK(has(xml, "actual:   string \"a&lt;b&gt;&amp;c'\\u0001\\u001F\" \\uFFFF end&#13;\n"));
    CHECK(has(xml, "message=\"]]&gt; and &lt;![CDATA[ in a message&#9;and a bell \\u0007\""));
    CHECK(has(xml, "<skipped message=\"skip &quot;because&quot; &lt;reasons&gt;\\u0002\"/>"));
    CHECK(has(xml, "a note with \\u001B[31m colour codes"));
    CHECK(has(xml, "<error type=\"target.unreachable\" message=\"connect: connection refused "
                   "&lt;127.0.0.1&gt;\">"));
    for (char c = 1; c < 0x20; ++c)
        if (c != '\t' && c != '\n' && c != '\r')
            CHECK(xml.find(c) == std::string::npos);
    CHECK(occurrences(xml, "<failure ") == 2);
}

TEST_CASE("JUnit: xmllint validates the output against the Jenkins JUnit XSD") {
    const std::string tool = xmllint();
    if (tool.empty()) {
        std::cerr << "SKIPPED: JUnit XSD validation: xmllint not found (apt-get install "
                     "libxml2-utils)\n";
        WARN("SKIPPED: xmllint is absent; JUnit output not validated against the XSD");
        return;
    }
    for (const auto& [name, model] :
         {std::pair{"sample", test::sample_run()}, std::pair{"hostile", hostile_run()}}) {
        INFO(name);
        const auto [status, output] =
            validate_with_xmllint(tool, report::render_junit(model), name);
        INFO(output);
        CHECK(status == 0);
    }
    // The check is not vacuous: a broken document fails.
    const auto [status, output] = validate_with_xmllint(
        tool, "<testsuites><testsuite tests=\"1\"><testcase/></testsuite></testsuites>", "broken");
    CHECK(status != 0);
}
