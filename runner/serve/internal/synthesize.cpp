#include "runner/serve/internal/synthesize.hpp"

#include <algorithm>
#include <cstdio>

#include "runner/contract/cases.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/core/text.hpp"
#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/schema_lookup.hpp"

namespace conform::serve::internal {

using nlohmann::json;

namespace {

constexpr std::int64_t k_min_items = 25;    // several pages of the walk's 7
constexpr std::int64_t k_max_items = 130;   // the generated walk's 20 pages of 7 cover it
constexpr std::int64_t k_linked_groups = 3; // producer identifiers a consumer has items for
// Nesting synthesized (objects and arrays each count): real pages nest items five deep
// (UCDN's AuthConfigs/Config/Keys); the bound only stops a schema that refers to itself.
constexpr int k_max_depth = 16;

std::string first_type(const json& schema) {
    auto it = schema.find("type");
    if (it == schema.end())
        return schema.contains("properties") ? "object" : "string";
    if (it->is_string())
        return it->get<std::string>();
    for (const json& t : *it)
        if (t.is_string() && t != "null")
            return t.get<std::string>();
    return "null";
}

std::string two_digits(std::int64_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(i));
    return buf;
}

// A string by format, else "<name>-NN" within the length bounds.
std::string synth_string(const json& schema, std::string_view name, std::int64_t i) {
    const std::string format = schema.value("format", std::string());
    const std::string day = two_digits(i % 28 + 1);
    if (format == "date-time")
        return "2026-01-" + day + "T10:00:00Z";
    if (format == "date")
        return "2026-01-" + day;
    if (format == "time")
        return "10:00:" + two_digits(i % 60) + "Z";
    if (format == "email")
        return "user" + std::to_string(i) + "@example.com";
    if (format == "uri" || format == "url")
        return "https://example.com/items/" + std::to_string(i);
    if (format == "ipv4")
        return "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    if (format == "uuid") {
        char buf[40];
        std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012lld",
                      static_cast<long long>(i));
        return buf;
    }
    std::string out = core::ascii_lower(name.empty() ? "value" : name) + "-" + two_digits(i);
    const auto max = schema.value("maxLength", std::int64_t{-1});
    const auto min = schema.value("minLength", std::int64_t{0});
    if (max >= 0 && static_cast<std::int64_t>(out.size()) > max) // keep the distinct tail
        out = out.substr(out.size() - static_cast<std::size_t>(max));
    while (static_cast<std::int64_t>(out.size()) < min)
        out += 'x';
    return out;
}

json synth_number(const json& schema, std::int64_t i, bool integer) {
    std::int64_t low = 0;
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number())
        low = static_cast<std::int64_t>(m->get<double>());
    if (auto m = schema.find("exclusiveMinimum"); m != schema.end() && m->is_number())
        low = static_cast<std::int64_t>(m->get<double>()) + 1;
    std::int64_t v = low + i;
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
        const auto high = static_cast<std::int64_t>(m->get<double>());
        v = high >= low ? low + i % (high - low + 1) : low;
    }
    return integer ? json(v) : json(static_cast<double>(v));
}

// The object schemas being synthesized, outermost first: a field whose schema is one of them
// (a snapshot's parent, its children) would nest them again.
using Enclosing = std::vector<const json*>;

// Whether sub (or, for an array, its items) is a schema enclosing it.
bool leads_back(const json& root, const json& sub, const Enclosing& enclosing) {
    const json* target = resolve_local_ref(root, &sub);
    if (!target || !target->is_object())
        return false;
    if (std::find(enclosing.begin(), enclosing.end(), target) != enclosing.end())
        return true;
    const auto items = target->find("items");
    return first_type(*target) == "array" && items != target->end() && items->is_object() &&
           std::find(enclosing.begin(), enclosing.end(), resolve_local_ref(root, &*items)) !=
               enclosing.end();
}

bool is_required(const json& schema, const std::string& field) {
    const auto required = schema.find("required");
    return required != schema.end() && required->is_array() &&
           std::find(required->begin(), required->end(), field) != required->end();
}

