// conform serve --contract NAME [--persona P] [--listen HOST:PORT] [--tls] [--cert-out FILE]
// conform serve --list-personas [--contract NAME]
// conform serve --recordings FILE... [--listen HOST:PORT] [--tls] [--cert-out FILE]
// The reference server on a real socket: conforming, or as one of its personas; or, with
// --recordings, recorded exchanges answering requests (record/recorded_server.hpp).
#include <iostream>

#include "runner/cli/commands.hpp"
#include "runner/record/record.hpp"
#include "runner/serve/serve.hpp"

namespace conform::cli {
namespace {

// `serve --recordings`: the listener's flags, recorded answers instead of the reference.
record::ServeRecordingsJob playback_job(const serve::ServeJob& job,
                                        const std::vector<std::string>& recordings,
                                        const std::string& cert_out) {
    record::ServeRecordingsJob playback;
    playback.recordings.assign(recordings.begin(), recordings.end());
    playback.listen = job.listen;
    playback.tls = job.tls;
    playback.threads = job.threads;
    if (!cert_out.empty())
        playback.certificate_out = cert_out;
    return playback;
}

} // namespace

void setup_serve(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<serve::ServeJob>();
    auto schemas = std::make_shared<std::string>();
    auto cases = std::make_shared<std::string>();
    auto cert_out = std::make_shared<std::string>();
    auto recordings = std::make_shared<std::vector<std::string>>();

    std::string persona_names;
    for (const serve::PersonaInfo& p : serve::personas())
        persona_names += (persona_names.empty() ? "" : ", ") + std::string(p.name);

    auto* contract = command.add_option(
        "--contract,-c", job->contract,
        "The contract to serve: tencent-ccr, ucloud-uhub, genesissai-uhub, or any "
        "folder of the schemas directory");
    auto* persona = command
                        .add_option("--persona", job->persona,
                                    "How to misbehave: " + persona_names +
                                        "; combine rows with '+': data-envelope+ignore-limit")
                        ->capture_default_str();
    command
        .add_option("--listen", job->listen,
                    "Address to listen on; port 0 picks a free one (the URL is printed)")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    command.add_flag("--tls", job->tls,
                     "Serve HTTPS with a self-signed certificate generated at start");
    command.add_option("--cert-out", *cert_out,
                       "With --tls: write the certificate (PEM) here, for a client's --cacert");
    auto* schemas_option =
        command
            .add_option("--schemas", *schemas, "Contracts folder (default: the committed schemas/)")
            ->check(CLI::ExistingDirectory);
    auto* cases_option =
        command
            .add_option("--cases", *cases, "Cases and fixture datasets folder (default: cases/)")
            ->check(CLI::ExistingDirectory);
    command.add_option("--threads", job->threads, "Server threads")->check(CLI::Range(1, 256));
    auto* list = command.add_flag("--list-personas", job->list_personas,
                                  "Print every persona with the deviation ids it must make conform "
                                  "report (for --contract: whether each applies there) and exit");
    command
        .add_option("--recordings", *recordings,
                    "Answer from these recordings (JSONL, or .har) instead of the reference: the "
                    "recorded answer to the same method, path and parameters (signatures, "
                    "timestamps, nonces and redacted values ignored; repeats answered in recorded "
                    "order, then the last again); anything else 404 naming the closest recorded "
                    "request and what differs")
        ->type_name("FILE")
        ->excludes(contract)
        ->excludes(persona)
        ->excludes(list)
        ->excludes(schemas_option)
        ->excludes(cases_option);
    command.footer("Credentials: UCLOUD_PUBLIC_KEY/UCLOUD_PRIVATE_KEY or TENCENTCLOUD_SECRET_ID/"
                   "TENCENTCLOUD_SECRET_KEY when set, else built-in test keys (printed on "
                   "stderr).\nWith --recordings: bad recording lines are reported (file:line) and "
                   "skipped; the URL is printed first, the number of exchanges on stderr.\nStops "
                   "on SIGINT or SIGTERM. Exit status: 0 stopped cleanly, 2 "
                   "usage or configuration error.");

    command.callback([job, schemas, cases, cert_out, recordings, &outcome] {
        if (!recordings->empty()) {
            outcome = record::run_serve_recordings(playback_job(*job, *recordings, *cert_out),
                                                   std::cout, std::cerr);
            return;
        }
        if (!job->list_personas && job->contract.empty())
            throw CLI::RequiredError("--contract");
        if (!schemas->empty())
            job->schemas_dir = *schemas;
        if (!cases->empty())
            job->cases_dir = *cases;
        if (!cert_out->empty())
            job->certificate_out = *cert_out;
        outcome = serve::run_serve(*job, std::cout, std::cerr);
    });
}

} // namespace conform::cli
