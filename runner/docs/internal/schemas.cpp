#include "runner/docs/internal/schemas.hpp"

#include <charconv>
#include <deque>
#include <set>

#include "runner/core/json_pointer.hpp"
#include "runner/docs/internal/defaults.hpp"
#include "runner/docs/internal/type_words.hpp"

namespace conform::docs::internal {
namespace {

using nlohmann::json;

// array[array[...]] read as a type at most this deep.
constexpr std::size_t k_max_array_depth = 8;

std::string ref_to(const std::string& def_name) {
    return "#/$defs/" + core::escape_pointer_token(def_name);
}

} // namespace

std::optional<std::string> indexed_template(std::string_view name) {
    std::string out;
    bool indexed = false;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        std::string_view segment = name.substr(start, dot - start);
        if (segment.empty())
            return std::nullopt;
        const bool index = start > 0 && (segment == "N" || segment == "n");
        indexed = indexed || index;
        out += (start > 0 ? "." : "") + std::string(index ? std::string_view("N") : segment);
        start = dot + 1;
    }
    return indexed ? std::optional<std::string>(out) : std::nullopt;
}

std::string indexed_pattern(std::string_view name_template) {
    std::string out = "^";
    std::size_t start = 0;
    while (start <= name_template.size()) {
        const std::size_t dot = std::min(name_template.find('.', start), name_template.size());
        const std::string_view segment = name_template.substr(start, dot - start);
        if (start > 0)
            out += "\\.";
        out += start > 0 && segment == "N" ? std::string("(0|[1-9][0-9]*)") : std::string(segment);
        start = dot + 1;
    }
    return out + "$";
}

std::string first_index(std::string_view name_template) {
    std::string out(name_template);
    for (std::size_t at = out.find(".N"); at != std::string::npos; at = out.find(".N", at + 1))
        if (at + 2 == out.size() || out[at + 2] == '.')
            out[at + 1] = '0';
    return out;
}

namespace {

// Tencent API 3.0: "注意：此字段可能返回 null，表示取不到有效值。" / "may return null".
bool says_nullable(std::string_view description) {
    const std::string lower = to_lower_ascii(description);
    return lower.find("null") != std::string::npos &&
           (lower.find("可能") != std::string::npos || lower.find("may ") != std::string::npos);
}

class Deriver {
public:
    Deriver(const PageFacts& facts, const SchemaNames& names, std::vector<Warning>& warnings)
        : m_facts(facts), m_names(names), m_warnings(warnings) {}

    DerivedSchemas run() {
        name_models();
        DerivedSchemas out;
        out.models = m_models;
        std::set<std::string> request_refs, response_refs;
        out.request = request_schema(request_refs);
        out.response = response_schema(response_refs);
        // models are rendered once; each schema gets the ones it reaches
        std::map<std::string, std::pair<json, std::set<std::string>>> rendered;
        for (const auto& [name, table] : m_models) {
            std::set<std::string> refs;
            json schema = object_schema(*table, false, refs);
            rendered.emplace(name, std::make_pair(std::move(schema), std::move(refs)));
        }
        std::set<std::string> reached;
        add_defs(out.request, request_refs, rendered, reached);
        // a named model no field uses still documents the response; keep it there
        for (const auto& [name, table] : m_models) {
            if (reached.count(name) || response_refs.count(name))
                continue;
            bool used = false;
            for (const auto& [other, entry] : rendered)
                used = used || entry.second.count(name) > 0;
            if (!used) {
                m_warnings.push_back(
                    warning(table->header_line, "data model " + name + " is used by no field"));
                response_refs.insert(name);
            }
        }
        add_defs(out.response, response_refs, rendered, reached);
        return out;
    }

private:
    Warning warning(std::size_t line, std::string message) const {
        return Warning{core::Location{m_names.doc, line, 0, {}, false}, std::move(message)};
    }

    json source(std::size_t line) const { return {{"doc", m_names.doc}, {"line", line}}; }

    const FieldTable* find_model(const std::string& name) const {
        if (auto it = m_models.find(name); it != m_models.end())
            return it->second;
        for (const auto& [def, table] : m_models)
            if (to_lower_ascii(def) == to_lower_ascii(name))
                return table;
        return nullptr;
    }

    std::string def_name_of(const FieldTable* table) const {
        for (const auto& [def, t] : m_models)
            if (t == table)
                return def;
        return {};
    }