// A value of given's schema. A schema that refers to itself (a struct holding its own kind) is
// synthesized once: an optional field that leads back is left out, an array of it is empty
// where the schema allows; so the answer stays small and valid. Only a required cycle runs
// into the depth bound.
json synth(const json& root, const json& given, std::string_view name, std::int64_t i, int depth,
           Enclosing& enclosing) {
    const json* schema = resolve_local_ref(root, &given);
    if (!schema || !schema->is_object())
        return synth_string(json::object(), name, i);
    if (auto c = schema->find("const"); c != schema->end())
        return *c;
    if (auto e = schema->find("enum"); e != schema->end() && e->is_array() && !e->empty())
        return (*e)[static_cast<std::size_t>(i) % e->size()];
    const std::string type = first_type(*schema);
    if (type == "integer" || type == "number")
        return synth_number(*schema, i, type == "integer");
    if (type == "boolean")
        return i % 2 == 0;
    if (type == "null")
        return nullptr;
    if (type == "array") {
        json out = json::array();
        const auto items = schema->find("items");
        if (items != schema->end() && items->is_object() && leads_back(root, *items, enclosing) &&
            schema->value("minItems", 0) == 0)
            return out;
        const std::int64_t n = std::max<std::int64_t>(schema->value("minItems", 1), 1);
        if (items != schema->end() && items->is_object() && depth < k_max_depth &&
            schema->value("maxItems", n) >= n)
            for (std::int64_t k = 0; k < n; ++k)
                out.push_back(synth(root, *items, name, i + k, depth + 1, enclosing));
        return out;
    }
    if (type == "object") {
        json out = json::object();
        if (depth < k_max_depth)
            if (auto props = schema->find("properties"); props != schema->end()) {
                enclosing.push_back(schema);
                for (const auto& [field, sub] : props->items())
                    if (is_required(*schema, field) || !leads_back(root, sub, enclosing))
                        out[field] = synth(root, sub, field, i, depth + 1, enclosing);
                enclosing.pop_back();
            }
        return out;
    }
    return synth_string(*schema, name, i);
}

json synth(const json& root, const json& given, std::string_view name, std::int64_t i, int depth) {
    Enclosing enclosing;
    return synth(root, given, name, i, depth, enclosing);
}

// Which fields of the family are identifiers: every paging operation's item key, by lower-case
// name. Their values are a function of the name and the index alone, so they agree across
// operations.
std::vector<std::string> identifier_fields(const contract::Contract& contract) {
    std::vector<std::string> out;
    for (const auto& [_, op] : contract.operations)
        if (op.pagination)
            out.push_back(core::ascii_lower(op.pagination->item_key));
    return out;
}

std::int64_t items_per_group(const contract::Pagination& page) {
    return std::clamp<std::int64_t>(2 * page.limit_default + 5, k_min_items, k_max_items);
}

} // namespace

json synthesize_value(const json& root, const json& schema, std::string_view name,
                      std::int64_t index) {
    return synth(root, schema, name, index, 0);
}

json synthesize_page_base(const contract::Contract& contract, const contract::Operation& op) {
    const json& root = op.response.document;
    json body = success_envelope(contract, op);
    if (const json* top = resolve_local_ref(root, &root); top && top->contains("properties")) {
        Enclosing enclosing{top};
        for (const auto& [field, sub] : (*top)["properties"].items())
            if (!body.contains(field))
                body[field] = synth(root, sub, field, 0, 1, enclosing);
    }
    return body;
}

