#pragma once
// LeafCheck: whether a value satisfies a leaf schema, as straight-line code. A leaf is a
// schema object whose keywords all test one value and apply no subschema:
// {"type": "string", "minLength": 1, "pattern": "..."}, an enum of strings,
// {"type": "integer", "minimum": 0}. These are most nodes of an API schema, evaluated once per
// member of every item. evaluate_node (node.hpp) asks the LeafCheck first, without one virtual
// call per keyword. Only when it says no do the keywords run: they decide which of them fails
// and word the errors, so the output is exactly theirs.
//
// Each keyword that can take part fills in its piece (Keyword::add_to_leaf). A node gets a
// LeafCheck only when all of its keywords did.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/json_view.hpp"
#include "runner/schema/internal/property_table.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema::internal {

// A number from the schema, read once at compile time in every form a comparison may need.
struct Limit {
    core::NumberKind kind;
    std::int64_t i;
    std::uint64_t u;
    double d;

    explicit Limit(core::JsonView v)
        : kind(v.number_kind()), i(v.as_int64()), u(v.as_uint64()), d(v.as_double()) {}
};

// Sign of (a - b), exact for integers, by double otherwise.
[[nodiscard]] inline int compare_numbers(core::JsonView a, const Limit& b) noexcept {
    using core::NumberKind;
    const NumberKind ka = a.number_kind(), kb = b.kind;
    if (ka == NumberKind::int64 && kb == NumberKind::int64) {
        const std::int64_t x = a.as_int64();
        return x < b.i ? -1 : x > b.i;
    }
    if (ka == NumberKind::uint64 && kb == NumberKind::uint64) {
        const std::uint64_t x = a.as_uint64();
        return x < b.u ? -1 : x > b.u;
    }
    if (ka != NumberKind::floating && kb != NumberKind::floating) {
        // one int64 and one uint64 (> INT64_MAX)
        return ka == NumberKind::uint64 ? 1 : -1;
    }
    const double x = a.as_double(), y = b.d;
    return x < y ? -1 : x > y;
}

enum class Bound : std::uint8_t { maximum, exclusive_maximum, minimum, exclusive_minimum };

// Whether a comparison's sign (instance - limit) satisfies the bound.
[[nodiscard]] constexpr bool within(Bound bound, int sign) noexcept {
    switch (bound) {
    case Bound::maximum:
        return sign <= 0;
    case Bound::exclusive_maximum:
        return sign < 0;
    case Bound::minimum:
        return sign >= 0;
    case Bound::exclusive_minimum:
        return sign > 0;
    }
    return false;
}

// Whether s holds more than limit code points (stops as soon as it knows).
[[nodiscard]] inline bool utf8_more_than(std::string_view s, std::size_t limit) noexcept {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++n > limit)
            return true;
    return false;
}

struct LeafCheck {
    struct NumberLimit {
        Bound bound;
        Limit limit;
    };

    std::uint8_t types = 0xFF; // "type": a bit per core::JsonType (all: no "type")
    bool integer = false;      // "type" names "integer" but not "number"
    const PropertyTable<bool>* strings = nullptr; // "enum" whose members are all strings
    const std::string* constant = nullptr;        // "const" that is a string
    std::size_t min_length = 0;                   // "minLength"
    std::size_t max_length = SIZE_MAX;            // "maxLength"
    const Regex* pattern = nullptr;               // "pattern"
    std::vector<NumberLimit> numbers;             // minimum, maximum and their exclusive forms

    // Called once every keyword has added its piece: what accepts() asks first.
    void seal() {
        string_checks = strings || constant || min_length != 0 || max_length != SIZE_MAX || pattern;
        only_strings = strings || constant;
        only_enum = strings && !constant && min_length == 0 && max_length == SIZE_MAX && !pattern;
        number_checks = !numbers.empty();
    }

    // Inline for what most values need (the type, and nothing else for {"type": "string"});
    // the string and number tests are calls.
    [[nodiscard, gnu::always_inline]] bool accepts(core::JsonView v) const {
        using core::JsonType;
        const JsonType t = v.type();
        if (((types >> static_cast<unsigned>(t)) & 1u) == 0 &&
            !(integer && t == JsonType::number && v.is_integer()))
            return false;
        if (t == JsonType::string) {
            if (only_enum) // {"enum": ["true", "false"]}: a few names compared inline
                return strings->find(v.as_string()) != nullptr;
            return !string_checks || accepts_string(v.as_string());
        }
        if (only_strings) // only strings are members
            return false;
        return t != JsonType::number || !number_checks || accepts_number(v);
    }

    // Whether accepts() takes every value of type t outright (integral: the parser read the
    // number as an integer), without looking at the value.
    [[nodiscard]] bool accepts_every(core::JsonType t, bool integral) const {
        using core::JsonType;
        const bool typed = ((types >> static_cast<unsigned>(t)) & 1u) != 0 ||
                           (integer && integral && t == JsonType::number);
        if (!typed)
            return false;
        if (t == JsonType::string)
            return !string_checks;
        if (only_strings)
            return false;
        return t != JsonType::number || !number_checks;
    }

private:
    [[nodiscard, gnu::noinline]] bool accepts_string(std::string_view s) const {
        if (strings && !strings->find(s))
            return false;
        if (constant && s != *constant)
            return false;
        if (min_length != 0 && !utf8_more_than(s, min_length - 1))
            return false;
        if (s.size() > max_length && utf8_more_than(s, max_length))
            return false;
        return !pattern || pattern->search(s);
    }
    [[nodiscard, gnu::noinline]] bool accepts_number(core::JsonView v) const {
        for (const NumberLimit& n : numbers)
            if (!within(n.bound, compare_numbers(v, n.limit)))
                return false;
        return true;
    }

    bool string_checks = false;
    bool only_strings = false;
    bool only_enum = false; // strings: an enum and nothing else
    bool number_checks = false;
};

} // namespace conform::schema::internal
