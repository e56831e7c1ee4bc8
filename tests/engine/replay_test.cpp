// conform replay's engine: the docs' samples give the docs' deviations, a bad line is reported
// and the rest replayed, routing by host and Action, walks across recorded pages, --max-age
// with an injected time, memory that does not grow with the recording's length, recordings as
// users keep them (.gz, .zst, stdin, truncated) and --shard K/N merged back into one report.
#include <catch2/catch.hpp>

#include <algorithm>

#include <fstream>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <nlohmann/json.hpp>

#include "runner/engine/replay.hpp"
#include "tests/support/exit_status.hpp"
#include "tests/support/fixtures.hpp"

using namespace conform;
namespace fs = std::filesystem;

namespace {

class ReplayCollector final : public report::Reporter {
public:
    void target_starting(const report::TargetInfo& t) override { targets.push_back(t); }
    void case_ended(const report::CaseResult& c) override { cases.push_back(c); }
    std::vector<report::TargetInfo> targets;
    std::vector<report::CaseResult> cases;

    std::multiset<std::string> ids(std::string_view contract = {}) const {
        std::multiset<std::string> out;
        for (const auto& c : cases)
            if (contract.empty() || c.contract == contract)
                for (const auto& check : c.checks)
                    for (const auto& d : check.deviations)
                        out.insert(std::string(core::name_of(d.id)));
        return out;
    }
};

struct ReplayLoaded {
    std::vector<contract::Contract> contracts;
    std::vector<std::vector<contract::CaseFile>> cases;
};

const ReplayLoaded& all_contracts() {
    static const ReplayLoaded loaded = [] {
        ReplayLoaded l;
        auto contracts = contract::load_contracts(contract::default_schemas_dir());
        REQUIRE(contracts);
        l.contracts = std::move(*contracts);
        for (const auto& c : l.contracts) {
            auto files = contract::load_cases_for(c, contract::default_cases_dir(),
                                                  contract::default_schemas_dir());
            REQUIRE(files);
            l.cases.push_back(std::move(*files));
        }
        return l;
    }();
    return loaded;
}

// A recording line as Recorded, the way record::RecordingReader reads one (the fields this
// test uses): base URL and ordered query, response status and body text.
record::Recorded recorded_of(const nlohmann::json& j, const std::string& file, std::size_t line) {
    record::Recorded r;
    const std::string url = j.at("request").at("url");
    r.exchange.request.method = j.at("request").value("method", "GET");
    r.exchange.request.base_url = url.substr(0, url.find('?'));
    for (const auto& p : j.at("request").value("query", nlohmann::json::array()))
        r.exchange.request.query.add(p.at(0), p.at(1));
    http::Response response;
    response.status = j.at("response").at("status");
    response.headers.push_back({"Content-Type", "application/json"});
    if (j.at("response").contains("body"))
        response.body = j.at("response").at("body").dump();
    else
        response.body = j.at("response").value("body_text", "");
    r.exchange.response = std::move(response);
    r.time = j.value("time", "");
    r.contract = j.value("contract", "");
    r.operation = j.value("operation", "");
    r.case_name = j.value("case", "");
    r.target = j.value("target", "");
    r.file = file;
    r.line = line;
    return r;
}

std::vector<engine::VectorSource::Item> read_lines(const fs::path& file) {
    std::vector<engine::VectorSource::Item> items;
    std::ifstream in(file);
    REQUIRE(in);
    std::string text;
    for (std::size_t line = 1; std::getline(in, text); ++line)
        if (!text.empty())
            items.emplace_back(recorded_of(nlohmann::json::parse(text), file.string(), line));
    return items;
}

nlohmann::json repo(int i) {
    return {{"RepoName", "repo-" + std::to_string(i)},
            {"CreateTime", "2026-01-10 09:00:00"},
            {"UpdateTime", "2026-10-01 18:00:00"},
            {"Description", "images of team " + std::to_string(i % 7)},
            {"IsShared", i % 2 ? "true" : "false"},
            {"IsOutSide", "false"}};
}

// One conforming UCloud GetRepo page of `limit` items from `offset`, of `total`.
record::Recorded ucloud_page(int offset, int limit, int total, std::size_t line,
                             std::string host = "api.ucloud.cn") {
    nlohmann::json items = nlohmann::json::array();
    for (int i = offset; i < std::min(total, offset + limit); ++i)
        items.push_back(repo(i));
    nlohmann::json body = {
        {"Action", "GetRepoResponse"}, {"RetCode", 0}, {"TotalCount", total}, {"RepoSet", items}};
    record::Recorded r;
    r.exchange.request.base_url = "https://" + host + "/";
    r.exchange.request.query = {{"Action", "GetRepo"},
                                {"Offset", std::to_string(offset)},
                                {"Limit", std::to_string(limit)},
                                {"PublicKey", "REDACTED"},
                                {"Signature", "REDACTED"}};
    http::Response response;
    response.status = 200;
    response.headers.push_back({"Content-Type", "application/json"});
    response.body = body.dump();
    r.exchange.response = std::move(response);
    r.time = "2026-11-30T10:00:00Z";
    r.file = "generated.jsonl";
    r.line = line;
    return r;
}

engine::ReplayOutcome replay(std::vector<engine::VectorSource::Item> items, ReplayCollector& out,
                             engine::ReplaySettings settings = {},
                             const std::vector<contract::Contract>* contracts = nullptr) {
    const ReplayLoaded& l = all_contracts();
    const std::vector<std::vector<contract::CaseFile>> no_cases;
    engine::VectorSource source(std::move(items));
    const engine::ReplayContracts rc{contracts ? *contracts : l.contracts,
                                     contracts ? no_cases : l.cases};
    return engine::replay_exchanges(source, rc, settings, out);
}

// A source that makes pages as it is asked: the recording never exists in memory whole.
class GeneratedSource final : public engine::ExchangeSource {
public:
    explicit GeneratedSource(std::size_t n) : m_n(n) {}
    core::Result<std::optional<record::Recorded>> next() override {
        if (m_i >= m_n)
            return std::optional<record::Recorded>();
        ++m_i;
        // Walks of 4 full pages of 20 over 80 items, and every 50th page off by one type.
        const int page = static_cast<int>(m_i % 4);
        record::Recorded r = ucloud_page(page * 20, 20, 80, m_i);
        if (m_i % 50 == 0)
            r.exchange.response->body.replace(r.exchange.response->body.find("\"TotalCount\":80"),
                                              15, "\"TotalCount\":\"80\"");
        return std::optional<record::Recorded>(std::move(r));
    }

private:
    std::size_t m_n, m_i = 0;
};

std::size_t peak_rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stoul(line.substr(6));
    return 0;
}

} // namespace

