#pragma once
// What the reference and the applicability table read off one paging operation once: its
// fixture, how its total is typed, which item field missing-field drops.

#include <string>
#include <vector>

#include "runner/serve/serve.hpp"

namespace conform::serve::internal {

struct OperationPlan {
    const contract::Operation* operation = nullptr;
    const OperationFixture* fixture = nullptr;
    bool total_is_string = false;     // the response schema types the total as a string
    std::string dropped_field;        // missing-field: the first required non-key item field
    bool has_uppercase_field = false; // lowercase-fields changes something
};

// Every operation with a pagination model and a fixture, in operation-name order.
[[nodiscard]] std::vector<OperationPlan> paging_plans(const contract::Contract& contract,
                                                      const Fixtures& fixtures);
[[nodiscard]] OperationPlan plan_of(const contract::Operation& operation,
                                    const OperationFixture* fixture);

// The persona's default page size: half the documented default (10 for 20), at least 1.
[[nodiscard]] std::int64_t wrong_default_limit(std::int64_t documented);

} // namespace conform::serve::internal
