// conform docs lint PAGE_OR_DIR... [--format text|json] [--schemas DIR]
// Checks vendor pages against themselves: samples vs tables, defaults vs enums, translations.

#include <algorithm>
#include <iostream>
#include <memory>

#include "runner/checks/doc_lint.hpp"
#include "runner/cli/commands.hpp"

namespace conform::cli {
namespace {

struct LintOptions {
    std::vector<std::string> docs;
    std::string format = "text";
    std::string schemas_dir = "schemas";
    bool no_overlays = false;
};

core::Result<core::Verdict> run_lint(const LintOptions& options) {
    checks::LintRequest request;
    for (const auto& d : options.docs)
        request.docs.emplace_back(d);
    if (!options.no_overlays)
        request.schemas_dir = options.schemas_dir;
    auto report = checks::lint_docs(request);
    if (!report)
        return core::fail(report.error());
    for (const auto& w : report->warnings)
        std::cerr << "conform: " << w.to_string() << '\n';
    for (const checks::LintSkip& skip : report->skipped)
        std::cerr << "conform: " << (skip.failed ? "" : "skipped " + skip.page.string() + ": ")
                  << skip.message << '\n';
    // the summary goes where it cannot break the JSON on stdout
    if (options.format == "json") {
        std::cout << checks::lint_json(*report).dump(2) << '\n';
        std::cerr << checks::lint_summary(*report);
    } else {
        std::cout << checks::lint_text(*report) << checks::lint_summary(*report);
    }
    const bool failed = std::any_of(report->skipped.begin(), report->skipped.end(),
                                    [](const checks::LintSkip& s) { return s.failed; });
    return report->findings.empty() && !failed ? core::Verdict::conformant
                                               : core::Verdict::deviations;
}

} // namespace

void setup_docs(CLI::App& command, Outcome& outcome) {
    command.require_subcommand(1);
    auto options = std::make_shared<LintOptions>();
    CLI::App* lint = command.add_subcommand(
        "lint", "Validate each page's samples against its own tables, and compare pages that "
                "describe the same operation (translation drift)");
    lint->add_option("PAGE_OR_DIR", options->docs,
                     "Vendor API pages (Markdown) and folders of them (walked recursively)")
        ->required();
    lint->add_option("--format", options->format,
                     "text: one line per finding; json: an array of findings with id, severity, "
                     "doc, line, pointer, expected, actual, message")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    lint->add_option("--schemas", options->schemas_dir,
                     "Directory of contracts whose <contract>/<Operation>.overlay.json complete "
                     "the tables")
        ->capture_default_str();
    lint->add_flag("--no-overlays", options->no_overlays, "Use the pages' tables alone");
    lint->footer("Pages that are not API pages are skipped, naming why. Exit status: 0 no "
                 "finding, 1 findings or an API page that could not be read (each named "
                 "file:line), 2 a path that does not exist or holds no page.");
    lint->callback([options, &outcome] { outcome = run_lint(*options); });
}

} // namespace conform::cli