TEST_CASE("replay of the docs' samples gives the docs' deviations") {
    std::vector<engine::VectorSource::Item> items;
    for (const char* name :
         {"ucloud-uhub/GetRepo.samples.jsonl", "tencent-ccr/GetFavor.samples.jsonl"})
        for (auto& item : read_lines(contract::default_schemas_dir() / name))
            items.push_back(std::move(item));
    ReplayCollector out;
    const engine::ReplayOutcome outcome = replay(std::move(items), out);
    CHECK(outcome.exchanges == 2);
    CHECK(outcome.unroutable == 0);
    CHECK(outcome.malformed == 0);

    const auto ucloud = out.ids("ucloud-uhub");
    CHECK(ucloud.count("type.mismatch") >= 1);                 // RepoSet strings, not objects
    CHECK(ucloud.count("pagination.over-limit") == 1);         // 9 items for Limit=3
    CHECK(ucloud.count("pagination.items-exceed-total") == 1); // TotalCount 2 < 9 items
    const auto tencent = out.ids("tencent-ccr");
    CHECK(tencent.count("field.misplaced") >= 1); // repoInfo/totalCount under data
    CHECK(outcome.failed_exchanges == 2);
    CHECK(outcome.summary.failed == 2);
    CHECK(outcome.summary.errors > 0);
    // The Tencent sample's host is the page's placeholder "domain": routed by its path.
    bool tencent_routed = false;
    for (const auto& c : out.cases)
        tencent_routed |= c.contract == "tencent-ccr" && c.operation == "GetFavor";
    CHECK(tencent_routed);
}

TEST_CASE("replay: Tencent's totalCount integer is a type.mismatch once the data envelope is "
          "undone") {
    // The same answer without the undocumented data envelope: totalCount 1 where the table
    // says String.
    const nlohmann::json line = nlohmann::json::parse(R"({
        "request": {"method": "GET",
                    "url": "https://ccr.api.qcloud.com/v2/index.php?Action=GetFavor&offset=0&limit=20",
                    "query": [["Action", "GetFavor"], ["offset", "0"], ["limit", "20"]]},
        "response": {"status": 200,
                     "body": {"code": 0, "codeDesc": "Success", "message": "",
                              "repoInfo": [], "totalCount": 1}}})");
    std::vector<engine::VectorSource::Item> items;
    items.emplace_back(recorded_of(line, "t.jsonl", 1));
    ReplayCollector out;
    (void)replay(std::move(items), out);
    CHECK(out.ids("tencent-ccr").count("type.mismatch") == 1);
}

TEST_CASE("replay: a bad line in the middle is reported with file:line, counted, and the rest "
          "replayed") {
    std::vector<engine::VectorSource::Item> items;
    items.emplace_back(ucloud_page(0, 5, 3, 1));
    items.emplace_back(core::fail("invalid JSON: unexpected end of input",
                                  core::Location{"live.jsonl", 2, 17, {}, false}));
    items.emplace_back(ucloud_page(0, 5, 3, 3, "api.genesissai.com"));
    ReplayCollector out;
    const engine::ReplayOutcome outcome = replay(std::move(items), out);
    CHECK(outcome.exchanges == 2);
    CHECK(outcome.malformed == 1);
    CHECK(outcome.summary.cases == 3);
    CHECK(outcome.summary.skipped == 1);
    CHECK(outcome.summary.passed == 2);
    REQUIRE(out.cases.size() == 1);
    CHECK(out.cases[0].name == "live.jsonl:2");
    CHECK(out.cases[0].skipped.find("live.jsonl:2") != std::string::npos);
    CHECK(out.cases[0].skipped.find("unexpected end of input") != std::string::npos);
}

