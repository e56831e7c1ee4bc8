#include <algorithm>
#include <array>

#include "runner/schema/internal/keywords.hpp"

namespace conform::schema::internal {
namespace {

using V = Vocabulary;

// 2020-12: core 8, applicator 10, unevaluated 11, validation 6, meta-data 9, format 7,
// content 8 (validation spec). One row per keyword.
constexpr std::array k_keywords = {
    KeywordInfo{"$id", V::core, nullptr, false},
    KeywordInfo{"$schema", V::core, nullptr, false},
    KeywordInfo{"$ref", V::core, make_ref, false},
    KeywordInfo{"$anchor", V::core, nullptr, false},
    KeywordInfo{"$dynamicRef", V::core, make_dynamic_ref, false},
    KeywordInfo{"$dynamicAnchor", V::core, nullptr, false},
    KeywordInfo{"$vocabulary", V::core, nullptr, false},
    KeywordInfo{"$comment", V::core, nullptr, false},
    KeywordInfo{"$defs", V::core, nullptr, false},

    KeywordInfo{"prefixItems", V::applicator, make_prefix_items, false},
    KeywordInfo{"items", V::applicator, make_items, false},
    KeywordInfo{"contains", V::applicator, make_contains, false},
    KeywordInfo{"additionalProperties", V::applicator, make_additional_properties, false},
    KeywordInfo{"properties", V::applicator, make_properties, false},
    KeywordInfo{"patternProperties", V::applicator, make_pattern_properties, false},
    KeywordInfo{"dependentSchemas", V::applicator, make_dependent_schemas, false},
    KeywordInfo{"propertyNames", V::applicator, make_property_names, false},
    KeywordInfo{"if", V::applicator, make_if, false},
    KeywordInfo{"then", V::applicator, nullptr, false}, // read by "if"
    KeywordInfo{"else", V::applicator, nullptr, false}, // read by "if"
    KeywordInfo{"allOf", V::applicator, make_all_of, false},
    KeywordInfo{"anyOf", V::applicator, make_any_of, false},
    KeywordInfo{"oneOf", V::applicator, make_one_of, false},
    KeywordInfo{"not", V::applicator, make_not, false},

    KeywordInfo{"unevaluatedItems", V::unevaluated, make_unevaluated_items, false},
    KeywordInfo{"unevaluatedProperties", V::unevaluated, make_unevaluated_properties, false},

    KeywordInfo{"type", V::validation, make_type, false},
    KeywordInfo{"const", V::validation, make_const, false},
    KeywordInfo{"enum", V::validation, make_enum, false},
    KeywordInfo{"multipleOf", V::validation, make_multiple_of, false},
    KeywordInfo{"maximum", V::validation, make_maximum, false},
    KeywordInfo{"exclusiveMaximum", V::validation, make_exclusive_maximum, false},
    KeywordInfo{"minimum", V::validation, make_minimum, false},
    KeywordInfo{"exclusiveMinimum", V::validation, make_exclusive_minimum, false},
    KeywordInfo{"maxLength", V::validation, make_max_length, false},
    KeywordInfo{"minLength", V::validation, make_min_length, false},
    KeywordInfo{"pattern", V::validation, make_pattern, false},
    KeywordInfo{"maxItems", V::validation, make_max_items, false},
    KeywordInfo{"minItems", V::validation, make_min_items, false},
    KeywordInfo{"uniqueItems", V::validation, make_unique_items, false},
    KeywordInfo{"maxContains", V::validation, nullptr, false}, // read by "contains"
    KeywordInfo{"minContains", V::validation, nullptr, false}, // read by "contains"
    KeywordInfo{"maxProperties", V::validation, make_max_properties, false},
    KeywordInfo{"minProperties", V::validation, make_min_properties, false},
    KeywordInfo{"required", V::validation, make_required, false},
    KeywordInfo{"dependentRequired", V::validation, make_dependent_required, false},

    KeywordInfo{"title", V::meta_data, nullptr, true},
    KeywordInfo{"description", V::meta_data, nullptr, true},
    KeywordInfo{"default", V::meta_data, nullptr, true},
    KeywordInfo{"deprecated", V::meta_data, nullptr, true},
    KeywordInfo{"readOnly", V::meta_data, nullptr, true},
    KeywordInfo{"writeOnly", V::meta_data, nullptr, true},
    KeywordInfo{"examples", V::meta_data, nullptr, true},

    // An annotation unless asserted; the factory decides.
    KeywordInfo{"format", V::format_annotation, make_format, true},

    KeywordInfo{"contentEncoding", V::content, nullptr, true},
    KeywordInfo{"contentMediaType", V::content, nullptr, true},
    KeywordInfo{"contentSchema", V::content, nullptr, true},
};

constexpr std::array<std::string_view, k_vocabulary_count> k_vocabulary_uris = {
    "https://json-schema.org/draft/2020-12/vocab/core",
    "https://json-schema.org/draft/2020-12/vocab/applicator",
    "https://json-schema.org/draft/2020-12/vocab/unevaluated",
    "https://json-schema.org/draft/2020-12/vocab/validation",
    "https://json-schema.org/draft/2020-12/vocab/meta-data",
    "https://json-schema.org/draft/2020-12/vocab/format-annotation",
    "https://json-schema.org/draft/2020-12/vocab/format-assertion",
    "https://json-schema.org/draft/2020-12/vocab/content",
};
static_assert(static_cast<std::size_t>(Vocabulary::content) + 1 == k_vocabulary_count);

} // namespace

std::string_view vocabulary_uri(Vocabulary v) {
    return k_vocabulary_uris[static_cast<std::size_t>(v)];
}

std::span<const KeywordInfo> keyword_table() {
    return k_keywords;
}

const KeywordInfo* find_keyword(std::string_view name) {
    auto it = std::find_if(k_keywords.begin(), k_keywords.end(),
                           [&](const KeywordInfo& k) { return k.name == name; });
    return it == k_keywords.end() ? nullptr : &*it;
}

namespace {

// Appends value's compact JSON text (as nlohmann's dump() writes it: members sorted by name,
// a repeated name's last value) to out, stopping once out is longer than limit. Recursion is
// bounded by the limit, as every level writes a bracket: an instance nested 100,000 deep is
// described without descending into it.
void describe_into(std::string& out, core::JsonView value, std::size_t limit) {
    if (out.size() > limit)
        return;
    auto text = [](const nlohmann::json& scalar) {
        return scalar.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    if (value.is_array()) {
        out += '[';
        bool first = true;
        value.for_each_item([&](std::size_t, core::JsonView item) {
            if (!first)
                out += ',';
            first = false;
            describe_into(out, item, limit);
            return out.size() <= limit;
        });
        out += ']';
    } else if (value.is_object()) {
        std::vector<std::pair<std::string_view, core::JsonView>> members;
        value.for_each_member([&](std::string_view key, core::JsonView member) {
            members.emplace_back(key, member);
            return true;
        });
        std::stable_sort(members.begin(), members.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        out += '{';
        bool first = true;
        for (std::size_t i = 0; i < members.size() && out.size() <= limit; ++i) {
            if (i + 1 < members.size() && members[i + 1].first == members[i].first)
                continue; // the last of a repeated name wins, as in nlohmann
            if (!first)
                out += ',';
            first = false;
            out += text(std::string(members[i].first));
            out += ':';
            describe_into(out, members[i].second, limit);
        }
        out += '}';
    } else {
        out += text(value.to_json());
    }
}

} // namespace

std::string describe(core::JsonView value) {
    constexpr std::size_t limit = 60;
    std::string text;
    describe_into(text, value, limit);
    if (text.size() > limit) {
        text.resize(limit);
        // do not cut a UTF-8 sequence in half
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
            text.pop_back();
        if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80))
            text.pop_back();
        text += "...";
    }
    return text;
}

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// ---- node.hpp support ----

std::string KeywordPath::to_pointer() const {
    std::vector<std::string_view> tokens;
    for (const KeywordPath* p = this; p; p = p->parent)
        tokens.push_back(p->token);
    std::string out;
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it)
        core::append_pointer_token(out, *it);
    return out;
}

