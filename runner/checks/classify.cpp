#include "runner/checks/checks.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "runner/core/json_pointer.hpp"
#include "runner/core/text.hpp"

namespace conform::checks {
namespace {

using core::Deviation;
using core::DeviationId;
using core::JsonType;
using core::JsonView;
using nlohmann::json;
using schema::OutputUnit;

// ---- pointers ----

std::string parent_of(std::string_view pointer) {
    auto slash = pointer.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(pointer.substr(0, slash));
}

std::string last_token(std::string_view pointer) {
    auto slash = pointer.rfind('/');
    auto tokens =
        core::parse_pointer(slash == std::string_view::npos ? pointer : pointer.substr(slash));
    return tokens && !tokens->empty() ? tokens->back() : std::string();
}

std::string child_of(const std::string& pointer, std::string_view token) {
    std::string out = pointer;
    core::append_pointer_token(out, token);
    return out;
}

std::optional<JsonView> instance_at(JsonView root, std::string_view pointer) {
    return core::resolve_pointer(root, pointer);
}

// ---- the schema side ----

class SchemaLookup {
public:
    explicit SchemaLookup(const json& schema) : m_schema(schema) {
        if (schema.is_object() && schema.contains("$id") && schema["$id"].is_string())
            m_id = schema["$id"].get<std::string>();
    }
    // The schema pointer inside our document of an absoluteKeywordLocation, if it is ours.
    [[nodiscard]] std::optional<std::string> pointer_of(std::string_view absolute) const {
        auto hash = absolute.find('#');
        if (hash == std::string_view::npos)
            return std::nullopt;
        std::string_view uri = absolute.substr(0, hash);
        if (!m_id.empty() && uri != m_id)
            return std::nullopt;
        return std::string(absolute.substr(hash + 1));
    }
    [[nodiscard]] const std::string& id() const { return m_id; }
    [[nodiscard]] const json* at(std::string_view pointer) const {
        return core::resolve_pointer(m_schema, pointer);
    }
    // The nearest enclosing schema that names its documentation row.
    [[nodiscard]] std::optional<core::DocSource> source_near(std::string pointer) const {
        while (true) {
            const json* node = at(pointer);
            if (node && node->is_object()) {
                auto it = node->find("x-source");
                if (it != node->end() && it->is_object()) {
                    core::DocSource s;
                    s.doc = it->value("doc", std::string());
                    s.line = it->value("line", std::size_t{0});
                    return s;
                }
            }
            if (pointer.empty())
                return std::nullopt;
            pointer = parent_of(pointer);
        }
    }

private:
    const json& m_schema;
    std::string m_id;
};

// ---- small words ----

std::string short_json(JsonView v) {
    std::string text = v.to_json().dump();
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return text;
}

bool is_number_text(std::string_view s) {
    if (s.empty())
        return false;
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    return ec == std::errc() && end == s.data() + s.size();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::vector<std::string> expected_types(const json* type) {
    std::vector<std::string> out;
    if (!type)
        return out;
    if (type->is_string())
        out.push_back(type->get<std::string>());
    else if (type->is_array())
        for (const auto& t : *type)
            if (t.is_string())
                out.push_back(t.get<std::string>());
    return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i)
        out += (i ? std::string(sep) : std::string()) + v[i];
    return out;
}

// The sub-kind of a type mismatch (DESIGN.md taxonomy).
std::string mismatch_kind(const std::vector<std::string>& expected, JsonView actual) {
    const JsonType t = actual.type();
    const bool wants_number = contains(expected, "integer") || contains(expected, "number");
    const bool wants_container = contains(expected, "object") || contains(expected, "array");
    if (t == JsonType::null)
        return "null";
    if (t == JsonType::string && wants_number && is_number_text(actual.as_string()))
        return "stringified-number";
    if (t == JsonType::string && contains(expected, "boolean")) {
        const std::string s = core::ascii_lower(actual.as_string());
        if (s == "true" || s == "false")
            return "stringified-bool";
    }
    if (wants_container && t != JsonType::object && t != JsonType::array)
        return "scalar-for-object";
    if (!wants_container && (t == JsonType::object || t == JsonType::array))
        return "object-for-scalar";
    return "wrong-type";
}

std::string actual_type(JsonView v) {
    if (v.is_number() && v.is_integer())
        return "integer";
    return std::string(core::type_name(v.type()));
}

// ---- the classifier ----

struct ObjectFindings {
    std::vector<std::pair<std::string, const OutputUnit*>> missing;
    std::vector<std::pair<std::string, const OutputUnit*>> unexpected;
};

class Classifier {
public:
    explicit Classifier(const ClassifyInput& in) : m_in(in), m_schema(in.schema) {}