TEST_CASE("replay routes by host, path and Action; --contract restricts; the rest is "
          "unroutable, counted") {
    std::vector<engine::VectorSource::Item> items;
    items.emplace_back(ucloud_page(0, 5, 3, 1, "api.genesissai.com"));
    items.emplace_back(ucloud_page(0, 5, 3, 2, "API.UCloud.cn"));
    items.emplace_back(ucloud_page(0, 5, 3, 3, "uhub.example.com")); // both uhub: ambiguous
    record::Recorded unknown_action = ucloud_page(0, 5, 3, 4);
    unknown_action.exchange.request.query.set("Action", "DeleteEverything");
    items.emplace_back(std::move(unknown_action));
    record::Recorded named = ucloud_page(0, 5, 3, 5, "uhub.example.com");
    named.contract = "genesissai-uhub"; // the line's contract field wins
    items.emplace_back(std::move(named));

    ReplayCollector out;
    const engine::ReplayOutcome outcome = replay(std::move(items), out);
    CHECK(outcome.exchanges == 5);
    CHECK(outcome.unroutable == 2);
    std::set<std::string> contracts;
    for (const auto& t : out.targets)
        contracts.insert(t.contract);
    CHECK(contracts.count("genesissai-uhub") == 1);
    CHECK(contracts.count("ucloud-uhub") == 1);
    std::vector<std::string> why;
    for (const auto& c : out.cases)
        if (!c.skipped.empty())
            why.push_back(c.name + " " + c.skipped);
    REQUIRE(why.size() == 2);
    CHECK(why[0].find("generated.jsonl:3 unroutable: ambiguous") == 0);
    CHECK(why[1].find("generated.jsonl:4 unroutable") == 0);
    CHECK(why[1].find("DeleteEverything") != std::string::npos);

    // --contract ucloud-uhub: the unknown host is UCloud's.
    const ReplayLoaded& l = all_contracts();
    std::vector<contract::Contract> only;
    for (const auto& c : l.contracts)
        if (c.name == "ucloud-uhub")
            only.push_back(contract::load_contract(c.directory).value());
    std::vector<engine::VectorSource::Item> again;
    again.emplace_back(ucloud_page(0, 5, 3, 1, "uhub.example.com"));
    ReplayCollector restricted;
    const auto r = replay(std::move(again), restricted, {}, &only);
    CHECK(r.unroutable == 0);
    REQUIRE(restricted.targets.size() == 1);
    CHECK(restricted.targets[0].contract == "ucloud-uhub");
}

