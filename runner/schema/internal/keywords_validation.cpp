// 2020-12 validation vocabulary (validation spec section 6) and format (section 7).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "runner/schema/format.hpp"
#include "runner/schema/internal/keywords.hpp"
#include "runner/schema/internal/property_table.hpp"
#include "runner/schema/regex.hpp"

namespace conform::schema::internal {
namespace {

using core::JsonType;
using core::JsonView;
using core::NumberKind;
using core::Path;

// ---- numbers ----

std::string number_text(const nlohmann::json& n) {
    return n.dump();
}

class NumberBound final : public Keyword {
public:
    NumberBound(const KeywordSite& site, Bound bound)
        : Keyword(std::string(site.name), site.absolute), m_limit(site.value),
          m_limit_value(JsonView(site.value)), m_bound(bound) {}
    bool add_to_leaf(LeafCheck& leaf) const override {
        leaf.numbers.push_back({m_bound, m_limit_value});
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_number())
            return true;
        const int c = compare_numbers(instance, m_limit_value);
        bool ok = true;
        const char* relation = "";
        switch (m_bound) {
        case Bound::maximum:
            ok = c <= 0;
            relation = "greater than the maximum";
            break;
        case Bound::exclusive_maximum:
            ok = c < 0;
            relation = "not less than the exclusive maximum";
            break;
        case Bound::minimum:
            ok = c >= 0;
            relation = "less than the minimum";
            break;
        case Bound::exclusive_minimum:
            ok = c > 0;
            relation = "not greater than the exclusive minimum";
            break;
        }
        if (ok)
            return true;
        return fail(frame, where, [&] {
            return describe(instance) + " is " + relation + " " + number_text(m_limit);
        });
    }

private:
    nlohmann::json m_limit; // for messages
    Limit m_limit_value;
    Bound m_bound;
};

class MultipleOf final : public Keyword {
public:
    explicit MultipleOf(const KeywordSite& site)
        : Keyword(std::string(site.name), site.absolute), m_divisor(site.value) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_number())
            return true;
        bool ok;
        const JsonView d(m_divisor);
        if (instance.number_kind() == NumberKind::int64 && d.number_kind() == NumberKind::int64)
            ok = instance.as_int64() % d.as_int64() == 0;
        else {
            const double q = instance.as_double() / d.as_double();
            // A quotient that overflows is not an integer we can vouch for.
            // Decimal divisors are inexact in binary (0.0075 / 0.0001 = 75.00000000000001):
            // accept a quotient within a few ulps of an integer.
            constexpr double ulps = 8 * std::numeric_limits<double>::epsilon();
            if (std::isfinite(q))
                ok = std::fabs(q - std::round(q)) <= ulps * std::max(1.0, std::fabs(q));
            else // the quotient overflows (1e308 / 0.5): the remainder is still exact
                ok = std::fmod(instance.as_double(), d.as_double()) == 0.0;
        }
        if (ok)
            return true;
        return fail(frame, where, [&] {
            return describe(instance) + " is not a multiple of " + number_text(m_divisor);
        });
    }

private:
    nlohmann::json m_divisor;
};

// ---- any type ----

class Type final : public Keyword {
public:
    Type(const KeywordSite& site, std::uint8_t mask, bool integer, std::string expected)
        : Keyword(std::string(site.name), site.absolute), m_mask(mask), m_integer(integer),
          m_expected(std::move(expected)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        const JsonType t = instance.type();
        if (m_mask & bit(t))
            return true;
        if (m_integer && t == JsonType::number && instance.is_integer())
            return true;
        return fail(frame, where, [&] {
            std::string actual(core::type_name(t));
            if (t == JsonType::number && instance.is_integer())
                actual = "integer";
            return "expected " + m_expected + ", got " + actual + " " + describe(instance);
        });
    }
    static std::uint8_t bit(JsonType t) {
        return static_cast<std::uint8_t>(1u << static_cast<unsigned>(t));
    }
    bool add_to_leaf(LeafCheck& leaf) const override {
        leaf.types = m_mask;
        leaf.integer = m_integer;
        return true;
    }

private:
    std::uint8_t m_mask;
    bool m_integer;
    std::string m_expected;
};

class Const final : public Keyword {
public:
    explicit Const(const KeywordSite& site)
        : Keyword(std::string(site.name), site.absolute), m_value(site.value) {}
    bool add_to_leaf(LeafCheck& leaf) const override {
        if (!m_value.is_string())
            return false;
        leaf.constant = &m_value.get_ref<const std::string&>();
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (instance == JsonView(m_value))
            return true;
        return fail(frame, where,
                    [&] { return describe(instance) + " is not the constant " + m_value.dump(); });
    }

private:
    nlohmann::json m_value;
};

