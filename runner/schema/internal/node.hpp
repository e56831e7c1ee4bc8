#pragma once
// The compiled form of a schema: SchemaNodes holding one Keyword evaluator per keyword
// (STYLE.md lesson 9). Evaluation state lives on the stack: the instance Path, the dynamic
// keyword path (KeywordPath), the dynamic scope (Scope) and the evaluated-locations record
// that unevaluatedProperties/unevaluatedItems read (Evaluated).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_pointer.hpp"
#include "runner/core/json_view.hpp"
#include "runner/schema/internal/leaf_check.hpp"
#include "runner/schema/internal/tape_check.hpp"
#include "runner/schema/schema.hpp"

namespace conform::schema::internal {

struct SchemaNode;

// A schema resource (2020-12 core 9.1.2): the root document or a subschema with $id.
struct Resource {
    std::string uri;
    // $dynamicAnchor name -> the subschema that declares it (core 8.2.3.2).
    std::unordered_map<std::string, const SchemaNode*> dynamic_anchors;
};

// The dynamic scope: resources entered so far, innermost first.
struct Scope {
    const Scope* parent = nullptr;
    const Resource* resource = nullptr;
};

// The dynamic keyword location ("keywordLocation"): raw tokens, escaped when printed.
struct KeywordPath {
    const KeywordPath* parent = nullptr;
    std::string_view token;

    [[nodiscard]] std::string to_pointer() const;
};

// Which parts of the instance adjacent keywords have evaluated (core 11: the annotations
// that unevaluatedItems and unevaluatedProperties depend on).
struct Evaluated {
    std::vector<bool> members;   // object members, by position in document order
    std::size_t items = 0;       // array items [0, items) evaluated by prefixItems
    bool all_items = false;      // items / unevaluatedItems applied to every item
    std::vector<bool> contained; // array items that matched contains

    void mark_member(std::size_t position, std::size_t count);
    void mark_contained(std::size_t index, std::size_t count);
    void merge(const Evaluated& other);
    [[nodiscard]] bool member(std::size_t position) const {
        return position < members.size() && members[position];
    }
    [[nodiscard]] bool item(std::size_t index) const {
        return all_items || index < items || (index < contained.size() && contained[index]);
    }
};

// Per-validation state shared by every frame.
struct Context {
    std::vector<OutputUnit>* errors = nullptr;      // null: fast path, stop at first failure
    std::vector<OutputUnit>* annotations = nullptr; // null: do not collect
    std::size_t depth = 0;
    std::size_t max_depth = 1024;         // CompileOptions::max_evaluation_depth
    std::size_t max_instance_depth = 256; // CompileOptions::max_instance_depth

    [[nodiscard]] bool collecting() const noexcept { return errors != nullptr; }
};

// The state one keyword sees while evaluating one instance against its schema node.
struct Frame {
    Context& ctx;
    const KeywordPath* schema_path; // dynamic path of the schema node (not of the keyword)
    const Scope* scope;
    Evaluated* evaluated; // where to record evaluated members/items; may be null
};

class Keyword {
public:
    Keyword(std::string name, std::string absolute_location)
        : m_name(std::move(name)), m_absolute(std::move(absolute_location)) {}
    virtual ~Keyword() = default;
    Keyword(const Keyword&) = delete;
    Keyword& operator=(const Keyword&) = delete;

    // Whether instance satisfies this keyword. Errors go to frame.ctx.errors when collecting.
    [[nodiscard]] virtual bool evaluate(core::JsonView instance, const core::Path& where,
                                        const Frame& frame) const = 0;
    // Unevaluated* keywords run after every other keyword of their schema object.
    [[nodiscard]] virtual bool runs_last() const { return false; }
    // Adds this keyword's test to a leaf node's LeafCheck (leaf_check.hpp); false when it
    // cannot take part (the node then has none).
    [[nodiscard]] virtual bool add_to_leaf(LeafCheck& /*leaf*/) const { return false; }
    // Describes this structural keyword (properties, items...) in its node's TapeNode
    // (tape_check.hpp), whose children's TapeNodes exist already; false when it cannot take
    // part (the walk then leaves that node to the evaluator).
    [[nodiscard]] virtual bool add_to_tape(TapeNode& /*node*/) const { return false; }
    // A plain $ref's target (not $dynamicRef): nullptr for every other keyword.
    [[nodiscard]] virtual const SchemaNode* ref_target() const { return nullptr; }

    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] const std::string& absolute_location() const { return m_absolute; }

protected:
    // Adds an error unit for this keyword (suffix: extra keyword-path tokens, e.g. a
    // property name under "properties").
    void report(const Frame& frame, const core::Path& where, std::string message,
                std::initializer_list<std::string_view> suffix = {},
                std::string_view property = {}) const;
    // The same for a fixed message: no string is made unless errors are being collected.
    void report(const Frame& frame, const core::Path& where, const char* message) const {
        if (frame.ctx.errors) [[unlikely]]
            report(frame, where, std::string(message));
    }
    // Returns false, adding an error whose message make() builds only when errors are being
    // collected: the message code stays out of the keyword's hot path.
    template <class Make>
    [[nodiscard]] bool fail(const Frame& frame, const core::Path& where, Make&& make) const {
        if (frame.ctx.errors) [[unlikely]]
            report_made(frame, where, core::FunctionRef<std::string()>(make));
        return false;
    }

private:
    [[gnu::cold, gnu::noinline]] void report_made(const Frame& frame, const core::Path& where,
                                                  core::FunctionRef<std::string()> make) const;