void Evaluated::mark_member(std::size_t position, std::size_t count) {
    if (members.size() < count)
        members.resize(count, false);
    members[position] = true;
}

void Evaluated::mark_contained(std::size_t index, std::size_t count) {
    if (contained.size() < count)
        contained.resize(count, false);
    contained[index] = true;
}

void Evaluated::merge(const Evaluated& other) {
    if (members.size() < other.members.size())
        members.resize(other.members.size(), false);
    for (std::size_t i = 0; i < other.members.size(); ++i)
        if (other.members[i])
            members[i] = true;
    items = std::max(items, other.items);
    all_items = all_items || other.all_items;
    if (contained.size() < other.contained.size())
        contained.resize(other.contained.size(), false);
    for (std::size_t i = 0; i < other.contained.size(); ++i)
        if (other.contained[i])
            contained[i] = true;
}

void Keyword::report(const Frame& frame, const core::Path& where, std::string message,
                     std::initializer_list<std::string_view> suffix,
                     std::string_view property) const {
    if (!frame.ctx.errors)
        return;
    OutputUnit unit;
    KeywordPath self{frame.schema_path, m_name};
    unit.keyword_location = self.to_pointer();
    unit.absolute_keyword_location = m_absolute;
    for (std::string_view token : suffix) {
        core::append_pointer_token(unit.keyword_location, token);
        core::append_pointer_token(unit.absolute_keyword_location, token);
    }
    unit.instance_location = where.to_pointer();
    unit.error = std::move(message);
    unit.property = std::string(property);
    frame.ctx.errors->push_back(std::move(unit));
}