TEST_CASE("replay: recorded pages of one listing are checked as a walk") {
    SECTION("a conforming walk passes") {
        std::vector<engine::VectorSource::Item> items;
        for (int page = 0; page < 4; ++page)
            items.emplace_back(ucloud_page(page * 3, 3, 10, page + 1));
        ReplayCollector out;
        const auto outcome = replay(std::move(items), out);
        CHECK(outcome.walks == 1);
        CHECK(out.cases.empty());
        CHECK(outcome.summary.passed == 5); // 4 pages and the walk
    }
    SECTION("a page that repeats an item is pagination.duplicate, pages in any order") {
        std::vector<engine::VectorSource::Item> items;
        items.emplace_back(ucloud_page(6, 3, 9, 1));
        record::Recorded second = ucloud_page(3, 3, 9, 2);
        // The page at Offset=3 repeats repo-2 instead of repo-5 (an off-by-one server).
        auto body = nlohmann::json::parse(second.exchange.response->body);
        body["RepoSet"][2] = repo(2);
        second.exchange.response->body = body.dump();
        items.emplace_back(std::move(second));
        items.emplace_back(ucloud_page(0, 3, 9, 3));
        ReplayCollector out;
        const auto outcome = replay(std::move(items), out);
        CHECK(outcome.walks == 1);
        const auto ids = out.ids();
        CHECK(ids.count("pagination.duplicate") == 1);
        bool in_walk = false;
        for (const auto& c : out.cases)
            if (c.kind == "walk") {
                in_walk = true;
                CHECK(c.exchanges.size() == 3);
                CHECK(c.name == "walk generated.jsonl:3..1"); // first = lowest offset
            }
        CHECK(in_walk);
    }
    SECTION("a listing is its parameters whatever their order, however many") {
        // Page 2 sends the parameters in another order and page 3 repeats an item of page 2:
        // only a walk of all three pages finds the duplicate.
        for (const std::size_t extra : {std::size_t{0}, std::size_t{20}}) {
            INFO(extra << " extra parameters");
            std::vector<engine::VectorSource::Item> items;
            for (int page = 0; page < 3; ++page) {
                record::Recorded r =
                    ucloud_page(page * 3, 3, 9, static_cast<std::size_t>(page + 1));
                std::vector<std::pair<std::string, std::string>> q;
                for (const http::QueryParam& p : r.exchange.request.query)
                    q.emplace_back(p.name, p.value);
                for (std::size_t e = 0; e < extra; ++e)
                    q.emplace_back("Tag." + std::to_string(e), "t" + std::to_string(e));
                if (page == 1)
                    std::reverse(q.begin(), q.end());
                r.exchange.request.query = {};
                for (auto& [name, value] : q)
                    r.exchange.request.query.add(name, value);
                if (page == 2) {
                    auto body = nlohmann::json::parse(r.exchange.response->body);
                    body["RepoSet"][0] = repo(4);
                    r.exchange.response->body = body.dump();
                }
                items.emplace_back(std::move(r));
            }
            ReplayCollector out;
            CHECK(replay(std::move(items), out).walks == 1);
            CHECK(out.ids().count("pagination.duplicate") == 1);
        }
    }
    SECTION("a file's walks are judged when the file ends, before the next file's exchanges") {
        // a.jsonl: two pages of a listing, the second repeating an item of the first; b.jsonl:
        // one page with a string TotalCount. Cases come in recording order: the walk of a.jsonl
        // is numbered when its file ends, not after every later exchange.
        std::vector<engine::VectorSource::Item> items;
        record::Recorded first = ucloud_page(0, 3, 9, 1);
        record::Recorded second = ucloud_page(3, 3, 9, 2);
        auto body = nlohmann::json::parse(second.exchange.response->body);
        body["RepoSet"][0] = repo(2);
        second.exchange.response->body = body.dump();
        first.file = second.file = "a.jsonl";
        record::Recorded other = ucloud_page(0, 3, 9, 1);
        body = nlohmann::json::parse(other.exchange.response->body);
        body["TotalCount"] = "9";
        other.exchange.response->body = body.dump();
        other.file = "b.jsonl";
        items.emplace_back(std::move(first));
        items.emplace_back(std::move(second));
        items.emplace_back(std::move(other));
        ReplayCollector out;
        CHECK(replay(std::move(items), out).walks == 1);
        std::vector<std::string> kinds;
        for (const auto& c : out.cases)
            kinds.push_back(c.kind + " " + c.name.substr(c.name.find(' ') + 1));
        CHECK(kinds == std::vector<std::string>{"walk a.jsonl:1..2", "single b.jsonl:1"});
    }
    SECTION("other limits, other targets and single pages are not walks") {
        std::vector<engine::VectorSource::Item> items;
        items.emplace_back(ucloud_page(0, 3, 9, 1));
        items.emplace_back(ucloud_page(3, 4, 9, 2));
        items.emplace_back(ucloud_page(6, 3, 9, 3, "api.genesissai.com"));
        ReplayCollector out;
        CHECK(replay(std::move(items), out).walks == 0);
    }
}

TEST_CASE("replay --max-age warns about old exchanges; --fail-stale fails them") {
    using namespace std::chrono;
    engine::ReplaySettings settings;
    settings.max_age = engine::parse_age("30d").value();
    settings.now = sys_days(year{2026} / 12 / 1);
    auto items = [] {
        std::vector<engine::VectorSource::Item> v;
        record::Recorded old_one = ucloud_page(0, 5, 3, 1);
        old_one.time = "2026-10-01T00:00:00Z";
        v.emplace_back(std::move(old_one));
        record::Recorded fresh = ucloud_page(0, 5, 3, 2);
        fresh.time = "2026-11-20T08:00:00+08:00";
        v.emplace_back(std::move(fresh));
        return v;
    };
    ReplayCollector warned;
    auto outcome = replay(items(), warned, settings);
    CHECK(outcome.stale == 1);
    CHECK(outcome.failed_exchanges == 0);
    REQUIRE(warned.cases.size() == 1);
    REQUIRE(warned.cases[0].environment.size() == 1);
    CHECK(warned.cases[0].environment[0].find("2026-10-01T00:00:00Z") != std::string::npos);
    CHECK(warned.cases[0].environment[0].find("30d") != std::string::npos);

    settings.fail_stale = true;
    ReplayCollector failed;
    outcome = replay(items(), failed, settings);
    CHECK(outcome.stale == 1);
    CHECK(outcome.failed_exchanges == 1);

    CHECK(engine::parse_age("12h").value() == hours(12));
    CHECK_FALSE(engine::parse_age("30"));
    CHECK_FALSE(engine::parse_age("d"));
    CHECK_FALSE(engine::parse_age("3x"));
}

