#pragma once
// Reading a response schema the way the reference needs it: the subschema that describes the
// value at an instance pointer (through properties, items and local $refs), so that the total
// is typed as the contract documents it and personas know the item fields.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_pointer.hpp"

namespace conform::serve::internal {

// Same-document "$ref"s are followed with core::resolve_local_ref.
using core::resolve_local_ref;

// The subschema for the member at instance_pointer ("/TotalCount", "/data/repoInfo"), following
// "properties" and same-document "$ref"s; nullptr when the schema does not describe it.
[[nodiscard]] const nlohmann::json* subschema_at(const nlohmann::json& schema,
                                                 std::string_view instance_pointer);
// The "items" subschema of the array at items_pointer; nullptr when undescribed.
[[nodiscard]] const nlohmann::json* item_schema(const nlohmann::json& schema,
                                                std::string_view items_pointer);
// Whether the schema's "type" is exactly string (or a list holding string and no number type).
[[nodiscard]] bool is_string_typed(const nlohmann::json* subschema);
// Its "required" names, in order.
[[nodiscard]] std::vector<std::string> required_of(const nlohmann::json* subschema);
// Its "properties" names.
[[nodiscard]] std::vector<std::string> properties_of(const nlohmann::json* subschema);

} // namespace conform::serve::internal
