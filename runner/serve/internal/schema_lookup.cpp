#include "runner/serve/internal/schema_lookup.hpp"

#include "runner/core/json_pointer.hpp"

namespace conform::serve::internal {

using nlohmann::json;

namespace {} // namespace

const json* subschema_at(const json& schema, std::string_view instance_pointer) {
    auto tokens = core::parse_pointer(instance_pointer);
    if (!tokens)
        return nullptr;
    const json* at = resolve_local_ref(schema, &schema);
    for (const std::string& t : *tokens) {
        if (!at || !at->is_object())
            return nullptr;
        auto props = at->find("properties");
        if (props == at->end() || !props->is_object() || !props->contains(t))
            return nullptr;
        at = resolve_local_ref(schema, &(*props)[t]);
    }
    return at;
}

const json* item_schema(const json& schema, std::string_view items_pointer) {
    const json* list = subschema_at(schema, items_pointer);
    if (!list || !list->is_object())
        return nullptr;
    auto it = list->find("items");
    if (it == list->end() || !it->is_object())
        return nullptr;
    return resolve_local_ref(schema, &*it);
}

bool is_string_typed(const json* subschema) {
    if (!subschema || !subschema->is_object())
        return false;
    auto it = subschema->find("type");
    if (it == subschema->end())
        return false;
    if (it->is_string())
        return *it == "string";
    if (!it->is_array())
        return false;
    bool string = false, number = false;
    for (const json& t : *it) {
        string = string || t == "string";
        number = number || t == "integer" || t == "number";
    }
    return string && !number;
}

std::vector<std::string> required_of(const json* subschema) {
    std::vector<std::string> out;
    if (!subschema || !subschema->is_object())
        return out;
    auto it = subschema->find("required");
    if (it != subschema->end() && it->is_array())
        for (const json& n : *it)
            if (n.is_string())
                out.push_back(n.get<std::string>());
    return out;
}

std::vector<std::string> properties_of(const json* subschema) {
    std::vector<std::string> out;
    if (!subschema || !subschema->is_object())
        return out;
    auto it = subschema->find("properties");
    if (it != subschema->end() && it->is_object())
        for (const auto& [name, _] : it->items())
            out.push_back(name);
    return out;
}

} // namespace conform::serve::internal