    // Named model tables by name; an unnamed one goes, in page order, to the next "Object" /
    // "Object Array" field that no named model claims (Tencent: "仓库信息字段：" under repoInfo).
    void name_models() {
        std::deque<const FieldTable*> unnamed;
        for (const FieldTable& table : m_facts.tables) {
            if (!table.is_model())
                continue;
            if (table.name.empty())
                unnamed.push_back(&table);
            else if (!m_models.emplace(table.name, &table).second)
                m_warnings.push_back(warning(table.header_line, "data model " + table.name +
                                                                    " is documented twice; the "
                                                                    "first table is kept"));
        }
        for (const FieldTable& table : m_facts.tables) {
            for (const Field& field : table.fields) {
                const TypeExpr type = parse_type(field.type_cell);
                if (unnamed.empty() || !type.row || type.row->slot == ModelSlot::none ||
                    find_model(field.name))
                    continue;
                std::string def = field.name;
                while (m_models.count(def))
                    def += "_";
                m_models.emplace(def, unnamed.front());
                unnamed.pop_front();
            }
        }
        for (const FieldTable* table : unnamed)
            m_warnings.push_back(warning(table->header_line,
                                         "data model table has no name on the page and no "
                                         "Object field to belong to; skipped"));
    }

    json type_schema(const Field& field, std::set<std::string>& refs) {
        const TypeExpr type = parse_type(field.type_cell);
        json schema;
        if (type.array_depth > k_max_array_depth) {
            // Deeper than any answer nests; written out, it would be a schema too deep to load.
            m_warnings.push_back(warning(field.line, "the type of " + field.name + " nests " +
                                                         std::to_string(type.array_depth) +
                                                         " arrays, more than " +
                                                         std::to_string(k_max_array_depth) +
                                                         "; its values are not type-checked"));
            return {{"$comment", "an array type nested " + std::to_string(type.array_depth) +
                                     " deep at " + m_names.doc + ":" + std::to_string(field.line)}};
        }
        const FieldTable* model = nullptr;
        if (type.row) {
            schema = json::parse(type.row->schema);
            if (type.row->slot != ModelSlot::none)
                model = find_model(field.name);
            if (model) {
                const std::string def = def_name_of(model);
                refs.insert(def);
                const json ref = {{"$ref", ref_to(def)}};
                schema = type.row->slot == ModelSlot::self
                             ? ref
                             : json{{"type", "array"}, {"items", ref}};
            }
        } else if (type.names_model && (model = find_model(type.base))) {
            const std::string def = def_name_of(model);
            refs.insert(def);
            schema = {{"$ref", ref_to(def)}};
        } else {
            const std::string word = type.base.empty() ? std::string("(empty)") : type.base;
            m_warnings.push_back(warning(field.line, "unknown type word '" + word + "' for " +
                                                         field.name +
                                                         "; its values are not type-checked"));
            schema = {{"$comment", "unknown type word '" + word + "' at " + m_names.doc + ":" +
                                       std::to_string(field.line)}};
        }
        for (std::size_t i = 0; i < type.array_depth; ++i)
            schema = {{"type", "array"}, {"items", std::move(schema)}};
        return schema;
    }

    json property(const Field& field, bool with_default, std::set<std::string>& refs) {
        json schema = type_schema(field, refs);
        if (with_default) {
            if (const auto stated = find_default(field.description)) {
                std::string why;
                if (auto value = typed_default(*stated, schema, why))
                    schema["default"] = std::move(*value);
                else
                    m_warnings.push_back(warning(field.line, "default '" + *stated + "' of " +
                                                                 field.name + " ignored: " + why));
            }
        }
        if (says_nullable(field.description) && schema.contains("type") &&
            schema["type"].is_string())
            schema["type"] = json::array({schema["type"], "null"});
        schema["x-source"] = source(field.line);
        return schema;
    }

