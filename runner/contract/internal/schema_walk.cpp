#include "runner/contract/internal/schema_walk.hpp"

#include "runner/core/json_pointer.hpp"

namespace conform::contract::internal {

using nlohmann::json;

const json* property(const json& root, const json* schema, std::string_view name) {
    schema = resolve_ref(root, schema);
    if (!schema || !schema->is_object())
        return nullptr;
    auto props = schema->find("properties");
    if (props == schema->end() || !props->is_object())
        return nullptr;
    auto it = props->find(std::string(name));
    return it == props->end() ? nullptr : resolve_ref(root, &*it);
}

const json* item_schema(const json& schema, std::string_view items_pointer) {
    auto tokens = core::parse_pointer(items_pointer);
    if (!tokens)
        return nullptr;
    const json* at = resolve_ref(schema, &schema);
    for (const std::string& t : *tokens) {
        at = property(schema, at, t);
        if (!at)
            return nullptr;
    }
    if (!at->is_object() || !at->contains("items") || !(*at)["items"].is_object())
        return nullptr;
    return resolve_ref(schema, &(*at)["items"]);
}

std::vector<std::string> property_names(const json* schema) {
    std::vector<std::string> out;
    if (!schema || !schema->is_object())
        return out;
    auto it = schema->find("properties");
    if (it != schema->end() && it->is_object())
        for (const auto& [name, _] : it->items())
            out.push_back(name);
    return out;
}

std::vector<std::string> required_names(const json* schema) {
    std::vector<std::string> out;
    if (!schema || !schema->is_object())
        return out;
    auto it = schema->find("required");
    if (it != schema->end() && it->is_array())
        for (const json& n : *it)
            if (n.is_string())
                out.push_back(n.get<std::string>());
    return out;
}

std::string type_of(const json* schema) {
    if (!schema || !schema->is_object())
        return "string";
    auto it = schema->find("type");
    if (it == schema->end())
        return "string";
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_array())
        for (const json& t : *it)
            if (t.is_string() && t != "null")
                return t.get<std::string>();
    return "string";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace conform::contract::internal
