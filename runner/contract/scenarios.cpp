// Write scenarios of a family (issue 17): which operations create, update and delete a
// resource, and which listing shows it. Paired by name (CreateRepo, UpdateRepo, DeleteRepo,
// GetRepo) and by the identifier they share (the listing's item key RepoName, required by every
// write); contract.json "scenarios" declares what the names do not show.
#include <algorithm>
#include <array>
#include <string_view>

#include "runner/contract/cases.hpp"
#include "runner/contract/internal/schema_walk.hpp"

namespace conform::contract {
namespace {

// The verbs that name a resource's operations (UCloud Create/Update/Delete, Get/Describe/List).
constexpr std::array<std::string_view, 3> k_listing_verbs = {"Get", "Describe", "List"};
constexpr std::array<std::string_view, 2> k_update_verbs = {"Update", "Modify"};
constexpr std::string_view k_create_verb = "Create";
constexpr std::string_view k_delete_verb = "Delete";

bool requires_param(const Operation* op, std::string_view param) {
    if (!op)
        return false;
    const auto names = internal::required_names(&op->request.document);
    return std::find(names.begin(), names.end(), param) != names.end();
}

const Operation* listing_of(const Contract& contract, std::string_view resource,
                            const Operation& create) {
    for (std::string_view verb : k_listing_verbs) {
        const Operation* op = contract.find_operation(std::string(verb) + std::string(resource));
        if (op && op->pagination && contract.is_read_only(op->name))
            return op;
    }
    // else the read-only listing whose item key the create requires (first by name)
    for (const auto& [name, op] : contract.operations)
        if (op.pagination && contract.is_read_only(name) &&
            requires_param(&create, op.pagination->item_key))
            return &op;
    return nullptr;
}

std::optional<Scenario> derived_scenario(const Contract& contract, const Operation& create) {
    if (!create.name.starts_with(k_create_verb) || contract.is_read_only(create.name))
        return std::nullopt;
    const std::string resource = create.name.substr(k_create_verb.size());
    if (resource.empty())
        return std::nullopt;
    const Operation* remove = contract.find_operation(std::string(k_delete_verb) + resource);
    const Operation* listing = listing_of(contract, resource, create);
    if (!remove || contract.is_read_only(remove->name) || !listing)
        return std::nullopt;
    const std::string& key = listing->pagination->item_key;
    if (!requires_param(&create, key) || !requires_param(remove, key))
        return std::nullopt;
    Scenario s{resource, create.name, {}, remove->name, listing->name, key, false, {}};
    for (std::string_view verb : k_update_verbs)
        if (const Operation* update = contract.find_operation(std::string(verb) + resource);
            update && !contract.is_read_only(update->name) && requires_param(update, key)) {
            s.update = update->name;
            break;
        }
    return s;
}

// The family's other deletes that require the scenario's key (DeleteRepoImage for Repo).
std::vector<std::string> dependents_of(const Contract& contract, const Scenario& s) {
    std::vector<std::string> out;
    for (const auto& [name, op] : contract.operations)
        if (name.starts_with(k_delete_verb) && name != s.remove && !contract.is_read_only(name) &&
            requires_param(&op, s.key))
            out.push_back(name);
    return out;
}

} // namespace

std::vector<Scenario> scenarios_of(const Contract& contract) {
    std::vector<Scenario> out;
    for (const DeclaredScenario& d : contract.scenarios) {
        const Operation* listing = contract.find_operation(d.listing);
        if (!listing || !listing->pagination)
            continue; // the loader refuses these
        out.push_back({d.resource,
                       d.create,
                       d.update,
                       d.remove,
                       d.listing,
                       listing->pagination->item_key,
                       true,
                       {}});
    }
    for (const auto& entry : contract.operations) { // not a structured binding: a lambda reads it
        const std::string& name = entry.first;
        if (std::any_of(out.begin(), out.end(),
                        [&](const Scenario& s) { return s.create == name; }))
            continue;
        if (auto s = derived_scenario(contract, entry.second))
            out.push_back(std::move(*s));
    }
    for (Scenario& s : out)
        s.dependents = dependents_of(contract, s);
    return out;
}

std::vector<std::string> item_fields(const Operation& listing) {
    if (!listing.pagination)
        return {};
    const nlohmann::json* item =
        internal::item_schema(listing.response.document, listing.pagination->items_pointer);
    return internal::property_names(item);
}

nlohmann::json to_json(const Scenario& scenario) {
    nlohmann::json out = {
        {"scenario", scenario.name}, {"create", scenario.create},
        {"delete", scenario.remove}, {"listing", scenario.listing},
        {"key", scenario.key},       {"source", scenario.declared ? "contract.json" : "derived"}};
    if (!scenario.update.empty())
        out["update"] = scenario.update;
    if (!scenario.dependents.empty())
        out["dependents"] = scenario.dependents;
    return out;
}

} // namespace conform::contract
