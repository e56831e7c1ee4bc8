// `conform serve`: one contract's reference on a socket until SIGINT or SIGTERM.
#include <ostream>

#include "runner/contract/cases.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve {

namespace {

// The contract's base path ("/v2/index.php"), so that the printed URL is the one to call.
std::string base_path(std::string_view base_url) {
    const auto scheme = base_url.find("://");
    const auto slash = base_url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    return slash == std::string_view::npos ? std::string("/") : std::string(base_url.substr(slash));
}

} // namespace

core::Result<core::Verdict> run_serve(const ServeJob& job, std::ostream& out, std::ostream& err) {
    const http::ProcessEnvironment environment;
    return run_serve(job, ServeEdges{environment, nullptr}, out, err);
}

// Errors are returned as the text `conform serve` prints after its prefix: some with their
// location (to_string), some without (message).
core::Result<core::Verdict> run_serve(const ServeJob& job, const ServeEdges& edges,
                                      std::ostream& out, std::ostream& err) {
    if (job.list_personas && job.contract.empty()) {
        write_persona_list(out);
        return core::Verdict::conformant;
    }
    if (job.contract.empty())
        return core::fail("--contract NAME is required");

    const auto schemas_dir = job.schemas_dir.value_or(contract::default_schemas_dir());
    auto contracts = contract::load_named_contracts(schemas_dir, std::span(&job.contract, 1));
    if (!contracts)
        return core::fail(contracts.error().to_string());
    const contract::Contract* chosen = &contracts->front();
    auto fixtures = load_fixtures(*chosen, job.cases_dir.value_or(contract::default_cases_dir()));
    if (!fixtures)
        return core::fail(fixtures.error().to_string());
    if (job.list_personas) {
        write_persona_list(out, *chosen, *fixtures);
        return core::Verdict::conformant;
    }
    for (const auto& [op, why] : fixtures->unsynthesizable)
        err << "conform serve: " << op << " answers with the envelope only: " << why.to_string()
            << '\n';
    auto persona = parse_persona(job.persona);
    if (!persona)
        return core::fail(persona.error().message);
    auto listen = http::parse_listen(job.listen);
    if (!listen)
        return core::fail(listen.error().message);

    ReferenceOptions options;
    options.persona = *persona;
    std::string credentials_note;
    if (const http::Scheme* scheme = http::find_scheme(chosen->signing)) {
        const auto key_id = edges.environment.get(scheme->key_id_env);
        const auto secret = edges.environment.get(scheme->secret_env);
        const bool any = (key_id && !key_id->empty()) || (secret && !secret->empty());
        if (any) {
            auto credentials = http::credentials_from_env(*scheme, edges.environment);
            if (!credentials) // one of the two set: a mistake worth stopping for
                return core::fail(credentials.error().message);
            credentials_note = "accepting the key pair from " + std::string(scheme->key_id_env) +
                               " / " + std::string(scheme->secret_env);
            options.credentials.push_back(std::move(*credentials));
        } else {
            const http::Credentials test = test_credentials(*scheme);
            credentials_note = "note: " + std::string(scheme->key_id_env) + " / " +
                               std::string(scheme->secret_env) +
                               " are not set; accepting the built-in test credentials (not "
                               "secrets): " +
                               std::string(scheme->key_id_param) + " " + test.key_id;
            options.credentials.push_back(test);
        }
    }
    auto reference = make_reference(*chosen, std::move(*fixtures), std::move(options));
    if (!reference)
        return core::fail(reference.error().message);

    http::StopSignals signals; // before the server starts (see StopSignals)
    http::ServerOptions server_options = *listen;
    server_options.tls = job.tls;
    server_options.threads = job.threads;
    auto server = start_reference(*reference, server_options);
    if (!server)
        return core::fail(server.error().to_string());

    out << (*server)->base_url() << base_path(chosen->base_url) << std::endl;
    err << "conform serve: " << chosen->name << " as persona " << persona->name() << " ("
        << persona->description() << ")\n";
    if (!credentials_note.empty())
        err << "conform serve: " << credentials_note << '\n';
    if (auto served = http::serve_until_stopped(
            **server, signals, {"conform serve", job.tls, job.certificate_out, edges.stop}, err);
        !served)
        return core::fail(served.error().message);
    err << "conform serve: stopped\n";
    return core::Verdict::conformant;
}

} // namespace conform::serve