namespace {

// A linked parameter the operation's items carry: its answers are filtered by it. values: the
// identifiers of the groups when a written dataset of the producer lists them (GetRepo's
// RepoNames for GetRepoImage), else empty (synthesized by name and index, as the producer's).
struct Grouping {
    std::string param;
    std::string field;
    std::vector<json> values;
};

std::vector<json> written_values(const Fixtures& known, const contract::Link& link) {
    std::vector<json> out;
    const OperationFixture* producer = known.find(link.from);
    const auto slash = link.pointer.rfind('/');
    if (!producer || producer->synthesized || slash == std::string::npos)
        return out;
    const std::string field = link.pointer.substr(slash + 1);
    for (const json& item : producer->items) {
        auto v = item.find(field);
        if (v != item.end() && std::find(out.begin(), out.end(), *v) == out.end())
            out.push_back(*v);
        if (static_cast<std::int64_t>(out.size()) == k_linked_groups)
            break;
    }
    return out;
}

std::vector<Grouping> groupings(const contract::Contract& contract, const contract::Operation& op,
                                const std::vector<std::string>& item_fields,
                                const Fixtures& known) {
    std::vector<Grouping> out;
    for (const contract::Link& link : contract::links_of(contract, op))
        for (const std::string& field : item_fields)
            if (core::ascii_lower(field) == core::ascii_lower(link.param))
                out.push_back({link.param, field, written_values(known, link)});
    return out;
}

json synth_item(const contract::Contract& contract, const contract::Operation& op,
                const std::vector<Grouping>& grouped, std::int64_t group, std::int64_t index) {
    const json& root = op.response.document;
    const json* schema = item_schema(root, op.pagination->items_pointer);
    const std::vector<std::string> ids = identifier_fields(contract);
    json item = json::object();
    if (!schema || !schema->is_object() || !schema->contains("properties"))
        return synth(root, schema ? *schema : json::object(), op.pagination->item_key, index, 1);
    Enclosing enclosing{schema};
    for (const auto& [field, sub] : (*schema)["properties"].items()) {
        if (!is_required(*schema, field) && leads_back(root, sub, enclosing))
            continue; // an item's own kind again: left out, as synth leaves it
        const auto by = std::find_if(grouped.begin(), grouped.end(),
                                     [&](const Grouping& g) { return g.field == field; });
        if (by != grouped.end() && group < static_cast<std::int64_t>(by->values.size())) {
            item[field] = by->values[static_cast<std::size_t>(group)]; // as the producer lists
            continue;
        }
        std::int64_t i = index;
        if (by != grouped.end())
            i = group; // the group-th identifier its producer lists
        else if (field != op.pagination->item_key &&
                 std::find(ids.begin(), ids.end(), core::ascii_lower(field)) != ids.end())
            i = index % k_linked_groups; // an identifier another operation lists
        item[field] = synth(root, sub, field, i, 1, enclosing);
    }
    return item;
}

std::string as_param(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

core::Result<json> synth_body(const contract::Contract& contract, const contract::Operation& op) {
    json body = synthesize_page_base(contract, op);
    const schema::ValidationResult r = op.response.compiled.validate(body);
    if (r.valid)
        return body;
    core::Location where;
    where.file = op.response.path.string();
    return core::fail("cannot synthesize a valid answer for " + op.name + " at " +
                          r.errors.front().instance_location + ": " + r.errors.front().error +
                          " (write cases/" + contract.name + "/" + op.name + ".dataset.json)",
                      where);
}

} // namespace

core::Result<OperationFixture> synthesize_fixture(const contract::Contract& contract,
                                                  const contract::Operation& op,
                                                  const Fixtures& known) {
    OperationFixture out;
    out.operation = op.name;
    out.file = op.response.path; // errors about synthesized items name the schema they follow
    out.synthesized = true;
    out.page_base = synthesize_page_base(contract, op);
    if (!op.pagination) {
        CONFORM_TRY(json body, synth_body(contract, op));
        out.body = std::move(body);
        return out;
    }
    const std::vector<std::string> fields =
        properties_of(item_schema(op.response.document, op.pagination->items_pointer));
    const std::vector<Grouping> grouped = groupings(contract, op, fields, known);
    const std::int64_t per_group = items_per_group(*op.pagination);
    const std::int64_t groups = grouped.empty() ? 1 : k_linked_groups;
    for (std::int64_t g = 0; g < groups; ++g)
        for (std::int64_t k = 0; k < per_group; ++k)
            out.items.push_back(synth_item(contract, op, grouped, g, g * per_group + k));
    for (const Grouping& g : grouped) {
        Filter filter{g.param, g.field, {}};
        for (std::int64_t k = 0; k < groups; ++k) {
            const json& v = out.items[static_cast<std::size_t>(k * per_group)][g.field];
            filter.values.emplace(as_param(v), v);
        }
        out.filters.push_back(std::move(filter));
    }
    return out;
}

} // namespace conform::serve::internal
