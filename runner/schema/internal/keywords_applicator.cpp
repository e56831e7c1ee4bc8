// 2020-12 applicator vocabulary (section 10) and unevaluated vocabulary (section 11).
#include <algorithm>
#include <optional>

#include "runner/schema/internal/keywords.hpp"
#include "runner/schema/internal/property_table.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema::internal {
namespace {

using core::JsonView;
using core::Path;

// Evaluates a subschema on the same instance ("in place"), naming it by tokens under the
// keyword.
bool in_place(const SchemaNode& sub, JsonView instance, const Path& where, const Frame& frame,
              std::string_view keyword, std::string_view token, Evaluated* evaluated) {
    KeywordPath k{frame.schema_path, keyword};
    KeywordPath t{&k, token};
    return evaluate_node(sub, instance, where, frame.ctx, token.empty() ? &k : &t, frame.scope,
                         evaluated);
}

// Evaluates a subschema on a child instance (no evaluated-locations record is shared).
bool on_child(const SchemaNode& sub, JsonView child, const Path& child_where, const Frame& frame,
              std::string_view keyword, std::string_view token) {
    KeywordPath k{frame.schema_path, keyword};
    KeywordPath t{&k, token};
    return evaluate_node(sub, child, child_where, frame.ctx, token.empty() ? &k : &t, frame.scope,
                         nullptr);
}

struct IndexedSchemas {
    std::vector<const SchemaNode*> nodes;
    std::vector<std::string> tokens; // "0", "1", ...
};

core::Result<IndexedSchemas> compile_array(const KeywordSite& site) {
    if (!site.value.is_array() || site.value.empty())
        return core::fail(
            site.services.error(std::string(site.name) + " must be a non-empty array of schemas"));
    IndexedSchemas out;
    for (std::size_t i = 0; i < site.value.size(); ++i) {
        out.tokens.push_back(std::to_string(i));
        CONFORM_TRY(const SchemaNode* node,
                    site.services.subschema(site.value[i], {out.tokens.back()}));
        out.nodes.push_back(node);
    }
    return out;
}

// ---- allOf / anyOf / oneOf / not ----

class AllOf final : public Keyword {
public:
    AllOf(const KeywordSite& site, IndexedSchemas subs)
        : Keyword(std::string(site.name), site.absolute), m_subs(std::move(subs)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        bool valid = true;
        for (std::size_t i = 0; i < m_subs.nodes.size(); ++i) {
            if (!in_place(*m_subs.nodes[i], instance, where, frame, name(), m_subs.tokens[i],
                          frame.evaluated)) {
                valid = false;
                if (!frame.ctx.collecting())
                    return false;
            }
        }
        if (!valid)
            report(frame, where, "does not match every subschema of allOf");
        return valid;
    }

private:
    IndexedSchemas m_subs;
};

class AnyOf final : public Keyword {
public:
    AnyOf(const KeywordSite& site, IndexedSchemas subs)
        : Keyword(std::string(site.name), site.absolute), m_subs(std::move(subs)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const std::size_t mark = frame.ctx.errors ? frame.ctx.errors->size() : 0;
        bool any = false;
        for (std::size_t i = 0; i < m_subs.nodes.size(); ++i) {
            // Annotations of every passing branch count (core 10.2.1.2), so evaluation only
            // stops early when nobody needs them.
            Evaluated branch;
            if (in_place(*m_subs.nodes[i], instance, where, frame, name(), m_subs.tokens[i],
                         frame.evaluated ? &branch : nullptr)) {
                any = true;
                if (frame.evaluated)
                    frame.evaluated->merge(branch);
                else if (!frame.ctx.annotations)
                    break;
            }
        }
        if (any) {
            if (frame.ctx.errors)
                frame.ctx.errors->resize(mark);
            return true;
        }
        report(frame, where, "does not match any subschema of anyOf");
        return false;
    }

private:
    IndexedSchemas m_subs;
};

class OneOf final : public Keyword {
public:
    OneOf(const KeywordSite& site, IndexedSchemas subs)
        : Keyword(std::string(site.name), site.absolute), m_subs(std::move(subs)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const std::size_t mark = frame.ctx.errors ? frame.ctx.errors->size() : 0;
        std::size_t matched = 0;
        std::string list; // the matching indices, for the message: only when collecting
        Evaluated kept;
        for (std::size_t i = 0; i < m_subs.nodes.size(); ++i) {
            Evaluated branch;
            if (in_place(*m_subs.nodes[i], instance, where, frame, name(), m_subs.tokens[i],
                         frame.evaluated ? &branch : nullptr)) {
                ++matched;
                if (matched == 1)
                    kept = std::move(branch);
                if (matched > 1 && !frame.ctx.collecting())
                    return false;
                if (frame.ctx.collecting())
                    list += (list.empty() ? "" : ", ") + m_subs.tokens[i];
            }
        }
        if (matched == 1) {
            if (frame.ctx.errors)
                frame.ctx.errors->resize(mark);
            if (frame.evaluated)
                frame.evaluated->merge(kept);
            return true;
        }
        if (matched == 0) {
            report(frame, where, "does not match any subschema of oneOf");
        } else {
            if (frame.ctx.errors)
                frame.ctx.errors->resize(mark);
            report(frame, where, "matches more than one subschema of oneOf (" + list + ")");
        }
        return false;
    }

private:
    IndexedSchemas m_subs;
};

class Not final : public Keyword {
public:
    Not(const KeywordSite& site, const SchemaNode* sub)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const std::size_t mark = frame.ctx.errors ? frame.ctx.errors->size() : 0;
        const std::size_t amark = frame.ctx.annotations ? frame.ctx.annotations->size() : 0;
        const bool matched = in_place(*m_sub, instance, where, frame, name(), {}, nullptr);
        if (frame.ctx.errors)
            frame.ctx.errors->resize(mark);
        if (frame.ctx.annotations)
            frame.ctx.annotations->resize(amark); // "not" never yields annotations
        if (matched)
            report(frame, where, "must not match the subschema of not");
        return !matched;
    }

private:
    const SchemaNode* m_sub;
};

