// 2020-12 core vocabulary: $ref and $dynamicRef (core 8.2.3).
#include "runner/schema/internal/keywords.hpp"

namespace conform::schema::internal {
namespace {

using core::JsonView;
using core::Path;

class Ref final : public Keyword {
public:
    Ref(const KeywordSite& site, const SchemaNode* target)
        : Keyword(std::string(site.name), site.absolute), m_target(target) {}
    const SchemaNode* ref_target() const override { return m_target; }
    bool add_to_tape(TapeNode& node) const override {
        if (node.ref || !m_target->tape)
            return false;
        node.ref = m_target->tape;
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        KeywordPath k{frame.schema_path, name()};
        return evaluate_node(*m_target, instance, where, frame.ctx, &k, frame.scope,
                             frame.evaluated);
    }

private:
    const SchemaNode* m_target;
};

class DynamicRef final : public Keyword {
public:
    DynamicRef(const KeywordSite& site, CompileServices::Reference ref)
        : Keyword(std::string(site.name), site.absolute), m_ref(std::move(ref)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const SchemaNode* target = m_ref.target;
        if (m_ref.dynamic) {
            // Core 8.2.3.2: the outermost resource in the dynamic scope that declares a
            // matching $dynamicAnchor wins.
            for (const Scope* s = frame.scope; s; s = s->parent) {
                auto it = s->resource->dynamic_anchors.find(m_ref.anchor);
                if (it != s->resource->dynamic_anchors.end())
                    target = it->second;
            }
        }
        KeywordPath k{frame.schema_path, name()};
        return evaluate_node(*target, instance, where, frame.ctx, &k, frame.scope, frame.evaluated);
    }

private:
    CompileServices::Reference m_ref;
};

} // namespace

core::Result<std::unique_ptr<Keyword>> make_ref(const KeywordSite& site) {
    if (!site.value.is_string())
        return core::fail(site.services.error("$ref must be a string (a URI reference)"));
    CONFORM_TRY(auto ref, site.services.reference(site.value.get<std::string>(), false));
    return std::unique_ptr<Keyword>(new Ref(site, ref.target));
}

core::Result<std::unique_ptr<Keyword>> make_dynamic_ref(const KeywordSite& site) {
    if (!site.value.is_string())
        return core::fail(site.services.error("$dynamicRef must be a string (a URI reference)"));
    CONFORM_TRY(auto ref, site.services.reference(site.value.get<std::string>(), true));
    return std::unique_ptr<Keyword>(new DynamicRef(site, std::move(ref)));
}

} // namespace conform::schema::internal