    // The request's object stays open: common and signing parameters ride along with it.
    // An indexed request parameter ("Disks.N.Size") is an array on the wire ("Disks.0.Size",
    // "Disks.1.Size", ...): a patternProperties entry marked "x-indexed" with the page's name;
    // a required one requires index 0.
    json object_schema(const FieldTable& table, bool request, std::set<std::string>& refs) {
        json schema = {{"type", "object"}, {"properties", json::object()}};
        json required = json::array();
        for (const Field& field : table.fields) {
            const std::optional<std::string> indexed =
                request ? indexed_template(field.name) : std::nullopt;
            // Tencent API 3.0's "Filters.N" typed "Array of Filter" names the array itself;
            // API 2.0's "instanceIds.N" typed "Array of String" names its elements, each sent
            // as instanceIds.0, instanceIds.1, ... (typed by the word inside the array).
            const TypeExpr type = parse_type(field.type_cell);
            const bool scalar_elements =
                type.array_depth == 1 && type.row && type.row->slot == ModelSlot::none;
            const bool whole_array = type.array_depth > 0 && !scalar_elements;
            if (indexed && !whole_array) {
                Field element = field;
                if (scalar_elements)
                    element.type_cell = type.base;
                json p = property(element, request, refs);
                // "instanceIds.n" typed a bare "Array": each element is one of it, of a type
                // the page does not say (it typed every element an array, which the reference
                // refused and lint flagged in the page's own sample)
                if (!scalar_elements && p.value("type", json()) == "array") {
                    p.erase("type");
                    p.erase("items");
                }
                p["x-indexed"] = *indexed;
                schema["patternProperties"][indexed_pattern(*indexed)] = std::move(p);
                if (field.required.value_or(false))
                    required.push_back(first_index(*indexed));
                continue;
            }
            schema["properties"][field.name] = property(field, request, refs);
            if (field.required.value_or(false))
                required.push_back(field.name);
        }
        if (!required.empty())
            schema["required"] = std::move(required);
        if (!request)
            schema["additionalProperties"] = false;
        schema["x-source"] = source(table.header_line);
        return schema;
    }

    json header(std::string_view kind) const {
        return {{"$schema", k_draft_2020_12},
                {"$id", std::string(k_id_base) + m_names.contract + "/" + m_names.operation + "." +
                            std::string(kind) + ".schema.json"},
                {"title", m_names.operation + " " + std::string(kind)}};
    }

    json request_schema(std::set<std::string>& refs) {
        json schema = header("request");
        if (const FieldTable* table = main_table(m_facts, Section::request))
            schema.update(object_schema(*table, true, refs));
        else
            schema.update({{"type", "object"},
                           {"$comment", "the page documents no operation-specific parameters"}});
        return schema;
    }

    json response_schema(std::set<std::string>& refs) {
        json schema = header("response");
        if (const FieldTable* table = main_table(m_facts, Section::response)) {
            schema.update(object_schema(*table, false, refs));
        } else {
            m_warnings.push_back(warning(1, "no response table found; the response schema "
                                            "checks nothing"));
            schema.update({{"$comment", "the page documents no response fields"}});
        }
        return schema;
    }

    // Adds the models reachable from refs as $defs.
    static void
    add_defs(json& schema, std::set<std::string> refs,
             const std::map<std::string, std::pair<json, std::set<std::string>>>& rendered,
             std::set<std::string>& reached) {
        std::deque<std::string> todo(refs.begin(), refs.end());
        while (!todo.empty()) {
            const std::string name = todo.front();
            todo.pop_front();
            if (schema.contains("$defs") && schema["$defs"].contains(name))
                continue;
            const auto& [model, more] = rendered.at(name);
            schema["$defs"][name] = model;
            reached.insert(name);
            todo.insert(todo.end(), more.begin(), more.end());
        }
    }

    const PageFacts& m_facts;
    const SchemaNames& m_names;
    std::vector<Warning>& m_warnings;
    std::map<std::string, const FieldTable*> m_models;
};

} // namespace

std::optional<json> typed_default(std::string_view text, const json& property, std::string& why) {
    std::string type = "string";
    if (property.contains("type") && property["type"].is_string())
        type = property["type"].get<std::string>();
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (!text.empty() && text.front() == '+')
        ++first;
    if (type == "integer") {
        long long value = 0;
        auto [end, ec] = std::from_chars(first, last, value);
        if (ec == std::errc() && end == last)
            return json(value);
        why = "not an integer";
        return std::nullopt;
    }
    if (type == "number") {
        if (is_number_text(text)) {
            long long whole = 0;
            auto [end, ec] = std::from_chars(first, last, whole);
            if (ec == std::errc() && end == last)
                return json(whole);
            double value = 0;
            auto [end2, ec2] = std::from_chars(first, last, value);
            if (ec2 == std::errc() && end2 == last)
                return json(value);
        }
        why = "not a number";
        return std::nullopt;
    }
    if (type == "boolean") {
        const std::string lower = to_lower_ascii(text);
        if (lower == "true" || lower == "false")
            return json(lower == "true");
        why = "not a boolean";
        return std::nullopt;
    }
    if (type == "string")
        return json(std::string(text));
    why = "a " + type + " has no default in a description";
    return std::nullopt;
}

DerivedSchemas derive_schemas(const PageFacts& facts, const SchemaNames& names,
                              std::vector<Warning>& warnings) {
    return Deriver(facts, names, warnings).run();
}

} // namespace conform::docs::internal
