#include <catch2/catch.hpp>

#include <sstream>

#include "tests/report/report_test_support.hpp"
#include "tests/report/sample_run.hpp"

using conform::test::has;

using namespace conform;

namespace {

std::string render(const report::ReportModel& model, report::ConsoleOptions options) {
    std::ostringstream out;
    auto console = report::console_reporter(out, options);
    REQUIRE(report::replay(model, *console));
    return out.str();
}

} // namespace

TEST_CASE("the console streams a FAIL or SKIP line as each case ends") {
    const auto model = test::sample_run();
    std::ostringstream out;
    auto console = report::console_reporter(out, {});
    console->run_starting(model.run);
    console->case_ended(model.cases[3]);
    CHECK(out.str() == "FAIL  ucloud-uhub/GetRepo/default-page @ doc-sample: 2 deviations "
                       "(type.mismatch, pagination.over-limit)\n");
    console->case_ended(model.cases[0]); // passing: silent unless verbose
    console->case_ended(model.cases[2]);
    CHECK(has(out.str(), "SKIP  ucloud-uhub/GetRepo/unsigned @ reference: no credentials"));
    CHECK_FALSE(has(out.str(), "PASS"));
}

TEST_CASE("verbose shows passing cases; quiet shows the summary only") {
    const auto model = test::sample_run();
    const std::string verbose = render(model, {.verbose = true});
    CHECK(has(verbose, "PASS  ucloud-uhub/GetRepo/default-page @ reference\n"));

    const std::string quiet = render(model, {.quiet = true});
    CHECK(has(quiet, "Summary"));
    CHECK(has(quiet, "6 cases: 3 passed, 1 failed, 2 skipped"));
    CHECK_FALSE(has(quiet, "FAIL"));
    CHECK_FALSE(has(quiet, "Deviations"));
    CHECK_FALSE(has(quiet, "Matrix"));
}

TEST_CASE("deviations are grouped by id with pointer, count, doc source and where they came from") {
    const std::string text = render(test::sample_run(), {});
    CHECK(has(text, "type.mismatch (1)\n"
                    "  error  ucloud-uhub/GetRepo/default-page @ doc-sample  [schema]  "
                    "scalar-for-object\n"
                    "    at /RepoSet/0 (x9)  schema /properties/RepoSet/items/type\n"
                    "    expected object (RepoSet), got string \"uhub-demo\"\n"));
    CHECK(has(text, "    doc ucloud-uhub.GetRepo.zh.md:47\n"));
    CHECK(has(text, "pagination.over-limit (1)"));
    CHECK(has(text, "    request GET http://127.0.0.1:40002/?Action=GetRepo&Limit=3"));
}

TEST_CASE("environment notes are listed apart and never counted as deviations") {
    const std::string text = render(test::sample_run(), {});
    CHECK(has(text, "Environment (not deviations)\n  ucloud-uhub/GetRepo/default-page @ "
                    "reference: throttled once"));
    // the reference row: 3 cases, 2 passed, 1 skipped, 0 deviations
    CHECK(has(text, "ucloud-uhub  GetRepo    reference       3       2        1           0"));
}

TEST_CASE("the matrix appears when several targets ran, not for one") {
    auto model = test::sample_run();
    const std::string two = render(model, {});
    CHECK(has(two, "Matrix\ncase                              reference  doc-sample\n"));
    CHECK(has(two, "ucloud-uhub/GetRepo/default-page  pass       2 deviations\n"));
    CHECK(has(two, "ucloud-uhub/GetRepo/unsigned      skip       pass\n"));
    model.cases.resize(3);
    model.targets.resize(1);
    CHECK_FALSE(has(render(model, {}), "Matrix"));
}

TEST_CASE("colour only when asked") {
    const auto model = test::sample_run();
    CHECK_FALSE(has(render(model, {}), "\x1b["));
    const std::string coloured = render(model, {.colour = true});
    CHECK(has(coloured, "\x1b[31mFAIL\x1b[0m"));
    CHECK(has(coloured, "\x1b[33mSKIP\x1b[0m"));
}

TEST_CASE("an unreachable target is listed, even when quiet") {
    auto model = test::sample_run();
    model.targets[1].reachable = false;
    model.targets[1].error = "connection refused";
    model.summary.unreachable_targets = 1;
    const std::string quiet = render(model, {.quiet = true});
    CHECK(has(quiet, "Unreachable targets\n  ucloud-uhub @ doc-sample (http://127.0.0.1:40002/): "
                     "connection refused\n"));
    CHECK(has(quiet, "; 1 unreachable;"));
    CHECK(has(render(model, {}), "UNREACHABLE  ucloud-uhub @ doc-sample"));
}

TEST_CASE("more than eight occurrences of one id are cut unless verbose") {
    auto model = test::sample_run();
    auto& check = model.cases[3].checks[0];
    for (int i = 0; i < 10; ++i)
        check.deviations.push_back(check.deviations[0]);
    const std::string text = render(model, {});
    CHECK(has(text, "type.mismatch (11)"));
    CHECK(has(text, "  ... 3 more (--verbose shows them)\n"));
    CHECK_FALSE(has(render(model, {.verbose = true}), "more (--verbose"));
}

TEST_CASE("a message that restates expected/got is printed once, with the count") {
    auto model = test::sample_run();
    core::Deviation& d = model.cases[3].checks[0].deviations[0];
    // The classifier's own words for nine strings where objects are documented.
    d.expected = "object";
    d.actual = "string \"ntmEsbYx\"";
    d.message = "expected object, got string \"ntmEsbYx\" (scalar-for-object) (9 occurrences, "
                "first at /RepoSet/0)";
    const std::string text = render(model, {});
    CHECK(has(text, "    at /RepoSet/0 (x9)  schema /properties/RepoSet/items/type\n"
                    "    expected object, got string \"ntmEsbYx\" (scalar-for-object) (9 "
                    "occurrences, first at /RepoSet/0)\n"));
    CHECK_FALSE(has(text, "    expected object, got string \"ntmEsbYx\"\n"));
    // A message that says something else keeps the expected/got line above it.
    CHECK(has(text, "    expected at most 3 items (Limit=3), got 9 items\n"));
}
