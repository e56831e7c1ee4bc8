// conform import DOC.md [--contract NAME] [--out DIR] [--overlays DIR]
// Derives a contract's schemas, samples and operation descriptor from a vendor API page.

#include <iostream>
#include <memory>

#include "runner/cli/commands.hpp"
#include "runner/docs/docs.hpp"

namespace conform::cli {
namespace {

struct ImportOptions {
    std::string doc;
    std::string contract;
    std::string out_dir;
    std::string overlay_dir;
};

ExitCode run_import(const ImportOptions& options) {
    docs::ImportRequest request;
    request.doc = options.doc;
    request.contract = options.contract;
    request.out_dir = options.out_dir;
    request.overlay_dir = options.overlay_dir;
    auto report = docs::run_import(request);
    if (!report) {
        print_error(report.error().to_string());
        return ExitCode::usage;
    }
    for (const docs::Warning& warning : report->result.warnings)
        std::cerr << "conform: " << warning.to_string() << '\n';
    if (!report->result.overlay_applied.empty())
        std::cout << "applied " << report->result.overlay_applied << '\n';
    for (const auto& path : report->written)
        std::cout << "wrote " << path.string() << '\n';
    return ExitCode::ok;
}

} // namespace

void setup_import(CLI::App& command, ExitCode& exit_code) {
    auto options = std::make_shared<ImportOptions>();
    command.add_option("DOC", options->doc, "Vendor API page (Markdown) to import")->required();
    command.add_option("--contract", options->contract,
                       "Contract name for $id and the default output directory "
                       "(default: the page's file name up to the first '.')");
    command.add_option("--out", options->out_dir,
                       "Directory to write into (default: schemas/<contract>/)");
    command.add_option("--overlays", options->overlay_dir,
                       "Directory holding <Operation>.overlay.json (default: the --out directory)");
    command.callback([options, &exit_code] { exit_code = run_import(*options); });
}

} // namespace conform::cli
