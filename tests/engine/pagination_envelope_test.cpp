// A listing found under another parent is still paged (issue 16), through the whole runner over
// loopback sockets: the reference server with each pagination persona, its success pages moved
// under "data" on the way out (Tencent's sample shape), must give the same pagination
// deviations as the flat persona, live and replayed, and the {{total}} cases must run.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"
#include "runner/serve/serve.hpp"
#include "tests/support/exit_status.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/silent_reporter.hpp"

using namespace conform;
namespace fs = std::filesystem;
using nlohmann::json;

using test::Silent;

namespace {

struct Seed {
    contract::Contract contract;
    std::vector<contract::CaseFile> cases;
    serve::Fixtures fixtures;
};

const Seed& seed(const std::string& name) {
    static std::map<std::string, Seed> loaded;
    auto it = loaded.find(name);
    if (it != loaded.end())
        return it->second;
    auto c = contract::load_contract(contract::default_schemas_dir() / name);
    REQUIRE(c);
    auto cases = contract::load_cases_for(*c, contract::default_cases_dir(),
                                          contract::default_schemas_dir());
    REQUIRE(cases);
    auto fixtures = serve::load_fixtures(*c, contract::default_cases_dir());
    REQUIRE(fixtures);
    return loaded.emplace(name, Seed{std::move(*c), std::move(*cases), std::move(*fixtures)})
        .first->second;
}

// A success page with its list and total moved one level down, under "data" (the paged
// operation whose list the body holds).
std::string envelope(const contract::Contract& contract, const std::string& text) {
    json body = json::parse(text, nullptr, false);
    if (!body.is_object())
        return text;
    for (const auto& [name, op] : contract.operations) {
        if (!op.pagination)
            continue;
        const json::json_pointer items(op.pagination->items_pointer);
        const json::json_pointer total(op.pagination->total_pointer);
        if (!body.contains(items))
            continue;
        json data = json::object();
        for (const json::json_pointer& p : {items, total})
            if (body.contains(p)) {
                data[p] = body.at(p);
                body.at(p.parent_pointer()).erase(p.back());
            }
        body["data"] = std::move(data);
        return body.dump();
    }
    return text;
}

// The reference with persona on a loopback port, enveloped or flat.
std::unique_ptr<http::Server> start(const Seed& s, serve::PersonaId persona, bool enveloped) {
    serve::ReferenceOptions options;
    options.persona = persona;
    auto made = serve::make_reference(s.contract, s.fixtures, options);
    REQUIRE(made);
    std::shared_ptr<serve::Reference> reference = *made;
    const contract::Contract* contract = &s.contract;
    auto server = http::Server::start({}, [=](const http::ServerRequest& r) {
        http::ServerResponse answer = reference->answer(r);
        if (enveloped)
            answer.body = envelope(*contract, answer.body);
        return answer;
    });
    REQUIRE(server);
    return std::move(*server);
}

struct Seen {
    std::multiset<std::string> ids; // pagination.* ids, once per case that shows them
    std::vector<std::string> messages;
    std::vector<std::string> skipped;
};

void collect(const report::CaseResult& c, Seen& seen) {
    if (!c.skipped.empty())
        seen.skipped.push_back(c.name + ": " + c.skipped);
    std::set<std::string> in_case;
    for (const report::CheckResult& check : c.checks)
        for (const core::Deviation& d : check.deviations)
            if (core::name_of(d.id).starts_with("pagination.")) {
                in_case.insert(std::string(core::name_of(d.id)));
                seen.messages.push_back(d.message);
            }
    for (const std::string& id : in_case)
        seen.ids.insert(id);
}

// Every case of the contract against url; with record, every exchange appended there.
Seen run_live(const Seed& s, const std::string& url, const fs::path* record = nullptr) {
    http::ClientOptions client;
    auto transport = http::make_transport(client);
    REQUIRE(transport);
    engine::Target t;
    t.contract = &s.contract;
    t.cases = &s.cases;
    t.name = "candidate";
    t.url = url;
    t.credentials = serve::test_credentials(*http::find_scheme(s.contract.signing));
    engine::RunSettings settings;
    settings.retries = 0;
    settings.jobs = 4;
    std::optional<record::RecordingWriter> writer;
    if (record) {
        auto opened = record::RecordingWriter::open(*record);
        REQUIRE(opened);
        writer.emplace(std::move(*opened));
        settings.recorder = &*writer;
    }
    http::SystemClock clock;
    http::RandomNonceSource nonces(16);
    Silent silent;
    const auto outcome = engine::run_targets({t}, settings, {**transport, clock, nonces}, silent);
    Seen seen;
    for (const report::CaseResult& c : outcome.cases)
        collect(c, seen);
    return seen;
}

Seen replay(const fs::path& file, const fs::path& dir) {
    engine::ReplayJob job;
    job.files = {file};
    job.report.dir = dir;
    job.report.console.quiet = true;
    std::ostringstream out, err;
    const int code = test::exit_status(engine::run_replay(job, out, err));
    INFO(err.str());
    CHECK((code == 0 || code == 1));
    std::ifstream in(dir / "report.json");
    REQUIRE(in);
    const json report = json::parse(in);
    Seen seen;
    for (const auto& target : report.at("targets"))
        for (const auto& c : target.at("cases")) {
            std::set<std::string> in_case;
            for (const auto& check : c.at("checks"))
                for (const auto& d : check.at("deviations"))
                    if (d.at("id").get<std::string>().starts_with("pagination.")) {
                        in_case.insert(d.at("id").get<std::string>());
                        seen.messages.push_back(d.at("message").get<std::string>());
                    }
            for (const std::string& id : in_case)
                seen.ids.insert(id);
        }
    return seen;
}

std::string text(const std::multiset<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids)
        out += (out.empty() ? "" : ", ") + id;
    return out.empty() ? "-" : out;
}

