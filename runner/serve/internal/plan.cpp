#include "runner/serve/internal/plan.hpp"

#include <algorithm>

#include "runner/serve/internal/schema_lookup.hpp"

namespace conform::serve::internal {

OperationPlan plan_of(const contract::Operation& operation, const OperationFixture* fixture) {
    OperationPlan plan;
    plan.operation = &operation;
    plan.fixture = fixture;
    if (!operation.pagination)
        return plan;
    const auto& page = *operation.pagination;
    const nlohmann::json& schema = operation.response.document;
    plan.total_is_string = is_string_typed(subschema_at(schema, page.total_pointer));
    const nlohmann::json* item = item_schema(schema, page.items_pointer);
    for (const std::string& name : required_of(item))
        if (name != page.item_key) {
            plan.dropped_field = name;
            break;
        }
    for (const std::string& name : properties_of(item))
        if (std::any_of(name.begin(), name.end(),
                        [](unsigned char c) { return c >= 'A' && c <= 'Z'; }))
            plan.has_uppercase_field = true;
    return plan;
}

std::vector<OperationPlan> paging_plans(const contract::Contract& contract,
                                        const Fixtures& fixtures) {
    std::vector<OperationPlan> out;
    for (const auto& [name, op] : contract.operations)
        if (op.pagination)
            if (const OperationFixture* f = fixtures.find(name))
                out.push_back(plan_of(op, f));
    return out;
}

std::int64_t wrong_default_limit(std::int64_t documented) {
    return std::max<std::int64_t>(1, documented / 2);
}

} // namespace conform::serve::internal
