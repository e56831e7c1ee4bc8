#pragma once
// Pagination checks on one page (DESIGN.md pagination.*): what a single request/response pair
// can prove about an offset/limit listing. Walk-level checks (duplicates, gaps, unstable
// totals) build on these in the live runner.

#include <optional>
#include <string>
#include <vector>

#include "runner/contract/contract.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/json_view.hpp"

namespace conform::checks {

using Query = contract::Query;
using PageModel = contract::Pagination;

// The first value of a query parameter, if present.
[[nodiscard]] std::optional<std::string> query_value(const Query& query, std::string_view name);

// over-limit, default-limit, items-exceed-total, past-end for one page.
[[nodiscard]] std::vector<core::Deviation> check_page(const PageModel& model, const Query& query,
                                                      core::JsonView body,
                                                      const std::string& operation);

} // namespace conform::checks
