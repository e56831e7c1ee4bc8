#pragma once
// The options `conform run` and `conform replay` share: where and how results are reported,
// and what fails the run (engine::ReportSettings). Bound once here, so both commands spell and
// document them alike.

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runner/engine/run.hpp"

namespace conform::cli {

// The flags' raw values, turned into settings by apply() in the command's callback.
struct ReportFlags {
    std::vector<std::string> formats;
    std::vector<std::string> severities;
    std::string fail_on = "error";
    std::string accept_for;
    std::string min_coverage;            // "operations=90,fields=80"
    std::vector<std::string> unobserved; // --fail-on-unobserved, repeatable
};

// Binds --report-dir, --format, --baseline, --write-baseline, --accept-for, --fail-on,
// --severity, --min-coverage, --fail-on-unobserved, --quiet, --verbose onto command; flags and
// settings must outlive parsing.
void bind_report_options(CLI::App& command, ReportFlags& flags, engine::ReportSettings& settings);

// Validates and applies the flags (throws CLI::ValidationError naming the flag); also decides
// colour (stdout a terminal, NO_COLOR unset) and the progress bar (stderr a terminal).
void apply_report_flags(const ReportFlags& flags, engine::ReportSettings& settings);

// "--format console|json|junit|md|html" text for help.
[[nodiscard]] std::string format_help();

} // namespace conform::cli
