#pragma once
// The named checks over one case's exchanges, as the live runner and replay both run them:
// every check that applies to the case and was selected, one root cause one deviation.

#include <string>
#include <string_view>
#include <vector>

#include "runner/checks/checks.hpp"
#include "runner/report/report.hpp"

namespace conform::engine {

// Whether --check selected the check (an empty selection selects every check).
[[nodiscard]] bool is_selected(const std::vector<std::string>& selection, std::string_view name);

// One CheckResult per check that ran, in registry order. The same finding on several
// exchanges (the pages of a walk) is folded into the first, with the occurrences counted.
[[nodiscard]] std::vector<report::CheckResult>
run_case_checks(const checks::CheckContext& context, const std::vector<std::string>& selection);

} // namespace conform::engine
