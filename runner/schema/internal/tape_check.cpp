// TapeCheck (tape_check.hpp): each node described once after compiling, then walked over
// simdjson's tape for every instance is_valid is asked about.
#include "runner/schema/internal/tape_check.hpp"

#include <algorithm>

#include "runner/schema/internal/node.hpp"

namespace conform::schema::internal {
namespace {

using core::JsonView;
using core::Tape;
using core::TapeDocument;

// The walk recurses once per level of the instance: it stops (leaving the answer to the
// evaluator) well before a deep instance could exhaust the stack.
constexpr std::size_t k_max_levels = 256;

void describe(const SchemaNode& schema, TapeNode& node) {
    if (schema.is_boolean) {
        // true: anything, with nothing to test; false: left to the evaluator, which says why.
        node.known = node.leaf = schema.boolean_value;
        node.every[0] = node.every[1] = ~std::uint64_t{0};
        return;
    }
    if (schema.uses_unevaluated)
        return; // needs the evaluated-locations record
    for (const auto& keyword : schema.keywords) {
        if (keyword->add_to_tape(node))
            continue;
        if (!keyword->add_to_leaf(node.value))
            return;
        node.checks_value = true;
    }
    node.value.seal();
    // simdjson's tape types (doc/tape.md of simdjson) and the JSON types they hold.
    static constexpr struct {
        char tape;
        core::JsonType type;
        bool integral;
    } k_tape_types[] = {
        {'"', core::JsonType::string, false},  {'l', core::JsonType::number, true},
        {'u', core::JsonType::number, true},   {'d', core::JsonType::number, false},
        {'t', core::JsonType::boolean, false}, {'f', core::JsonType::boolean, false},
        {'n', core::JsonType::null, false},    {'{', core::JsonType::object, false},
        {'[', core::JsonType::array, false}};
    for (const auto& t : k_tape_types)
        if (!node.checks_value || node.value.accepts_every(t.type, t.integral))
            node.every[static_cast<unsigned char>(t.tape) >> 6] |= std::uint64_t{1}
                                                                   << (t.tape & 63);
    node.descends = schema.applies_subschemas;
    node.leaf = !node.descends && !node.has_object && !node.items && !node.ref;
    node.known = true;
}

class Walk {
public:
    Walk(const TapeDocument& doc, std::size_t max_depth, std::size_t max_instance_depth)
        : m_doc(doc), m_max_depth(max_depth),
          m_max_level(std::min(max_instance_depth, k_max_levels)) {}

    // Whether the value at tape[at], `level` deep in the instance, satisfies node when the
    // evaluator would be `depth` subschemas deep: true only when it certainly does.
    bool accepts(const TapeNode* node, std::uint32_t at, std::size_t depth,
                 std::size_t level) const {
        const std::uint64_t word = m_doc.tape[at];
        for (;;) {
            if (!node->known)
                return false;
            if (node->descends) {
                // The evaluator refuses a descending node at its depth limits; the walk stops
                // short of them, so that every node it accepts is one the evaluator reaches.
                if (depth + 2 >= m_max_depth || level >= m_max_level)
                    return false;
                ++depth;
            }
            const char type = Tape::type(word);
            if (!node->takes_every(type) && !node->value.accepts(JsonView::at(m_doc, at)))
                return false;
            if (type == '{' && node->has_object && !object(*node, at, word, depth, level))
                return false;
            if (type == '[' && node->items && !array(*node->items, at, word, depth, level))
                return false;
            if (!node->ref)
                return true;
            node = node->ref; // the same value, against the $ref's target
        }
    }

private:
    // A member's or item's value at tape[at], of tape type `type`, against node (nullptr:
    // nothing to satisfy).
    [[gnu::always_inline]] bool child(const TapeNode* node, std::uint32_t at, char type,
                                      std::size_t depth, std::size_t level) const {
        if (!node || (node->leaf && node->takes_every(type))) // most values: {"type": ...}
            return true;
        if (node->leaf)
            return node->value.accepts(JsonView::at(m_doc, at));
        return accepts(node, at, depth, level + 1);
    }

    bool object(const TapeNode& node, std::uint32_t at, std::uint64_t word, std::size_t depth,
                std::size_t level) const {
        const std::uint64_t* const tape = m_doc.tape;
        const auto end = static_cast<std::uint32_t>(word) - 1; // the closing '}'
        std::uint64_t seen = 0;                                // required names, by bit
        std::size_t cursor = 0;                                // see PropertyTable::find
        for (std::uint32_t key = at + 1; key < end;) {
            const std::uint32_t value = key + 1;
            const std::uint64_t value_word = tape[value];
            const char type = Tape::type(value_word);
            const TapeNode* sub = node.additional;
            if (const auto* entry = node.members.find_stored(
                    m_doc.strings + (tape[key] & Tape::k_payload), cursor)) {
                seen |= entry->value.required_mask;
                sub = entry->value.node;
            }
            if (!child(sub, value, type, depth, level))
                return false;
            key = Tape::after(value_word, value);
        }
        return seen == node.required_bits;
    }

    bool array(const TapeNode& items, std::uint32_t at, std::uint64_t word, std::size_t depth,
               std::size_t level) const {
        const std::uint64_t* const tape = m_doc.tape;
        const auto end = static_cast<std::uint32_t>(word) - 1; // the closing ']'
        for (std::uint32_t item = at + 1; item < end;) {
            const std::uint64_t item_word = tape[item];
            if (!child(&items, item, Tape::type(item_word), depth, level))
                return false;
            item = Tape::after(item_word, item);
        }
        return true;
    }

    TapeDocument m_doc;
    std::size_t m_max_depth;
    std::size_t m_max_level;
};

} // namespace

void build_tape_check(Compiled& compiled) {
    compiled.tape_nodes.clear();
    compiled.tape_root = nullptr;
    // Limits this tight leave the walk no margin: the evaluator answers alone.
    if (compiled.max_depth < 4 || compiled.max_instance_depth < 2 || !compiled.root)
        return;
    compiled.tape_nodes.reserve(compiled.nodes.size());
    for (const auto& schema : compiled.nodes) {
        compiled.tape_nodes.push_back(std::make_unique<TapeNode>());
        schema->tape = compiled.tape_nodes.back().get();
    }
    // Every node exists before any is described: a keyword names its subschemas' nodes.
    for (std::size_t i = 0; i < compiled.nodes.size(); ++i)
        describe(*compiled.nodes[i], *compiled.tape_nodes[i]);
    compiled.tape_root = compiled.root->tape;
}

bool tape_accepts(const Compiled& compiled, JsonView instance) {
    TapeDocument doc;
    std::uint32_t at = 0;
    if (!compiled.tape_root || !instance.on_tape(doc, at))
        return false;
    return Walk(doc, compiled.max_depth, compiled.max_instance_depth)
        .accepts(compiled.tape_root, at, 0, 0);
}

} // namespace conform::schema::internal