    std::vector<Deviation> run() {
        const auto& errors = m_in.result.errors;
        std::vector<bool> consumed(errors.size(), false);
        fold_combinators(errors, consumed);
        for (std::size_t i = 0; i < errors.size(); ++i)
            if (!consumed[i])
                classify_one(errors[i]);
        for (auto& [pointer, findings] : m_objects)
            classify_object(pointer, findings);
        for (const auto& [schema_pointer, instance_pointer] : m_relocated)
            classify_relocated(schema_pointer, instance_pointer);
        return std::move(m_out);
    }

    // A documented field found elsewhere is validated against its documented schema, so that
    // a misplaced field with the wrong type is reported too.
    void classify_relocated(const std::string& schema_pointer,
                            const std::string& instance_pointer) {
        auto value = instance_at(m_in.instance, instance_pointer);
        if (!value || !m_schema.at(schema_pointer))
            return;
        const std::string id = m_schema.id().empty() ? "urn:conform:classify" : m_schema.id();
        schema::Registry registry;
        registry.add(id, m_in.schema);
        const json wrapper = {{"$ref", id + "#" + schema_pointer}};
        auto compiled = schema::compile(wrapper, registry);
        if (!compiled)
            return;
        const auto result = compiled->validate(*value);
        if (result.valid)
            return;
        for (Deviation& d : Classifier({m_in.operation, m_in.schema, *value, result}).run()) {
            d.instance_pointer = instance_pointer + d.instance_pointer;
            const std::string key_schema = d.schema_pointer, key_instance = d.instance_pointer;
            push(std::move(d), key_schema, key_instance);
        }
    }

private:
    // anyOf/oneOf whose branches all failed on type: one type.mismatch naming every type.
    void fold_combinators(const std::vector<OutputUnit>& errors, std::vector<bool>& consumed) {
        for (std::size_t i = 0; i < errors.size(); ++i) {
            const std::string keyword = last_token(errors[i].keyword_location);
            if (keyword != "anyOf" && keyword != "oneOf")
                continue;
            const std::string prefix = errors[i].keyword_location + "/";
            std::vector<std::size_t> nested;
            bool all_types = true;
            std::vector<std::string> types;
            for (std::size_t j = 0; j < errors.size(); ++j) {
                if (j == i || !errors[j].keyword_location.starts_with(prefix))
                    continue;
                nested.push_back(j);
                if (last_token(errors[j].keyword_location) != "type" ||
                    errors[j].instance_location != errors[i].instance_location) {
                    all_types = false;
                    continue;
                }
                if (auto p = m_schema.pointer_of(errors[j].absolute_keyword_location))
                    for (auto& t : expected_types(m_schema.at(*p)))
                        if (!contains(types, t))
                            types.push_back(t);
            }
            consumed[i] = true; // the summary itself never becomes a deviation
            if (!all_types || nested.empty() || types.empty())
                continue;
            for (std::size_t j : nested)
                consumed[j] = true;
            add_type_mismatch(errors[i], types);
        }
    }

