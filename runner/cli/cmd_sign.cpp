// conform sign --contract NAME | --scheme NAME [--method M] [--host HOST[:PORT]] [--path P]
//              --param NAME=VALUE... [--explain]
// Prints the signed, percent-encoded query string of a request (../shared/SIGNING.md), so that
// a user can call an API with curl or debug a signature.
#include <iostream>
#include <memory>

#include "runner/cli/commands.hpp"
#include "runner/http/http.hpp"

namespace conform::cli {

void setup_sign(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<http::SignJob>();

    std::string schemes;
    for (const http::Scheme& scheme : http::schemes())
        schemes += "\n  " + std::string(scheme.name) + ": " + std::string(scheme.description);

    auto* contract = command.add_option(
        "--contract", job->contract,
        "Seed contract whose scheme, host and path to use: tencent-ccr, ucloud-uhub, "
        "genesissai-uhub");
    auto* scheme = command.add_option("--scheme", job->scheme,
                                      "Signing scheme, instead of --contract: ucloud-sha1, "
                                      "tencent-v2-hmac");
    contract->excludes(scheme);
    command.add_option("--method", job->method, "HTTP method (Tencent v2 signs it)")
        ->capture_default_str();
    command
        .add_option("--host", job->host,
                    "Host the request goes to, with :PORT when not the default port "
                    "(Tencent v2 signs it; default: the contract's)")
        ->type_name("HOST[:PORT]");
    command.add_option("--path", job->path, "Request path (default: the contract's, or /)");
    command
        .add_option("--param,-p", job->params,
                    "A request parameter, value unencoded; repeat for each (Timestamp, Nonce "
                    "and SignatureMethod given here are used as given)")
        ->type_name("NAME=VALUE");
    command.add_flag("--explain", job->explain,
                     "Also print the string that was signed on stderr (the secret key shown as "
                     "the name of its variable)");
    command.footer("Schemes:" + schemes +
                   "\nCredentials come only from the environment: UCLOUD_PUBLIC_KEY and "
                   "UCLOUD_PRIVATE_KEY, or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY."
                   "\nExit status: 0 signed, 2 usage error or missing credentials.");

    command.callback([job, &outcome] { outcome = http::run_sign(*job, std::cout, std::cerr); });
}

} // namespace conform::cli
