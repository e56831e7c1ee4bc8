#include <catch2/catch.hpp>

#include <sstream>

#include "tests/report/sample_run.hpp"

using namespace conform;
using namespace std::chrono_literals;

namespace {

// The sample run split into n shards the way --shard does it: case k of the plan to shard
// k mod n (here by plan position: every case is distinct).
std::vector<report::NamedReport> shards_of(const report::ReportModel& whole, int n) {
    std::vector<report::NamedReport> out;
    for (int k = 1; k <= n; ++k) {
        report::ReportModel m = whole;
        m.run.shard = std::to_string(k) + "/" + std::to_string(n);
        m.cases.clear();
        for (std::size_t i = 0; i < whole.cases.size(); ++i)
            if (static_cast<int>(i % static_cast<std::size_t>(n)) == k - 1)
                m.cases.push_back(whole.cases[i]);
        m.summary = report::summarize(m.cases);
        m.summary.seconds = 0.5 * k;
        out.push_back({"shard-" + std::to_string(k) + ".json", std::move(m)});
    }
    return out;
}

report::ReportModel numbered_sample() {
    auto m = test::sample_run();
    for (std::size_t i = 0; i < m.cases.size(); ++i)
        m.cases[i].plan_index = i;
    return m;
}

} // namespace

TEST_CASE("merge: shard reports join into the unsharded report, whatever order they come in") {
    const auto whole = numbered_sample();
    auto shards = shards_of(whole, 3);
    std::swap(shards[0], shards[2]);
    auto merged = report::merge_reports(std::move(shards));
    REQUIRE(merged);
    merged->summary.seconds = whole.summary.seconds;
    CHECK(report::render_json(*merged) == report::render_json(whole));
    CHECK(merged->run.shard.empty());
}

TEST_CASE("merge: an unreachable target in any shard is unreachable in the merge") {
    const auto whole = numbered_sample();
    auto shards = shards_of(whole, 2);
    shards[1].model.targets[1].reachable = false;
    shards[1].model.targets[1].error = "connection refused";
    auto merged = report::merge_reports(std::move(shards));
    REQUIRE(merged);
    CHECK(merged->summary.unreachable_targets == 1);
    CHECK(merged->targets[1].error == "connection refused");
}

TEST_CASE("merge: missing, repeated or mismatched shards are errors naming the file") {
    const auto whole = numbered_sample();
    const auto error_of = [](std::vector<report::NamedReport> shards) {
        auto r = report::merge_reports(std::move(shards));
        REQUIRE_FALSE(r);
        return r.error().to_string();
    };
    auto shards = shards_of(whole, 3);
    shards.pop_back();
    CHECK_THAT(error_of(shards), Catch::Contains("shard 3/3 is missing"));

    shards = shards_of(whole, 3);
    shards.push_back(shards[1]);
    shards.back().file = "again.json";
    CHECK_THAT(error_of(shards), Catch::Contains("again.json") && Catch::Contains("2/3 again"));

    shards = shards_of(whole, 2);
    shards[1].model.run.shard = "2/3";
    CHECK_THAT(error_of(shards), Catch::Contains("shard-2.json"));

    shards = shards_of(whole, 2);
    shards[1].model.cases.push_back(shards[0].model.cases[0]);
    CHECK_THAT(error_of(shards), Catch::Contains("holds case") && Catch::Contains("again"));

    auto plain = shards_of(whole, 2);
    plain[0].model.run.shard.clear();
    CHECK_THAT(error_of(plain), Catch::Contains("not a shard report"));
    CHECK_THAT(error_of({}), Catch::Contains("nothing to merge"));
}

TEST_CASE("the progress bar counts cases against the plan, redraws at most every 100 ms, clears") {
    std::ostringstream out;
    core::ManualClock clock(1767323045);
    auto progress = report::progress_reporter(out, clock);
    progress->run_starting({});
    report::TargetInfo t{"ucloud-uhub", "http://x/", "", "a"};
    t.planned_cases = 4;
    progress->target_starting(t);
    const auto sample = test::sample_run();
    clock.advance(1s);
    progress->case_ended(sample.cases[0]); // drawn: first
    clock.advance(50ms);
    progress->case_ended(sample.cases[3]); // not drawn: 50 ms later
    CHECK(out.str() == "\r[######..................]  1/4 cases  1.0/s");
    clock.advance(950ms);
    progress->case_ended(sample.cases[1]);
    CHECK_THAT(out.str(),
               Catch::EndsWith("\r[##################......]  3/4 cases  1.5/s  1 failed"));
    clock.advance(10ms);
    progress->case_ended(sample.cases[2]); // the last one is always drawn
    CHECK_THAT(out.str(), Catch::Contains("4/4 cases"));
    REQUIRE(progress->run_ended({}));
    const std::string last = "[########################]  4/4 cases  2.0/s  1 failed";
    CHECK_THAT(out.str(), Catch::EndsWith(last + "\r" + std::string(last.size(), ' ') + "\r"));
}
