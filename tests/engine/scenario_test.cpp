// Issue 17: write operations checked as scenarios. Against the reference and the five write
// personas on real loopback sockets: each broken transition is reported with exactly its state
// id, the reference is clean, what the run created is deleted afterwards (after a failure in
// the middle and after an interruption too), and no write reaches an external target without
// --allow-writes (the reference counts requests by operation).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

#include "runner/checks/checks.hpp"
#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"
#include "runner/record/record.hpp"
#include "runner/serve/serve.hpp"
#include "tests/support/silent_reporter.hpp"

using namespace conform;

namespace {

struct Uhub {
    contract::Contract contract;
    std::vector<contract::CaseFile> cases;
    serve::Fixtures fixtures;
};

const Uhub& uhub() {
    static const Uhub loaded = [] {
        auto c = contract::load_contract(contract::default_schemas_dir() / "ucloud-uhub");
        REQUIRE(c);
        auto f = serve::load_fixtures(*c, contract::default_cases_dir());
        REQUIRE(f);
        return Uhub{std::move(*c), {}, std::move(*f)};
    }();
    return loaded;
}

// Forwards to the real transport; sets `flag` once a request names `action` (a signal
// arriving in the middle of a scenario).
class InterruptingTransport final : public http::Transport {
public:
    InterruptingTransport(http::Transport& inner, std::string action, std::atomic<bool>& flag)
        : m_inner(inner), m_action(std::move(action)), m_flag(flag) {}
    http::Exchange send(const http::Request& request) override {
        const std::string* action = request.query.find("Action");
        if (action && *action == m_action)
            m_flag.store(true);
        return m_inner.send(request);
    }

private:
    http::Transport& m_inner;
    std::string m_action;
    std::atomic<bool>& m_flag;
};

// Refuses every request naming `action` itself (the documented error envelope, never sent
// on): a target that will not delete.
class RefusingTransport final : public http::Transport {
public:
    // action: refused with an error envelope; unanswered: no answer (a read timeout).
    RefusingTransport(http::Transport& inner, std::string action, std::string unanswered = {})
        : m_inner(inner), m_action(std::move(action)), m_unanswered(std::move(unanswered)) {}
    http::Exchange send(const http::Request& request) override {
        const std::string* action = request.query.find("Action");
        http::Exchange x;
        x.request = request;
        if (action && !m_unanswered.empty() && *action == m_unanswered) {
            x.failure = http::TransportFailure{http::FailureKind::read_timeout,
                                               "read-timeout: the test's target never answers"};
            return x;
        }
        if (!action || *action != m_action)
            return m_inner.send(request);
        http::Response response;
        response.status = 200;
        response.headers.push_back({"Content-Type", "application/json"});
        response.body = nlohmann::json{{"Action", m_action + "Response"},
                                       {"RetCode", 8701},
                                       {"Message", "the test's target refuses to delete"}}
                            .dump();
        x.response = std::move(response);
        return x;
    }

private:
    http::Transport& m_inner;
    std::string m_action;
    std::string m_unanswered;
};

struct ScenarioRun {
    std::shared_ptr<serve::Reference> reference;
    engine::RunOutcome outcome;
    // the scenario case of the run
    [[nodiscard]] const report::CaseResult& scenario() const {
        for (const report::CaseResult& r : outcome.cases)
            if (r.kind == "scenario")
                return r;
        FAIL("no scenario case in the run");
        return outcome.cases.front();
    }
    [[nodiscard]] std::set<core::DeviationId> ids() const {
        std::set<core::DeviationId> out;
        for (const report::CheckResult& c : scenario().checks)
            for (const core::Deviation& d : c.deviations)
                out.insert(d.id);
        return out;
    }
    // GetRepo's items now whose RepoName starts "conform-": what the run left behind.
    [[nodiscard]] std::size_t left_behind() const {
        std::size_t n = 0;
        for (const nlohmann::json& item : reference->listing_items("GetRepo"))
            if (item.value("RepoName", std::string()).rfind("conform-", 0) == 0)
                ++n;
        return n;
    }
    [[nodiscard]] std::size_t sent(const std::string& operation) const {
        const auto counts = reference->requests_by_operation();
        auto it = counts.find(operation);
        return it == counts.end() ? 0 : it->second;
    }
};

struct RunOptions {
    bool allow_writes = true;
    const char* interrupt_at = nullptr; // an Action whose request sets the interruption flag
    const std::filesystem::path* record = nullptr; // every exchange appended here
    const char* refuse = nullptr;         // an Action the target refuses, whatever it names
    const char* unanswered = nullptr;     // an Action the target never answers
    std::vector<std::string> checks = {}; // --check: empty, every one
};

// The scenarios of ucloud-uhub (no read-only case) against the persona on a real socket.
ScenarioRun run_scenarios(serve::PersonaId persona, RunOptions options = {}) {
    const Uhub& u = uhub();
    serve::ReferenceOptions reference_options;
    reference_options.persona = persona;
    auto reference = serve::make_reference(u.contract, u.fixtures, reference_options);
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    auto transport = http::make_transport({});
    REQUIRE(transport);
    std::atomic<bool> interrupted{false};
    RefusingTransport refusing(**transport, options.refuse ? options.refuse : "",
                               options.unanswered ? options.unanswered : "");
    InterruptingTransport interrupting(refusing, options.interrupt_at ? options.interrupt_at : "",
                                       interrupted);

    engine::Target target;
    target.contract = &u.contract;
    target.cases = &u.cases;
    target.name = "candidate";
    target.url = (*server)->base_url();
    target.credentials = serve::test_credentials(*http::find_scheme(u.contract.signing));
    target.scenarios = contract::scenarios_of(u.contract);
    target.allow_writes = options.allow_writes;
    engine::RunSettings settings;
    settings.retries = 0;
    settings.run_id = "test";
    settings.checks = options.checks;
    settings.interrupted = &interrupted;
    std::optional<record::RecordingWriter> recorder;
    if (options.record) {
        auto opened = record::RecordingWriter::open(*options.record);
        REQUIRE(opened);
        recorder.emplace(std::move(*opened));
        settings.recorder = &*recorder;
    }
    http::SystemClock clock;
    http::RandomNonceSource nonces(7);
    test::Silent silent;
    ScenarioRun out;
    out.outcome = engine::run_targets({target}, settings, {interrupting, clock, nonces}, silent);
    (*server)->stop();
    out.reference = *reference;
    return out;
}

std::string names(const std::set<core::DeviationId>& ids) {
    std::string out;
    for (auto id : ids)
        out += (out.empty() ? "" : ", ") + std::string(core::name_of(id));
    return out.empty() ? "-" : out;
}

} // namespace

