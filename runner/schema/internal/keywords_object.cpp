// properties, patternProperties, additionalProperties and required of one schema object,
// evaluated in a single pass over the instance's members (applicator 10.3.2, validation
// 6.5.3). They are separate keywords with separate locations in the output; fusing them only
// saves walking the same object three or four times, which dominates API-response validation.
#include <bit>
#include <cstdint>

#include "runner/schema/internal/keywords.hpp"
#include "runner/schema/internal/property_table.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema::internal {
namespace {

using core::JsonView;
using core::Path;

struct Declared {
    const SchemaNode* node = nullptr; // nullptr: only named by "required"
    std::size_t required_bit = SIZE_MAX;
};

struct PatternSchema {
    Regex regex;
    std::string source;
    const SchemaNode* node;
};

class ObjectShape final : public Keyword {
public:
    ObjectShape(const KeywordSite& site, std::string parent_location)
        : Keyword(std::string(site.name), site.absolute), m_parent(std::move(parent_location)) {}

    PropertyTable<Declared> members;     // "properties" plus names only "required" mentions
    std::vector<PatternSchema> patterns; // "patternProperties"
    const SchemaNode* additional = nullptr;
    std::vector<std::string> required; // by bit
    bool has_properties = false;

    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        // The loop runs once per member of every object validated: what it reads of this and
        // of the frame is read once, and all but the usual case (a declared member whose leaf
        // accepts the value) is a call.
        Context& ctx = frame.ctx;
        Evaluated* const evaluated = frame.evaluated;
        const bool has_patterns = !patterns.empty();
        const SchemaNode* const other = additional;
        RequiredSeen seen(required.size());
        bool valid = true;
        std::size_t position = 0;
        std::size_t cursor = 0; // see PropertyTable::find
        const std::size_t count = evaluated ? instance.size() : 0;
        auto members_left = instance.members();
        std::string_view key;
        JsonView value;
        while (members_left.next(key, value)) {
            const std::size_t at = position++;
            bool matched = false;
            if (const auto* entry = members.find(key, cursor)) {
                const Declared& d = entry->value;
                if (d.required_bit != SIZE_MAX)
                    seen.mark(d.required_bit);
                if (d.node) {
                    matched = true;
                    if (!accepted_by_leaf(*d.node, value, ctx) &&
                        !apply(*d.node, value, where, key, frame, "properties", entry->key))
                        valid = false;
                }
            }
            if (has_patterns) [[unlikely]]
                matched = apply_patterns(key, value, where, frame, valid) || matched;
            if (!matched && other) [[unlikely]] {
                matched = true;
                if (!apply_additional(key, value, where, frame))
                    valid = false;
            }
            if (matched && evaluated)
                evaluated->mark_member(at, count);
            if (!valid && !ctx.collecting())
                return false;
        }
        if (seen.count < required.size()) {
            valid = false;
            if (ctx.collecting())
                report_missing(seen, where, frame);
        }
        return valid;
    }

    bool add_to_tape(TapeNode& node) const override {
        if (!patterns.empty() || required.size() > 64 || node.has_object)
            return false;
        if (additional && !(node.additional = additional->tape))
            return false;
        std::uint64_t required_bits = 0;
        for (const auto& entry : members.entries()) {
            const std::size_t bit = entry.value.required_bit;
            TapeMember member{node.additional, bit == SIZE_MAX ? 0 : std::uint64_t{1} << bit};
            if (entry.value.node && !(member.node = entry.value.node->tape))
                return false;
            required_bits |= member.required_mask;
            node.members.add(entry.key, member);
        }
        // A name listed twice counts twice here (evaluate): the walk leaves that to it.
        if (static_cast<std::size_t>(std::popcount(required_bits)) != required.size())
            return false;
        node.required_bits = required_bits;
        node.has_object = true;
        return true;
    }

private:
    // Which required names were seen: a bit mask for the usual handful, else a vector.
    struct RequiredSeen {
        std::uint64_t small = 0;
        std::vector<bool> big; // more than 64 required names
        std::size_t count = 0;
        bool use_big = false;

        explicit RequiredSeen(std::size_t required) : use_big(required > 64) {
            if (use_big)
                big.resize(required, false);
        }
        void mark(std::size_t bit) {
            if (!use_big) {
                const std::uint64_t mask = std::uint64_t{1} << bit;
                count += (small & mask) == 0;
                small |= mask;
            } else if (!big[bit]) {
                ++count;
                big[bit] = true;
            }
        }
        [[nodiscard]] bool has(std::size_t bit) const {
            return use_big ? static_cast<bool>(big[bit]) : (small >> bit & 1) != 0;
        }
    };

    // Member `key` of the object at `where` against sub (which did not simply accept it).
    [[gnu::noinline]] bool apply(const SchemaNode& sub, JsonView value, const Path& where,
                                 std::string_view key, const Frame& frame, std::string_view keyword,
                                 std::string_view token) const {
        const Path child = where.member(key);
        KeywordPath k{frame.schema_path, keyword};
        KeywordPath t{&k, token};
        return evaluate_node(sub, value, child, frame.ctx, token.empty() ? &k : &t, frame.scope,
                             nullptr);
    }

    // patternProperties for one member: whether any pattern matched its name. Clears valid
    // when a matching pattern's schema refuses the value.
    [[gnu::noinline]] bool apply_patterns(std::string_view key, JsonView value, const Path& where,
                                          const Frame& frame, bool& valid) const {
        bool matched = false;
        for (const PatternSchema& p : patterns) {
            if (!p.regex.search(key))
                continue;
            matched = true;
            if (!accepted_by_leaf(*p.node, value, frame.ctx) &&
                !apply(*p.node, value, where, key, frame, "patternProperties", p.source))
                valid = false;
        }
        return matched;
    }

