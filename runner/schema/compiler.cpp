// Compiles a schema into SchemaNodes: index every document (resources, anchors, the base URI
// of each subschema), then compile subschemas on demand, memoised by JSON address so that
// recursive references terminate. Remote documents come only from the Registry.
#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <unordered_map>

#include "runner/core/json_pointer.hpp"
#include "runner/core/uri.hpp"
#include "runner/schema/internal/keywords.hpp"
#include "runner/schema/schema.hpp"

namespace conform::schema {
namespace internal {
namespace {

using nlohmann::json;
using Vocabularies = std::array<bool, k_vocabulary_count>;

constexpr Vocabularies k_default_vocabularies = {true, true, true, true, true, true, false, true};

// Keywords whose subschemas apply to the same instance: cycles through them never end.
bool is_in_place(std::string_view keyword) {
    static constexpr std::string_view names[] = {"$ref", "allOf", "anyOf",           "oneOf",
                                                 "not",  "if",    "dependentSchemas"};
    return std::find(std::begin(names), std::end(names), keyword) != std::end(names);
}

// Where each subschema sits: what its base URI is and how to name it.
struct NodeInfo {
    std::string base;         // base URI for resolving references inside it
    std::string resource;     // URI of the enclosing schema resource
    std::string resource_ptr; // JSON pointer from the resource root
    std::string doc_ptr;      // JSON pointer from the document root (for errors)
    std::string origin;       // file or URI of the document (for errors)
    const Vocabularies* vocabularies = nullptr;
};

bool valid_anchor_name(std::string_view a) {
    // core 8.2.2: an anchor is a plain name fragment, XML NCName-like
    if (a.empty() || !(std::isalpha(static_cast<unsigned char>(a[0])) || a[0] == '_'))
        return false;
    return std::all_of(a.begin(), a.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

// The pointer of the first value nested deeper than max_depth arrays/objects (counted like
// core::ParseLimits: a top-level object is depth 1), without recursion; nullopt when none is.
std::optional<std::string> too_deep_at(const json& document, std::size_t max_depth) {
    struct Step {
        const json* value;
        std::size_t depth;
        std::string pointer;
    };
    std::vector<Step> pending{{&document, 0, {}}};
    while (!pending.empty()) {
        Step step = std::move(pending.back());
        pending.pop_back();
        if (!step.value->is_structured())
            continue;
        if (step.depth + 1 > max_depth)
            return step.pointer;
        if (step.value->is_object()) {
            for (const auto& [key, member] : step.value->items())
                if (member.is_structured())
                    pending.push_back({&member, step.depth + 1,
                                       step.pointer + "/" + core::escape_pointer_token(key)});
        } else {
            for (std::size_t i = 0; i < step.value->size(); ++i)
                if ((*step.value)[i].is_structured())
                    pending.push_back({&(*step.value)[i], step.depth + 1,
                                       step.pointer + "/" + std::to_string(i)});
        }
    }
    return std::nullopt;
}

std::string strip_empty_fragment(std::string uri) {
    if (!uri.empty() && uri.back() == '#')
        uri.pop_back();
    return uri;
}

class Compiler final : public CompileServices {
public:
    Compiler(Registry& registry, const CompileOptions& options, Compiled& out)
        : m_registry(registry), m_options(options), m_out(out) {}

    core::Result<const SchemaNode*> compile_root(const json& schema) {
        const std::string base = strip_empty_fragment(m_options.base_uri);
        CONFORM_CHECK(index_document(schema, base, m_options.origin));
        CONFORM_TRY(const SchemaNode* root, compile(schema));
        CONFORM_CHECK(compile_deferred());
        CONFORM_CHECK(check_cycles());
        return root;
    }

    // ---- CompileServices ----

    core::Result<const SchemaNode*>
    subschema(const json& value, std::initializer_list<std::string_view> tokens) override {
        const Current& cur = m_stack.back();
        if (is_in_place(cur.keyword) || (cur.keyword == "if" && tokens.size() > 0))
            m_pending_edges.push_back(&value);
        if (!value.is_object() && !value.is_boolean())
            return core::fail(error("a schema must be an object or a boolean, got " +
                                        std::string(value.type_name()),
                                    tokens));
        if (!m_info.count(&value)) {
            // Not reached by the index walk (e.g. "then" below an unindexed parent): index it
            // now from its parent's position.
            const NodeInfo& parent = *cur.info;
            std::string rel = "/" + core::escape_pointer_token(cur.keyword);
            for (auto t : tokens)
                rel = t == ".." ? std::string() : rel + "/" + core::escape_pointer_token(t);
            CONFORM_CHECK(walk(value, parent.base, parent.resource, parent.resource_ptr + rel,
                               parent.doc_ptr + rel, parent.origin, parent.vocabularies));
        }
        return compile(value);
    }

    core::Result<Reference> reference(std::string_view ref, bool dynamic_ref) override {
        const NodeInfo& info = *m_stack.back().info;
        auto target_uri = core::resolve_uri(info.base, ref);
        if (!target_uri)
            return core::fail(error(target_uri.error().message));
        auto [uri, fragment] = core::split_fragment(*target_uri);
        const std::string decoded = core::percent_decode(fragment);
        CONFORM_TRY(const json* target, locate(std::string(uri), decoded, ref));
        const SchemaNode* node = deferred(*target);
        m_pending_edges_ref.push_back(node);
        Reference out;
        out.target = node;
        if (dynamic_ref && !decoded.empty() && decoded[0] != '/') {
            out.anchor = decoded;
            auto it = target->is_object() ? target->find("$dynamicAnchor") : json::const_iterator();
            out.dynamic = target->is_object() && it != target->end() && it->is_string() &&
                          it->get<std::string>() == decoded;
        }
        return out;
    }

    core::Diagnostic error(std::string message,
                           std::initializer_list<std::string_view> tokens = {}) const override {
        core::Location where;
        if (!m_stack.empty()) {
            const Current& cur = m_stack.back();
            where.file = cur.info->origin;
            where.pointer = cur.info->doc_ptr;
            if (!cur.keyword.empty())
                core::append_pointer_token(where.pointer, cur.keyword);
            for (auto t : tokens) {
                if (t == "..") {
                    where.pointer = cur.info->doc_ptr;
                    continue;
                }
                core::append_pointer_token(where.pointer, t);
            }
            where.has_pointer = true;
        } else {
            where.file = m_options.origin;
        }
        return core::Diagnostic{std::move(message), std::move(where)};
    }

    bool assert_format() const override { return m_options.assert_format; }
    const RegexLimits& regex_limits() const override { return m_options.regex; }
    bool vocabulary_enabled(Vocabulary v) const override {
        return (*m_stack.back().info->vocabularies)[static_cast<std::size_t>(v)];
    }

private:
    struct Current {
        const json* schema;
        const NodeInfo* info;
        std::string_view keyword;
    };

    // ---- indexing ----

    core::Result<void> index_document(const json& root, const std::string& uri,
                                      const std::string& origin) {
        if (m_indexed.count(&root))
            return {};
        m_indexed.insert(&root);
        // Indexing, compiling and the keywords' own copies of values (const, enum, default)
        // recurse on the document's nesting: bound it first (CompileOptions::max_schema_depth).
        if (auto at = too_deep_at(root, m_options.max_schema_depth))
            return core::fail(core::Diagnostic{"schema nested deeper than " +
                                                   std::to_string(m_options.max_schema_depth) +
                                                   " levels (arrays and objects)",
                                               core::Location{origin, 0, 0, *at, true}});
        CONFORM_TRY(const Vocabularies* vocab, dialect_of(root, origin, &k_default_vocabularies));
        m_resources.emplace(uri, &root);
        resource_named(uri);
        return walk(root, uri, uri, "", "", origin, vocab);
    }

    // The vocabularies a resource's $schema enables (core 8.1.1, 8.1.2).
    core::Result<const Vocabularies*> dialect_of(const json& schema, const std::string& origin,
                                                 const Vocabularies* inherited) {
        if (!schema.is_object())
            return inherited;
        auto it = schema.find("$schema");
        if (it == schema.end())
            return inherited;
        auto where = [&](std::string msg) {
            return core::Diagnostic{std::move(msg), core::Location{origin, 0, 0, "/$schema", true}};
        };
        if (!it->is_string())
            return core::fail(where("$schema must be a string (a URI)"));
        const std::string uri = strip_empty_fragment(it->get<std::string>());
        if (uri == k_draft2020_12)
            return &k_default_vocabularies;
        static constexpr std::string_view older[] = {
            "http://json-schema.org/draft-03/schema", "http://json-schema.org/draft-04/schema",
            "http://json-schema.org/draft-06/schema", "http://json-schema.org/draft-07/schema",
            "https://json-schema.org/draft/2019-09/schema"};
        for (auto o : older)
            if (uri == o)
                return core::fail(where("dialect " + uri +
                                        " is not supported: conform validates draft 2020-12 "
                                        "(declare \"$schema\": \"" +
                                        std::string(k_draft2020_12) + "\")"));
        auto meta = m_registry.find(uri);
        if (!meta)
            return core::fail(meta.error());
        if (!*meta)
            return core::fail(where("unknown meta-schema " + uri +
                                    " (map it with --resource-dir; conform never fetches)"));
        auto vocab_it =
            (*meta)->is_object() ? (*meta)->find("$vocabulary") : json::const_iterator();
        if (!(*meta)->is_object() || vocab_it == (*meta)->end())
            return &k_default_vocabularies; // a meta-schema without $vocabulary: the default
        auto vocab = std::make_unique<Vocabularies>();
        vocab->fill(false);
        for (const auto& [vocab_uri, required] : vocab_it->items()) {
            bool known = false;
            for (std::size_t i = 0; i < k_vocabulary_count; ++i)
                if (vocabulary_uri(static_cast<Vocabulary>(i)) == vocab_uri) {
                    (*vocab)[i] = true;
                    known = true;
                }
            if (!known && required.is_boolean() && required.get<bool>())
                return core::fail(where("meta-schema " + uri + " requires vocabulary " + vocab_uri +
                                        ", which conform does not know"));
        }
        m_dialects.push_back(std::move(vocab));
        return m_dialects.back().get();
    }

    Resource* resource_named(const std::string& uri) {
        auto it = m_resource_objects.find(uri);
        if (it != m_resource_objects.end())
            return it->second;
        m_out.resources.push_back(std::make_unique<Resource>());
        Resource* r = m_out.resources.back().get();
        r->uri = uri;
        m_resource_objects.emplace(uri, r);
        return r;
    }

    core::Result<void> walk(const json& node, std::string base, std::string resource,
                            std::string resource_ptr, std::string doc_ptr,
                            const std::string& origin, const Vocabularies* vocab) {
        if (m_info.count(&node))
            return {};
        if (node.is_object()) {
            auto where = [&](std::string_view kw, std::string msg) {
                return core::Diagnostic{
                    std::move(msg),
                    core::Location{origin, 0, 0, doc_ptr + "/" + std::string(kw), true}};
            };
            if (auto id = node.find("$id"); id != node.end()) {
                if (!id->is_string())
                    return core::fail(where("$id", "$id must be a string (a URI reference)"));
                auto resolved = core::resolve_uri(base, id->get<std::string>());
                if (!resolved)
                    return core::fail(where("$id", resolved.error().message));
                auto [without, fragment] = core::split_fragment(*resolved);
                if (!fragment.empty())
                    return core::fail(where("$id", "$id must not contain a fragment (core 8.2.1)"));
                base = std::string(without);
                resource = base;
                resource_ptr.clear();
                m_resources.emplace(resource, &node);
                resource_named(resource);
                CONFORM_TRY(const Vocabularies* v, dialect_of(node, origin, vocab));
                vocab = v;
            }
            for (std::string_view kw : {"$anchor", "$dynamicAnchor"}) {
                auto a = node.find(std::string(kw));
                if (a == node.end())
                    continue;
                if (!a->is_string() || !valid_anchor_name(a->get<std::string>()))
                    return core::fail(where(kw, std::string(kw) + " must be a plain name "
                                                                  "([A-Za-z_][-A-Za-z0-9._]*)"));
                m_anchors[resource + "#" + a->get<std::string>()] = &node;
                if (kw == "$dynamicAnchor")
                    m_dynamic[resource].emplace_back(a->get<std::string>(), &node);
            }
        }
        m_info.emplace(&node, NodeInfo{base, resource, resource_ptr, doc_ptr, origin, vocab});
        if (!node.is_object())
            return {};

        static constexpr std::string_view single[] = {"additionalProperties",
                                                      "unevaluatedProperties",
                                                      "items",
                                                      "contains",
                                                      "propertyNames",
                                                      "not",
                                                      "if",
                                                      "then",
                                                      "else",
                                                      "unevaluatedItems",
                                                      "contentSchema"};
        static constexpr std::string_view maps[] = {"properties", "patternProperties", "$defs",
                                                    "dependentSchemas"};
        static constexpr std::string_view arrays[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
        auto child = [&](const json& value, const std::string& rel) {
            return walk(value, base, resource, resource_ptr + rel, doc_ptr + rel, origin, vocab);
        };
        for (auto kw : single)
            if (auto it = node.find(std::string(kw));
                it != node.end() && (it->is_object() || it->is_boolean()))
                CONFORM_CHECK(child(*it, "/" + std::string(kw)));
        for (auto kw : maps)
            if (auto it = node.find(std::string(kw)); it != node.end() && it->is_object())
                for (const auto& [key, value] : it->items())
                    if (value.is_object() || value.is_boolean())
                        CONFORM_CHECK(child(value, "/" + std::string(kw) + "/" +
                                                       core::escape_pointer_token(key)));
        for (auto kw : arrays)
            if (auto it = node.find(std::string(kw)); it != node.end() && it->is_array())
                for (std::size_t i = 0; i < it->size(); ++i)
                    if ((*it)[i].is_object() || (*it)[i].is_boolean())
                        CONFORM_CHECK(
                            child((*it)[i], "/" + std::string(kw) + "/" + std::to_string(i)));
        return {};
    }

    // The JSON value a resolved reference names, loading its document when needed.
    core::Result<const json*> locate(const std::string& uri, const std::string& fragment,
                                     std::string_view ref) {
        if (!m_resources.count(uri)) {
            auto doc = m_registry.find(uri);
            if (!doc)
                return core::fail(doc.error());
            if (!*doc)
                return core::fail(error("cannot resolve reference \"" + std::string(ref) +
                                        "\": no schema is known as " + uri +
                                        " (remote schemas resolve only through "
                                        "--resource-dir; conform never fetches)"));
            CONFORM_CHECK(index_document(**doc, uri, m_registry.origin_of(uri)));
        }
        const json* root = m_resources.at(uri);
        if (fragment.empty())
            return root;
        if (fragment[0] == '/') {
            const json* target = core::resolve_pointer(*root, fragment);
            if (!target)
                return core::fail(error("cannot resolve reference \"" + std::string(ref) +
                                        "\": " + uri + " has nothing at #" + fragment));
            if (!m_info.count(target)) {
                const NodeInfo& r = m_info.at(root);
                CONFORM_CHECK(walk(*target, r.base, r.resource, r.resource_ptr + fragment,
                                   r.doc_ptr + fragment, r.origin, r.vocabularies));
            }
            return target;
        }
        auto it = m_anchors.find(uri + "#" + fragment);
        if (it == m_anchors.end())
            return core::fail(error("cannot resolve reference \"" + std::string(ref) +
                                    "\": no anchor \"" + fragment + "\" in " + uri));
        return it->second;
    }

    // ---- compiling ----

    // Subschemas compile inside their parent (a recursion as deep as the document's nesting,
    // which max_schema_depth bounds). $ref targets do not: reference() only reserves the
    // target's node and compile_root() fills the queued ones afterwards, so a chain of
    // references (each $defs entry naming the next, any number of links) never nests calls.
    core::Result<const SchemaNode*> compile(const json& value) {
        if (auto it = m_compiled.find(&value); it != m_compiled.end())
            return static_cast<const SchemaNode*>(it->second);
        SchemaNode* node = reserve(value);
        CONFORM_CHECK(fill(value, *node));
        return static_cast<const SchemaNode*>(node);
    }

    // The node value compiles into, compiled later by compile_root().
    const SchemaNode* deferred(const json& value) {
        if (auto it = m_compiled.find(&value); it != m_compiled.end())
            return it->second;
        SchemaNode* node = reserve(value);
        m_deferred.emplace_back(&value, node);
        return node;
    }

    core::Result<void> compile_deferred() {
        for (std::size_t next = 0; next < m_deferred.size(); ++next) {
            const auto [value, node] = m_deferred[next];
            CONFORM_CHECK(fill(*value, *node));
        }
        m_deferred.clear();
        return {};
    }

    SchemaNode* reserve(const json& value) {
        m_out.nodes.push_back(std::make_unique<SchemaNode>());
        SchemaNode* node = m_out.nodes.back().get();
        m_compiled.emplace(&value, node);
        return node;
    }

    core::Result<void> fill(const json& value, SchemaNode& slot) {
        SchemaNode* node = &slot;
        const NodeInfo& info = m_info.at(&value);
        node->location = info.resource + "#" + info.resource_ptr;
        node->resource = resource_named(info.resource);
        if (value.is_boolean()) {
            node->is_boolean = true;
            node->boolean_value = value.get<bool>();
            return {};
        }
        if (!value.is_object()) {
            m_stack.push_back(Current{&value, &info, {}});
            auto d = error("a schema must be an object or a boolean, got " +
                           std::string(value.type_name()));
            m_stack.pop_back();
            return core::fail(std::move(d));
        }

        const std::size_t edges_mark = m_pending_edges.size();
        const std::size_t ref_mark = m_pending_edges_ref.size();
        std::vector<const SchemaNode*> in_place_children;
        for (const auto& [name, keyword_value] : value.items()) {
            const KeywordInfo* k = find_keyword(name);
            const bool active = k && (*info.vocabularies)[static_cast<std::size_t>(k->vocabulary)];
            std::string absolute = node->location;
            core::append_pointer_token(absolute, name);
            if (active && k->factory) {
                m_stack.push_back(Current{&value, &info, k->name});
                auto made = k->factory(KeywordSite{value, keyword_value, k->name, absolute, *this});
                m_stack.pop_back();
                if (!made)
                    return core::fail(std::move(made).error());
                // collect the in-place edges this keyword created (for cycle detection)
                for (std::size_t i = edges_mark; i < m_pending_edges.size(); ++i)
                    if (auto c = m_compiled.find(m_pending_edges[i]); c != m_compiled.end())
                        in_place_children.push_back(c->second);
                m_pending_edges.resize(edges_mark);
                if (name == "$ref")
                    for (std::size_t i = ref_mark; i < m_pending_edges_ref.size(); ++i)
                        in_place_children.push_back(m_pending_edges_ref[i]);
                m_pending_edges_ref.resize(ref_mark);
                if (*made) {
                    if ((*made)->runs_last())
                        node->uses_unevaluated = true;
                    if (k->vocabulary == Vocabulary::core ||
                        k->vocabulary == Vocabulary::applicator ||
                        k->vocabulary == Vocabulary::unevaluated)
                        node->applies_subschemas = true;
                    node->keywords.push_back(std::move(made).value());
                    continue;
                }
                if (!k->annotation)
                    continue;
            } else if (active && !k->annotation) {
                continue; // identifiers and keywords read by a sibling
            }
            // meta-data, content, format-as-annotation and unknown keywords (core 6.5)
            node->annotations.push_back(AnnotationKeyword{name, absolute, keyword_value});
        }
        m_pending_edges_ref.resize(ref_mark);
        std::stable_partition(node->keywords.begin(), node->keywords.end(),
                              [](const auto& k) { return !k->runs_last(); });
        if (!node->applies_subschemas && !node->uses_unevaluated && !node->keywords.empty()) {
            LeafCheck leaf;
            if (std::all_of(node->keywords.begin(), node->keywords.end(),
                            [&](const auto& k) { return k->add_to_leaf(leaf); })) {
                leaf.seal();
                node->leaf = std::move(leaf);
            }
        }
        if (node->keywords.size() == 1 && !node->uses_unevaluated)
            node->ref_only = node->keywords.front()->ref_target();
        m_edges[node] = std::move(in_place_children);
        CONFORM_CHECK(compile_dynamic_anchors(info.resource));
        return {};
    }

    // A resource in the dynamic scope must offer its $dynamicAnchors compiled.
    core::Result<void> compile_dynamic_anchors(const std::string& resource) {
        auto it = m_dynamic.find(resource);
        if (it == m_dynamic.end() || m_anchors_done.count(resource))
            return {};
        m_anchors_done.insert(resource);
        Resource* r = resource_named(resource);
        for (const auto& [name, value] : it->second) {
            r->dynamic_anchors.emplace(name, deferred(*value));
        }
        return {};
    }

    // A cycle through in-place applicators ($ref, allOf, ...) re-evaluates the same instance
    // forever: refuse it at compile time, naming the loop.
    core::Result<void> check_cycles() const {
        // Depth-first with an explicit stack: a chain of in-place references may be as long as
        // the schema has subschemas, far deeper than the call stack.
        enum class Mark { none, active, done };
        std::unordered_map<const SchemaNode*, Mark> marks;
        struct Visit {
            const SchemaNode* node;
            std::size_t next_edge;
        };
        static const std::vector<const SchemaNode*> no_edges;
        auto edges_of = [&](const SchemaNode* n) -> const std::vector<const SchemaNode*>& {
            auto it = m_edges.find(n);
            return it == m_edges.end() ? no_edges : it->second;
        };
        std::vector<Visit> stack;
        for (const auto& owned : m_out.nodes) {
            if (marks.count(owned.get()))
                continue;
            stack.assign(1, Visit{owned.get(), 0});
            marks[owned.get()] = Mark::active;
            while (!stack.empty()) {
                Visit& top = stack.back();
                const auto& edges = edges_of(top.node);
                if (top.next_edge == edges.size()) {
                    marks[top.node] = Mark::done;
                    stack.pop_back();
                    continue;
                }
                const SchemaNode* c = edges[top.next_edge++];
                const auto found = marks.find(c);
                const Mark m = found == marks.end() ? Mark::none : found->second;
                if (m == Mark::none) {
                    marks[c] = Mark::active;
                    stack.push_back(Visit{c, 0});
                    continue;
                }
                if (m != Mark::active)
                    continue;
                std::string loop;
                auto it = std::find_if(stack.begin(), stack.end(),
                                       [&](const Visit& v) { return v.node == c; });
                for (; it != stack.end(); ++it)
                    loop += it->node->location + " -> ";
                loop += c->location;
                return core::fail("$ref cycle that can never terminate (each step applies to "
                                  "the same instance): " +
                                      loop,
                                  core::Location{m_options.origin, 0, 0, {}, false});
            }
        }
        return {};
    }

    Registry& m_registry;
    const CompileOptions& m_options;
    Compiled& m_out;
    std::vector<Current> m_stack;
    std::set<const json*> m_indexed;
    std::unordered_map<const json*, NodeInfo> m_info;
    std::unordered_map<std::string, const json*> m_resources;
    std::unordered_map<std::string, const json*> m_anchors;
    std::unordered_map<std::string, std::vector<std::pair<std::string, const json*>>> m_dynamic;
    std::set<std::string> m_anchors_done;
    std::unordered_map<std::string, Resource*> m_resource_objects;
    std::unordered_map<const json*, SchemaNode*> m_compiled;
    std::vector<std::unique_ptr<Vocabularies>> m_dialects;
    std::vector<const json*> m_pending_edges;
    std::vector<const SchemaNode*> m_pending_edges_ref;
    std::unordered_map<const SchemaNode*, std::vector<const SchemaNode*>> m_edges;
    std::vector<std::pair<const json*, SchemaNode*>> m_deferred; // reserved, not yet filled
};

} // namespace
} // namespace internal

CompiledSchema::CompiledSchema(std::unique_ptr<internal::Compiled> compiled)
    : m_compiled(std::move(compiled)) {}
CompiledSchema::CompiledSchema(CompiledSchema&&) noexcept = default;
CompiledSchema& CompiledSchema::operator=(CompiledSchema&&) noexcept = default;
CompiledSchema::~CompiledSchema() = default;

core::Result<CompiledSchema> compile(const nlohmann::json& schema, Registry& registry,
                                     const CompileOptions& options) {
    auto compiled = std::make_unique<internal::Compiled>();
    compiled->max_depth = options.max_evaluation_depth;
    compiled->max_instance_depth = options.max_instance_depth;
    internal::Compiler compiler(registry, options, *compiled);
    CONFORM_TRY(const internal::SchemaNode* root, compiler.compile_root(schema));
    compiled->root = root;
    internal::build_tape_check(*compiled);
    return CompiledSchema(std::move(compiled));
}

} // namespace conform::schema