TEST_CASE("scenarios: UHub's Repo is derived from the family's names and its shared key",
          "[scenarios]") {
    const auto scenarios = contract::scenarios_of(uhub().contract);
    REQUIRE(scenarios.size() == 1);
    const contract::Scenario& s = scenarios.front();
    CHECK(s.name == "Repo");
    CHECK(s.create == "CreateRepo");
    CHECK(s.update == "UpdateRepo");
    CHECK(s.remove == "DeleteRepo");
    CHECK(s.listing == "GetRepo");
    CHECK(s.key == "RepoName");
    CHECK_FALSE(s.declared);
}

TEST_CASE("scenarios: the reference passes and keeps nothing the run created", "[scenarios]") {
    const ScenarioRun run = run_scenarios(serve::PersonaId::reference);
    const report::CaseResult& r = run.scenario();
    INFO(r.skipped << " " << nlohmann::json(r.exchanges).dump(1));
    CHECK(r.skipped.empty());
    CHECK(r.deviation_count() == 0);
    CHECK(run.ids().empty());
    CHECK(run.left_behind() == 0);
    // create, update, delete, delete again, create, create again, clean up
    CHECK(run.sent("CreateRepo") == 3);
    CHECK(run.sent("UpdateRepo") == 1);
    CHECK(run.sent("DeleteRepo") == 3);
    // and a delete of an image the new Repo cannot hold, refused
    CHECK(run.sent("DeleteRepoImage") == 1);
    // every step is an exchange with its name and verdict
    REQUIRE(!r.exchanges.empty());
    for (const nlohmann::json& x : r.exchanges) {
        REQUIRE(x.contains("step"));
        CHECK(x["step"]["verdict"] == "ok");
    }
    // the created repository was listed with the fields the create sent
    CHECK(r.exchanges.front()["request"]["url"].get<std::string>().find(
              "RepoName=conform-test-1-1") != std::string::npos);
}