// ---- if / then / else ----

class IfThenElse final : public Keyword {
public:
    IfThenElse(const KeywordSite& site, const SchemaNode* if_, const SchemaNode* then_,
               const SchemaNode* else_, std::string then_absolute, std::string else_absolute)
        : Keyword(std::string(site.name), site.absolute), m_if(if_), m_then(then_), m_else(else_),
          m_then_absolute(std::move(then_absolute)), m_else_absolute(std::move(else_absolute)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const std::size_t mark = frame.ctx.errors ? frame.ctx.errors->size() : 0;
        Evaluated branch;
        const bool condition =
            in_place(*m_if, instance, where, frame, "if", {}, frame.evaluated ? &branch : nullptr);
        if (frame.ctx.errors)
            frame.ctx.errors->resize(mark); // the "if" outcome is never an error by itself
        if (condition && frame.evaluated)
            frame.evaluated->merge(branch);
        const SchemaNode* next = condition ? m_then : m_else;
        if (!next)
            return true;
        const std::string_view keyword = condition ? "then" : "else";
        KeywordPath k{frame.schema_path, keyword};
        if (evaluate_node(*next, instance, where, frame.ctx, &k, frame.scope, frame.evaluated))
            return true;
        if (frame.ctx.errors) {
            OutputUnit unit;
            unit.keyword_location = k.to_pointer();
            unit.absolute_keyword_location = condition ? m_then_absolute : m_else_absolute;
            unit.instance_location = where.to_pointer();
            unit.error = condition ? "matches \"if\" but not \"then\""
                                   : "does not match \"if\" nor \"else\"";
            frame.ctx.errors->push_back(std::move(unit));
        }
        return false;
    }

private:
    const SchemaNode* m_if;
    const SchemaNode* m_then;
    const SchemaNode* m_else;
    std::string m_then_absolute, m_else_absolute;
};

