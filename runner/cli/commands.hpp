#pragma once
// Every subcommand, one row each (STYLE.md lessons 3 and 6). A command's setup() binds its
// options on the CLI11 subcommand and installs a callback that stores its job's Outcome;
// main() (app.cpp) turns that into the exit code and prints the error, with the row's prefix.

#include <CLI/CLI.hpp>

#include "runner/cli/app.hpp"

namespace conform::cli {

using CommandSetup = void (*)(CLI::App& command, Outcome& outcome);

// How a command's errors read on stderr: "<prefix><diagnostic>", the diagnostic with its
// location (file:line: or <input>: when it has none), or as its message alone for commands
// whose jobs return the whole text after the prefix (serve, record, sign).
enum class ErrorForm : unsigned char { located, message };

struct Command {
    const char* name;
    const char* summary;
    CommandSetup setup;
    const char* error_prefix = "conform: error: ";
    ErrorForm error_form = ErrorForm::located;
};

void setup_validate(CLI::App& command, Outcome& outcome);
void setup_import(CLI::App& command, Outcome& outcome);
void setup_docs(CLI::App& command, Outcome& outcome);
void setup_sign(CLI::App& command, Outcome& outcome);
void setup_list_deviations(CLI::App& command, Outcome& outcome);
void setup_run(CLI::App& command, Outcome& outcome);
void setup_list_checks(CLI::App& command, Outcome& outcome);
void setup_serve(CLI::App& command, Outcome& outcome);
void setup_record(CLI::App& command, Outcome& outcome);
void setup_import_har(CLI::App& command, Outcome& outcome);
void setup_export_har(CLI::App& command, Outcome& outcome);
void setup_replay(CLI::App& command, Outcome& outcome);
void setup_report(CLI::App& command, Outcome& outcome);
void setup_cases(CLI::App& command, Outcome& outcome);

inline constexpr Command k_commands[] = {
    {"run",
     "Check implementations against their contracts: every case, signed, live (the main "
     "job; without --target, against the in-process reference server)",
     setup_run},
    {"replay",
     "Check recorded exchanges offline (JSON Lines): routing, every check that needs "
     "no live server, pagination walks across recorded pages, write scenarios in "
     "recorded order",
     setup_replay},
    {"cases",
     "Print the cases a run would send per operation: generated from the contract or from a "
     "cases file, with their links",
     setup_cases},
    {"report",
     "Re-render a saved report.json (console, md, html, junit), or merge the reports "
     "of a sharded run (conform report merge)",
     setup_report},
    {"serve",
     "Run the reference server for a contract, conforming or as a persona, or answer "
     "from recordings (--recordings)",
     setup_serve, "conform serve: ", ErrorForm::message},
    {"record",
     "Record real traffic: a reverse proxy that forwards to an upstream unchanged and "
     "appends every exchange, redacted, to a JSONL recording",
     setup_record, "conform record: ", ErrorForm::message},
    {"import-har", "Convert a HAR 1.2 file (browser devtools, mitmproxy, ...) to a JSONL recording",
     setup_import_har, "conform import-har: "},
    {"export-har", "Convert a JSONL recording to a HAR 1.2 file", setup_export_har,
     "conform export-har: "},
    {"validate", "Validate JSON instances against a JSON Schema (draft 2020-12)", setup_validate},
    {"import", "Derive a contract's schemas, samples and pagination model from a vendor API page",
     setup_import},
    {"docs", "Check vendor API pages against themselves (conform docs lint)", setup_docs},
    {"sign", "Sign a request's parameters and print its query string (SIGNING.md)", setup_sign,
     "conform: error: ", ErrorForm::message},
    {"list-deviations", "Print the deviation taxonomy: stable ids, default severities, meanings",
     setup_list_deviations},
    {"list-checks", "Print the named checks: what each verifies and the case kinds it applies to",
     setup_list_checks},
};

} // namespace conform::cli