    std::string m_name;
    std::string m_absolute;
};

// An annotation-only keyword (title, default, readOnly, format when not asserted, unknown
// keywords...): kept apart so that validation without annotations never visits it.
struct AnnotationKeyword {
    std::string name;
    std::string absolute_location;
    nlohmann::json value;
};

struct SchemaNode {
    bool is_boolean = false;
    bool boolean_value = true;
    std::string location;               // canonical URI of this schema
    const Resource* resource = nullptr; // the resource this schema belongs to
    bool uses_unevaluated = false;      // has unevaluatedProperties / unevaluatedItems
    // Has a keyword that evaluates subschemas ($ref, applicators): only such nodes grow the
    // evaluation depth or the dynamic scope, so the others take a shorter path.
    bool applies_subschemas = false;
    std::vector<std::unique_ptr<Keyword>> keywords; // evaluation order
    std::vector<AnnotationKeyword> annotations;
    // Set when every keyword added its test: evaluate_node answers "valid" from it.
    std::optional<LeafCheck> leaf;
    // Set when the node is only a $ref ({"items": {"$ref": "#/$defs/Item"}}): evaluate_node
    // goes straight to the target, as the $ref keyword would.
    const SchemaNode* ref_only = nullptr;
    // This node as TapeCheck walks it (owned by Compiled::tape_nodes).
    const TapeNode* tape = nullptr;
};

// evaluate_node for boolean schemas, nodes with subschemas, and when collecting annotations.
[[nodiscard]] bool evaluate_node_general(const SchemaNode& node, core::JsonView instance,
                                         const core::Path& where, Context& ctx,
                                         const KeywordPath* schema_path, const Scope* scope,
                                         Evaluated* evaluated);

// evaluate_node for a node that is only a $ref (SchemaNode::ref_only): inside the resource
// already in scope, what evaluate_node_general and the $ref keyword would do (one level
// deeper, "$ref" on the keyword path) without either call; otherwise evaluate_node_general.
[[nodiscard]] bool evaluate_plain_ref(const SchemaNode& node, core::JsonView instance,
                                      const core::Path& where, Context& ctx,
                                      const KeywordPath* schema_path, const Scope* scope,
                                      Evaluated* evaluated);

// Whether node is a leaf whose LeafCheck accepts instance outright: the answer for nearly
// every value, found before anything else is set up. False says nothing either way. (A leaf
// entered at the evaluation depth limit is still refused, by evaluate_node_general.)
[[nodiscard, gnu::always_inline]] inline bool
accepted_by_leaf(const SchemaNode& node, core::JsonView instance, const Context& ctx) {
    return node.leaf && !ctx.annotations && ctx.depth < ctx.max_depth &&
           node.leaf->accepts(instance);
}

// Evaluates instance against node: the one entry point every applicator uses.
// Inline for the leaves ({"type": "string", "minLength": 1}): most nodes of an API schema,
// evaluated once per member, so they skip a call level and the descending path's frame.
// Leaf keywords (type, enum, bounds...) neither descend nor read the dynamic scope.
[[nodiscard]] inline bool evaluate_node(const SchemaNode& node, core::JsonView instance,
                                        const core::Path& where, Context& ctx,
                                        const KeywordPath* schema_path, const Scope* scope,
                                        Evaluated* evaluated) {
    // Valid values (nearly all of them) need no keyword calls; the keywords word the errors.
    if (accepted_by_leaf(node, instance, ctx)) [[likely]]
        return true;
    if (node.ref_only && !ctx.annotations)
        return evaluate_plain_ref(node, instance, where, ctx, schema_path, scope, evaluated);
    if (node.is_boolean || node.applies_subschemas || ctx.annotations || ctx.depth >= ctx.max_depth)
        [[unlikely]]
        return evaluate_node_general(node, instance, where, ctx, schema_path, scope, evaluated);
    const Frame frame{ctx, schema_path, scope, evaluated};
    bool valid = true;
    for (const auto& keyword : node.keywords)
        if (!keyword->evaluate(instance, where, frame)) {
            valid = false;
            if (!ctx.collecting())
                break;
        }
    return valid;
}

// Everything a CompiledSchema owns.
struct Compiled {
    std::vector<std::unique_ptr<SchemaNode>> nodes;
    std::vector<std::unique_ptr<Resource>> resources;
    const SchemaNode* root = nullptr;
    std::size_t max_depth = 1024;
    std::size_t max_instance_depth = 256;
    std::vector<std::unique_ptr<TapeNode>> tape_nodes;
    const TapeNode* tape_root = nullptr; // unset: is_valid always evaluates
};

} // namespace conform::schema::internal