TEST_CASE("replay folds one root cause into one case, the same with any number of jobs") {
    auto run = [](int jobs) {
        engine::ReplaySettings settings;
        settings.jobs = jobs;
        settings.queue_capacity = 8;
        GeneratedSource source(400);
        ReplayCollector out;
        const auto outcome = engine::replay_exchanges(
            source, {all_contracts().contracts, all_contracts().cases}, settings, out);
        CHECK(outcome.exchanges == 400);
        CHECK(outcome.walks == 100);
        std::vector<std::string> lines;
        for (const auto& c : out.cases)
            for (const auto& check : c.checks)
                for (const auto& d : check.deviations)
                    lines.push_back(c.name + " " + std::string(core::name_of(d.id)) + " x" +
                                    std::to_string(d.count));
        return lines;
    };
    const auto one = run(1);
    CHECK(run(3) == one);
    // Every 50th page has TotalCount "80": one case (the first, line 50) counting all eight.
    REQUIRE_FALSE(one.empty());
    CHECK(one.front() == "generated.jsonl:50 type.mismatch x8");
}

TEST_CASE("replay memory does not grow with the recording's length") {
#if defined(__SANITIZE_ADDRESS__)
    // ASan's quarantine holds freed memory back on purpose (256 MB by default): peak RSS says
    // nothing about what replay keeps. bench/replay_bench --rss measures it in a plain build.
    WARN("SKIPPED under AddressSanitizer: peak RSS is dominated by its quarantine");
    return;
#endif
    auto replay_n = [](std::size_t n) {
        engine::ReplaySettings settings;
        settings.jobs = 2;
        GeneratedSource source(n);
        ReplayCollector out;
        const auto outcome = engine::replay_exchanges(
            source, {all_contracts().contracts, all_contracts().cases}, settings, out);
        CHECK(outcome.exchanges == n);
        return peak_rss_kb();
    };
    const std::size_t at_2k = replay_n(2000);
    const std::size_t at_20k = replay_n(20000);
    INFO("VmHWM after 2k exchanges: " << at_2k << " kB, after 20k: " << at_20k << " kB");
    // 18k more pages of ~3 KB held would be ~54 MB; the bound allows allocator noise only.
    CHECK(at_20k < at_2k + 8 * 1024);
}

namespace {

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

std::set<std::string> report_ids(const nlohmann::json& report) {
    std::set<std::string> ids;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases"))
            for (const auto& check : c.at("checks"))
                for (const auto& d : check.at("deviations"))
                    ids.insert(d.at("id").get<std::string>());
    return ids;
}

} // namespace

TEST_CASE("run_replay: the committed samples through the JSONL reader, report.json, exit 1") {
    const fs::path dir = test::fresh_dir("replay-samples");
    engine::ReplayJob job;
    for (const char* name :
         {"ucloud-uhub/GetRepo.samples.jsonl", "tencent-ccr/GetFavor.samples.jsonl",
          "genesissai-uhub/GetRepo.samples.jsonl"})
        job.files.push_back(contract::default_schemas_dir() / name);
    job.report.dir = dir;
    job.settings.jobs = 2;
    std::ostringstream out, err;
    const auto verdict = engine::run_replay(job, out, err);
    INFO(out.str() << err.str());
    CHECK(verdict.value() == core::Verdict::deviations);
    const auto ids = report_ids(read_json(dir / "report.json"));
    for (const char* id : {"type.mismatch", "pagination.over-limit",
                           "pagination.items-exceed-total", "field.misplaced"})
        CHECK(ids.count(id) == 1);
    CHECK(err.str().find("replayed 3 exchange(s)") != std::string::npos);
}

TEST_CASE("run_replay: a bad line is named with file:line and the rest replayed (exit 2); a "
          "missing file is exit 2 before anything runs") {
    const fs::path dir = test::fresh_dir("replay-bad-line");
    const fs::path file = dir / "live.jsonl";
    {
        std::ifstream sample(contract::default_schemas_dir() / "ucloud-uhub/GetRepo.samples.jsonl");
        std::string good;
        std::getline(sample, good);
        std::ofstream rec(file);
        rec << good << '\n' << "{\"request\": {\"method\": \"GET\", \"url\": \n" << good << '\n';
    }
    engine::ReplayJob job;
    job.files = {file};
    job.report.dir = dir / "report";
    std::ostringstream out, err;
    CHECK(engine::run_replay(job, out, err).value() == core::Verdict::bad_input);
    const nlohmann::json report = read_json(dir / "report" / "report.json");
    CHECK(report.at("summary").at("skipped") == 1);
    CHECK(report.at("summary").at("cases") == 3);
    CHECK(report.dump().find("live.jsonl:2") != std::string::npos);
    CHECK(err.str().find("replayed 2 exchange(s); 1 malformed line(s)") != std::string::npos);

    engine::ReplayJob missing;
    missing.files = {dir / "nope.jsonl"};
    missing.report.dir = dir / "missing";
    std::ostringstream out2, err2;
    const auto verdict = engine::run_replay(missing, out2, err2);
    REQUIRE_FALSE(verdict);
    CHECK(verdict.error().to_string().find("nope.jsonl") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "missing" / "report.json"));
}