TEST_CASE("scenarios: each write persona is reported with exactly its state id",
          "[scenarios][personas]") {
    using serve::PersonaId;
    for (PersonaId id : {PersonaId::create_noop, PersonaId::update_noop, PersonaId::delete_noop,
                         PersonaId::delete_missing_ok, PersonaId::duplicate_create_ok}) {
        const serve::PersonaInfo& persona = serve::info(id);
        const ScenarioRun run = run_scenarios(id);
        std::set<core::DeviationId> expected;
        for (auto e : persona.expected.ids())
            expected.insert(e);
        INFO(persona.name << ": produced " << names(run.ids()) << ", expected " << names(expected));
        CHECK(run.ids() == expected);
        // what this run created is gone, except where the persona keeps what it was told to
        // delete (then the report names it)
        if (id == PersonaId::delete_noop) {
            CHECK(run.left_behind() == 1);
        } else {
            CHECK(run.left_behind() == 0);
        }
    }
}

TEST_CASE("scenarios: a failure in the middle still deletes what the run created", "[scenarios]") {
    // update-noop: the scenario stops after the update's read-back, then cleans up
    const ScenarioRun run = run_scenarios(serve::PersonaId::update_noop);
    CHECK(run.ids() == std::set{core::DeviationId::state_update_not_visible});
    CHECK(run.sent("DeleteRepo") == 1);
    CHECK(run.left_behind() == 0);
}

TEST_CASE("scenarios: an interruption between steps cleans up and reports it", "[scenarios]") {
    const ScenarioRun run =
        run_scenarios(serve::PersonaId::reference, {.interrupt_at = "CreateRepo"});
    const report::CaseResult& r = run.scenario();
    CHECK(run.sent("CreateRepo") == 1);
    CHECK(run.sent("UpdateRepo") == 0);
    CHECK(run.sent("DeleteRepo") == 1);
    CHECK(run.left_behind() == 0);
    bool said = false;
    for (const std::string& e : r.environment)
        said = said || e.find("interrupted") != std::string::npos;
    CHECK(said);
}

TEST_CASE("scenarios: without --allow-writes no write reaches an external target", "[scenarios]") {
    const ScenarioRun run = run_scenarios(serve::PersonaId::reference, {.allow_writes = false});
    const report::CaseResult& r = run.scenario();
    CHECK(r.skipped.find("--allow-writes") != std::string::npos);
    CHECK(run.sent("CreateRepo") == 0);
    CHECK(run.sent("UpdateRepo") == 0);
    CHECK(run.sent("DeleteRepo") == 0);
}

TEST_CASE("scenarios: conform run --target sends no write without --allow-writes", "[scenarios]") {
    const Uhub& u = uhub();
    auto reference = serve::make_reference(u.contract, u.fixtures, {});
    REQUIRE(reference);
    auto server = serve::start_reference(*reference, {});
    REQUIRE(server);
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("conform-scenario-test-" + std::to_string(::getpid()));
    engine::RunJob job;
    job.targets = {{"candidate", (*server)->base_url()}};
    job.contracts = {"ucloud-uhub"};
    job.report.dir = dir;
    job.report.console.quiet = true;
    std::ostringstream out, err;
    auto verdict = engine::run_run(job, out, err);
    (*server)->stop();
    INFO(err.str());
    REQUIRE(verdict);
    const auto counts = (*reference)->requests_by_operation();
    CHECK(counts.count("CreateRepo") == 0);
    CHECK(counts.count("UpdateRepo") == 0);
    CHECK(counts.count("DeleteRepo") == 0);
    std::ifstream in(dir / "report.json");
    const auto report = nlohmann::json::parse(in);
    std::filesystem::remove_all(dir);
    bool skipped = false;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases"))
            if (c.at("kind") == "scenario")
                skipped = c.value("skipped_reason", "").find("--allow-writes") != std::string::npos;
    CHECK(skipped);
}