    void classify_one(const OutputUnit& u) {
        const std::string keyword = last_token(u.keyword_location);
        if (keyword == "required" || keyword == "dependentRequired") {
            m_objects[u.instance_location].missing.emplace_back(u.property, &u);
            return;
        }
        if ((keyword == "additionalProperties" || keyword == "unevaluatedProperties") &&
            !u.property.empty()) {
            m_objects[parent_of(u.instance_location)].unexpected.emplace_back(u.property, &u);
            return;
        }
        if (keyword == "allOf" || keyword == "then" || keyword == "else" || keyword == "$ref" ||
            keyword == "$dynamicRef")
            return; // summaries of nested errors, which are classified themselves
        const auto pointer = m_schema.pointer_of(u.absolute_keyword_location);
        const json* node = pointer ? m_schema.at(*pointer) : nullptr;
        if (node && node->is_boolean() && !node->get<bool>()) {
            // a subschema that is `false`: a forbidden property or item
            if (keyword_in_properties(u.keyword_location))
                m_objects[parent_of(u.instance_location)].unexpected.emplace_back(
                    last_token(u.instance_location), &u);
            else
                add(u, DeviationId::value_range, "forbidden", "nothing", actual_text(u), u.error);
            return;
        }
        if (keyword == "type") {
            add_type_mismatch(u, expected_types(node));
            return;
        }
        if (keyword == "enum" || keyword == "const") {
            add_enum(u, node, keyword == "const");
            return;
        }
        if (keyword == "pattern" || keyword == "format") {
            add(u, DeviationId::value_format, keyword,
                node ? keyword + " " + node->dump() : keyword, actual_text(u), u.error);
            return;
        }
        if (keyword == "not") {
            add(u, DeviationId::value_enum, "forbidden-value", "not " + (node ? node->dump() : ""),
                actual_text(u), u.error);
            return;
        }
        // minimum, maximum, exclusive*, multipleOf, min/maxLength, min/maxItems,
        // min/maxProperties, uniqueItems, contains, items beyond prefixItems
        add(u, DeviationId::value_range, keyword, node ? keyword + " " + node->dump() : keyword,
            actual_text(u), u.error);
    }

    static bool keyword_in_properties(std::string_view keyword_location) {
        const std::string parent = parent_of(keyword_location);
        return last_token(parent) == "properties";
    }

    std::string actual_text(const OutputUnit& u) const {
        auto v = instance_at(m_in.instance, u.instance_location);
        return v ? short_json(*v) : "(absent)";
    }

    void add_type_mismatch(const OutputUnit& u, const std::vector<std::string>& expected) {
        auto v = instance_at(m_in.instance, u.instance_location);
        const std::string kind = v ? mismatch_kind(expected, *v) : "wrong-type";
        const std::string actual = v ? actual_type(*v) + " " + short_json(*v) : "(absent)";
        std::string message = "expected " + join(expected, " or ") + ", got " + actual;
        if (kind != "wrong-type")
            message += " (" + kind + ")";
        add(u, DeviationId::type_mismatch, kind, join(expected, " or "), actual, message);
    }

    void add_enum(const OutputUnit& u, const json* node, bool is_const) {
        auto v = instance_at(m_in.instance, u.instance_location);
        std::string kind = is_const ? "const" : "not-in-enum";
        std::string expected = node ? node->dump() : "";
        std::string message = u.error;
        if (v && v->is_string() && node) {
            const std::string actual = core::ascii_lower(v->as_string());
            auto near = [&](const json& candidate) {
                return candidate.is_string() &&
                       core::ascii_lower(candidate.get<std::string>()) == actual;
            };
            const json* hit = nullptr;
            if (is_const && near(*node))
                hit = node;
            if (!is_const && node->is_array())
                for (const auto& c : *node)
                    if (near(c))
                        hit = &c;
            if (hit) {
                kind = "case-only";
                message =
                    short_json(*v) + " differs only in case from the documented " + hit->dump();
            }
        }
        add(u, DeviationId::value_enum, kind, expected, v ? short_json(*v) : "(absent)", message);
    }

    // Missing and unexpected members of one object, paired up into renamed/misplaced first.
    void classify_object(const std::string& pointer, ObjectFindings& f) {
        pair_misplaced(pointer, f);
        pair_renamed(pointer, f);
        pair_renamed_optional(pointer, f);
        report_unpaired(pointer, f);
    }