class Enum final : public Keyword {
public:
    explicit Enum(const KeywordSite& site)
        : Keyword(std::string(site.name), site.absolute), m_values(site.value) {
        for (const auto& v : m_values)
            if (v.is_string() && !m_strings.find(v.get_ref<const std::string&>()))
                m_strings.add(v.get<std::string>(), true);
    }
    bool add_to_leaf(LeafCheck& leaf) const override {
        if (!std::all_of(m_values.begin(), m_values.end(),
                         [](const nlohmann::json& v) { return v.is_string(); }))
            return false;
        leaf.strings = &m_strings;
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (instance.is_string()) { // the common case: an enum of strings
            if (m_strings.find(instance.as_string()))
                return true;
        } else {
            for (const nlohmann::json& v : m_values)
                if (instance == JsonView(v))
                    return true;
        }
        return fail(frame, where,
                    [&] { return describe(instance) + " is not one of " + m_values.dump(); });
    }

private:
    nlohmann::json m_values;
    PropertyTable<bool> m_strings; // the string members, found the way member names are
};

// ---- strings ----

class Length final : public Keyword {
public:
    Length(const KeywordSite& site, std::size_t limit, bool is_max)
        : Keyword(std::string(site.name), site.absolute), m_limit(limit), m_max(is_max) {}
    bool add_to_leaf(LeafCheck& leaf) const override {
        (m_max ? leaf.max_length : leaf.min_length) = m_limit;
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_string())
            return true;
        const std::string_view s = instance.as_string();
        // Counting code points stops as soon as the answer is known: a string has at most as
        // many characters as bytes, and minLength is usually 1.
        const bool ok = m_max ? s.size() <= m_limit || !utf8_more_than(s, m_limit)
                              : m_limit == 0 || utf8_more_than(s, m_limit - 1);
        if (ok)
            return true;
        return fail(frame, where, [&] {
            return "string of " + std::to_string(utf8_length(s)) + " characters is " +
                   (m_max ? "longer than maxLength " : "shorter than minLength ") +
                   std::to_string(m_limit);
        });
    }

private:
    std::size_t m_limit;
    bool m_max;
};

class Pattern final : public Keyword {
public:
    Pattern(const KeywordSite& site, Regex regex, std::string source)
        : Keyword(std::string(site.name), site.absolute), m_regex(std::move(regex)),
          m_source(std::move(source)) {}
    bool add_to_leaf(LeafCheck& leaf) const override {
        leaf.pattern = &m_regex;
        return true;
    }
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_string() || m_regex.search(instance.as_string()))
            return true;
        return fail(frame, where,
                    [&] { return describe(instance) + " does not match the pattern " + m_source; });
    }

private:
    Regex m_regex;
    std::string m_source;
};

class Format final : public Keyword {
public:
    explicit Format(const KeywordSite& site)
        : Keyword(std::string(site.name), site.absolute), m_format(site.value.get<std::string>()) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_string())
            return true;
        if (check_format(m_format, instance.as_string()) != FormatResult::invalid)
            return true;
        return fail(frame, where,
                    [&] { return describe(instance) + " is not a valid " + m_format; });
    }

private:
    std::string m_format;
};

// ---- arrays and objects: counts ----

enum class Counted { items, properties };

class Count final : public Keyword {
public:
    Count(const KeywordSite& site, std::size_t limit, bool is_max, Counted what)
        : Keyword(std::string(site.name), site.absolute), m_limit(limit), m_max(is_max),
          m_what(what) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (m_what == Counted::items ? !instance.is_array() : !instance.is_object())
            return true;
        const std::size_t n = instance.size();
        const bool ok = m_max ? n <= m_limit : n >= m_limit;
        if (ok)
            return true;
        return fail(frame, where, [&] {
            return std::string(m_what == Counted::items ? "array" : "object") + " has " +
                   std::to_string(n) + (m_what == Counted::items ? " items" : " properties") +
                   ", " + (m_max ? "more than " : "fewer than ") + name() + " " +
                   std::to_string(m_limit);
        });
    }

private:
    std::size_t m_limit;
    bool m_max;
    Counted m_what;
};