void Keyword::report_made(const Frame& frame, const core::Path& where,
                          core::FunctionRef<std::string()> make) const {
    report(frame, where, make());
}

namespace {

// Cold paths, kept out of evaluate_node so that its frame stays small.
[[gnu::noinline, gnu::cold]] void report_node(Context& ctx, const SchemaNode& node,
                                              const core::Path& where,
                                              const KeywordPath* schema_path, std::string message) {
    OutputUnit unit;
    unit.keyword_location = schema_path ? schema_path->to_pointer() : std::string();
    unit.absolute_keyword_location = node.location;
    unit.instance_location = where.to_pointer();
    unit.error = std::move(message);
    ctx.errors->push_back(std::move(unit));
}

[[gnu::noinline]] void emit_annotations(Context& ctx, const SchemaNode& node,
                                        const core::Path& where, const KeywordPath* schema_path,
                                        std::size_t mark, bool valid) {
    if (!valid) {
        ctx.annotations->resize(mark); // core 7.7.1.2: failed schemas drop their annotations
        return;
    }
    for (const AnnotationKeyword& a : node.annotations) {
        OutputUnit unit;
        KeywordPath self{schema_path, a.name};
        unit.keyword_location = self.to_pointer();
        unit.absolute_keyword_location = a.absolute_location;
        unit.instance_location = where.to_pointer();
        unit.annotation = a.value;
        ctx.annotations->push_back(std::move(unit));
    }
}

// A schema object that uses unevaluatedProperties/Items: it records what its keywords
// evaluate in its own Evaluated (core 11.1) and passes it up only when valid.
[[gnu::noinline]] bool evaluate_with_own_record(const SchemaNode& node, core::JsonView instance,
                                                const core::Path& where, const Frame& frame,
                                                Evaluated* parent) {
    Evaluated own;
    const Frame inner{frame.ctx, frame.schema_path, frame.scope, &own};
    bool valid = true;
    for (const auto& keyword : node.keywords) {
        if (!keyword->evaluate(instance, where, inner)) {
            valid = false;
            if (!frame.ctx.collecting())
                break;
        }
    }
    if (valid && parent)
        parent->merge(own);
    return valid;
}

// Nodes with subschemas: they count towards the evaluation depth, may enter another
// resource's dynamic scope, and are where annotations are collected.
bool evaluate_descending(const SchemaNode& node, core::JsonView instance, const core::Path& where,
                         Context& ctx, const KeywordPath* schema_path, const Scope* scope,
                         Evaluated* evaluated) {
    ++ctx.depth;

    // Core 7.1 / 8.2.3.2: entering a schema of another resource extends the dynamic scope.
    Scope entered;
    if (node.resource && (!scope || scope->resource != node.resource)) {
        entered = Scope{scope, node.resource};
        scope = &entered;
    }
    const std::size_t annotation_mark = ctx.annotations ? ctx.annotations->size() : 0;
    const Frame frame{ctx, schema_path, scope, evaluated};
    bool valid = true;
    if (node.uses_unevaluated) [[unlikely]] {
        valid = evaluate_with_own_record(node, instance, where, frame, evaluated);
    } else {
        for (const auto& keyword : node.keywords) {
            if (!keyword->evaluate(instance, where, frame)) {
                valid = false;
                if (!ctx.collecting())
                    break;
            }
        }
    }
    if (ctx.annotations) [[unlikely]]
        emit_annotations(ctx, node, where, schema_path, annotation_mark, valid);
    --ctx.depth;
    return valid;
}

[[gnu::noinline, gnu::cold]] bool too_deep(Context& ctx, const SchemaNode& node,
                                           const core::Path& where,
                                           const KeywordPath* schema_path) {
    if (ctx.errors)
        report_node(ctx, node, where, schema_path,
                    "evaluation deeper than " + std::to_string(ctx.max_depth) +
                        " nested subschemas: the schema recurses without consuming the "
                        "instance");
    return false;
}

[[gnu::noinline, gnu::cold]] bool too_deep_instance(Context& ctx, const SchemaNode& node,
                                                    const core::Path& where,
                                                    const KeywordPath* schema_path) {
    if (ctx.errors)
        report_node(ctx, node, where, schema_path,
                    "instance nested deeper than " + std::to_string(ctx.max_instance_depth) +
                        " levels: validation does not descend further");
    return false;
}

} // namespace