    // field.misplaced: an unexpected object member holding documented-but-missing fields
    void pair_misplaced(const std::string& pointer, ObjectFindings& f) {
        for (auto u = f.unexpected.begin(); u != f.unexpected.end();) {
            auto value = instance_at(m_in.instance, child_of(pointer, u->first));
            std::vector<std::string> moved;
            if (value && value->is_object())
                for (const auto& [name, unit] : f.missing)
                    if (value->find(name))
                        moved.push_back(name);
            if (moved.empty()) {
                ++u;
                continue;
            }
            Deviation d = base(*u->second, DeviationId::field_misplaced, "nested");
            d.instance_pointer = child_of(pointer, u->first);
            d.expected =
                "\"" + join(moved, "\", \"") + "\" at " + (pointer.empty() ? "/" : pointer);
            d.actual = "under " + d.instance_pointer;
            d.message = "documented field(s) " + d.expected + " found " + d.actual;
            d.source = source_of_member(*f.missing.front().second, moved.front());
            // The moved fields are still checked against their documented schemas.
            if (auto object_schema =
                    m_schema.pointer_of(f.missing.front().second->absolute_keyword_location))
                for (const std::string& name : moved)
                    m_relocated.push_back(
                        {child_of(child_of(parent_of(*object_schema), "properties"), name),
                         child_of(d.instance_pointer, name)});
            push(std::move(d), u->second->keyword_location, d.instance_pointer);
            std::erase_if(f.missing, [&](const auto& m) { return contains(moved, m.first); });
            u = f.unexpected.erase(u);
        }
    }

    // field.renamed: a required field, absent, and an unexpected one spelled like it
    void pair_renamed(const std::string& pointer, ObjectFindings& f) {
        for (auto u = f.unexpected.begin(); u != f.unexpected.end();) {
            auto m = std::find_if(f.missing.begin(), f.missing.end(), [&](const auto& miss) {
                return is_probable_rename(miss.first, u->first);
            });
            if (m == f.missing.end()) {
                ++u;
                continue;
            }
            Deviation d = base(*m->second, DeviationId::field_renamed,
                               core::iequals(m->first, u->first) ? "case" : "spelling");
            d.instance_pointer = child_of(pointer, u->first);
            d.expected = "\"" + m->first + "\"";
            d.actual = "\"" + u->first + "\"";
            d.message = "field " + d.actual + " looks like the documented " + d.expected;
            d.source = source_of_member(*m->second, m->first);
            push(std::move(d), m->second->keyword_location + "/" + m->first,
                 child_of(pointer, m->first));
            f.missing.erase(m);
            u = f.unexpected.erase(u);
        }
    }

    // field.renamed too: an optional documented field, absent, spelled differently
    void pair_renamed_optional(const std::string& pointer, ObjectFindings& f) {
        for (auto u = f.unexpected.begin(); u != f.unexpected.end();) {
            const std::string documented = absent_optional_like(pointer, *u->second, u->first);
            if (documented.empty()) {
                ++u;
                continue;
            }
            Deviation d = base(*u->second, DeviationId::field_renamed,
                               core::iequals(documented, u->first) ? "case" : "spelling");
            d.instance_pointer = child_of(pointer, u->first);
            d.expected = "\"" + documented + "\"";
            d.actual = "\"" + u->first + "\"";
            d.message = "field " + d.actual + " looks like the documented (optional) " + d.expected;
            d.source = source_of_member(*u->second, documented);
            push(std::move(d), u->second->keyword_location, child_of(pointer, documented));
            u = f.unexpected.erase(u);
        }
    }

    // What no pairing explained: field.unexpected and field.missing.
    void report_unpaired(const std::string& pointer, const ObjectFindings& f) {
        for (const auto& [name, unit] : f.unexpected) {
            Deviation d = base(*unit, DeviationId::field_unexpected, "undeclared");
            d.instance_pointer = child_of(pointer, name);
            d.expected = "no \"" + name + "\"";
            d.actual =
                short_json(instance_at(m_in.instance, d.instance_pointer).value_or(JsonView()));
            d.message = "field \"" + name + "\" is not in the contract";
            push(std::move(d), unit->keyword_location, child_of(pointer, name));
        }
        for (const auto& [name, unit] : f.missing) {
            Deviation d =
                base(*unit, DeviationId::field_missing,
                     last_token(unit->keyword_location) == "required" ? "required" : "dependent");
            d.instance_pointer = child_of(pointer, name);
            d.expected = "\"" + name + "\" present";
            d.actual = "absent";
            d.message = "required field \"" + name + "\" is missing";
            d.source = source_of_member(*unit, name);
            push(std::move(d), unit->keyword_location + "/" + name, child_of(pointer, name));
        }
    }

