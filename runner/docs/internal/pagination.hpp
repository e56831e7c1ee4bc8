#pragma once
// The pagination model a page implies: the offset and limit parameters with their stated
// defaults, the list field and the total-count field of the response, and the field that
// identifies an item (DESIGN.md "Operation").

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docs/docs.hpp"
#include "runner/docs/internal/page.hpp"
#include "runner/docs/internal/schemas.hpp"

namespace conform::docs::internal {

// {"offset_param", "offset_default", "limit_param", "limit_default", "items_pointer",
//  "total_pointer", "item_key"} with null for what the page does not give, or null when the
// request has neither an offset nor a limit parameter.
[[nodiscard]] nlohmann::json infer_pagination(const PageFacts& facts, const DerivedSchemas& schemas,
                                              const std::string& doc,
                                              std::vector<Warning>& warnings);

} // namespace conform::docs::internal
