// conform run [--target [NAME=]URL]... [--contract NAME]... [--cases DIR] [--check NAME]...
//             [--persona P]... [--record FILE] [--jobs N] [--rate N/s] [--timeout MS]
//             [--request-timeout MS] [--retries N] [--unresponsive-after N] [--cacert PEM]
//             [--insecure] [--param NAME=VALUE]... [--tls] [--shard K/N] [--allow-writes]
//             [--max-depth N] [--max-ref-depth N] + the report options (report_options.hpp)
// The main job: every case of the chosen contracts against each target; without --target,
// against the in-process reference server as `reference` and as `doc-sample`.
#include <charconv>
#include <cstdlib>
#include <iostream>

#include "runner/checks/checks.hpp"
#include "runner/cli/commands.hpp"
#include "runner/cli/limit_options.hpp"
#include "runner/cli/report_options.hpp"
#include "runner/engine/drift.hpp"
#include "runner/engine/run.hpp"

namespace conform::cli {
namespace {

// "12/s", "12", "0.5/s"
double parse_rate(const std::string& text) {
    std::string number = text;
    if (number.ends_with("/s"))
        number.resize(number.size() - 2);
    char* end = nullptr;
    const double rate = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || rate < 0)
        throw CLI::ValidationError("--rate", "expected N/s (requests per second), got " + text);
    return rate;
}

// What the flags hold before the callback turns it into the job.
struct RunFlags {
    std::vector<std::string> targets;
    std::string rate;
    int timeout_ms = 5000;
    int connect_ms = 3000;
    int deadline_ms = -1; // unset: 4 x --timeout
    std::string cacert;
    std::string shard;
    ReportFlags report;
    std::vector<std::string> compare;
    bool fail_on_drift = false;
};

// What is checked, and where: targets, contracts, cases, checks, personas, writes, shards.
void bind_scope(CLI::App& command, engine::RunJob& job, RunFlags& flags) {
    command
        .add_option("--target,-t", flags.targets,
                    "An implementation to check, as URL or NAME=URL; repeat to compare "
                    "implementations side by side. Without it: the in-process reference "
                    "server, once conforming and once answering with the docs' samples")
        ->type_name("[NAME=]URL")
        ->allow_extra_args(false);
    command
        .add_option("--contract,-c", job.contracts,
                    "Only these contracts (default: every contract in the schemas folder)")
        ->allow_extra_args(false);
    command
        .add_option("--schemas", job.schemas_dir,
                    "Contracts folder (default: $CONFORM_SCHEMAS, ./schemas, or the source "
                    "tree's)")
        ->check(CLI::ExistingDirectory);
    command
        .add_option("--cases", job.cases_dir,
                    "Cases folder: <contract>/<Operation>.cases.json (default: $CONFORM_CASES, "
                    "./cases, or the source tree's)")
        ->check(CLI::ExistingDirectory);
    command.add_option("--check", job.settings.checks, "Only these checks (see below)")
        ->allow_extra_args(false);
    command
        .add_option("--persona", job.personas,
                    "Without --target: the reference server personas to run as targets "
                    "(default: reference and doc-sample; `conform serve --list-personas`); "
                    "combine rows with '+': data-envelope+ignore-limit")
        ->allow_extra_args(false);
    command.add_option("--jobs,-j", job.settings.jobs, "Cases in flight at once")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
}

// How requests are sent: rate, timeouts, sizes, retries, TLS.
void bind_transport(CLI::App& command, engine::RunJob& job, RunFlags& flags) {
    command.add_option("--rate", flags.rate, "At most N requests per second, across all jobs")
        ->type_name("N/s");
    command.add_option("--timeout", flags.timeout_ms, "Read timeout per request, in milliseconds")
        ->check(CLI::Range(1, 600000))
        ->capture_default_str();
    command
        .add_option("--request-timeout", flags.deadline_ms,
                    "Deadline per request from connect to its last byte, in milliseconds "
                    "(a server that trickles an answer ends as http.transport too-slow; "
                    "default: 4 x --timeout; 0: none)")
        ->check(CLI::Range(0, 3600000));
    command
        .add_option("--max-body", job.client.max_body_bytes,
                    "Largest response body, as sent and once decoded (e.g. 16MiB, 512KB); "
                    "larger is an http.transport body-too-large deviation")
        ->transform(CLI::AsSizeValue(false))
        ->capture_default_str();
    command
        .add_option("--max-header", job.client.max_header_bytes,
                    "Largest response status line + headers (e.g. 64KiB)")
        ->transform(CLI::AsSizeValue(false))
        ->capture_default_str();
    bind_limit_options(command, job.settings.limits, /*recordings=*/true); // --compare reads some
    command.add_option("--connect-timeout", flags.connect_ms, "Connect timeout, in milliseconds")
        ->check(CLI::Range(1, 600000))
        ->capture_default_str();
    command
        .add_option("--retries", job.settings.retries,
                    "Retries after throttling or a timeout, with doubling backoff")
        ->check(CLI::Range(0, 10))
        ->capture_default_str();
    command
        .add_option("--unresponsive-after", job.settings.unresponsive_after,
                    "Declare a target unresponsive after this many requests in a row get no "
                    "answer (a timeout or a refused connection, after the retries), or when a "
                    "probe gets none: its remaining cases are skipped with that reason "
                    "(0: never)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    command.add_option("--cacert", flags.cacert, "Trust the certificates in this PEM file (HTTPS)")
        ->check(CLI::ExistingFile);
    command.add_flag("--insecure,-k", job.client.insecure, "Do not verify HTTPS certificates");
    command
        .add_option("--param,-p", job.params,
                    "A parameter sent with every request, e.g. Region=ap-guangzhou for Tencent")
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
}

// What else the run does: record, serve over TLS, write, shard, compare with recordings.
void bind_modes(CLI::App& command, engine::RunJob& job, RunFlags& flags) {
    command
        .add_option("--record", job.record,
                    "Append every exchange to this JSONL recording (redacted), for "
                    "`conform replay`")
        ->type_name("FILE");
    command.add_flag("--tls", job.tls, "Without --target: serve the reference over HTTPS");
    command.add_flag("--allow-writes", job.allow_writes,
                     "Send the write scenarios (create, update, delete) to the --target URLs "
                     "too; conform changes only what it creates in the run and deletes it");
    command
        .add_option("--shard", flags.shard,
                    "Run only shard K of N (cases split evenly and deterministically; "
                    "`conform report merge` joins the shards' reports)")
        ->type_name("K/N");
    command
        .add_option("--compare", flags.compare,
                    "Send again every request of these recordings (JSONL or HAR), re-signed, to "
                    "--target or where it was recorded: today's answers are checked as by "
                    "replay, and compared with the recorded ones for drift (fields added or "
                    "removed, types and counts changed), reported apart in drift.json")
        ->type_name("FILE")
        ->allow_extra_args(false);
    command.add_flag("--fail-on-drift", flags.fail_on_drift,
                     "With --compare: drift fails the run (exit 1)");
}

// The flags into the job; a bad value is a CLI::ValidationError naming its flag.
void apply_run_flags(const RunFlags& flags, engine::RunJob& job) {
    for (const std::string& spec : flags.targets) {
        const auto eq = spec.find('=');
        const auto scheme = spec.find("://");
        if (eq != std::string::npos && (scheme == std::string::npos || eq < scheme))
            job.targets.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
        else
            job.targets.push_back({"", spec});
    }
    for (const std::string& name : job.settings.checks)
        if (!checks::find_check(name))
            throw CLI::ValidationError("--check", "no check named \"" + name + "\"");
    if (!flags.rate.empty())
        job.client.rate_per_second = parse_rate(flags.rate);
    job.client.read_timeout = std::chrono::milliseconds(flags.timeout_ms);
    job.client.connect_timeout = std::chrono::milliseconds(flags.connect_ms);
    if (flags.deadline_ms >= 0)
        job.client.request_timeout = std::chrono::milliseconds(flags.deadline_ms);
    if (!flags.cacert.empty())
        job.client.ca_file = flags.cacert;
    if (!flags.shard.empty()) {
        auto parsed = engine::parse_shard(flags.shard);
        if (!parsed)
            throw CLI::ValidationError("--shard", parsed.error().message);
        job.settings.shard = *parsed;
    }
    apply_report_flags(flags.report, job.report);
}

// `run --compare`: the run's selection, report and client, over the recordings.
engine::CompareJob compare_job(const RunFlags& flags, const engine::RunJob& job) {
    if (job.targets.size() > 1)
        throw CLI::ValidationError("--compare", "takes at most one --target");
    engine::CompareJob c;
    c.files.assign(flags.compare.begin(), flags.compare.end());
    if (!job.targets.empty())
        c.target = job.targets.front();
    c.contracts = job.contracts;
    c.schemas_dir = job.schemas_dir;
    c.cases_dir = job.cases_dir;
    c.report = job.report;
    c.settings.checks = job.settings.checks;
    c.settings.limits = job.settings.limits;
    c.client = job.client;
    c.fail_on_drift = flags.fail_on_drift;
    c.arguments = job.arguments;
    return c;
}

} // namespace

void setup_run(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<engine::RunJob>();
    auto flags = std::make_shared<RunFlags>();
    bind_scope(command, *job, *flags);
    bind_transport(command, *job, *flags);
    bind_modes(command, *job, *flags);
    bind_report_options(command, flags->report, job->report);

    std::string check_names;
    for (const checks::CheckInfo& c : checks::checks())
        check_names += "\n  " + std::string(c.name) + ": " + std::string(c.description);
    command.footer("Checks:" + check_names + "\nReport formats:" + format_help() +
                   "\nCredentials come only from the environment: UCLOUD_PUBLIC_KEY / "
                   "UCLOUD_PRIVATE_KEY and TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY; "
                   "without them, signed cases are skipped (the embedded default uses built-in "
                   "test keys).\nExit status: 0 conformant (warnings allowed), 1 deviations of "
                   "severity error (--fail-on warning: or warning) not accepted by --baseline, "
                   "2 usage or configuration error, 3 a target could not be reached, or stopped "
                   "answering before any of its cases got an answer, 130 interrupted by SIGINT "
                   "or SIGTERM (the report holds what was checked; what the run created is "
                   "deleted).");

    command.callback([job, flags, &outcome] {
        apply_run_flags(*flags, *job);
        if (!flags->compare.empty()) {
            outcome = engine::run_compare(compare_job(*flags, *job), std::cout, std::cerr);
            return;
        }
        if (flags->fail_on_drift)
            throw CLI::ValidationError("--fail-on-drift", "needs --compare");
        outcome = engine::run_run(*job, std::cout, std::cerr);
    });
}

} // namespace conform::cli