void each_says_where(const Seen& seen, const std::string& where) {
    for (const std::string& m : seen.messages) {
        INFO(m);
        CHECK(m.find("(list at " + where + ")") != std::string::npos);
    }
}

} // namespace

TEST_CASE("each pagination fault is reported for a data-enveloped listing as for a flat one",
          "[pagination-envelope]") {
    const Seed& s = seed("ucloud-uhub");
    const fs::path dir = test::fresh_dir("engine-pagination-envelope");
    fs::create_directories(dir);
    for (const serve::PersonaId persona :
         {serve::PersonaId::duplicate_items, serve::PersonaId::off_by_one,
          serve::PersonaId::ignore_limit, serve::PersonaId::wrong_default_limit,
          serve::PersonaId::unstable_total}) {
        const std::string name(serve::name_of(persona));
        INFO(name);
        auto flat_server = start(s, persona, false);
        auto enveloped_server = start(s, persona, true);
        const fs::path flat_file = dir / (name + "-flat.jsonl");
        const fs::path enveloped_file = dir / (name + "-data.jsonl");
        const Seen flat = run_live(s, flat_server->base_url(), &flat_file);
        const Seen enveloped = run_live(s, enveloped_server->base_url(), &enveloped_file);
        INFO("flat: " << text(flat.ids) << "; enveloped: " << text(enveloped.ids));
        // The persona's declared ids are what the flat run shows...
        for (core::DeviationId id : serve::info(persona).expected.ids())
            CHECK(flat.ids.count(std::string(core::name_of(id))) > 0);
        // ...and the enveloped run shows exactly those, case for case, saying where.
        CHECK(enveloped.ids == flat.ids);
        CHECK(enveloped.skipped == flat.skipped);
        each_says_where(enveloped, "/data/RepoSet");

        // Replay of what was recorded: the same again.
        const Seen flat_replayed = replay(flat_file, dir / (name + "-flat"));
        const Seen enveloped_replayed = replay(enveloped_file, dir / (name + "-data"));
        INFO("replayed flat: " << text(flat_replayed.ids)
                               << "; enveloped: " << text(enveloped_replayed.ids));
        CHECK_FALSE(flat_replayed.ids.empty());
        CHECK(enveloped_replayed.ids == flat_replayed.ids);
        each_says_where(enveloped_replayed, "/data/RepoSet");
        flat_server->stop();
        enveloped_server->stop();
    }
    fs::remove_all(dir);
}

TEST_CASE("data-envelope: the probe finds the total under data, the {{total}} cases run",
          "[pagination-envelope]") {
    const Seed& s = seed("tencent-ccr");
    serve::ReferenceOptions options;
    options.persona = serve::PersonaId::data_envelope;
    auto made = serve::make_reference(s.contract, s.fixtures, options);
    REQUIRE(made);
    auto server = serve::start_reference(*made, {});
    REQUIRE(server);
    const Seen seen = run_live(s, (*server)->base_url());
    INFO(text(seen.ids));
    for (const std::string& why : seen.skipped)
        INFO(why);
    CHECK(seen.skipped.empty()); // offset-at-end and offset-past-end included
    CHECK(seen.ids.empty());     // the persona pages correctly, one level down
    (*server)->stop();

    // The same listing enveloped by hand over a persona that ignores the offset: the
    // offset-at-end case now sees the first page again (past-end), as a flat one does.
    auto ignoring = start(s, serve::PersonaId::ignore_offset, true);
    const Seen faulty = run_live(s, ignoring->base_url());
    INFO(text(faulty.ids));
    CHECK(faulty.skipped.empty());
    CHECK(faulty.ids.count("pagination.past-end") > 0);
    CHECK(faulty.ids.count("pagination.offset-ignored") > 0);
    each_says_where(faulty, "/data/repoInfo");
}
