#include "runner/docs/internal/pagination.hpp"

#include <algorithm>
#include <tuple>

#include "runner/core/json_pointer.hpp"

namespace conform::docs::internal {
namespace {

using nlohmann::json;

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.ends_with(suffix);
}

const Field* find_field(const FieldTable* table, bool (*matches)(const Field&)) {
    if (!table)
        return nullptr;
    for (const Field& field : table->fields)
        if (matches(field))
            return &field;
    return nullptr;
}

bool is_offset(const Field& f) {
    const std::string name = to_lower_ascii(f.name);
    return name == "offset" || ends_with(name, "offset") ||
           f.description.find("偏移") != std::string::npos;
}

bool is_limit(const Field& f) {
    static constexpr std::string_view k_names[] = {"limit",      "pagesize",    "page_size",
                                                   "maxresults", "max_results", "maxitems",
                                                   "perpage",    "per_page"};
    const std::string name = to_lower_ascii(f.name);
    return std::find(std::begin(k_names), std::end(k_names), name) != std::end(k_names);
}

// A page size by its name's end alone (RecordLimit): only beside an offset, for a create's
// MemoryLimit or CpuLimit is a quota, not a page.
bool is_limit_like(const Field& f) {
    return ends_with(to_lower_ascii(f.name), "limit");
}

// How surely a response field is the total count of the list: 3 for TotalCount, Total and
// their kin, 2 for Total...Count/Num, 1 for another total that is not a price, an amount or
// a size (TotalPrice, TotalSize sit beside lists on price and storage pages), 0 for none.
int total_rank(const Field& f) {
    static constexpr std::string_view k_exact[] = {"total",       "totalcount", "total_count",
                                                   "totalnum",    "total_num",  "totalnumber",
                                                   "totalrecords"};
    static constexpr std::string_view k_not_counts[] = {"price", "amount", "cost",  "fee",
                                                        "size",  "byte",   "money", "capacity"};
    const std::string name = to_lower_ascii(f.name);
    if (std::find(std::begin(k_exact), std::end(k_exact), name) != std::end(k_exact))
        return 3;
    if (name.find("total") == std::string::npos)
        return 0;
    for (std::string_view word : k_not_counts)
        if (name.find(word) != std::string::npos)
            return 0;
    return name.starts_with("total") && (ends_with(name, "count") || ends_with(name, "num")) ? 2
                                                                                             : 1;
}

std::string pointer_to(const std::string& name) {
    return "/" + core::escape_pointer_token(name);
}

const json* property_of(const json& schema, const std::string& name) {
    if (!schema.contains("properties") || !schema["properties"].contains(name))
        return nullptr;
    return &schema["properties"][name];
}

bool is_array(const json& property) {
    if (!property.contains("type"))
        return false;
    const json& type = property["type"];
    return type == "array" ||
           (type.is_array() && std::find(type.begin(), type.end(), "array") != type.end());
}

// The $defs name a {"$ref": "#/$defs/X"} schema refers to, or "".
std::string ref_model(const json& schema) {
    if (!schema.is_object() || !schema.contains("$ref") || !schema["$ref"].is_string())
        return {};
    const std::string ref = schema["$ref"].get<std::string>();
    const std::string prefix = "#/$defs/";
    return ref.starts_with(prefix) ? ref.substr(prefix.size()) : std::string();
}

// The $defs name an array property's items refer to, or "".
std::string items_model(const json& property) {
    return property.contains("items") ? ref_model(property["items"]) : std::string();
}

bool is_scalar(const json* property) {
    if (!property || !property->contains("type"))
        return false;
    const json& type = (*property)["type"];
    auto scalar = [](const json& t) { return t == "string" || t == "integer" || t == "number"; };
    return type.is_string() ? scalar(type)
                            : type.is_array() && std::any_of(type.begin(), type.end(), scalar);
}

// The field that identifies an item: <stem>Id, <stem>Name (stem = the model name without
// Set/Info/List/Item), then a ...Id or ...Name field whose own stem the model's name holds,
// longest first and an Id before a Name (PolicyId over the NATGWId the list is filtered by in
// DescribeNATGWPolicy's DataSet; UGAId over UGAName, though the request may filter by
// UGAId), then, among the others, one the request does not take as a parameter (that one
// names a parent), an Id before a Name; then the first scalar field.
json item_key(const FieldTable& model, const std::string& def, const json& def_schema,
              const FieldTable* request) {
    std::string stem = to_lower_ascii(def);
    for (std::string_view suffix : {"set", "info", "list", "items", "item", "s"}) {
        if (stem.size() > suffix.size() && ends_with(stem, suffix)) {
            stem.resize(stem.size() - suffix.size());
            break;
        }
    }
    const std::vector<std::string> preferred = {stem + "id", stem + "name"};
    auto scalar = [&](const Field& f) { return is_scalar(property_of(def_schema, f.name)); };
    for (const std::string& want : preferred)
        for (const Field& f : model.fields)
            if (to_lower_ascii(f.name) == want && scalar(f))
                return f.name;
    auto is_param = [&](const Field& f) {
        return request && std::any_of(request->fields.begin(), request->fields.end(),
                                      [&](const Field& r) { return r.name == f.name; });
    };
    const Field* best = nullptr;
    std::tuple<std::size_t, int, bool> best_rank{};
    for (const Field& f : model.fields) {
        const std::string name = to_lower_ascii(f.name);
        const int suffix = ends_with(name, "id") ? 2 : ends_with(name, "name") ? 1 : 0;
        if (!suffix || !scalar(f))
            continue;
        const std::string own = name.substr(0, name.size() - (suffix == 2 ? 2 : 4));
        const std::size_t held =
            !own.empty() && stem.find(own) != std::string::npos ? own.size() : 0;
        const std::tuple<std::size_t, int, bool> rank{held, suffix, !is_param(f)};
        if (!best || rank > best_rank) {
            best = &f;
            best_rank = rank;
        }
    }
    if (best)
        return best->name;
    for (const Field& f : model.fields)
        if (scalar(f))
            return f.name;
    return nullptr;
}

// A response field where the list or the total may be: the response table's own fields, then
// (Tencent v2 pages that document a "data" object) the fields of object models they hold.
struct Candidate {
    std::string pointer;
    const Field* field = nullptr;
    const json* property = nullptr;
};

std::vector<Candidate> response_fields(const FieldTable* response, const DerivedSchemas& schemas) {
    std::vector<Candidate> out;
    if (!response)
        return out;
    for (const Field& f : response->fields)
        if (const json* p = property_of(schemas.response, f.name))
            out.push_back({pointer_to(f.name), &f, p});
    const std::size_t top = out.size();
    for (std::size_t i = 0; i < top; ++i) {
        const std::string def = ref_model(*out[i].property);
        const auto it = schemas.models.find(def);
        if (it == schemas.models.end() || !schemas.response.contains("$defs") ||
            !schemas.response["$defs"].contains(def))
            continue;
        for (const Field& f : it->second->fields)
            if (const json* p = property_of(schemas.response["$defs"][def], f.name))
                out.push_back({out[i].pointer + pointer_to(f.name), &f, p});
    }
    return out;
}

} // namespace

