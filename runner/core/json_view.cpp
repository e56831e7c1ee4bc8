#include "runner/core/json_view.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "runner/core/text.hpp"

namespace conform::core {
namespace {

using nlohmann::json;
namespace dom = simdjson::dom;

// A dom::element is a (document*, tape index) pair with a private constructor; the view keeps
// those two words and rebuilds the element bit for bit.
struct RawElement {
    const void* doc;
    std::size_t index;
};
static_assert(sizeof(dom::element) == sizeof(RawElement));
static_assert(sizeof(JsonView) == 16 && std::is_trivially_copyable_v<JsonView>,
              "a JsonView is passed in registers (json_view.hpp)");
static_assert(sizeof(std::uintptr_t) <= sizeof(std::uint64_t),
              "a view keeps a pointer in its 64-bit word");
static_assert(std::is_trivially_copyable_v<dom::element>);
// nlohmann's object iterator is a tree node pointer: what a MemberCursor keeps between members.
using NlMemberIterator = json::object_t::const_iterator;
static_assert(sizeof(NlMemberIterator) == sizeof(std::uintptr_t));
static_assert(std::is_trivially_copyable_v<NlMemberIterator>);
using NlItemIterator = json::array_t::const_iterator;
static_assert(sizeof(NlItemIterator) == sizeof(std::uintptr_t));
static_assert(std::is_trivially_copyable_v<NlItemIterator>);

// json_view.hpp reads simdjson's tape inline (Tape, JsonView::from_tape): the layout it assumes
// is simdjson's own.
using simdjson::internal::tape_type;
static_assert(static_cast<char>(tape_type::STRING) == '"' &&
              static_cast<char>(tape_type::INT64) == 'l' &&
              static_cast<char>(tape_type::UINT64) == 'u' &&
              static_cast<char>(tape_type::DOUBLE) == 'd' &&
              static_cast<char>(tape_type::TRUE_VALUE) == 't' &&
              static_cast<char>(tape_type::FALSE_VALUE) == 'f' &&
              static_cast<char>(tape_type::NULL_VALUE) == 'n' &&
              static_cast<char>(tape_type::START_OBJECT) == '{' &&
              static_cast<char>(tape_type::START_ARRAY) == '[');
static_assert(Tape::k_payload == simdjson::internal::JSON_VALUE_MASK);
static_assert(std::is_same_v<decltype(dom::document::tape), std::unique_ptr<std::uint64_t[]>> &&
              std::is_same_v<decltype(dom::document::string_buf), std::unique_ptr<std::uint8_t[]>>);

template <class To, class From> To bits(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    To to;
    std::memcpy(static_cast<void*>(&to), static_cast<const void*>(&from), sizeof to);
    return to;
}

const json& nl(const void* p) {
    return *static_cast<const json*>(p);
}

dom::element element_of(const void* p, std::size_t index) {
    RawElement raw{p, index};
    dom::element e;
    std::memcpy(static_cast<void*>(&e), &raw, sizeof raw);
    return e;
}

JsonType from_nlohmann(json::value_t t) {
    switch (t) {
    case json::value_t::null:
    case json::value_t::discarded:
        return JsonType::null;
    case json::value_t::boolean:
        return JsonType::boolean;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return JsonType::number;
    case json::value_t::string:
        return JsonType::string;
    case json::value_t::array:
    case json::value_t::binary:
        return JsonType::array;
    case json::value_t::object:
        return JsonType::object;
    }
    return JsonType::null;
}

bool numbers_equal(const JsonView& a, const JsonView& b) {
    const NumberKind ka = a.number_kind(), kb = b.number_kind();
    if (ka != NumberKind::floating && kb != NumberKind::floating) {
        if (ka == kb)
            return ka == NumberKind::int64 ? a.as_int64() == b.as_int64()
                                           : a.as_uint64() == b.as_uint64();
        // one signed, one unsigned: equal only when the signed one is non-negative
        const JsonView& s = ka == NumberKind::int64 ? a : b;
        const JsonView& u = ka == NumberKind::int64 ? b : a;
        return s.as_int64() >= 0 && static_cast<std::uint64_t>(s.as_int64()) == u.as_uint64();
    }
    return a.as_double() == b.as_double();
}

} // namespace

std::string_view type_name(JsonType t) noexcept {
    switch (t) {
    case JsonType::null:
        return "null";
    case JsonType::boolean:
        return "boolean";
    case JsonType::number:
        return "number";
    case JsonType::string:
        return "string";
    case JsonType::array:
        return "array";
    case JsonType::object:
        return "object";
    }
    return "null";
}

JsonView::JsonView(const nlohmann::json& value) noexcept {
    const JsonType type = from_nlohmann(value.type());
    switch (value.type()) {
    case json::value_t::boolean:
        *this = JsonView(value.get<bool>() ? 1 : 0, meta(type));
        break;
    case json::value_t::number_integer:
        *this = JsonView(static_cast<std::uint64_t>(value.get<std::int64_t>()),
                         meta(type, NumberKind::int64));
        break;
    case json::value_t::number_unsigned: {
        // nlohmann stores every non-negative integer as unsigned; report int64 when it fits
        const auto u = value.get<std::uint64_t>();
        *this = JsonView(u, meta(type, u <= INT64_MAX ? NumberKind::int64 : NumberKind::uint64));
        break;
    }
    case json::value_t::number_float:
        *this = JsonView(std::bit_cast<std::uint64_t>(value.get<double>()), meta(type));
        break;
    case json::value_t::string: {
        const std::string& s = value.get_ref<const std::string&>();
        if (s.size() <= UINT32_MAX)
            *this = JsonView(reinterpret_cast<std::uint64_t>(s.data()),
                             meta(type, NumberKind::floating, Source::none,
                                  static_cast<std::uint32_t>(s.size())));
        else // read through the value instead (long_string)
            *this = JsonView(reinterpret_cast<std::uint64_t>(&value),
                             meta(type, NumberKind::floating, Source::nlohmann));
        break;
    }
    case json::value_t::array:
    case json::value_t::object:
    case json::value_t::binary:
        *this = JsonView(reinterpret_cast<std::uint64_t>(&value),
                         meta(type, NumberKind::floating, Source::nlohmann));
        break;
    case json::value_t::null:
    case json::value_t::discarded:
        break;
    }
}

std::string_view JsonView::long_string(std::uint64_t word) noexcept {
    return nl(reinterpret_cast<const void*>(word)).get_ref<const std::string&>();
}

bool JsonView::integral(double d) noexcept {
    return std::isfinite(d) && std::trunc(d) == d;
}

// A double as the nearest int64 / uint64, saturating (a cast out of range is UB: fuzz finding
// schema-1, "minimum": 2999...9 with 100 digits); NaN is 0.
std::int64_t JsonView::saturated_int64(double d) noexcept {
    if (!(d == d))
        return 0;
    if (d >= 9223372036854775807.0)
        return std::numeric_limits<std::int64_t>::max();
    if (d <= -9223372036854775808.0)
        return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
}

std::uint64_t JsonView::saturated_uint64(double d) noexcept {
    if (!(d > 0))
        return 0;
    if (d >= 18446744073709551615.0)
        return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(d);
}

template <class Container> void JsonView::start(Cursor& c, JsonType t) const noexcept {
    if (type() != t)
        return;
    if (source() == Source::nlohmann) {
        const auto& all = nl(container()).get_ref<const Container&>();
        c.m_at = bits<std::uintptr_t>(all.begin());
        c.m_end = bits<std::uintptr_t>(all.end());
    } else if (source() == Source::simdjson) {
        const auto* doc = static_cast<const dom::document*>(container());
        c.m_doc = doc;
        c.m_tape = doc->tape.get();
        c.m_strings = doc->string_buf.get();
        c.m_at = count() + 1;                                        // the first key or item
        c.m_end = static_cast<std::uint32_t>(c.m_tape[count()]) - 1; // the closing '}' or ']'
    }
}

JsonView::MemberCursor JsonView::members() const noexcept {
    MemberCursor c;
    start<json::object_t>(c, JsonType::object);
    return c;
}

JsonView::ItemCursor JsonView::items() const noexcept {
    ItemCursor c;
    start<json::array_t>(c, JsonType::array);
    return c;
}

JsonView JsonView::ItemCursor::next_nlohmann() noexcept {
    auto it = bits<NlItemIterator>(m_at);
    const JsonView item(*it);
    m_at = bits<std::uintptr_t>(++it);
    return item;
}

auto JsonView::MemberCursor::next_nlohmann() noexcept -> Member {
    auto it = bits<NlMemberIterator>(m_at);
    const Member member{it->first, JsonView(it->second)};
    m_at = bits<std::uintptr_t>(++it);
    return member;
}

JsonView JsonView::of(const simdjson::dom::element& element) noexcept {
    RawElement raw{};
    std::memcpy(&raw, static_cast<const void*>(&element), sizeof raw);
    const auto* doc = static_cast<const dom::document*>(raw.doc);
    return from_tape(doc, doc->tape.get(), doc->string_buf.get(),
                     static_cast<std::uint32_t>(raw.index));
}

bool JsonView::on_tape(TapeDocument& doc, std::uint32_t& index) const noexcept {
    if (source() != Source::simdjson)
        return false;
    const auto* d = static_cast<const dom::document*>(container());
    doc = TapeDocument{d, d->tape.get(), d->string_buf.get()};
    index = count();
    return true;
}

std::size_t JsonView::size() const noexcept {
    if (source() == Source::nlohmann) {
        const json& j = nl(container());
        return j.is_array() || j.is_object() ? j.size() : 0;
    }
    if (source() == Source::simdjson) {
        const dom::element e = element_of(container(), count());
        // simdjson's counts saturate at 0xFFFFFF: count by walking beyond that.
        constexpr std::size_t saturated = 0xFFFFFF;
        dom::array a;
        if (e.get(a) == simdjson::SUCCESS) {
            if (a.size() < saturated)
                return a.size();
            std::size_t n = 0;
            for ([[maybe_unused]] dom::element item : a)
                ++n;
            return n;
        }
        dom::object o;
        if (e.get(o) == simdjson::SUCCESS) {
            if (o.size() < saturated)
                return o.size();
            std::size_t n = 0;
            for ([[maybe_unused]] dom::key_value_pair kv : o)
                ++n;
            return n;
        }
    }
    return 0;
}

[[gnu::flatten]] void JsonView::for_each_item(FunctionRef<bool(std::size_t, JsonView)> fn) const {
    if (source() == Source::nlohmann) {
        const json& j = nl(container());
        if (!j.is_array())
            return;
        std::size_t i = 0;
        for (const json& item : j)
            if (!fn(i++, JsonView(item)))
                return;
        return;
    }
    if (source() == Source::simdjson) {
        if (type() != JsonType::array)
            return;
        // The tape read inline, as members() does: each item made from its words, the next
        // found past it (a container's word says where it ends), no simdjson iterator between.
        const auto* doc = static_cast<const dom::document*>(container());
        const std::uint64_t* tape = doc->tape.get();
        const std::uint8_t* strings = doc->string_buf.get();
        const auto end = static_cast<std::uint32_t>(tape[count()]) - 1; // the closing ']'
        std::size_t i = 0;
        for (auto at = static_cast<std::uint32_t>(count() + 1); at < end;
             at = Tape::after(tape, at))
            if (!fn(i++, from_tape(doc, tape, strings, at)))
                return;
    }
}

void JsonView::for_each_member(FunctionRef<bool(std::string_view, JsonView)> fn) const {
    if (source() == Source::nlohmann) {
        const json& j = nl(container());
        if (!j.is_object())
            return;
        for (const auto& [key, value] : j.items())
            if (!fn(key, JsonView(value)))
                return;
        return;
    }
    if (source() == Source::simdjson) {
        dom::object o;
        if (element_of(container(), count()).get(o) != simdjson::SUCCESS)
            return;
        for (dom::key_value_pair kv : o)
            if (!fn(kv.key, JsonView::of(kv.value)))
                return;
    }
}

std::optional<JsonView> JsonView::find(std::string_view key) const {
    if (source() == Source::nlohmann) {
        const json& j = nl(container());
        if (!j.is_object())
            return std::nullopt;
        auto it = j.find(key);
        if (it == j.end())
            return std::nullopt;
        return JsonView(*it);
    }
    if (source() != Source::simdjson || type() != JsonType::object)
        return std::nullopt;
    return find_on_tape(key, nullptr);
}

std::optional<JsonView> JsonView::find(std::string_view key, std::size_t& hint) const {
    if (source() != Source::simdjson || type() != JsonType::object)
        return find(key);
    // The tape read inline (members()): to the hinted member, values skipped unread.
    const auto* doc = static_cast<const dom::document*>(container());
    const std::uint64_t* tape = doc->tape.get();
    const auto end = static_cast<std::uint32_t>(tape[count()]) - 1; // the closing '}'
    auto at = static_cast<std::uint32_t>(count() + 1);
    for (std::size_t i = 0; i < hint && at < end; ++i)
        at = Tape::after(tape, at + 1);
    if (at < end && same_bytes(Tape::string(doc->string_buf.get(), tape[at]), key))
        return from_tape(doc, tape, doc->string_buf.get(), at + 1);
    return find_on_tape(key, &hint);
}

std::optional<JsonView> JsonView::find_on_tape(std::string_view key, std::size_t* index) const {
    // The tape read inline, as members() does: each key compared, values skipped unread.
    const auto* doc = static_cast<const dom::document*>(container());
    const std::uint64_t* tape = doc->tape.get();
    const std::uint8_t* strings = doc->string_buf.get();
    const auto end = static_cast<std::uint32_t>(tape[count()]) - 1; // the closing '}'
    std::size_t i = 0;
    for (auto at = static_cast<std::uint32_t>(count() + 1); at < end;
         at = Tape::after(tape, at + 1), ++i)
        if (same_bytes(Tape::string(strings, tape[at]), key)) {
            if (index)
                *index = i;
            return from_tape(doc, tape, strings, at + 1);
        }
    return std::nullopt;
}

// Both walks below keep their own stack instead of recursing: an instance may be nested far
// deeper than the call stack (a programmatic nlohmann value, or simdjson with a raised
// ParseLimits::max_depth; fuzz/json_parse and tests/fuzz check 100,000 levels).

namespace {

// Equal without descending: scalars compared, containers only by type and size.
bool shallow_equal(const JsonView& a, const JsonView& b) {
    const JsonType t = a.type();
    if (t != b.type())
        return false;
    switch (t) {
    case JsonType::null:
        return true;
    case JsonType::boolean:
        return a.as_bool() == b.as_bool();
    case JsonType::number:
        return numbers_equal(a, b);
    case JsonType::string:
        return a.as_string() == b.as_string();
    case JsonType::array:
    case JsonType::object:
        return a.size() == b.size();
    }
    return false;
}

} // namespace

bool operator==(const JsonView& a, const JsonView& b) {
    if (!shallow_equal(a, b))
        return false;
    if (a.type() != JsonType::array && a.type() != JsonType::object)
        return true;
    std::vector<std::pair<JsonView, JsonView>> pending{{a, b}};
    std::vector<JsonView> items;
    while (!pending.empty()) {
        const JsonView x = pending.back().first, y = pending.back().second;
        pending.pop_back();
        bool equal = true;
        auto compare = [&](JsonView u, JsonView v) {
            if (!shallow_equal(u, v))
                return equal = false;
            if (u.type() == JsonType::array || u.type() == JsonType::object)
                pending.emplace_back(u, v);
            return true;
        };
        if (x.type() == JsonType::array) {
            // Walk both in step; simdjson arrays have no O(1) indexing.
            items.clear();
            y.for_each_item([&](std::size_t, JsonView v) {
                items.push_back(v);
                return true;
            });
            x.for_each_item([&](std::size_t i, JsonView u) {
                if (i >= items.size())
                    return equal = false;
                return compare(u, items[i]);
            });
        } else {
            x.for_each_member([&](std::string_view key, JsonView u) {
                auto other = y.find(key);
                if (!other)
                    return equal = false;
                return compare(u, *other);
            });
        }
        if (!equal)
            return false;
    }
    return true;
}

nlohmann::json JsonView::to_json() const {
    auto scalar = [](const JsonView& v) -> json {
        switch (v.type()) {
        case JsonType::null:
            return nullptr;
        case JsonType::boolean:
            return v.as_bool();
        case JsonType::number:
            switch (v.number_kind()) {
            case NumberKind::int64:
                return v.as_int64();
            case NumberKind::uint64:
                return v.as_uint64();
            case NumberKind::floating:
                return v.as_double();
            }
            return nullptr;
        case JsonType::string:
            return std::string(v.as_string());
        case JsonType::array:
            return json::array();
        case JsonType::object:
            return json::object();
        }
        return nullptr;
    };
    json out = scalar(*this);
    // (source, destination) pairs still to fill. A container's children are all inserted
    // before any is filled, so the destinations stay where they are (std::vector is not
    // resized again, std::map nodes never move).
    std::vector<std::pair<JsonView, json*>> pending{{*this, &out}};
    while (!pending.empty()) {
        const JsonView from = pending.back().first;
        json* const to = pending.back().second;
        pending.pop_back();
        if (from.type() == JsonType::array) {
            auto& array = to->get_ref<json::array_t&>();
            array.reserve(from.size());
            from.for_each_item([&](std::size_t, JsonView v) {
                array.push_back(scalar(v));
                return true;
            });
            std::size_t i = 0;
            from.for_each_item([&](std::size_t, JsonView v) {
                if (v.type() == JsonType::array || v.type() == JsonType::object)
                    pending.emplace_back(v, &array[i]);
                ++i;
                return true;
            });
        } else if (from.type() == JsonType::object) {
            auto& object = to->get_ref<json::object_t&>();
            from.for_each_member([&](std::string_view k, JsonView v) {
                auto [at, inserted] = object.try_emplace(std::string(k));
                json& slot = at->second;
                if (!inserted) // a repeated name (simdjson keeps both): the last one wins
                    std::erase_if(pending,
                                  [&](const auto& entry) { return entry.second == &slot; });
                slot = scalar(v);
                if (v.type() == JsonType::array || v.type() == JsonType::object)
                    pending.emplace_back(v, &slot);
                return true;
            });
        }
    }
    return out;
}

} // namespace conform::core