bool evaluate_node_general(const SchemaNode& node, core::JsonView instance, const core::Path& where,
                           Context& ctx, const KeywordPath* schema_path, const Scope* scope,
                           Evaluated* evaluated) {
    if (node.is_boolean) [[unlikely]] {
        if (!node.boolean_value && ctx.errors)
            report_node(ctx, node, where, schema_path,
                        "no value is allowed here (the schema is false)");
        return node.boolean_value;
    }
    if (ctx.depth >= ctx.max_depth) [[unlikely]]
        return too_deep(ctx, node, where, schema_path);
    // Only nodes with subschemas descend into the instance, so the check lives here.
    if (where.depth > ctx.max_instance_depth) [[unlikely]]
        return too_deep_instance(ctx, node, where, schema_path);
    return evaluate_descending(node, instance, where, ctx, schema_path, scope, evaluated);
}

bool evaluate_plain_ref(const SchemaNode& node, core::JsonView instance, const core::Path& where,
                        Context& ctx, const KeywordPath* schema_path, const Scope* scope,
                        Evaluated* evaluated) {
    if (ctx.depth >= ctx.max_depth || where.depth > ctx.max_instance_depth ||
        (node.resource && (!scope || scope->resource != node.resource))) [[unlikely]]
        return evaluate_node_general(node, instance, where, ctx, schema_path, scope, evaluated);
    const KeywordPath ref{schema_path, "$ref"};
    ++ctx.depth;
    const bool valid = evaluate_node(*node.ref_only, instance, where, ctx, &ref, scope, evaluated);
    --ctx.depth;
    return valid;
}

} // namespace conform::schema::internal
