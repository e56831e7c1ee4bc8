// conform import-har FILE.har [--out FILE.jsonl]
// conform export-har FILE.jsonl [--out FILE.har]
// HAR 1.2 <-> JSONL recordings, both ways, redacted. The two directions of one conversion
// share this file.
#include <iostream>

#include "runner/cli/commands.hpp"
#include "runner/record/record.hpp"

namespace conform::cli {
namespace {

using RunHar = core::Result<core::Verdict> (*)(const record::HarJob&, std::ostream&, std::ostream&);

void setup_har(CLI::App& command, Outcome& outcome, const char* in_help, const char* out_help,
               RunHar run) {
    auto in = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    command.add_option("file", *in, in_help)->required()->check(CLI::ExistingFile);
    command.add_option("--out,-o", *out, out_help);
    command.footer("Exit status: 0 every exchange converted, 1 some entries or lines were bad "
                   "(each is named on stderr and skipped), 2 the input could not be read or the "
                   "output written.");
    command.callback([in, out, run, &outcome] {
        record::HarJob job;
        job.in = *in;
        if (!out->empty())
            job.out = *out;
        outcome = run(job, std::cout, std::cerr);
    });
}

} // namespace

void setup_import_har(CLI::App& command, Outcome& outcome) {
    setup_har(command, outcome, "The HAR file (browser devtools, mitmproxy, Charles, Playwright)",
              "The JSONL recording to write (default: FILE with .jsonl)", record::run_import_har);
}

void setup_export_har(CLI::App& command, Outcome& outcome) {
    setup_har(command, outcome, "The JSONL recording",
              "The HAR 1.2 file to write (default: FILE with .har)", record::run_export_har);
}

} // namespace conform::cli
