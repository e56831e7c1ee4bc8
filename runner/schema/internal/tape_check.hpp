#pragma once
// TapeCheck: whether an instance parsed by simdjson is valid, answered by walking simdjson's
// tape straight through the schema's structure. An API response is objects of declared
// members, arrays of such objects and leaf values; its schema is properties, required,
// additionalProperties, items, $ref and leaf keywords. For those, the walk reads each key and
// value word once and goes to the value's TapeNode, without building a view per member, a
// keyword path, a scope or a virtual call per keyword, as the general evaluator does.
//
// Like LeafCheck it only ever says "valid" or "not known": any node it does not cover (allOf,
// patternProperties, unevaluated*, format assertions...), any value a node refuses and any
// nesting near the evaluation limits ends the walk, and CompiledSchema::is_valid asks the
// general evaluator, which decides. So it never changes an answer, only how fast "valid" is
// found; the JSON-Schema-Test-Suite runs both ways (tests/schema/suite_support.cpp).
//
// Each SchemaNode has a TapeNode: its value keywords gathered into a LeafCheck
// (Keyword::add_to_leaf) and its structural keywords described by Keyword::add_to_tape.

#include <cstddef>
#include <cstdint>

#include "runner/core/json_view.hpp"
#include "runner/schema/internal/leaf_check.hpp"
#include "runner/schema/internal/property_table.hpp"

namespace conform::schema::internal {

struct Compiled;
struct SchemaNode;
struct TapeNode;

// A member an object node names: the node its value must satisfy (its "properties" schema;
// additionalProperties' when only "required" names it; nullptr: none) and its bit among the
// required names (0: not required).
struct TapeMember {
    const TapeNode* node = nullptr;
    std::uint64_t required_mask = 0;
};

struct TapeNode {
    bool known = false;        // every keyword took part: the walk can answer for this node
    bool checks_value = false; // `value` holds at least one keyword's test
    bool leaf = false;         // known, no structure, no $ref, no evaluation depth: a value test
    LeafCheck value;           // type, enum, const, bounds, lengths, pattern
    // By simdjson tape type character: whether `value` takes every value of that kind
    // outright ({"type": "string"} and a string), so the walk need not look at the value.
    std::uint64_t every[2] = {0, 0};
    [[nodiscard]] bool takes_every(char tape_type) const noexcept {
        const auto c = static_cast<unsigned char>(tape_type) & 0x7F;
        return (every[c >> 6] >> (c & 63) & 1) != 0;
    }

    // $ref: the node is only a reference to this one (one evaluation level deeper).
    const TapeNode* ref = nullptr;
    // Whether entering the node counts one evaluation level (it applies subschemas).
    bool descends = false;

    // properties / required / additionalProperties, when the node has any of them.
    bool has_object = false;
    PropertyTable<TapeMember> members;
    std::uint64_t required_bits = 0;      // every required name's bit (at most 64 names)
    const TapeNode* additional = nullptr; // additionalProperties (nullptr: none)

    // items, when the node has it (without prefixItems).
    const TapeNode* items = nullptr;
};

// Fills in every node's TapeNode and sets Compiled::tape_root (when the limits leave room for
// the walk; otherwise the root stays unset and is_valid always evaluates).
void build_tape_check(Compiled& compiled);

// Whether instance is valid for compiled's root, as far as the walk can tell: true is the
// evaluator's answer; false says nothing either way.
[[nodiscard]] bool tape_accepts(const Compiled& compiled, core::JsonView instance);

} // namespace conform::schema::internal
