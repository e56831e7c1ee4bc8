// Links between the operations of one family: a required request parameter that names an item
// another operation lists (GetRepoImage's RepoName is an item of GetRepo). Inferred by name,
// case-insensitively; contract.json "links" declares the ones whose names differ.
#include <algorithm>
#include <tuple>

#include "runner/contract/cases.hpp"
#include "runner/contract/internal/schema_walk.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::contract {
namespace {

using internal::lower;

// Parameters a run always sets itself: the routing one and the paging ones.
bool is_run_parameter(const Contract& contract, const Operation& op, std::string_view param) {
    if (param == contract.routing.param)
        return true;
    return op.pagination &&
           (param == op.pagination->offset_param || param == op.pagination->limit_param);
}

std::string first_item_pointer(const Operation& producer, std::string_view field) {
    std::string out = producer.pagination->items_pointer + "/0";
    core::append_pointer_token(out, field);
    return out;
}

// The producer's item field matching param case-insensitively and of the parameter's type
// (ussl's integer Type is not the string Type a certificate listing holds); empty when none.
std::string matching_field(const Operation& producer, std::string_view param,
                           const std::string& param_type) {
    const nlohmann::json* item =
        internal::item_schema(producer.response.document, producer.pagination->items_pointer);
    const std::string wanted = lower(param);
    for (const std::string& name : internal::property_names(item)) {
        if (lower(name) != wanted)
            continue;
        const std::string field_type =
            internal::type_of(internal::property(producer.response.document, item, name));
        if (param_type.empty() || field_type.empty() || field_type == param_type)
            return name;
    }
    return {};
}

std::size_t required_count(const Contract& contract, const Operation& op) {
    const auto names = internal::required_names(&op.request.document);
    return static_cast<std::size_t>(std::count_if(
        names.begin(), names.end(), [&](auto& n) { return !is_run_parameter(contract, op, n); }));
}

// The listing that names the parameter best: the one whose item key it is, then the one that
// needs the fewest parameters itself, then by name (deterministic).
std::optional<Link> inferred(const Contract& contract, const Operation& consumer,
                             const std::string& param) {
    std::optional<Link> best;
    std::tuple<bool, std::size_t, std::string> best_rank;
    const nlohmann::json& request = consumer.request.document;
    const std::string param_type = internal::type_of(internal::property(request, &request, param));
    for (const auto& [name, op] : contract.operations) {
        if (name == consumer.name || !op.pagination || !contract.is_read_only(name))
            continue;
        const std::string field = matching_field(op, param, param_type);
        if (field.empty())
            continue;
        const bool not_key = lower(op.pagination->item_key) != lower(param);
        std::tuple<bool, std::size_t, std::string> rank{not_key, required_count(contract, op),
                                                        name};
        if (!best || rank < best_rank) {
            best = Link{param, name, first_item_pointer(op, field)};
            best_rank = std::move(rank);
        }
    }
    return best;
}

} // namespace

std::vector<Link> links_of(const Contract& contract, const Operation& consumer) {
    std::vector<Link> out;
    for (const std::string& param : internal::required_names(&consumer.request.document)) {
        if (is_run_parameter(contract, consumer, param))
            continue;
        auto declared = std::find_if(contract.links.begin(), contract.links.end(), [&](auto& d) {
            return d.param == param && (d.operation.empty() || d.operation == consumer.name) &&
                   d.from != consumer.name;
        });
        if (declared != contract.links.end()) {
            const Operation* from = contract.find_operation(declared->from);
            out.push_back({param, declared->from, first_item_pointer(*from, declared->field)});
            continue;
        }
        if (auto link = inferred(contract, consumer, param))
            out.push_back(std::move(*link));
    }
    return out;
}

} // namespace conform::contract
