// conform replay FILE...|- [--contract NAME]... [--jobs N] [--check NAME]... [--max-age 30d]
//                [--fail-stale] [--shard K/N] + the limits (limit_options.hpp) and the report
//                options (report_options.hpp)
// Recorded exchanges checked offline: routed to their contract and operation, every check that
// needs no live server, the same report.json and exit codes as `conform run`.
#include <cstdlib>
#include <iostream>
#include <thread>

#include "runner/checks/checks.hpp"
#include "runner/cli/commands.hpp"
#include "runner/cli/limit_options.hpp"
#include "runner/cli/report_options.hpp"
#include "runner/engine/replay.hpp"

namespace conform::cli {

void setup_replay(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<engine::ReplayJob>();
    auto max_age = std::make_shared<std::string>();
    auto flags = std::make_shared<ReportFlags>();
    job->settings.jobs = std::max(1u, std::thread::hardware_concurrency());

    std::string check_names;
    for (const checks::CheckInfo& c : checks::checks())
        check_names += "\n  " + std::string(c.name) + ": " + std::string(c.description);

    command
        .add_option("files", job->files,
                    "Recordings (JSON Lines, one exchange per line; .gz and .zst read directly; "
                    "- reads standard input; .har)")
        ->required()
        ->type_name("FILE");
    command
        .add_option("--contract,-c", job->contracts,
                    "Route only to these contracts (default: every contract, by the line's "
                    "contract field, else host, path and routing parameter)")
        ->allow_extra_args(false);
    command
        .add_option("--schemas", job->schemas_dir,
                    "Contracts folder (default: $CONFORM_SCHEMAS, ./schemas, or the source "
                    "tree's)")
        ->check(CLI::ExistingDirectory);
    command
        .add_option("--cases", job->cases_dir,
                    "Cases folder, for lines that name a negative or auth case (default: "
                    "$CONFORM_CASES, ./cases, or the source tree's)")
        ->check(CLI::ExistingDirectory);
    command.add_option("--check", job->settings.checks, "Only these checks (see below)")
        ->allow_extra_args(false);
    command.add_option("--jobs,-j", job->settings.jobs, "Worker threads (default: every core)")
        ->check(CLI::Range(1, 256));
    command
        .add_option("--max-age", *max_age,
                    "Warn about exchanges recorded longer ago than this (e.g. 30d, 12h)")
        ->type_name("AGE");
    auto shard = std::make_shared<std::string>();
    command
        .add_option("--shard", *shard,
                    "Judge only shard K of N: recordings split by the listing a page belongs to "
                    "(a walk's pages stay together); give every shard the same files; `conform "
                    "report merge` joins the shards' reports")
        ->type_name("K/N");
    command.add_flag("--fail-stale", job->settings.fail_stale,
                     "With --max-age: stale exchanges fail the replay (exit 1)");
    bind_limit_options(command, job->settings.limits, /*recordings=*/true);
    bind_report_options(command, *flags, job->report);
    command.footer("Checks:" + check_names + "\nReport formats:" + format_help() +
                   "\nExit status: 0 conformant (warnings allowed), 1 deviations of severity "
                   "error (--fail-on warning: or warning) not accepted by --baseline, or stale "
                   "exchanges with --fail-stale; 2 usage error, a missing file, or a malformed "
                   "recording line (the rest is still replayed).");

    command.callback([job, max_age, shard, flags, &outcome] {
        if (!shard->empty()) {
            auto parsed = engine::parse_shard(*shard);
            if (!parsed)
                throw CLI::ValidationError("--shard", parsed.error().message);
            job->settings.shard = *parsed;
        }
        for (const std::string& name : job->settings.checks)
            if (!checks::find_check(name))
                throw CLI::ValidationError("--check", "no check named \"" + name + "\"");
        if (!max_age->empty()) {
            auto age = engine::parse_age(*max_age);
            if (!age)
                throw CLI::ValidationError("--max-age", age.error().message);
            job->settings.max_age = *age;
        } else if (job->settings.fail_stale) {
            throw CLI::ValidationError("--fail-stale", "needs --max-age");
        }
        apply_report_flags(*flags, job->report);
        outcome = engine::run_replay(*job, std::cout, std::cerr);
    });
}

} // namespace conform::cli