namespace {

// Collects what a replay reports.
class Cases final : public report::Reporter {
public:
    void case_ended(const report::CaseResult& c) override { cases.push_back(c); }
    std::vector<report::CaseResult> cases;
};

struct Replayed {
    engine::ReplayOutcome outcome;
    std::vector<report::CaseResult> cases;
    [[nodiscard]] const report::CaseResult* scenario() const {
        for (const report::CaseResult& c : cases)
            if (c.kind == "scenario")
                return &c;
        return nullptr;
    }
};

// The UHub contract as replay takes it (a list: Contract cannot be copied).
const std::vector<contract::Contract>& replay_contracts() {
    static const std::vector<contract::Contract> loaded = [] {
        auto c = contract::load_contract(contract::default_schemas_dir() / "ucloud-uhub");
        REQUIRE(c);
        std::vector<contract::Contract> out;
        out.push_back(std::move(*c));
        return out;
    }();
    return loaded;
}

Replayed replay_scenario_file(const std::filesystem::path& file,
                              engine::ReplaySettings settings = {}) {
    const std::vector<contract::Contract>& contracts = replay_contracts();
    const std::vector<std::vector<contract::CaseFile>> cases{{}};
    auto source = engine::RecordingFiles::open({file});
    REQUIRE(source);
    Cases collected;
    Replayed out;
    out.outcome = engine::replay_exchanges(**source, {contracts, cases}, settings, collected);
    out.cases = std::move(collected.cases);
    return out;
}

std::set<core::DeviationId> ids_of(const report::CaseResult& c) {
    std::set<core::DeviationId> out;
    for (const report::CheckResult& check : c.checks)
        for (const core::Deviation& d : check.deviations)
            out.insert(d.id);
    return out;
}

struct TempFile {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("conform-scenario-" + std::to_string(::getpid()) + ".jsonl");
    TempFile() { std::filesystem::remove(path); }
    ~TempFile() { std::filesystem::remove(path); }
};

} // namespace

TEST_CASE("scenarios: recorded with the run, replayed offline as the same scenario",
          "[scenarios][replay]") {
    TempFile file;
    const ScenarioRun live = run_scenarios(serve::PersonaId::reference, {.record = &file.path});
    REQUIRE(live.scenario().skipped.empty());
    const Replayed r = replay_scenario_file(file.path);
    // One case, passed: the scenario, judged whole. A passing case is only counted, so nothing
    // is listed: no step was judged on its own (the refusals, delete again and create twice,
    // would have failed as single exchanges).
    CHECK(r.outcome.exchanges == live.scenario().exchanges.size());
    CHECK(r.outcome.summary.cases == 1);
    CHECK(r.outcome.summary.passed == 1);
    CHECK(r.outcome.summary.failed == 0);
    CHECK(r.cases.empty());
}

TEST_CASE("scenarios: a broken transition recorded is reported by the replay",
          "[scenarios][replay][personas]") {
    using serve::PersonaId;
    for (PersonaId id : {PersonaId::create_noop, PersonaId::update_noop, PersonaId::delete_noop,
                         PersonaId::delete_missing_ok, PersonaId::duplicate_create_ok}) {
        TempFile file;
        const ScenarioRun live = run_scenarios(id, {.record = &file.path});
        const Replayed r = replay_scenario_file(file.path);
        const report::CaseResult* s = r.scenario();
        REQUIRE(s);
        INFO(serve::info(id).name << ": " << s->skipped);
        CHECK(ids_of(*s) == live.ids());
        CHECK(!ids_of(*s).empty());
        // The same with two workers reading parts of the file (the steps meet again in order).
        engine::ReplaySettings parts;
        parts.jobs = 2;
        parts.part_bytes = 700;
        const Replayed split = replay_scenario_file(file.path, parts);
        REQUIRE(split.scenario());
        CHECK(ids_of(*split.scenario()) == live.ids());
        CHECK(split.outcome.summary.cases == r.outcome.summary.cases);
    }
}

