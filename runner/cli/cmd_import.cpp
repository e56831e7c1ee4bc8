// conform import PAGE_OR_DIR... [--contract NAME] [--out DIR] [--overlays DIR] [--check]
// Derives contracts (schemas, samples, operation descriptors and contract.json) from vendor API
// pages: many pages and folders at once, one contract per family.

#include <iostream>
#include <memory>

#include "runner/cli/commands.hpp"
#include "runner/docs/docs.hpp"

namespace conform::cli {
namespace {

struct ImportOptions {
    std::vector<std::string> inputs;
    std::string contract;
    std::string out_dir;
    std::string overlay_dir;
    bool check = false;
};

void print_pages(const docs::FamilyImportReport& report) {
    for (const docs::PageOutcome& page : report.pages) {
        for (const docs::Warning& warning : page.warnings)
            std::cerr << "conform: " << warning.to_string() << '\n';
        if (page.status == docs::PageStatus::skipped)
            std::cout << "skipped " << page.page.string() << ": " << page.message << '\n';
        else if (page.status == docs::PageStatus::failed)
            std::cerr << "conform: " << page.message << '\n';
    }
}

core::Result<core::Verdict> run_import(const ImportOptions& options) {
    docs::FamilyImportRequest request;
    for (const std::string& input : options.inputs)
        request.inputs.emplace_back(input);
    request.contract = options.contract;
    request.out_dir = options.out_dir;
    request.overlay_dir = options.overlay_dir;
    request.check = options.check;
    auto report = docs::run_family_import(request);
    if (!report)
        return core::fail(report.error());
    print_pages(*report);
    for (const auto& path : report->written)
        std::cout << "wrote " << path.string() << '\n';
    for (const auto& path : report->stale)
        std::cout << "stale " << path.string() << ": a re-import would change it\n";
    const std::size_t failed = report->count(docs::PageStatus::failed);
    std::cout << "imported " << report->count(docs::PageStatus::imported) << ", skipped "
              << report->count(docs::PageStatus::skipped) << ", failed " << failed << '\n';
    return failed > 0 || !report->stale.empty() ? core::Verdict::deviations
                                                : core::Verdict::conformant;
}

} // namespace

void setup_import(CLI::App& command, Outcome& outcome) {
    auto options = std::make_shared<ImportOptions>();
    command
        .add_option("PAGE_OR_DIR", options->inputs,
                    "Vendor API pages (Markdown) and folders of them (walked recursively)")
        ->required();
    command.add_option("--contract", options->contract,
                       "Contract for every page (default: per page, from its name "
                       "<contract>.<Op>.<lang>.md, its API domain or its folder)");
    command.add_option("--out", options->out_dir,
                       "Directory to write into (default: schemas/<contract>/); one contract");
    command.add_option("--overlays", options->overlay_dir,
                       "Directory holding <Operation>.overlay.json (default: the --out directory)");
    command.add_flag("--check", options->check,
                     "Write nothing; name every file a re-import would change (exit 1 if any)");
    command.footer("Pages that are not API pages are skipped, naming why. Exit status: 0 every "
                   "API page imported, 1 some failed (each named file:line) or --check found "
                   "stale files, 2 usage errors.");
    command.callback([options, &outcome] { outcome = run_import(*options); });
}

} // namespace conform::cli
