// run_run: `conform run`. Loads the contracts and their cases, builds the targets (the
// --target URLs, or the embedded default: the reference server in-process for each contract,
// as `reference` and as `doc-sample`), runs them, and writes the reports.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <unistd.h>

#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/engine/internal/reporting.hpp"
#include "runner/engine/run.hpp"
#include "runner/serve/serve.hpp"

namespace conform::engine {
namespace {

namespace fs = std::filesystem;

core::Result<http::QueryParams> parse_params(const std::vector<std::string>& specs) {
    http::QueryParams out;
    for (const std::string& spec : specs) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
            return core::fail("--param expects NAME=VALUE, got \"" + spec + "\"");
        out.add(spec.substr(0, eq), spec.substr(eq + 1));
    }
    return out;
}

// What the run owns while it lasts: the contracts, their cases, the in-process servers.
struct Plan {
    std::vector<contract::Contract> contracts;
    std::vector<std::vector<contract::CaseFile>> cases; // per contract
    std::vector<std::shared_ptr<serve::Reference>> references;
    std::vector<std::unique_ptr<http::Server>> servers;
    std::vector<Target> targets;
    std::optional<fs::path> ca_file; // the embedded servers' certificate (--tls)
};

core::Result<void> load(const RunJob& job, Plan& plan) {
    const fs::path schemas =
        job.schemas_dir.empty() ? contract::default_schemas_dir() : job.schemas_dir;
    const fs::path cases = job.cases_dir.empty() ? contract::default_cases_dir() : job.cases_dir;
    contract::LoadOptions load = job.settings.limits.contracts();
    load.threads = static_cast<unsigned>(std::max(1, job.settings.jobs)); // --jobs cores
    CONFORM_TRY(plan.contracts, contract::load_named_contracts(schemas, job.contracts, load));
    for (const contract::Contract& c : plan.contracts) {
        CONFORM_TRY(auto files, contract::plan_cases(c, cases, schemas));
        plan.cases.push_back(std::move(files));
    }
    return {};
}

} // namespace

std::map<std::string, std::string, std::less<>> embedded_link_values(const contract::Contract& c,
                                                                     const serve::Fixtures& f) {
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& [name, op] : c.operations)
        for (const contract::Link& link : contract::links_of(c, op)) {
            const serve::OperationFixture* producer = f.find(link.from);
            const auto slash = link.pointer.rfind('/');
            if (!producer || producer->items.empty() || slash == std::string::npos)
                continue;
            const nlohmann::json& item = producer->items.front();
            auto v = item.find(link.pointer.substr(slash + 1));
            if (v != item.end() && (v->is_string() || v->is_number_integer()))
                out.emplace(name + "/" + link.param,
                            v->is_string() ? v->get<std::string>() : v->dump());
        }
    return out;
}