TEST_CASE("run_replay: a HAR that mitmproxy wrote from Chromium's traffic (scripts/capture-har)") {
    // Captured, not written by hand: headless Chromium loaded signed pages from the reference
    // server (two pages of a walk) and from the items-as-strings persona (one page) through
    // mitmproxy, whose own exporter (har_dump.py) wrote the file. The browser also asked each
    // server for /favicon.ico on its own, as browsers do.
    const fs::path har =
        fs::path(CONFORM_SOURCE_DIR) / "tests/record/fixtures/mitmproxy-chromium.har";
    const fs::path dir = test::fresh_dir("replay-captured-har");
    engine::ReplayJob job;
    job.files = {har};
    job.contracts = {"ucloud-uhub"}; // loopback hosts: GenesisAI's copy routes GetRepo too
    job.report.dir = dir;
    std::ostringstream out, err;
    const auto verdict = engine::run_replay(job, out, err);
    INFO(out.str() << err.str());
    CHECK(verdict.value() == core::Verdict::deviations);
    CHECK(err.str().find("replayed 6 exchange(s), 1 walk(s); 3 unroutable exchange(s)") !=
          std::string::npos);
    const nlohmann::json report = read_json(dir / "report.json");
    const nlohmann::json& summary = report.at("summary");
    CHECK(summary.at("passed") == 3);  // the reference's two pages and their walk
    CHECK(summary.at("failed") == 1);  // the persona's page
    CHECK(summary.at("skipped") == 3); // the favicons: no Action, named as unroutable
    std::vector<std::string> mismatches;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases"))
            for (const auto& check : c.at("checks"))
                for (const auto& d : check.at("deviations"))
                    if (d.at("id") == "type.mismatch")
                        mismatches.push_back(d.at("instance_pointer").get<std::string>());
    CHECK(mismatches == std::vector<std::string>{"/RepoSet/0"}); // folded: 3 occurrences
    CHECK(report_ids(report) == std::set<std::string>{"type.mismatch"});
}

