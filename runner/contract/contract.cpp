#include "runner/contract/contract.hpp"

#include <algorithm>
#include <cctype>

#include "runner/contract/internal/most_specific_error.hpp"
#include "runner/core/text.hpp"

namespace conform::contract {

std::string ActionEcho::expected(std::string_view operation) const {
    return std::string(operation) + suffix;
}

const Operation* Contract::find_operation(std::string_view operation) const {
    auto it = operations.find(operation);
    return it == operations.end() ? nullptr : &it->second;
}

bool Contract::is_read_only(std::string_view operation) const {
    return std::find(read_only.begin(), read_only.end(), operation) != read_only.end();
}

namespace {

// The operation the routing parameter names among query's (name, value) pairs: strings or views.
template <class Pairs>
core::Result<const Operation*> route_in(const Contract& contract, const Pairs& query) {
    const std::string& param = contract.routing.param;
    std::optional<std::string_view> chosen;
    std::optional<std::string_view> near_miss; // "action=GetRepo": names are case-sensitive
    for (const auto& [key, value] : query) {
        if (key != param) {
            if (!near_miss && core::iequals(key, param))
                near_miss = key;
            continue;
        }
        if (!chosen)
            chosen = value;
        else if (value != *chosen) // which one the server obeys is anyone's guess
            return core::fail("the query names two operations: " + param + "=" +
                              std::string(*chosen) + " and " + param + "=" + std::string(value));
    }
    if (!chosen)
        return core::fail("the query has no \"" + param + "\" parameter, which names the " +
                          contract.name + " operation" +
                          (near_miss ? " (it has \"" + std::string(*near_miss) +
                                           "\"; parameter names are case-sensitive)"
                                     : std::string()));
    if (chosen->empty())
        return core::fail("the query's \"" + param + "\" parameter is empty");
    if (const Operation* found = contract.find_operation(*chosen))
        return found;
    std::vector<std::string> names;
    std::string listed;
    for (const auto& [operation, unused] : contract.operations) {
        names.push_back(operation);
        listed += (listed.empty() ? "" : ", ") + operation;
    }
    const std::string hint = internal::closest_name(*chosen, names);
    return core::fail(
        param + "=" + std::string(*chosen) + " names no operation of " + contract.name +
        (hint.empty() ? " (it has: " + listed + ")" : " (did you mean " + hint + "?)"));
}

} // namespace

core::Result<const Operation*> Contract::route(const Query& query) const {
    return route_in(*this, query);
}

core::Result<const Operation*>
Contract::route_views(std::span<const std::pair<std::string_view, std::string_view>> query) const {
    return route_in(*this, query);
}

std::optional<std::string> index_template(std::string_view name) {
    std::string out;
    bool indexed = false;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        const std::string_view segment = name.substr(start, dot - start);
        const bool digits = start > 0 && !segment.empty() &&
                            std::all_of(segment.begin(), segment.end(),
                                        [](char c) { return c >= '0' && c <= '9'; });
        indexed = indexed || digits;
        out += (start > 0 ? "." : "") + std::string(digits ? std::string_view("N") : segment);
        start = dot + 1;
    }
    return indexed ? std::optional<std::string>(out) : std::nullopt;
}

const nlohmann::json* request_property(const nlohmann::json& request_schema,
                                       std::string_view name) {
    if (!request_schema.is_object())
        return nullptr;
    if (auto props = request_schema.find("properties");
        props != request_schema.end() && props->is_object())
        if (auto it = props->find(std::string(name)); it != props->end())
            return &*it;
    const std::optional<std::string> name_template = index_template(name);
    auto patterns = request_schema.find("patternProperties");
    if (!name_template || patterns == request_schema.end() || !patterns->is_object())
        return nullptr;
    for (const auto& [pattern, schema] : patterns->items())
        if (schema.is_object() && schema.value("x-indexed", std::string()) == *name_template)
            return &schema;
    return nullptr;
}

} // namespace conform::contract