    // additionalProperties for a member nothing else matched.
    [[gnu::noinline]] bool apply_additional(std::string_view key, JsonView value, const Path& where,
                                            const Frame& frame) const {
        if (additional->is_boolean && !additional->boolean_value) {
            if (frame.ctx.collecting())
                report_at(frame, where.member(key), "additionalProperties",
                          "property \"" + std::string(key) + "\" is not allowed", key);
            return false;
        }
        return accepted_by_leaf(*additional, value, frame.ctx) ||
               apply(*additional, value, where, key, frame, "additionalProperties", {});
    }

    [[gnu::cold, gnu::noinline]] void report_missing(const RequiredSeen& seen, const Path& where,
                                                     const Frame& frame) const {
        for (std::size_t bit = 0; bit < required.size(); ++bit)
            if (!seen.has(bit))
                report_at(frame, where, "required",
                          "required property \"" + required[bit] + "\" is missing", required[bit]);
    }

    void report_at(const Frame& frame, const Path& where, std::string_view keyword,
                   std::string message, std::string_view property) const {
        OutputUnit unit;
        KeywordPath self{frame.schema_path, keyword};
        unit.keyword_location = self.to_pointer();
        unit.absolute_keyword_location = m_parent;
        core::append_pointer_token(unit.absolute_keyword_location, keyword);
        unit.instance_location = where.to_pointer();
        unit.error = std::move(message);
        unit.property = std::string(property);
        frame.ctx.errors->push_back(std::move(unit));
    }

    std::string m_parent; // canonical location of the schema object
};

// The keyword that compiles the fused shape: the first present of these, in this order.
constexpr std::string_view k_shape_keywords[] = {"properties", "patternProperties",
                                                 "additionalProperties"};

bool owns_shape(const KeywordSite& site) {
    for (std::string_view k : k_shape_keywords)
        if (site.schema.contains(std::string(k)))
            return k == site.name;
    return false;
}

core::Result<std::unique_ptr<Keyword>> make_shape(const KeywordSite& site) {
    if (!owns_shape(site))
        return std::unique_ptr<Keyword>(); // compiled by its sibling
    const std::string parent = site.absolute.substr(0, site.absolute.size() - site.name.size() - 1);
    auto shape = std::make_unique<ObjectShape>(site, parent);
    const nlohmann::json& s = site.schema;
    auto tokens_for = [&](std::string_view keyword) {
        // subschema() names tokens relative to the keyword being compiled
        return keyword == site.name;
    };

    if (auto it = s.find("properties"); it != s.end()) {
        if (!it->is_object())
            return core::fail(site.services.error("properties must be an object whose values "
                                                  "are schemas"));
        shape->has_properties = true;
        for (const auto& [key, sub] : it->items()) {
            auto node = tokens_for("properties")
                            ? site.services.subschema(sub, {key})
                            : site.services.subschema(sub, {"..", "properties", key});
            if (!node)
                return core::fail(std::move(node).error());
            shape->members.add(key, Declared{*node, SIZE_MAX});
        }
    }
    if (auto it = s.find("patternProperties"); it != s.end()) {
        if (!it->is_object())
            return core::fail(site.services.error("patternProperties must be an object"));
        for (const auto& [pattern, sub] : it->items()) {
            auto regex = Regex::compile(pattern, site.services.regex_limits());
            if (!regex)
                return core::fail(site.services.error(regex.error().message,
                                                      {"..", "patternProperties", pattern}));
            auto node = tokens_for("patternProperties")
                            ? site.services.subschema(sub, {pattern})
                            : site.services.subschema(sub, {"..", "patternProperties", pattern});
            if (!node)
                return core::fail(std::move(node).error());
            shape->patterns.push_back(PatternSchema{std::move(regex).value(), pattern, *node});
        }
    }
    if (auto it = s.find("additionalProperties"); it != s.end()) {
        auto node = tokens_for("additionalProperties")
                        ? site.services.subschema(*it, {})
                        : site.services.subschema(*it, {"..", "additionalProperties"});
        if (!node)
            return core::fail(std::move(node).error());
        shape->additional = *node;
    }
    // "required" joins the pass when its vocabulary is on (otherwise it is an annotation).
    if (auto it = s.find("required");
        it != s.end() && site.services.vocabulary_enabled(Vocabulary::validation)) {
        if (!it->is_array())
            return core::fail(
                site.services.error("required must be an array of strings", {"..", "required"}));
        for (const auto& name : *it) {
            if (!name.is_string())
                return core::fail(site.services.error("required must be an array of strings",
                                                      {"..", "required"}));
            const std::string n = name.get<std::string>();
            auto* entry = shape->members.find(n);
            if (!entry) {
                shape->members.add(n, Declared{});
                entry = shape->members.find(n);
            }
            auto& declared = const_cast<Declared&>(entry->value);
            if (declared.required_bit == SIZE_MAX) {
                declared.required_bit = shape->required.size();
                shape->required.push_back(n);
            }
        }
    }
    return std::unique_ptr<Keyword>(std::move(shape));
}

} // namespace

core::Result<std::unique_ptr<Keyword>> make_properties(const KeywordSite& site) {
    return make_shape(site);
}
core::Result<std::unique_ptr<Keyword>> make_pattern_properties(const KeywordSite& site) {
    return make_shape(site);
}
core::Result<std::unique_ptr<Keyword>> make_additional_properties(const KeywordSite& site) {
    return make_shape(site);
}

bool required_is_fused(const KeywordSite& site) {
    if (!site.services.vocabulary_enabled(Vocabulary::applicator))
        return false;
    for (std::string_view k : k_shape_keywords)
        if (site.schema.contains(std::string(k)))
            return true;
    return false;
}

} // namespace conform::schema::internal
