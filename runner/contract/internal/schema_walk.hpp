#pragma once
// Reading an operation's schemas the way case generation and links need them: request
// parameters with their subschemas, and the item schema of a listing (through properties,
// items and same-document $refs, as the importer writes them).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_pointer.hpp"

namespace conform::contract::internal {

// The subschema of the array items at items_pointer ("/RepoSet"); nullptr when undescribed.
[[nodiscard]] const nlohmann::json* item_schema(const nlohmann::json& schema,
                                                std::string_view items_pointer);
// A same-document "$ref" followed (bounded hops); the node itself otherwise.
inline const nlohmann::json* resolve_ref(const nlohmann::json& root, const nlohmann::json* node) {
    return core::resolve_local_ref(root, node);
}
// "properties" names in document order (nlohmann keeps them sorted) and "required" in order.
[[nodiscard]] std::vector<std::string> property_names(const nlohmann::json* schema);
[[nodiscard]] std::vector<std::string> required_names(const nlohmann::json* schema);
// The property's subschema ($ref followed); nullptr when not declared.
[[nodiscard]] const nlohmann::json* property(const nlohmann::json& root,
                                             const nlohmann::json* schema, std::string_view name);
// The first JSON type the subschema names ("string" when it names none).
[[nodiscard]] std::string type_of(const nlohmann::json* schema);
// ASCII lower case.
[[nodiscard]] std::string lower(std::string_view s);

} // namespace conform::contract::internal