std::uint64_t mix(std::uint64_t h) {
    // splitmix64's finaliser
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

std::uint64_t bytes_hash(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a
    for (unsigned char c : s)
        h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

// A hash that values equal by JSON Schema rules share (numbers by value, objects whatever
// their member order): the sum, over every node, of its signature mixed with its path (array
// positions and member names). Without recursion: instances may nest deeper than the stack.
std::uint64_t value_hash(JsonView value) {
    std::uint64_t sum = 0;
    std::vector<std::pair<JsonView, std::uint64_t>> pending{{value, 0}};
    while (!pending.empty()) {
        const JsonView v = pending.back().first;
        const std::uint64_t path = pending.back().second;
        pending.pop_back();
        std::uint64_t signature = static_cast<std::uint64_t>(v.type()) + 1;
        switch (v.type()) {
        case JsonType::null:
            break;
        case JsonType::boolean:
            signature = mix(signature + (v.as_bool() ? 2 : 0));
            break;
        case JsonType::number: {
            double d = v.as_double();
            if (d == 0.0)
                d = 0.0; // -0 == 0
            std::uint64_t bits = 0;
            std::memcpy(&bits, &d, sizeof bits);
            signature = mix(signature ^ bits);
            break;
        }
        case JsonType::string:
            signature = mix(signature ^ bytes_hash(v.as_string()));
            break;
        case JsonType::array:
            signature = mix(signature + (v.size() << 4));
            v.for_each_item([&](std::size_t i, JsonView item) {
                pending.emplace_back(item, mix(path * 31 + i + 1));
                return true;
            });
            break;
        case JsonType::object:
            signature = mix(signature + (v.size() << 4));
            v.for_each_member([&](std::string_view key, JsonView member) {
                pending.emplace_back(member, mix(path * 37 ^ bytes_hash(key)));
                return true;
            });
            break;
        }
        sum += mix(signature ^ path);
    }
    return sum;
}

class UniqueItems final : public Keyword {
public:
    explicit UniqueItems(const KeywordSite& site)
        : Keyword(std::string(site.name), site.absolute) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_array())
            return true;
        std::vector<JsonView> items;
        items.reserve(instance.size());
        instance.for_each_item([&](std::size_t, JsonView v) {
            items.push_back(v);
            return true;
        });
        auto equal = [&](std::size_t i, std::size_t j) {
            return items[i].type() == items[j].type() && items[i] == items[j];
        };
        // The first equal pair (i, j) in index order, for the message.
        std::size_t first_i = items.size(), first_j = items.size();
        if (items.size() <= k_pairwise_below) {
            for (std::size_t i = 0; i < items.size() && first_i == items.size(); ++i)
                for (std::size_t j = i + 1; j < items.size(); ++j)
                    if (equal(i, j)) {
                        first_i = i;
                        first_j = j;
                        break;
                    }
        } else {
            // Long arrays: compare only items whose hashes agree (pairwise would be quadratic
            // in the array's length: a 100,000-item response would take minutes).
            std::vector<std::pair<std::uint64_t, std::size_t>> hashed;
            hashed.reserve(items.size());
            for (std::size_t i = 0; i < items.size(); ++i)
                hashed.emplace_back(value_hash(items[i]), i);
            std::sort(hashed.begin(), hashed.end());
            for (std::size_t run = 0; run < hashed.size();) {
                std::size_t end = run + 1;
                while (end < hashed.size() && hashed[end].first == hashed[run].first)
                    ++end;
                for (std::size_t a = run; a < end; ++a)
                    for (std::size_t b = a + 1; b < end; ++b) {
                        const std::size_t i = hashed[a].second, j = hashed[b].second;
                        if ((i < first_i || (i == first_i && j < first_j)) && equal(i, j)) {
                            first_i = i;
                            first_j = j;
                        }
                    }
                run = end;
            }
        }
        if (first_i == items.size())
            return true;
        return fail(frame, where, [&] {
            return "items " + std::to_string(first_i) + " and " + std::to_string(first_j) +
                   " are equal (" + describe(items[first_i]) + ")";
        });
    }

private:
    static constexpr std::size_t k_pairwise_below = 16;
};

class Required final : public Keyword {
public:
    Required(const KeywordSite& site, PropertyTable<bool> names)
        : Keyword(std::string(site.name), site.absolute), m_names(std::move(names)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        // One pass over the members (simdjson objects have no index), ticking names off.
        // A bit mask for the usual handful of names; no allocation unless there are more.
        std::uint64_t seen_small = 0;
        std::vector<bool> seen_big;
        const bool small = m_names.size() <= 64;
        if (!small)
            seen_big.resize(m_names.size(), false);
        auto seen = [&](std::size_t i) {
            return small ? (seen_small >> i & 1) != 0 : static_cast<bool>(seen_big[i]);
        };
        std::size_t found = 0;
        std::size_t cursor = 0; // see PropertyTable::find
        instance.for_each_member([&](std::string_view key, JsonView) {
            if (const auto* e = m_names.find(key, cursor)) {
                const std::size_t i = m_names.index_of(e);
                if (!seen(i)) {
                    if (small)
                        seen_small |= std::uint64_t{1} << i;
                    else
                        seen_big[i] = true;
                    ++found;
                }
            }
            return found < m_names.size();
        });
        if (found == m_names.size())
            return true;
        if (frame.ctx.collecting())
            for (std::size_t i = 0; i < m_names.size(); ++i)
                if (!seen(i))
                    report(frame, where,
                           "required property \"" + m_names.entries()[i].key + "\" is missing", {},
                           m_names.entries()[i].key);
        return false;
    }

private:
    PropertyTable<bool> m_names;
};