// ---- objects ----

class PropertyNames final : public Keyword {
public:
    PropertyNames(const KeywordSite& site, const SchemaNode* sub)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        bool valid = true;
        instance.for_each_member([&](std::string_view key, JsonView) {
            const nlohmann::json name_value = std::string(key);
            if (!on_child(*m_sub, JsonView(name_value), where, frame, name(), {})) {
                valid = false;
                if (frame.ctx.collecting())
                    report(frame, where, "property name \"" + std::string(key) + "\" is invalid");
                return frame.ctx.collecting();
            }
            return true;
        });
        return valid;
    }

private:
    const SchemaNode* m_sub;
};

class DependentSchemas final : public Keyword {
public:
    DependentSchemas(const KeywordSite& site, PropertyTable<const SchemaNode*> table)
        : Keyword(std::string(site.name), site.absolute), m_table(std::move(table)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        bool valid = true;
        for (const auto& entry : m_table.entries()) {
            if (!instance.find(entry.key))
                continue;
            if (!in_place(*entry.value, instance, where, frame, name(), entry.key,
                          frame.evaluated)) {
                valid = false;
                if (!frame.ctx.collecting())
                    return false;
            }
        }
        return valid;
    }

private:
    PropertyTable<const SchemaNode*> m_table;
};

class UnevaluatedProperties final : public Keyword {
public:
    UnevaluatedProperties(const KeywordSite& site, const SchemaNode* sub)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub) {}
    bool runs_last() const override { return true; }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        bool valid = true;
        std::size_t position = 0;
        const std::size_t count = instance.size();
        instance.for_each_member([&](std::string_view key, JsonView value) {
            const std::size_t at = position++;
            if (frame.evaluated->member(at))
                return true;
            frame.evaluated->mark_member(at, count);
            if (m_sub->is_boolean && !m_sub->boolean_value) {
                valid = false;
                if (!frame.ctx.collecting())
                    return false;
                report(frame, where.member(key),
                       "property \"" + std::string(key) + "\" is not allowed (unevaluated)", {},
                       key);
                return true;
            }
            if (!on_child(*m_sub, value, where.member(key), frame, name(), {})) {
                valid = false;
                return frame.ctx.collecting();
            }
            return true;
        });
        return valid;
    }

private:
    const SchemaNode* m_sub;
};

// ---- arrays ----

class PrefixItems final : public Keyword {
public:
    PrefixItems(const KeywordSite& site, IndexedSchemas subs)
        : Keyword(std::string(site.name), site.absolute), m_subs(std::move(subs)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_array())
            return true;
        bool valid = true;
        std::size_t evaluated = 0;
        instance.for_each_item([&](std::size_t i, JsonView item) {
            if (i >= m_subs.nodes.size())
                return false;
            evaluated = i + 1;
            if (!on_child(*m_subs.nodes[i], item, where.item(i), frame, name(), m_subs.tokens[i])) {
                valid = false;
                return frame.ctx.collecting();
            }
            return true;
        });
        if (frame.evaluated)
            frame.evaluated->items = std::max(frame.evaluated->items, evaluated);
        return valid;
    }

private:
    IndexedSchemas m_subs;
};

class Items final : public Keyword {
public:
    Items(const KeywordSite& site, const SchemaNode* sub, std::size_t prefix)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub), m_prefix(prefix) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_array())
            return true;
        bool valid = true;
        std::size_t failed = 0;
        instance.for_each_item([&](std::size_t i, JsonView item) {
            if (i < m_prefix)
                return true;
            if (m_sub->is_boolean && !m_sub->boolean_value) {
                valid = false;
                ++failed;
                return frame.ctx.collecting();
            }
            if (!on_child(*m_sub, item, where.item(i), frame, name(), {})) {
                valid = false;
                return frame.ctx.collecting();
            }
            return true;
        });
        if (failed)
            report(frame, where,
                   "array has " + std::to_string(failed) + " item(s) beyond the " +
                       std::to_string(m_prefix) + " allowed");
        if (frame.evaluated)
            frame.evaluated->all_items = true;
        return valid;
    }

    bool add_to_tape(TapeNode& node) const override {
        if (m_prefix != 0 || node.items || !m_sub->tape)
            return false;
        node.items = m_sub->tape;
        return true;
    }

