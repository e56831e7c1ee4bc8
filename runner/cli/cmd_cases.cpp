// conform cases --contract NAME [--operation OP] [--schemas DIR] [--cases DIR] [--format text|json]
// The cases a run would send: generated from the contract, or from a cases file, each with
// its source, the parameters it takes from another operation (links) and, when it cannot run,
// why; then the write scenarios (create, read back, update, delete) the contract derives or
// declares.

#include <algorithm>
#include <iostream>
#include <memory>

#include "runner/cli/commands.hpp"
#include "runner/contract/cases.hpp"

namespace conform::cli {
namespace {

struct CasesOptions {
    std::string contract;
    std::string operation;
    std::string schemas_dir;
    std::string cases_dir;
    std::string format = "text";
};

void print_text(const contract::CaseFile& file) {
    std::cout << file.contract << ' ' << file.operation << " (" << file.cases.size() << " cases)\n";
    for (const contract::Case& c : file.cases) {
        std::cout << "  " << c.name << "  [" << contract::name_of(c.source) << "] "
                  << contract::name_of(c.kind) << ", expect " << contract::name_of(c.expect);
        if (c.signing != contract::Signing::sign)
            std::cout << ", signing " << contract::name_of(c.signing);
        for (const auto& [k, v] : c.params)
            std::cout << "  " << k << '=' << v;
        for (const std::string& o : c.omit)
            std::cout << "  -" << o;
        if (c.kind == contract::CaseKind::walk)
            std::cout << "  walk limit " << c.walk_limit;
        std::cout << '\n';
        for (const contract::Link& l : c.links)
            std::cout << "      link " << l.param << " <- " << l.from << ' ' << l.pointer << '\n';
        if (!c.skip.empty())
            std::cout << "      skipped: " << c.skip << '\n';
    }
}

void print_scenario(const contract::Scenario& s) {
    std::cout << "  " << s.name << "  [" << (s.declared ? "contract.json" : "derived") << "] "
              << s.create;
    if (!s.update.empty())
        std::cout << ", " << s.update;
    std::cout << ", " << s.remove << "; read back from " << s.listing << " by " << s.key;
    for (const std::string& d : s.dependents)
        std::cout << "; " << d << " of a child it does not have (refused)";
    std::cout << "; writes: sent to the embedded reference, to a --target only with "
                 "--allow-writes\n";
}

core::Result<core::Verdict> run_cases(const CasesOptions& o) {
    const std::filesystem::path schemas = o.schemas_dir.empty()
                                              ? contract::default_schemas_dir()
                                              : std::filesystem::path(o.schemas_dir);
    const std::filesystem::path cases =
        o.cases_dir.empty() ? contract::default_cases_dir() : std::filesystem::path(o.cases_dir);
    CONFORM_TRY(const contract::Contract loaded,
                contract::load_contract(schemas / o.contract, schemas));
    CONFORM_TRY(const auto plan, contract::plan_cases(loaded, cases, schemas));
    const std::vector<contract::Scenario> scenarios = contract::scenarios_of(loaded);
    auto in_scenario = [&](const contract::Scenario& s) {
        return o.operation.empty() || o.operation == s.create || o.operation == s.update ||
               o.operation == s.remove ||
               std::find(s.dependents.begin(), s.dependents.end(), o.operation) !=
                   s.dependents.end();
    };
    const bool write_of_scenario = std::any_of(scenarios.begin(), scenarios.end(), in_scenario);
    if (!o.operation.empty() && !loaded.is_read_only(o.operation) && !write_of_scenario)
        return core::fail(loaded.find_operation(o.operation)
                              ? o.operation + " is not read-only: a run sends no case for it"
                              : "contract " + o.contract + " has no operation \"" + o.operation +
                                    "\"");
    nlohmann::json all = nlohmann::json::array();
    for (const contract::CaseFile& file : plan) {
        if (!o.operation.empty() && file.operation != o.operation)
            continue;
        if (o.format == "json")
            all.push_back(contract::to_json(file));
        else
            print_text(file);
    }
    // Scenarios after the cases: in JSON, one element each with a "scenario" member.
    std::size_t shown = 0;
    for (const contract::Scenario& s : scenarios) {
        if (!in_scenario(s))
            continue;
        if (o.format == "json") {
            all.push_back(contract::to_json(s));
            continue;
        }
        if (shown++ == 0)
            std::cout << loaded.name << " scenarios\n";
        print_scenario(s);
    }
    if (o.format == "json")
        std::cout << all.dump(2) << '\n';
    return core::Verdict::conformant;
}

} // namespace

void setup_cases(CLI::App& command, Outcome& outcome) {
    auto options = std::make_shared<CasesOptions>();
    command.add_option("--contract", options->contract, "The contract (a folder of --schemas)")
        ->required();
    command.add_option("--operation", options->operation, "Only this operation");
    command.add_option("--schemas", options->schemas_dir, "Contracts folder (default: schemas)");
    command.add_option("--cases", options->cases_dir, "Cases folder (default: cases)");
    command.add_option("--format", options->format, "text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    command.callback([options, &outcome] { outcome = run_cases(*options); });
}

} // namespace conform::cli