namespace {

// The embedded default: one in-process reference server per contract and persona.
core::Result<void> embedded_targets(const RunJob& job, Plan& plan, std::ostream& err) {
    std::vector<serve::Persona> personas;
    for (const std::string& name : job.personas) {
        auto p = serve::parse_persona(name); // "data-envelope+ignore-limit" combines rows
        if (!p)
            return core::fail(p.error().message + " (conform serve --list-personas)");
        personas.push_back(std::move(*p));
    }
    if (personas.empty())
        personas = {serve::PersonaId::reference, serve::PersonaId::doc_sample};
    const fs::path cases = job.cases_dir.empty() ? contract::default_cases_dir() : job.cases_dir;
    for (std::size_t i = 0; i < plan.contracts.size(); ++i) {
        const contract::Contract& c = plan.contracts[i];
        CONFORM_TRY(serve::Fixtures fixtures, serve::load_fixtures(c, cases));
        std::map<std::string, std::string, std::less<>> no_data;
        for (const auto& [op, why] : fixtures.unsynthesizable) {
            no_data.emplace(op, "the reference has no data for " + op + ": " + why.to_string());
            err << "conform: the reference has no data for " << c.name << " " << op << ": "
                << why.to_string() << '\n';
        }
        for (const serve::Persona& persona : personas) {
            const serve::Applicability fit = serve::applicability(persona, c, fixtures);
            if (!fit.applies) {
                err << "conform: persona " << persona.name() << " does not apply to " << c.name
                    << ": " << fit.why_not << '\n';
                continue;
            }
            serve::ReferenceOptions reference_options;
            reference_options.persona = persona;
            if (job.clock) // the run's clock, not owned: the servers stop before the run ends
                reference_options.clock = std::shared_ptr<const core::Clock>(
                    std::shared_ptr<const core::Clock>(), job.clock);
            CONFORM_TRY(auto reference, serve::make_reference(c, fixtures, reference_options));
            http::ServerOptions options;
            options.tls = job.tls;
            CONFORM_TRY(auto server, serve::start_reference(reference, options));
            if (job.tls && !plan.ca_file) {
                // The client trusts exactly the certificate the servers made at start.
                plan.ca_file = fs::temp_directory_path() /
                               ("conform-ca-" + std::to_string(::getpid()) + ".pem");
                std::ofstream(*plan.ca_file) << server->certificate_pem();
            }
            Target t;
            t.contract = &c;
            t.cases = &plan.cases[i];
            t.name = persona.name();
            t.url = server->base_url();
            t.persona = t.name;
            t.no_data = no_data;
            t.known_values = embedded_link_values(c, fixtures);
            t.scenarios = contract::scenarios_of(c);
            t.allow_writes = true; // each embedded reference has its own store
            if (const http::Scheme* scheme = http::find_scheme(c.signing))
                t.credentials = serve::test_credentials(*scheme);
            plan.references.push_back(std::move(reference));
            plan.servers.push_back(std::move(server));
            plan.targets.push_back(std::move(t));
        }
    }
    return {};
}

// --target URLs: every chosen contract at each; credentials from the environment.
void external_targets(const RunJob& job, Plan& plan) {
    const http::ProcessEnvironment environment;
    for (const TargetSpec& spec : job.targets)
        for (std::size_t i = 0; i < plan.contracts.size(); ++i) {
            const contract::Contract& c = plan.contracts[i];
            Target t;
            t.contract = &c;
            t.cases = &plan.cases[i];
            t.name = spec.name.empty() ? spec.url : spec.name;
            t.url = spec.url;
            t.scenarios = contract::scenarios_of(c);
            t.allow_writes = job.allow_writes;
            if (const http::Scheme* scheme = http::find_scheme(c.signing)) {
                auto creds = http::credentials_from_env(*scheme, environment);
                if (creds)
                    t.credentials = std::move(*creds);
                else
                    t.missing_credentials = creds.error().message;
            }
            plan.targets.push_back(std::move(t));
        }
}

} // namespace

std::string Shard::text() const {
    return whole() ? std::string() : std::to_string(index) + "/" + std::to_string(count);
}

core::Result<Shard> parse_shard(std::string_view text) {
    Shard s;
    const auto slash = text.find('/');
    const char* end = text.data() + text.size();
    const auto bad = [&] {
        return core::fail("--shard expects K/N with 1 <= K <= N (e.g. 2/4), got \"" +
                          std::string(text) + "\"");
    };
    if (slash == std::string_view::npos)
        return bad();
    const auto a = std::from_chars(text.data(), text.data() + slash, s.index);
    const auto b = std::from_chars(text.data() + slash + 1, end, s.count);
    if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
        b.ptr != end || s.count < 1 || s.index < 1 || s.index > s.count)
        return bad();
    return s;
}

