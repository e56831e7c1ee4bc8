#include "runner/cli/report_options.hpp"

#include <cstdlib>
#include <unistd.h>

#include "runner/engine/replay.hpp"
#include "runner/report/baseline.hpp"

namespace conform::cli {

std::string format_help() {
    std::string text;
    for (const report::FormatInfo& f : report::k_formats)
        text += "\n  " + std::string(f.name) +
                (f.file_name.empty() ? std::string() : " (" + std::string(f.file_name) + ")") +
                ": " + std::string(f.description);
    return text;
}

void bind_report_options(CLI::App& command, ReportFlags& flags, engine::ReportSettings& settings) {
    command.add_option("--report-dir", settings.dir, "Where report.json and the other files go")
        ->capture_default_str();
    command
        .add_option("--format,-f", flags.formats,
                    "Also write these report files (junit, md, html; report.json always)")
        ->type_name("FORMAT")
        ->allow_extra_args(false)
        ->delimiter(',');
    command
        .add_option("--baseline", settings.baseline,
                    "Accept the deviations this baseline lists: only new ones (or ones past "
                    "their expiry) fail; fixed ones are listed")
        ->type_name("FILE")
        ->check(CLI::ExistingFile);
    command
        .add_option("--write-baseline", settings.write_baseline,
                    "Write this run's deviations as a baseline (first-seen dates and "
                    "expiries of an existing --baseline kept)")
        ->type_name("FILE");
    command
        .add_option("--accept-for", flags.accept_for,
                    "With --write-baseline: new entries expire after this long (e.g. 30d)")
        ->type_name("AGE");
    command
        .add_option("--fail-on", flags.fail_on,
                    "The least severity that fails the run (exit 1): error or warning")
        ->capture_default_str();
    command
        .add_option("--severity", flags.severities,
                    "Override a deviation id's severity, e.g. field.unexpected=error "
                    "(levels: error, warning, info; ids: conform list-deviations)")
        ->type_name("ID=LEVEL")
        ->allow_extra_args(false);
    std::string measures;
    for (const report::MetricInfo& m : report::k_coverage_metrics)
        measures += "\n  " + std::string(m.name) + ": " + std::string(m.description);
    command
        .add_option("--min-coverage", flags.min_coverage,
                    "Fail the run (exit 1) when a contract x target covers less than these "
                    "percentages, naming what was missing; measures:" +
                        measures)
        ->type_name("NAME=PERCENT,...");
    command
        .add_option("--fail-on-unobserved", flags.unobserved,
                    "Fail the run (exit 1) when this response field (/RepoSet/*/RepoName) or "
                    "status code (230) was never observed; repeatable; prefix CONTRACT:, "
                    "OPERATION: or CONTRACT/OPERATION: to say where")
        ->type_name("FIELD_OR_CODE")
        ->allow_extra_args(false);
    command.add_flag("--quiet,-q", settings.console.quiet, "Print the summary only");
    command.add_flag("--verbose,-v", settings.console.verbose,
                     "Also list passing cases and every deviation");
}

void apply_report_flags(const ReportFlags& flags, engine::ReportSettings& settings) {
    for (const std::string& name : flags.formats) {
        const auto format = report::parse_format(name);
        if (!format)
            throw CLI::ValidationError("--format", "no format named \"" + name + "\" (there are: " +
                                                       report::format_names() + ")");
        settings.formats.push_back(*format);
    }
    for (const std::string& spec : flags.severities) {
        auto parsed = report::parse_severity_override(spec);
        if (!parsed)
            throw CLI::ValidationError("--severity", parsed.error().message);
        settings.severities[parsed->first] = parsed->second;
    }
    if (flags.fail_on == "error")
        settings.fail_on = core::Severity::error;
    else if (flags.fail_on == "warning")
        settings.fail_on = core::Severity::warning;
    else
        throw CLI::ValidationError("--fail-on",
                                   "expected error or warning, got \"" + flags.fail_on + "\"");
    if (!flags.accept_for.empty()) {
        if (!settings.write_baseline)
            throw CLI::ValidationError("--accept-for", "needs --write-baseline");
        auto age = engine::parse_age(flags.accept_for);
        if (!age)
            throw CLI::ValidationError("--accept-for", age.error().message);
        settings.accept_days = static_cast<int>((age->count() + 86399) / 86400);
    }
    if (!flags.min_coverage.empty()) {
        auto minimum = report::parse_min_coverage(flags.min_coverage);
        if (!minimum)
            throw CLI::ValidationError("--min-coverage", minimum.error().message);
        settings.coverage_gate.minimum = std::move(*minimum);
    }
    for (const std::string& item : flags.unobserved) {
        if (auto checked = report::check_unobserved_item(item); !checked)
            throw CLI::ValidationError("--fail-on-unobserved", checked.error().message);
        settings.coverage_gate.observe.push_back(item);
    }
    // Colour on a terminal only, and never when NO_COLOR is set (no-color.org); the progress
    // bar only where someone watches.
    settings.console.colour = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    settings.progress = isatty(STDERR_FILENO) != 0;
}

} // namespace conform::cli