    // The documented property of the object schema that reported `u` (additionalProperties)
    // that `actual` probably renames and the instance at `pointer` lacks; "" when none.
    std::string absent_optional_like(const std::string& pointer, const OutputUnit& u,
                                     const std::string& actual) const {
        auto p = m_schema.pointer_of(u.absolute_keyword_location);
        const json* properties = p ? m_schema.at(child_of(parent_of(*p), "properties")) : nullptr;
        if (!properties || !properties->is_object())
            return {};
        auto object = instance_at(m_in.instance, pointer);
        for (const auto& [name, _] : properties->items())
            if (is_probable_rename(name, actual) && !(object && object->find(name)))
                return name;
        return {};
    }

    // x-source of the documented member `name` of the object schema that reported `u`.
    std::optional<core::DocSource> source_of_member(const OutputUnit& u,
                                                    const std::string& name) const {
        auto p = m_schema.pointer_of(u.absolute_keyword_location);
        if (!p)
            return std::nullopt;
        const std::string object_schema = parent_of(*p);
        return m_schema.source_near(child_of(child_of(object_schema, "properties"), name));
    }

    Deviation base(const OutputUnit& u, DeviationId id, std::string kind) const {
        Deviation d;
        d.id = id;
        d.kind = std::move(kind);
        d.severity = core::info(id).severity;
        d.operation = m_in.operation;
        d.instance_pointer = u.instance_location;
        d.schema_pointer = u.keyword_location;
        if (auto p = m_schema.pointer_of(u.absolute_keyword_location))
            d.source = m_schema.source_near(parent_of(*p));
        return d;
    }

    void add(const OutputUnit& u, DeviationId id, std::string kind, std::string expected,
             std::string actual, std::string message) {
        Deviation d = base(u, id, std::move(kind));
        d.expected = std::move(expected);
        d.actual = std::move(actual);
        d.message = std::move(message);
        push(std::move(d), u.keyword_location, u.instance_location);
    }

    // Folds occurrences that differ only by array index into one deviation with a count.
    void push(Deviation d, const std::string& keyword_location, const std::string& instance) {
        const std::string key = std::string(core::name_of(d.id)) + '|' + d.kind + '|' +
                                core::fold_indices(keyword_location) + '|' +
                                core::fold_indices(instance);
        auto [it, inserted] = m_folded.emplace(key, m_out.size());
        if (!inserted) {
            ++m_out[it->second].count;
            return;
        }
        m_out.push_back(std::move(d));
    }

    const ClassifyInput& m_in;
    SchemaLookup m_schema;
    std::map<std::string, ObjectFindings> m_objects;
    std::map<std::string, std::size_t> m_folded;
    std::vector<std::pair<std::string, std::string>> m_relocated; // schema ptr, instance ptr
    std::vector<Deviation> m_out;
};

} // namespace

bool is_probable_rename(std::string_view documented, std::string_view actual) {
    if (core::iequals(documented, actual))
        return true;
    if (documented.size() < 4 || actual.size() < 4)
        return false;
    return edit_distance(core::ascii_lower(documented), core::ascii_lower(actual)) <= 2;
}

std::vector<Deviation> classify(const ClassifyInput& input) {
    auto out = Classifier(input).run();
    // Counted deviations say so in their message.
    for (Deviation& d : out)
        if (d.count > 1)
            d.message += " (" + std::to_string(d.count) + " occurrences, first at " +
                         (d.instance_pointer.empty() ? "/" : d.instance_pointer) + ")";
    return out;
}

} // namespace conform::checks
