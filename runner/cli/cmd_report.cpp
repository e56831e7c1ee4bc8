// conform report FILE.json [--format FORMAT]... [--out DIR]
// conform report merge A.json B.json ... --out DIR [--format FORMAT]...
// A saved report.json re-rendered in any format (load_report + render), or the reports of a
// run split with --shard joined into the one the whole run would have written.
#include <algorithm>
#include <iostream>

#include "runner/cli/commands.hpp"
#include "runner/cli/report_options.hpp"
#include "runner/report/baseline.hpp"
#include "runner/report/report.hpp"

namespace conform::cli {
namespace {

struct ReportArgs {
    std::vector<std::string> files;
    std::vector<std::string> formats;
    std::string out;
    bool quiet = false, verbose = false;
};

std::vector<report::Format> parse_formats(const std::vector<std::string>& names) {
    std::vector<report::Format> out;
    for (const std::string& name : names) {
        const auto f = report::parse_format(name);
        if (!f)
            throw CLI::ValidationError("--format", "no format named \"" + name + "\" (there are: " +
                                                       report::format_names() + ")");
        out.push_back(*f);
    }
    return out;
}

// The verdict `conform run` gave: triage's over the saved cases (no baseline or severity
// overrides: the report holds their effect already), the summary's unreachable targets kept.
Outcome verdict_of(const report::ReportModel& model) {
    report::Reporter nowhere;
    report::Triage triage({}, nowhere);
    CONFORM_CHECK(report::replay(model, triage));
    return triage.verdict();
}

// The model in each format: the console on stdout, files into dir; then its verdict.
Outcome render(const report::ReportModel& model, const std::vector<report::Format>& formats,
               const std::filesystem::path& dir, const ReportArgs& args) {
    for (report::Format f : formats) {
        report::ReporterOptions options;
        options.output_dir = dir;
        options.out = &std::cout;
        options.console.quiet = args.quiet;
        options.console.verbose = args.verbose;
        options.console.colour = false;
        auto reporter = report::make_reporter(f, options);
        CONFORM_CHECK(report::replay(model, *reporter));
        if (const auto& row = report::info(f); !row.file_name.empty())
            std::cerr << "conform: wrote " << (dir / row.file_name).string() << '\n';
    }
    return verdict_of(model);
}

void bind_common(CLI::App& command, ReportArgs& args, const char* formats_default) {
    command
        .add_option("--format,-f", args.formats,
                    std::string("Formats to render (default: ") + formats_default + ")" +
                        format_help())
        ->type_name("FORMAT")
        ->delimiter(',')
        ->allow_extra_args(false);
    command.add_flag("--quiet,-q", args.quiet, "Console: the summary only");
    command.add_flag("--verbose,-v", args.verbose, "Console: passing cases and every deviation");
}

} // namespace

void setup_report(CLI::App& command, Outcome& outcome) {
    auto args = std::make_shared<ReportArgs>();
    auto merge_args = std::make_shared<ReportArgs>();
    command.add_option("file", args->files, "A report.json written by conform run or replay")
        ->type_name("FILE.json")
        ->check(CLI::ExistingFile);
    bind_common(command, *args, "console");
    command
        .add_option("--out,-o", args->out,
                    "Where file formats are written (default: beside FILE.json)")
        ->type_name("DIR");
    command.footer("Exit status: the report's verdict as `conform run` gives it (0 conformant, "
                   "1 deviations of severity error, 3 a target was unreachable); 2 when the "
                   "report cannot be read (the message names the file and JSON pointer).");

    CLI::App* merge = command.add_subcommand(
        "merge", "Join the report.json files of a run split with --shard K/N into one");
    merge->add_option("files", merge_args->files, "Every shard's report.json")
        ->required()
        ->type_name("FILE.json")
        ->check(CLI::ExistingFile);
    merge->add_option("--out,-o", merge_args->out, "Where the merged report.json goes")
        ->required()
        ->type_name("DIR");
    bind_common(*merge, *merge_args, "console, json");
    merge->footer("The merged report lists cases in the order one unsharded run would have. "
                  "Exit status as for `conform report`; 2 when a shard is missing or repeated.");

    merge->callback([merge_args, &outcome] {
        std::vector<report::NamedReport> reports;
        for (const std::string& file : merge_args->files) {
            auto model = report::load_report(file);
            if (!model) {
                outcome = core::fail(std::move(model).error());
                return;
            }
            reports.push_back({file, std::move(*model)});
        }
        auto merged = report::merge_reports(std::move(reports));
        if (!merged) {
            outcome = core::fail(std::move(merged).error());
            return;
        }
        std::vector<report::Format> formats = parse_formats(merge_args->formats);
        if (formats.empty())
            formats = {report::Format::console, report::Format::json};
        if (std::find(formats.begin(), formats.end(), report::Format::json) == formats.end())
            formats.push_back(report::Format::json); // merging without keeping the result is moot
        outcome = render(*merged, formats, merge_args->out, *merge_args);
    });

    command.callback([merge, args, &outcome] {
        if (merge->parsed())
            return;
        if (args->files.size() != 1)
            throw CLI::ValidationError("file", args->files.empty()
                                                   ? "name one report.json (or use `merge`)"
                                                   : "name one report.json; to join shards use "
                                                     "`conform report merge`");
        const std::filesystem::path file = args->files.front();
        auto model = report::load_report(file);
        if (!model) {
            outcome = core::fail(std::move(model).error());
            return;
        }
        std::vector<report::Format> formats = parse_formats(args->formats);
        if (formats.empty())
            formats = {report::Format::console};
        const std::filesystem::path dir =
            args->out.empty() ? file.parent_path().empty() ? "." : file.parent_path()
                              : std::filesystem::path(args->out);
        outcome = render(*model, formats, dir, *args);
    });
}

} // namespace conform::cli