private:
    const SchemaNode* m_sub;
    std::size_t m_prefix;
};

class Contains final : public Keyword {
public:
    Contains(const KeywordSite& site, const SchemaNode* sub, std::size_t min,
             std::optional<std::size_t> max)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub), m_min(min), m_max(max) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_array())
            return true;
        const std::size_t mark = frame.ctx.errors ? frame.ctx.errors->size() : 0;
        std::size_t matches = 0;
        const std::size_t count = instance.size();
        // Every item is tried: the matches are annotations unevaluatedItems reads.
        instance.for_each_item([&](std::size_t i, JsonView item) {
            if (on_child(*m_sub, item, where.item(i), frame, name(), {})) {
                ++matches;
                if (frame.evaluated)
                    frame.evaluated->mark_contained(i, count);
            }
            return true;
        });
        if (frame.ctx.errors)
            frame.ctx.errors->resize(mark);
        if (matches < m_min)
            return fail(frame, where, [&] {
                return m_min == 1 ? std::string("array contains no item matching \"contains\"")
                                  : "array contains " + std::to_string(matches) +
                                        " matching item(s), fewer than minContains " +
                                        std::to_string(m_min);
            });
        if (m_max && matches > *m_max)
            return fail(frame, where, [&] {
                return "array contains " + std::to_string(matches) +
                       " matching item(s), more than maxContains " + std::to_string(*m_max);
            });
        return true;
    }

private:
    const SchemaNode* m_sub;
    std::size_t m_min;
    std::optional<std::size_t> m_max;
};

class UnevaluatedItems final : public Keyword {
public:
    UnevaluatedItems(const KeywordSite& site, const SchemaNode* sub)
        : Keyword(std::string(site.name), site.absolute), m_sub(sub) {}
    bool runs_last() const override { return true; }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_array())
            return true;
        bool valid = true;
        instance.for_each_item([&](std::size_t i, JsonView item) {
            if (frame.evaluated->item(i))
                return true;
            if (!on_child(*m_sub, item, where.item(i), frame, name(), {})) {
                valid = false;
                if (frame.ctx.collecting() && m_sub->is_boolean)
                    report(frame, where.item(i),
                           "item " + std::to_string(i) + " is not allowed (unevaluated)");
                return frame.ctx.collecting();
            }
            return true;
        });
        frame.evaluated->all_items = true;
        return valid;
    }

private:
    const SchemaNode* m_sub;
};

core::Result<std::size_t> non_negative(const KeywordSite& site, std::string_view keyword) {
    const nlohmann::json& v = site.schema[std::string(keyword)];
    if (!is_non_negative_integer(v))
        return core::fail(
            site.services.error(std::string(keyword) + " must be a non-negative integer"));
    return v.is_number_float() ? static_cast<std::size_t>(v.get<double>()) : v.get<std::size_t>();
}

core::Result<PropertyTable<const SchemaNode*>> compile_map(const KeywordSite& site) {
    if (!site.value.is_object())
        return core::fail(site.services.error(std::string(site.name) +
                                              " must be an object whose values are schemas"));
    PropertyTable<const SchemaNode*> table;
    for (const auto& [key, sub] : site.value.items()) {
        CONFORM_TRY(const SchemaNode* node, site.services.subschema(sub, {key}));
        table.add(key, node);
    }
    return table;
}

} // namespace