TEST_CASE("scenarios: a recording that does not follow the scenario is skipped, naming the step",
          "[scenarios][replay]") {
    TempFile file;
    (void)run_scenarios(serve::PersonaId::reference, {.record = &file.path});
    // Drop the update's line: the scenario's third request finds the read-back in its place.
    std::vector<std::string> lines;
    {
        std::ifstream in(file.path);
        for (std::string line; std::getline(in, line);)
            if (line.find(R"(["Action","UpdateRepo"])") == std::string::npos)
                lines.push_back(line);
    }
    {
        std::ofstream out(file.path, std::ios::trunc);
        for (const std::string& line : lines)
            out << line << '\n';
    }
    REQUIRE(lines.size() > 1);
    const Replayed r = replay_scenario_file(file.path);
    const report::CaseResult* s = r.scenario();
    REQUIRE(s);
    INFO(s->skipped);
    CHECK(s->skipped.find("does not follow the scenario") != std::string::npos);
    CHECK(s->skipped.find("UpdateRepo") != std::string::npos);
    CHECK(s->checks.empty());
}

TEST_CASE("scenarios: a delete of what the new resource does not hold must be refused",
          "[scenarios][personas]") {
    // delete-missing-ok answers success for what does not exist: the dependent delete
    // (DeleteRepoImage in a Repo just created) is reported on its own operation.
    const ScenarioRun run = run_scenarios(serve::PersonaId::delete_missing_ok);
    std::set<std::string> operations;
    for (const report::CheckResult& c : run.scenario().checks)
        for (const core::Deviation& d : c.deviations)
            if (d.id == core::DeviationId::state_delete_missing_accepted)
                operations.insert(d.operation);
    CHECK(operations == std::set<std::string>{"DeleteRepo", "DeleteRepoImage"});
    // the reference refuses it, naming the Repo
    const ScenarioRun clean = run_scenarios(serve::PersonaId::reference);
    bool refused = false;
    for (const nlohmann::json& x : clean.scenario().exchanges)
        if (x.at("step").at("name").get<std::string>().starts_with("DeleteRepoImage"))
            refused = x.at("step").at("verdict") == "ok";
    CHECK(refused);
}

TEST_CASE("scenarios: a resource the target refuses to delete is named in the report",
          "[scenarios]") {
    const ScenarioRun run = run_scenarios(serve::PersonaId::reference, {.refuse = "DeleteRepo"});
    const report::CaseResult& r = run.scenario();
    CHECK(run.left_behind() == 1); // the target kept it: nothing else could be done
    bool named = false;
    for (const std::string& e : r.environment)
        named = named || (e.starts_with("left behind: RepoName conform-test-1-1") &&
                          e.find("DeleteRepo refused") != std::string::npos);
    INFO(nlohmann::json(r.environment).dump(1));
    CHECK(named);
    // and the refused delete, which the scenario expected to succeed, is a finding
    CHECK(r.deviation_count() > 0);
}

TEST_CASE("scenarios: a delete that got no answer is named as not answered, not refused",
          "[scenarios]") {
    const ScenarioRun run =
        run_scenarios(serve::PersonaId::reference, {.unanswered = "DeleteRepo"});
    const report::CaseResult& r = run.scenario();
    INFO(nlohmann::json(r.environment).dump(1));
    bool named = false;
    for (const std::string& e : r.environment)
        named = named || (e.starts_with("left behind: RepoName conform-test-1-1") &&
                          e.find("DeleteRepo not answered") != std::string::npos);
    CHECK(named);
}

TEST_CASE("scenarios: --check state selects the state check and leaves it out otherwise",
          "[scenarios]") {
    // create-noop answers the create and lists nothing: the state check's finding alone.
    REQUIRE(checks::find_check("state"));
    auto state_of = [](const report::CaseResult& r) {
        return std::count_if(r.checks.begin(), r.checks.end(),
                             [](const report::CheckResult& c) { return c.name == "state"; });
    };
    const ScenarioRun chosen = run_scenarios(serve::PersonaId::create_noop, {.checks = {"state"}});
    CHECK(state_of(chosen.scenario()) == 1);
    CHECK(chosen.scenario().deviation_count() > 0);
    const ScenarioRun other = run_scenarios(serve::PersonaId::create_noop, {.checks = {"schema"}});
    CHECK(state_of(other.scenario()) == 0);
    CHECK(other.scenario().deviation_count() == 0);
}
