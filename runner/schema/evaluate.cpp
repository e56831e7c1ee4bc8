#include "runner/schema/internal/node.hpp"
#include "runner/schema/schema.hpp"

namespace conform::schema {

bool CompiledSchema::is_valid(core::JsonView instance) const {
    // Most instances are valid, and most that simdjson parsed the tape walk can confirm.
    if (internal::tape_accepts(*m_compiled, instance))
        return true;
    internal::Context ctx;
    ctx.max_depth = m_compiled->max_depth;
    ctx.max_instance_depth = m_compiled->max_instance_depth;
    const core::Path root;
    return internal::evaluate_node(*m_compiled->root, instance, root, ctx, nullptr, nullptr,
                                   nullptr);
}

ValidationResult CompiledSchema::validate(core::JsonView instance, bool collect_annotations) const {
    ValidationResult result;
    internal::Context ctx;
    ctx.max_depth = m_compiled->max_depth;
    ctx.max_instance_depth = m_compiled->max_instance_depth;
    ctx.errors = &result.errors;
    if (collect_annotations)
        ctx.annotations = &result.annotations;
    const core::Path root;
    result.valid =
        internal::evaluate_node(*m_compiled->root, instance, root, ctx, nullptr, nullptr, nullptr);
    if (!result.valid)
        result.annotations.clear();
    return result;
}

} // namespace conform::schema