class DependentRequired final : public Keyword {
public:
    DependentRequired(const KeywordSite& site,
                      std::vector<std::pair<std::string, std::vector<std::string>>> deps)
        : Keyword(std::string(site.name), site.absolute), m_deps(std::move(deps)) {}
    bool evaluate(JsonView instance, const Path& where, const Frame& frame) const override {
        if (!instance.is_object())
            return true;
        bool valid = true;
        for (const auto& [property, needed] : m_deps) {
            if (!instance.find(property))
                continue;
            for (const std::string& n : needed) {
                if (instance.find(n))
                    continue;
                valid = false;
                if (!frame.ctx.collecting())
                    return false;
                report(frame, where,
                       "property \"" + n + "\" is required when \"" + property + "\" is present",
                       {property}, n);
            }
        }
        return valid;
    }

private:
    std::vector<std::pair<std::string, std::vector<std::string>>> m_deps;
};

// ---- compile-time checks ----

core::Result<std::size_t> count_value(const KeywordSite& site) {
    if (!is_non_negative_integer(site.value))
        return core::fail(
            site.services.error(std::string(site.name) + " must be a non-negative integer"));
    return site.value.is_number_float() ? static_cast<std::size_t>(site.value.get<double>())
                                        : site.value.get<std::size_t>();
}

core::Result<void> require_number(const KeywordSite& site) {
    if (!site.value.is_number())
        return core::fail(site.services.error(std::string(site.name) + " must be a number"));
    return {};
}

core::Result<PropertyTable<bool>> string_set(const KeywordSite& site, const nlohmann::json& v,
                                             std::initializer_list<std::string_view> where) {
    if (!v.is_array())
        return core::fail(
            site.services.error(std::string(site.name) + " must be an array of strings", where));
    PropertyTable<bool> names;
    for (const auto& n : v) {
        if (!n.is_string())
            return core::fail(site.services.error(
                std::string(site.name) + " must be an array of strings", where));
        if (!names.find(n.get<std::string>()))
            names.add(n.get<std::string>(), true);
    }
    return names;
}

std::unique_ptr<Keyword> own(Keyword* k) {
    return std::unique_ptr<Keyword>(k);
}

} // namespace

core::Result<std::unique_ptr<Keyword>> make_type(const KeywordSite& site) {
    static constexpr std::pair<std::string_view, JsonType> names[] = {
        {"null", JsonType::null},     {"boolean", JsonType::boolean}, {"number", JsonType::number},
        {"string", JsonType::string}, {"array", JsonType::array},     {"object", JsonType::object},
    };
    std::uint8_t mask = 0;
    bool integer = false;
    std::vector<std::string> expected;
    auto add = [&](const nlohmann::json& v) -> bool {
        if (!v.is_string())
            return false;
        const std::string s = v.get<std::string>();
        if (s == "integer") {
            integer = true;
            expected.push_back(s);
            return true;
        }
        for (const auto& [n, t] : names)
            if (n == s) {
                mask |= Type::bit(t);
                expected.push_back(s);
                return true;
            }
        return false;
    };
    bool ok = site.value.is_array() ? !site.value.empty() : add(site.value);
    if (site.value.is_array())
        for (const auto& v : site.value)
            ok = ok && add(v);
    if (!ok)
        return core::fail(site.services.error(
            "type must be one of null, boolean, object, array, number, string, integer, or a "
            "non-empty array of them; got " +
            site.value.dump()));
    std::string text;
    for (std::size_t i = 0; i < expected.size(); ++i)
        text += (i ? (i + 1 == expected.size() ? " or " : ", ") : "") + expected[i];
    return own(new Type(site, mask, integer, text));
}

core::Result<std::unique_ptr<Keyword>> make_const(const KeywordSite& site) {
    return own(new Const(site));
}