namespace {

// SIGINT/SIGTERM during a run: the first asks the run to stop (cases not started are skipped, a
// write scenario stops between steps and deletes what it created, the report is written); a
// second one ends the process at once.
std::atomic<bool> g_run_interrupted{false};

extern "C" void on_run_signal(int signal) {
    if (g_run_interrupted.exchange(true)) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
}

// Installs on_run_signal while the run lasts, restoring the previous handlers after.
class RunSignals {
public:
    RunSignals() {
        g_run_interrupted.store(false);
        m_int = std::signal(SIGINT, on_run_signal);
        m_term = std::signal(SIGTERM, on_run_signal);
    }
    ~RunSignals() {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
    }
    RunSignals(const RunSignals&) = delete;
    RunSignals& operator=(const RunSignals&) = delete;

private:
    void (*m_int)(int) = SIG_DFL;
    void (*m_term)(int) = SIG_DFL;
};

} // namespace

core::Result<core::Verdict> run_run(const RunJob& job, std::ostream& out, std::ostream& err) {
    Plan plan;
    CONFORM_CHECK(load(job, plan));
    CONFORM_TRY(http::QueryParams extra, parse_params(job.params));
    RunSettings settings = job.settings;
    settings.extra_params = std::move(extra);
    const RunSignals signals;
    if (!settings.interrupted)
        settings.interrupted = &g_run_interrupted;

    for (const TargetSpec& spec : job.targets)
        if (auto endpoint = endpoint_of(spec.url, "http://localhost/"); !endpoint)
            return core::fail(endpoint.error()); // not a URL: a usage error, not unreachable
    if (job.targets.empty())
        CONFORM_CHECK(embedded_targets(job, plan, err));
    else
        external_targets(job, plan);

    // The recording never holds a credential: not the environment's, and not the ones this
    // run signs with (a server's error message may echo a key id or a source string).
    std::optional<record::RecordingWriter> recorder;
    if (job.record) {
        record::WriterOptions writer_options;
        std::vector<std::string> scrub = record::credential_values(http::ProcessEnvironment{});
        for (const Target& t : plan.targets)
            if (t.credentials) {
                scrub.push_back(t.credentials->key_id);
                scrub.push_back(t.credentials->secret);
            }
        writer_options.scrub = std::move(scrub);
        CONFORM_TRY(record::RecordingWriter opened,
                    record::RecordingWriter::open(*job.record, writer_options));
        recorder.emplace(std::move(opened));
        settings.recorder = &*recorder;
    }

    http::ClientOptions client = job.client;
    if (plan.ca_file && !client.ca_file)
        client.ca_file = plan.ca_file;
    CONFORM_TRY(auto transport, http::make_transport(client));

    const core::Clock& clock = job.clock ? *job.clock : core::system_clock();
    const std::string started_at = internal::iso_utc(clock.wall());
    CONFORM_TRY(auto reporting, internal::Reporting::open(job.report, out, err, started_at, clock));
    report::Reporter& reporter = reporting->reporter();
    settings.coverage = &reporting->measure_coverage(plan.contracts);
    for (const Target& t : plan.targets) // a row for each, even one that never answers
        settings.coverage->target_seen(t.contract->name, t.name);
    reporter.run_starting({started_at, job.arguments, settings.shard.text()});
    http::RandomNonceSource random_nonces;
    const RunEdges edges{*transport, clock, job.nonces ? *job.nonces : random_nonces};
    RunOutcome outcome = run_targets(plan.targets, settings, edges, reporter);
    auto written = reporting->finish(outcome.summary);

    for (auto& server : plan.servers)
        server->stop();
    if (plan.ca_file) {
        std::error_code ec;
        fs::remove(*plan.ca_file, ec);
    }
    if (!written)
        return core::fail(std::move(written).error());
    reporting->announce(err);
    if (settings.interrupted->load()) {
        err << "conform: interrupted: the report holds what was checked before the signal\n";
        return core::Verdict::interrupted;
    }
    return reporting->verdict(); // outcome.unreachable is the summary's unreachable_targets
}

} // namespace conform::engine