namespace {

std::string jsonl_line(const record::Recorded& r) {
    return record::to_json(r).dump() + "\n";
}

std::string gzip_bytes(const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string zstd_bytes(const std::string& text) {
    std::string out(ZSTD_compressBound(text.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
    REQUIRE_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

void write_file(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Walks of 4 pages over `listings` listings (Limit 3.. and two targets), interleaved; every
// 5th page has TotalCount as a string (one root cause across listings), one bad line.
std::string day_of_traffic(int listings, int rounds) {
    std::string text;
    std::size_t line = 0;
    for (int round = 0; round < rounds; ++round)
        for (int page = 0; page < 4; ++page)
            for (int l = 0; l < listings; ++l) {
                const int limit = 3 + l / 2;
                record::Recorded r = ucloud_page(page * limit, limit, 4 * limit, ++line);
                r.target = l % 2 ? "blue" : "green";
                if (line % 5 == 0)
                    r.exchange.response->body.replace(
                        r.exchange.response->body.find("\"TotalCount\":"), 13,
                        "\"TotalCount\":\"0\",\"Was\":");
                text += jsonl_line(r);
                if (line == 17)
                    text += "{\"request\": {\"method\": \"GET\", \"url\": \n";
            }
    return text;
}

// report.json without what differs between runs: times, the command line, the shard.
nlohmann::json timeless(nlohmann::json j) {
    if (j.is_object()) {
        for (const char* key : {"started_at", "seconds", "arguments", "shard", "finished_at"})
            j.erase(key);
        for (auto& [key, value] : j.items())
            value = timeless(value);
    } else if (j.is_array()) {
        for (auto& value : j)
            value = timeless(value);
    }
    return j;
}

// Runs `conform replay` on files with fd 0 reading stdin_file (when given).
int replay_files(engine::ReplayJob job, std::ostringstream& err,
                 const std::optional<fs::path>& stdin_file = std::nullopt) {
    std::ostringstream out;
    int saved = -1;
    if (stdin_file) {
        saved = ::dup(STDIN_FILENO);
        const int fd = ::open(stdin_file->c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        ::dup2(fd, STDIN_FILENO);
        ::close(fd);
    }
    const int status = test::exit_status(engine::run_replay(job, out, err));
    if (saved >= 0) {
        ::dup2(saved, STDIN_FILENO);
        ::close(saved);
    }
    return status;
}

} // namespace

TEST_CASE("run_replay reads .zst, .gz and standard input alike, with exact line numbers") {
    const fs::path dir = test::fresh_dir("replay-compressed");
    const std::string text = day_of_traffic(4, 3);
    write_file(dir / "day.jsonl", text);
    write_file(dir / "day.jsonl.zst", zstd_bytes(text));
    write_file(dir / "day.jsonl.gz", gzip_bytes(text));
    auto run = [&](const fs::path& file, const std::optional<fs::path>& stdin_file) {
        engine::ReplayJob job;
        job.files = {file};
        job.report.dir = dir / ("report-" + file.filename().string() +
                                (stdin_file ? "-" + stdin_file->filename().string() : ""));
        std::ostringstream err;
        CHECK(replay_files(job, err, stdin_file) == 2); // the bad line
        INFO(err.str());
        CHECK(err.str().find("replayed 48 exchange(s), 12 walk(s); 1 malformed line(s)") !=
              std::string::npos);
        return read_json(job.report.dir / "report.json").dump();
    };
    auto named = [](std::string doc, const std::string& from, const std::string& to) {
        for (std::size_t at = 0; (at = doc.find(from, at)) != std::string::npos; at += to.size())
            doc.replace(at, from.size(), to);
        return doc;
    };
    const std::string plain = run(dir / "day.jsonl", std::nullopt);
    CHECK(plain.find("day.jsonl:18") != std::string::npos); // the bad line, by its number
    const std::string plain_name = (dir / "day.jsonl").string();
    for (const char* name : {"day.jsonl.zst", "day.jsonl.gz"}) {
        INFO(name);
        const std::string file = (dir / name).string();
        CHECK(named(timeless(nlohmann::json::parse(run(dir / name, std::nullopt))).dump(), file,
                    plain_name) == timeless(nlohmann::json::parse(plain)).dump());
        CHECK(named(timeless(nlohmann::json::parse(run("-", dir / name))).dump(), "<stdin>",
                    plain_name) == timeless(nlohmann::json::parse(plain)).dump());
    }
}

TEST_CASE("run_replay: a truncated .gz/.zst is one bad input naming the file (exit 2), the "
          "lines before it replayed") {
    const fs::path dir = test::fresh_dir("replay-truncated");
    std::string text;
    for (std::size_t line = 1; line <= 400; ++line)
        text += jsonl_line(ucloud_page(0, 5, 3, line, line % 2 ? "api.ucloud.cn" : "x.example"));
    for (const auto& [name, bytes] :
         {std::pair<std::string, std::string>{"cut.jsonl.gz", gzip_bytes(text)},
          {"cut.jsonl.zst", zstd_bytes(text)}}) {
        INFO(name);
        // zstd hands out whole blocks (128 KB of lines): cut inside its last one.
        const bool zstd = name.ends_with(".zst");
        write_file(dir / name, bytes.substr(0, zstd ? bytes.size() - 10 : bytes.size() * 2 / 3));
        engine::ReplayJob job;
        job.files = {dir / name};
        job.report.dir = dir / ("report-" + name);
        std::ostringstream err;
        CHECK(replay_files(job, err) == 2);
        INFO(err.str());
        const nlohmann::json report = read_json(job.report.dir / "report.json");
        const std::size_t replayed = report.at("summary").at("cases").get<std::size_t>() - 1;
        CHECK(replayed > 50);
        CHECK(replayed < 400);
        CHECK(err.str().find("replayed " + std::to_string(replayed) +
                             " exchange(s); 1 malformed line(s)") != std::string::npos);
        // The skipped case names file:line, the line after the last one replayed.
        const std::string where = (dir / name).string() + ":" + std::to_string(replayed + 1);
        CHECK(report.dump().find(where) != std::string::npos);
        CHECK(report.dump().find("truncated") != std::string::npos);
    }
}

TEST_CASE("replay --shard K/N: every shard merged equals the unsharded replay") {
    const fs::path dir = test::fresh_dir("replay-shards");
    write_file(dir / "day.jsonl", day_of_traffic(8, 2));
    auto run = [&](const std::string& shard) {
        engine::ReplayJob job;
        job.files = {dir / "day.jsonl"};
        job.arguments = {"conform", "replay", "day.jsonl"};
        job.report.dir = dir / ("report-" + (shard.empty() ? "whole" : shard.substr(0, 1)));
        job.settings.jobs = 2;
        if (!shard.empty())
            job.settings.shard = engine::parse_shard(shard).value();
        std::ostringstream out, err;
        const int status = test::exit_status(engine::run_replay(job, out, err));
        INFO(err.str());
        return std::pair{status, job.report.dir / "report.json"};
    };
    const auto whole = run("");
    CHECK(whole.first == 2); // the bad line
    std::vector<report::NamedReport> shards;
    std::set<int> statuses;
    std::size_t shards_with_cases = 0;
    for (const char* shard : {"1/3", "2/3", "3/3"}) {
        const auto [status, file] = run(shard);
        statuses.insert(status);
        auto model = report::load_report(file);
        REQUIRE(model);
        shards_with_cases += !model->cases.empty();
        shards.push_back({file.string(), std::move(*model)});
    }
    CHECK(shards_with_cases >= 2); // the listings really were split
    CHECK(statuses.count(2) == 1); // only the shard that holds the bad line
    auto merged = report::merge_reports(std::move(shards));
    REQUIRE(merged);
    const nlohmann::json want = timeless(read_json(whole.second));
    const nlohmann::json got =
        timeless(nlohmann::json::parse(report::to_report_json(*merged).dump()));
    CHECK(got.dump(1) == want.dump(1));
    // The root cause found in several listings is one case counting every page.
    CHECK(got.dump().find("more recorded exchange(s) with the same findings") != std::string::npos);
}

TEST_CASE("replay --jobs N reads a plain recording in parts: the report of --jobs 1, line "
          "numbers exact, walks across part boundaries whole") {
    const fs::path dir = test::fresh_dir("replay-parts");
    // Interleaved walks (8 listings, 4 pages each, 3 rounds), a bad line (17), a blank line
    // and a last line without its '\n'; then a second file, numbered from 1 again.
    std::string text = day_of_traffic(8, 3) + "\n";
    const std::string last = jsonl_line(ucloud_page(0, 5, 3, 0));
    text += last.substr(0, last.size() - 1);
    write_file(dir / "day.jsonl", text);
    std::string second = day_of_traffic(2, 1);
    second += "not json\n"; // line 9 of the second file, in its second half
    write_file(dir / "second.jsonl", second);
    auto run = [&](const std::string& name, int jobs, std::size_t part_bytes, bool split) {
        engine::ReplayJob job;
        job.files = {dir / "day.jsonl", dir / "second.jsonl"};
        job.report.dir = dir / ("report-" + name);
        job.settings.jobs = jobs;
        job.settings.part_bytes = part_bytes;
        job.settings.split_reading = split;
        std::ostringstream err;
        CHECK(replay_files(job, err) == 2); // the bad lines
        INFO(err.str());
        CHECK(err.str().find("replayed 105 exchange(s), 26 walk(s); 2 malformed line(s)") !=
              std::string::npos);
        return timeless(read_json(job.report.dir / "report.json")).dump(1);
    };
    const std::string one = run("one", 1, 1 << 20, true);
    // The bad lines by their numbers in each file.
    CHECK(one.find("day.jsonl:18") != std::string::npos);
    CHECK(one.find("second.jsonl:9\"") != std::string::npos);
    // A part boundary exactly at a line start (the 40th), inside lines, and one per byte.
    std::size_t line_start = 0;
    for (int n = 0; n < 40; ++n)
        line_start = text.find('\n', line_start) + 1;
    for (const std::size_t part_bytes :
         {line_start, std::size_t{1000}, std::size_t{4096}, text.size() / 2, std::size_t{3}}) {
        INFO("part_bytes " << part_bytes);
        CHECK(run("two-" + std::to_string(part_bytes), 2, part_bytes, true) == one);
    }
    CHECK(run("three", 3, 777, true) == one);
    CHECK(run("one-reader", 2, 1000, false) == one);
}

TEST_CASE("replay --jobs 2 in parts: a walk whose pages straddle a part boundary is one walk") {
    const fs::path dir = test::fresh_dir("replay-parts-walk");
    // One listing of 4 pages of 3 over 12 items, the third repeating an item of the second:
    // only a walk finds pagination.duplicate, and only if its pages stay together.
    std::string text;
    for (int page = 0; page < 4; ++page) {
        record::Recorded r = ucloud_page(page * 3, 3, 12, 0);
        if (page == 2)
            r = ucloud_page(5, 3, 12, 0); // items 5..7: 5 again
        r.exchange.request.query = {{"Action", "GetRepo"},
                                    {"Offset", std::to_string(page * 3)},
                                    {"Limit", "3"},
                                    {"PublicKey", "REDACTED"},
                                    {"Signature", "REDACTED"}};
        text += jsonl_line(r);
    }
    write_file(dir / "walk.jsonl", text);
    for (const std::size_t part_bytes : {text.size() / 2, text.size() / 4, std::size_t{1}}) {
        INFO("part_bytes " << part_bytes);
        engine::ReplayJob job;
        job.files = {dir / "walk.jsonl"};
        job.report.dir = dir / ("report-" + std::to_string(part_bytes));
        job.settings.jobs = 2;
        job.settings.part_bytes = part_bytes;
        std::ostringstream err;
        CHECK(replay_files(job, err) == 1);
        INFO(err.str());
        CHECK(err.str().find("replayed 4 exchange(s), 1 walk(s)") != std::string::npos);
        const std::string report = read_json(job.report.dir / "report.json").dump();
        CHECK(report.find("pagination.duplicate") != std::string::npos);
        CHECK(report.find("walk.jsonl:1..4") != std::string::npos);
    }
}

TEST_CASE("replay: every duration comes from the injected clock") {
    std::vector<engine::VectorSource::Item> items;
    for (auto& item :
         read_lines(contract::default_schemas_dir() / "ucloud-uhub/GetRepo.samples.jsonl"))
        items.push_back(std::move(item));
    const core::ManualClock fixed(1767323045); // monotonic time stands still
    engine::ReplaySettings settings;
    settings.clock = &fixed;
    ReplayCollector out;
    const engine::ReplayOutcome outcome = replay(std::move(items), out, settings);
    REQUIRE_FALSE(out.cases.empty());
    CHECK(outcome.summary.seconds == 0);
    for (const report::CaseResult& c : out.cases)
        CHECK(c.seconds == 0);
}