json infer_pagination(const PageFacts& facts, const DerivedSchemas& schemas, const std::string& doc,
                      std::vector<Warning>& warnings) {
    const FieldTable* request = main_table(facts, Section::request);
    const FieldTable* response = main_table(facts, Section::response);
    const Field* offset = find_field(request, is_offset);
    const Field* limit = find_field(request, is_limit);
    if (!limit && offset)
        limit = find_field(request, is_limit_like);
    if (!offset && !limit)
        return nullptr;
    auto default_of = [&](const Field* f) -> json {
        const json* p = f ? property_of(schemas.request, f->name) : nullptr;
        return p && p->contains("default") ? (*p)["default"] : json(nullptr);
    };
    json model = {{"offset_param", offset ? json(offset->name) : json(nullptr)},
                  {"offset_default", default_of(offset)},
                  {"limit_param", limit ? json(limit->name) : json(nullptr)},
                  {"limit_default", default_of(limit)},
                  {"items_pointer", nullptr},
                  {"total_pointer", nullptr},
                  {"item_key", nullptr}};
    auto warn = [&](std::string message) {
        const std::size_t line = response ? response->header_line : 1;
        warnings.push_back(Warning{core::Location{doc, line, 0, {}, false}, std::move(message)});
    };
    const std::vector<Candidate> fields = response_fields(response, schemas);
    // the list: the first array of data-model items, else the first array
    const Candidate* items = nullptr;
    for (int pass = 0; pass < 2 && !items; ++pass)
        for (const Candidate& c : fields)
            if (is_array(*c.property) && (pass == 1 || !items_model(*c.property).empty())) {
                items = &c;
                break;
            }
    if (items) {
        model["items_pointer"] = items->pointer;
        const std::string def = items_model(*items->property);
        const auto it = schemas.models.find(def);
        if (it != schemas.models.end() && schemas.response.contains("$defs") &&
            schemas.response["$defs"].contains(def))
            model["item_key"] = item_key(*it->second, def, schemas.response["$defs"][def], request);
    } else {
        warn("pagination: the response documents no list field");
    }
    const Candidate* total = nullptr;
    int best = 0;
    for (const Candidate& c : fields)
        if (const int rank = total_rank(*c.field); rank > best && is_scalar(c.property)) {
            total = &c;
            best = rank;
        }
    if (total)
        model["total_pointer"] = total->pointer;
    else
        warn("pagination: the response documents no total-count field");
    return model;
}

} // namespace conform::docs::internal