core::Result<std::unique_ptr<Keyword>> make_enum(const KeywordSite& site) {
    if (!site.value.is_array())
        return core::fail(site.services.error("enum must be an array"));
    return own(new Enum(site));
}

core::Result<std::unique_ptr<Keyword>> make_multiple_of(const KeywordSite& site) {
    if (!site.value.is_number() || site.value.get<double>() <= 0)
        return core::fail(site.services.error("multipleOf must be a number greater than 0"));
    return own(new MultipleOf(site));
}

core::Result<std::unique_ptr<Keyword>> make_maximum(const KeywordSite& site) {
    CONFORM_CHECK(require_number(site));
    return own(new NumberBound(site, Bound::maximum));
}
core::Result<std::unique_ptr<Keyword>> make_exclusive_maximum(const KeywordSite& site) {
    CONFORM_CHECK(require_number(site));
    return own(new NumberBound(site, Bound::exclusive_maximum));
}
core::Result<std::unique_ptr<Keyword>> make_minimum(const KeywordSite& site) {
    CONFORM_CHECK(require_number(site));
    return own(new NumberBound(site, Bound::minimum));
}
core::Result<std::unique_ptr<Keyword>> make_exclusive_minimum(const KeywordSite& site) {
    CONFORM_CHECK(require_number(site));
    return own(new NumberBound(site, Bound::exclusive_minimum));
}

core::Result<std::unique_ptr<Keyword>> make_max_length(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Length(site, n, true));
}
core::Result<std::unique_ptr<Keyword>> make_min_length(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Length(site, n, false));
}

core::Result<std::unique_ptr<Keyword>> make_pattern(const KeywordSite& site) {
    if (!site.value.is_string())
        return core::fail(site.services.error("pattern must be a string"));
    auto regex = Regex::compile(site.value.get<std::string>(), site.services.regex_limits());
    if (!regex)
        return core::fail(site.services.error(regex.error().message));
    return own(new Pattern(site, std::move(regex).value(), site.value.get<std::string>()));
}

core::Result<std::unique_ptr<Keyword>> make_max_items(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Count(site, n, true, Counted::items));
}
core::Result<std::unique_ptr<Keyword>> make_min_items(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Count(site, n, false, Counted::items));
}
core::Result<std::unique_ptr<Keyword>> make_max_properties(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Count(site, n, true, Counted::properties));
}
core::Result<std::unique_ptr<Keyword>> make_min_properties(const KeywordSite& site) {
    CONFORM_TRY(std::size_t n, count_value(site));
    return own(new Count(site, n, false, Counted::properties));
}

core::Result<std::unique_ptr<Keyword>> make_unique_items(const KeywordSite& site) {
    if (!site.value.is_boolean())
        return core::fail(site.services.error("uniqueItems must be a boolean"));
    if (!site.value.get<bool>())
        return std::unique_ptr<Keyword>();
    return own(new UniqueItems(site));
}

core::Result<std::unique_ptr<Keyword>> make_required(const KeywordSite& site) {
    if (required_is_fused(site))
        return std::unique_ptr<Keyword>(); // see keywords_object.cpp
    CONFORM_TRY(auto names, string_set(site, site.value, {}));
    if (names.size() == 0)
        return std::unique_ptr<Keyword>();
    return own(new Required(site, std::move(names)));
}

core::Result<std::unique_ptr<Keyword>> make_dependent_required(const KeywordSite& site) {
    if (!site.value.is_object())
        return core::fail(site.services.error("dependentRequired must be an object"));
    std::vector<std::pair<std::string, std::vector<std::string>>> deps;
    for (const auto& [property, list] : site.value.items()) {
        CONFORM_TRY(auto names, string_set(site, list, {property}));
        std::vector<std::string> needed;
        for (const auto& e : names.entries())
            needed.push_back(e.key);
        deps.emplace_back(property, std::move(needed));
    }
    return own(new DependentRequired(site, std::move(deps)));
}

core::Result<std::unique_ptr<Keyword>> make_format(const KeywordSite& site) {
    if (!site.value.is_string())
        return core::fail(site.services.error("format must be a string"));
    const bool asserted = site.services.assert_format() ||
                          site.services.vocabulary_enabled(Vocabulary::format_assertion);
    if (!asserted)
        return std::unique_ptr<Keyword>(); // an annotation only (validation 7.2.1)
    return own(new Format(site));
}

bool is_non_negative_integer(const nlohmann::json& v) {
    if (v.is_number_unsigned())
        return true;
    if (v.is_number_integer())
        return v.get<std::int64_t>() >= 0;
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return d >= 0 && std::trunc(d) == d && d < 1.8e19;
    }
    return false;
}

} // namespace conform::schema::internal
