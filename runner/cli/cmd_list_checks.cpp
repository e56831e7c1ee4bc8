// conform list-checks: the named checks of `conform run` and `conform replay`, from their one
// table (checks/checks.hpp): the names --check and a case's "checks" accept.
#include <iostream>

#include "runner/checks/checks.hpp"
#include "runner/cli/commands.hpp"

namespace conform::cli {

void setup_list_checks(CLI::App& command, Outcome& outcome) {
    command.callback([&outcome] {
        constexpr const char* k_kinds[] = {"single", "walk", "negative", "auth"};
        for (const checks::CheckInfo& c : checks::checks()) {
            std::string kinds;
            for (std::size_t k = 0; k < c.kinds.size(); ++k)
                if (c.kinds[k])
                    kinds += (kinds.empty() ? "" : ",") + std::string(k_kinds[k]);
            if (kinds.empty()) // judged by the write scenarios themselves
                kinds = "scenario";
            std::cout << c.name << std::string(18 - std::min<std::size_t>(17, c.name.size()), ' ')
                      << kinds << std::string(26 - std::min<std::size_t>(25, kinds.size()), ' ')
                      << c.description << '\n';
        }
        outcome = core::Verdict::conformant;
    });
}

} // namespace conform::cli