core::Result<std::unique_ptr<Keyword>> make_all_of(const KeywordSite& site) {
    CONFORM_TRY(auto subs, compile_array(site));
    return std::unique_ptr<Keyword>(new AllOf(site, std::move(subs)));
}
core::Result<std::unique_ptr<Keyword>> make_any_of(const KeywordSite& site) {
    CONFORM_TRY(auto subs, compile_array(site));
    return std::unique_ptr<Keyword>(new AnyOf(site, std::move(subs)));
}
core::Result<std::unique_ptr<Keyword>> make_one_of(const KeywordSite& site) {
    CONFORM_TRY(auto subs, compile_array(site));
    return std::unique_ptr<Keyword>(new OneOf(site, std::move(subs)));
}
core::Result<std::unique_ptr<Keyword>> make_not(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    return std::unique_ptr<Keyword>(new Not(site, sub));
}

core::Result<std::unique_ptr<Keyword>> make_if(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* if_, site.services.subschema(site.value, {}));
    const SchemaNode* then_ = nullptr;
    const SchemaNode* else_ = nullptr;
    // then/else are siblings: their locations sit beside "if", not under it.
    const std::string parent = site.absolute.substr(0, site.absolute.size() - 3); // drop "/if"
    if (auto it = site.schema.find("then"); it != site.schema.end()) {
        CONFORM_TRY(const SchemaNode* n, site.services.subschema(*it, {"..", "then"}));
        then_ = n;
    }
    if (auto it = site.schema.find("else"); it != site.schema.end()) {
        CONFORM_TRY(const SchemaNode* n, site.services.subschema(*it, {"..", "else"}));
        else_ = n;
    }
    return std::unique_ptr<Keyword>(
        new IfThenElse(site, if_, then_, else_, parent + "/then", parent + "/else"));
}

core::Result<std::unique_ptr<Keyword>> make_dependent_schemas(const KeywordSite& site) {
    CONFORM_TRY(auto table, compile_map(site));
    return std::unique_ptr<Keyword>(new DependentSchemas(site, std::move(table)));
}

core::Result<std::unique_ptr<Keyword>> make_property_names(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    return std::unique_ptr<Keyword>(new PropertyNames(site, sub));
}

core::Result<std::unique_ptr<Keyword>> make_unevaluated_properties(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    return std::unique_ptr<Keyword>(new UnevaluatedProperties(site, sub));
}

core::Result<std::unique_ptr<Keyword>> make_prefix_items(const KeywordSite& site) {
    CONFORM_TRY(auto subs, compile_array(site));
    return std::unique_ptr<Keyword>(new PrefixItems(site, std::move(subs)));
}

core::Result<std::unique_ptr<Keyword>> make_items(const KeywordSite& site) {
    if (site.value.is_array())
        return core::fail(site.services.error(
            "items must be a schema; an array of schemas is draft 2019-09 and older "
            "(use prefixItems)"));
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    std::size_t prefix = 0;
    if (auto it = site.schema.find("prefixItems"); it != site.schema.end() && it->is_array())
        prefix = it->size();
    return std::unique_ptr<Keyword>(new Items(site, sub, prefix));
}

core::Result<std::unique_ptr<Keyword>> make_contains(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    std::size_t min = 1;
    std::optional<std::size_t> max;
    if (site.services.vocabulary_enabled(Vocabulary::validation)) {
        if (site.schema.contains("minContains")) {
            CONFORM_TRY(std::size_t v, non_negative(site, "minContains"));
            min = v;
        }
        if (site.schema.contains("maxContains")) {
            CONFORM_TRY(std::size_t v, non_negative(site, "maxContains"));
            max = v;
        }
    }
    return std::unique_ptr<Keyword>(new Contains(site, sub, min, max));
}

core::Result<std::unique_ptr<Keyword>> make_unevaluated_items(const KeywordSite& site) {
    CONFORM_TRY(const SchemaNode* sub, site.services.subschema(site.value, {}));
    return std::unique_ptr<Keyword>(new UnevaluatedItems(site, sub));
}

} // namespace conform::schema::internal
