// conform record --upstream URL --out FILE [--listen HOST:PORT] [--contract NAME]
//                [--cacert FILE | --insecure] [--preserve-host] [--fsync]
// A recording reverse proxy: forwards to the upstream unchanged, records every exchange.
#include <iostream>

#include "runner/cli/commands.hpp"
#include "runner/record/record.hpp"

namespace conform::cli {

void setup_record(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<record::RecordJob>();
    auto schemas = std::make_shared<std::string>();
    auto cacert = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto timeout_ms = std::make_shared<int>(30000);

    command
        .add_option("--upstream,-u", job->upstream,
                    "Where requests go: http(s)://HOST[:PORT][/PATH] (the client's path is "
                    "appended to PATH)")
        ->required();
    command.add_option("--out,-o", *out, "The recording (JSONL) to append to")->required();
    command
        .add_option("--listen", job->listen,
                    "Address to listen on; port 0 picks a free one (the URL is printed first)")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    command.add_option("--contract,-c", job->contract,
                       "Record exchanges as this contract's, with the operation its routing "
                       "parameter names");
    command.add_option("--schemas", *schemas, "Contracts folder (default: the committed schemas/)")
        ->check(CLI::ExistingDirectory);
    auto* ca = command
                   .add_option("--cacert", *cacert,
                               "Trust this PEM bundle for an HTTPS upstream (default: the "
                               "system store)")
                   ->check(CLI::ExistingFile);
    command.add_flag("--insecure,-k", job->insecure, "Do not verify the upstream's certificate")
        ->excludes(ca);
    command.add_flag("--preserve-host", job->preserve_host,
                     "Forward the client's Host header instead of the upstream's (for "
                     "signatures that cover the host the client signed for)");
    command.add_flag("--fsync", job->fsync,
                     "fsync(2) the recording after every exchange (survives a power cut)");
    command.add_option("--timeout", *timeout_ms, "The longest wait for the upstream, in ms")
        ->check(CLI::Range(1, 3600000))
        ->capture_default_str();
    command.add_option("--threads", job->threads, "Connections served at once")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command.footer("Secrets (Signature, PublicKey, SecretId, Authorization, cookies...) and the "
                   "values of UCLOUD_PUBLIC_KEY/UCLOUD_PRIVATE_KEY/TENCENTCLOUD_SECRET_ID/"
                   "TENCENTCLOUD_SECRET_KEY are written as REDACTED.\nStops on SIGINT or "
                   "SIGTERM. Exit status: 0 stopped cleanly, 2 usage or configuration error.");

    command.callback([job, schemas, cacert, out, timeout_ms, &outcome] {
        job->out = *out;
        if (!schemas->empty())
            job->schemas_dir = *schemas;
        if (!cacert->empty())
            job->ca_file = *cacert;
        job->timeout = std::chrono::milliseconds(*timeout_ms);
        outcome = record::run_record(*job, std::cout, std::cerr);
    });
}

} // namespace conform::cli
