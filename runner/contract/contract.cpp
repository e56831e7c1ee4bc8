#include "runner/contract/contract.hpp"

#include <algorithm>
#include <cctype>

#include "runner/contract/internal/most_specific_error.hpp"
#include "runner/core/text.hpp"

namespace conform::contract {
namespace {} // namespace

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

core::Result<const Operation*> Contract::route(const Query& query) const {
    const std::string& param = routing.param;
    const std::string* chosen = nullptr;
    const std::string* near_miss = nullptr; // "action=GetRepo": names are case-sensitive
    for (const auto& [key, value] : query) {
        if (key != param) {
            if (near_miss == nullptr && core::iequals(key, param))
                near_miss = &key;
            continue;
        }
        if (chosen == nullptr)
            chosen = &value;
        else if (value != *chosen) // which one the server obeys is anyone's guess
            return core::fail("the query names two operations: " + param + "=" + *chosen + " and " +
                              param + "=" + value);
    }
    if (chosen == nullptr)
        return core::fail(
            "the query has no \"" + param + "\" parameter, which names the " + name + " operation" +
            (near_miss ? " (it has \"" + *near_miss + "\"; parameter names are case-sensitive)"
                       : std::string()));
    if (chosen->empty())
        return core::fail("the query's \"" + param + "\" parameter is empty");
    if (const Operation* found = find_operation(*chosen))
        return found;
    std::vector<std::string> names;
    std::string listed;
    for (const auto& [operation, unused] : operations) {
        names.push_back(operation);
        listed += (listed.empty() ? "" : ", ") + operation;
    }
    const std::string hint = internal::closest_name(*chosen, names);
    return core::fail(
        param + "=" + *chosen + " names no operation of " + name +
        (hint.empty() ? " (it has: " + listed + ")" : " (did you mean " + hint + "?)"));
}

} // namespace conform::contract
