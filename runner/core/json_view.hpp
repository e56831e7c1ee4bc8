#pragma once
// A small read-only view of one JSON value, over either an nlohmann::json or a simdjson DOM
// element. The validator and the checks read instances only through it, so a schema compiled
// once validates both (STYLE.md lesson 9). A view is 16 bytes: pass it by value.
//
// A scalar view holds its value (a string's bytes and length, a number's bits), so reading it
// is inline and the same for both sources; only an array or object view refers back to its
// document. Walking a simdjson object's members reads simdjson's tape inline too (the
// validator's hot loop): the layout is simdjson's documented tape format (doc/tape.md of
// simdjson), which json_view.cpp checks against simdjson's own definitions at compile time.

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "runner/core/function_ref.hpp"

namespace simdjson::dom {
class element;
}

namespace conform::core {

enum class JsonType : std::uint8_t { null, boolean, number, string, array, object };

// How a number is held by the parser: JSON Schema compares numbers by value, but keeping
// integers exact matters for uniqueItems, const and multipleOf.
enum class NumberKind : std::uint8_t { int64, uint64, floating };

[[nodiscard]] std::string_view type_name(JsonType t) noexcept;

// A simdjson document's tape and string buffer (see Tape below), for a walk that reads the
// tape itself: the validator's TapeCheck (schema/internal/tape_check.hpp).
struct TapeDocument {
    const void* doc = nullptr; // the simdjson::dom::document
    const std::uint64_t* tape = nullptr;
    const std::uint8_t* strings = nullptr;
};

class JsonView {
public:
    JsonView() noexcept = default;                  // a null view over nothing: type() is null
    JsonView(const nlohmann::json& value) noexcept; // NOLINT: implicit by design
    [[nodiscard]] static JsonView of(const simdjson::dom::element& element) noexcept;
    // A simdjson array or object: its document and tape index. false for any other view (a
    // scalar holds its value and refers to no document).
    [[nodiscard]] bool on_tape(TapeDocument& doc, std::uint32_t& index) const noexcept;
    // The view of the value at tape[index].
    [[nodiscard]] static JsonView at(const TapeDocument& doc, std::uint32_t index) noexcept {
        return from_tape(doc.doc, doc.tape, doc.strings, index);
    }

    [[nodiscard]] JsonType type() const noexcept {
        return static_cast<JsonType>(m_meta >> k_type_shift & 0xFF);
    }
    [[nodiscard]] bool is_null() const noexcept { return type() == JsonType::null; }
    [[nodiscard]] bool is_object() const noexcept { return type() == JsonType::object; }
    [[nodiscard]] bool is_array() const noexcept { return type() == JsonType::array; }
    [[nodiscard]] bool is_string() const noexcept { return type() == JsonType::string; }
    [[nodiscard]] bool is_number() const noexcept { return type() == JsonType::number; }
    [[nodiscard]] bool is_boolean() const noexcept { return type() == JsonType::boolean; }
    // JSON Schema's "integer": any number with a zero fractional part (1.0 included).
    [[nodiscard]] bool is_integer() const noexcept {
        return is_number() && (number_kind() != NumberKind::floating || integral(as_double()));
    }

    [[nodiscard]] bool as_bool() const noexcept { return is_boolean() && m_word != 0; }
    // Numbers only (0 for anything else). Exact for the kind the parser read; other kinds
    // convert (a double saturates to the integer range, NaN is 0).
    [[nodiscard]] NumberKind number_kind() const noexcept {
        return static_cast<NumberKind>(m_meta >> k_kind_shift & 0xFF);
    }
    [[nodiscard]] std::int64_t as_int64() const noexcept {
        if (!is_number())
            return 0;
        if (number_kind() == NumberKind::floating)
            return saturated_int64(as_double());
        return static_cast<std::int64_t>(m_word); // uint64 beyond INT64_MAX wraps
    }
    [[nodiscard]] std::uint64_t as_uint64() const noexcept {
        if (!is_number())
            return 0;
        if (number_kind() == NumberKind::floating)
            return saturated_uint64(as_double());
        return m_word; // a negative int64 wraps
    }
    [[nodiscard]] double as_double() const noexcept {
        if (!is_number())
            return 0.0;
        switch (number_kind()) {
        case NumberKind::int64:
            return static_cast<double>(static_cast<std::int64_t>(m_word));
        case NumberKind::uint64:
            return static_cast<double>(m_word);
        case NumberKind::floating:
            break;
        }
        return std::bit_cast<double>(m_word);
    }
    // Strings only (empty for anything else).
    [[nodiscard]] std::string_view as_string() const noexcept {
        if (!is_string())
            return {};
        if (source() == Source::nlohmann) [[unlikely]]
            return long_string(m_word); // (not this: a view stays in registers)
        return {reinterpret_cast<const char*>(m_word), count()};
    }

    // Arrays and objects: element/member count.
    [[nodiscard]] std::size_t size() const noexcept;
    // Visit items/members in document order; the callback returns false to stop early.
    void for_each_item(FunctionRef<bool(std::size_t, JsonView)> fn) const;
    void for_each_member(FunctionRef<bool(std::string_view, JsonView)> fn) const;
    // The same walk without a callback, for loops whose body is cheaper than the callback's
    // indirect call and captured state (the validator's object keywords):
    //   auto members = view.members();
    //   std::string_view key;
    //   JsonView value;
    //   while (members.next(key, value)) ...
    // Not an object: no members. Valid as long as the viewed document.
    class Cursor;
    class MemberCursor;
    [[nodiscard]] MemberCursor members() const noexcept;
    // The same for an array's items (not an array: none), for loops whose body is a few
    // instructions: a callback's thunk takes each view in registers and hands it on through
    // memory.
    //   auto items = view.items();
    //   JsonView item;
    //   while (items.next(item)) ...
    class ItemCursor;
    [[nodiscard]] ItemCursor items() const noexcept;
    [[nodiscard]] std::optional<JsonView> find(std::string_view key) const;
    // find(key) over many objects alike (a list's items): the member at position `hint`, where
    // the object before had the key, is looked at first; hint is set to where it was found.
    [[nodiscard]] std::optional<JsonView> find(std::string_view key, std::size_t& hint) const;

    // Deep equality by JSON Schema rules: numbers compare by value (1 == 1.0), objects
    // ignore member order.
    friend bool operator==(const JsonView& a, const JsonView& b);

    // Copies the value into an nlohmann::json (for reports and error messages; not hot).
    [[nodiscard]] nlohmann::json to_json() const;

private:
    // none: a scalar held in the view (or the empty view). nlohmann: an array or object
    // (m_word is its nlohmann::json*), or a string too long for count(). simdjson: an array
    // or object (m_word is its simdjson::dom::document*, count() its tape index).
    enum class Source : std::uint8_t { none, nlohmann, simdjson };

    // A view is two 64-bit words, built and passed in registers: a view assembled byte by
    // byte in memory and read back as words stalls on store forwarding, once per member (the
    // validator passes one per value). m_meta packs the string length or simdjson tape index
    // (low 32 bits), the Source, the JsonType and the NumberKind.
    static constexpr unsigned k_source_shift = 32, k_type_shift = 40, k_kind_shift = 48;
    [[nodiscard]] static constexpr std::uint64_t meta(JsonType type,
                                                      NumberKind kind = NumberKind::floating,
                                                      Source source = Source::none,
                                                      std::uint32_t count = 0) noexcept {
        return std::uint64_t{count} |
               std::uint64_t{static_cast<std::uint8_t>(source)} << k_source_shift |
               std::uint64_t{static_cast<std::uint8_t>(type)} << k_type_shift |
               std::uint64_t{static_cast<std::uint8_t>(kind)} << k_kind_shift;
    }
    constexpr JsonView(std::uint64_t word, std::uint64_t meta) noexcept
        : m_word(word), m_meta(meta) {}
    [[nodiscard]] Source source() const noexcept {
        return static_cast<Source>(m_meta >> k_source_shift & 0xFF);
    }
    [[nodiscard]] std::uint32_t count() const noexcept {
        return static_cast<std::uint32_t>(m_meta);
    }

    // The view of the value at tape[index] of a simdjson document (see Tape below).
    // find() on a simdjson object: the member named key, scanned from the first; its
    // position among the members into *index when found and index is not null.
    [[nodiscard]] std::optional<JsonView> find_on_tape(std::string_view key,
                                                       std::size_t* index) const;
    [[nodiscard]] static JsonView from_tape(const void* doc, const std::uint64_t* tape,
                                            const std::uint8_t* strings,
                                            std::uint32_t index) noexcept;
    // members() and items(): c at the first member or item when this is a container of type
    // t (Container: the nlohmann type holding it); else c stays empty.
    template <class Container> void start(Cursor& c, JsonType t) const noexcept;
    [[nodiscard]] const void* container() const noexcept {
        return reinterpret_cast<const void*>(m_word);
    }
    [[nodiscard]] static std::string_view long_string(std::uint64_t word) noexcept;
    [[nodiscard]] static bool integral(double d) noexcept;
    [[nodiscard]] static std::int64_t saturated_int64(double d) noexcept;
    [[nodiscard]] static std::uint64_t saturated_uint64(double d) noexcept;

    std::uint64_t m_word = 0; // string bytes, number bits, boolean, or container (Source)
    std::uint64_t m_meta = meta(JsonType::null);
};

// simdjson's tape (doc/tape.md of simdjson): one 64-bit word per value, its type character in
// the top byte and a 56-bit payload. A string's payload is an offset into the document's
// string buffer, where a 32-bit length precedes the bytes. A number is followed by a word
// holding its bits. An array's or object's payload holds, in its low 32 bits, the index just
// past its closing word; an object's members are key, value, key, value...
struct Tape {
    static constexpr std::uint64_t k_payload = 0x00FFFFFFFFFFFFFF;
    [[nodiscard]] static char type(std::uint64_t word) noexcept {
        return static_cast<char>(word >> 56);
    }
    [[nodiscard]] static std::string_view string(const std::uint8_t* strings,
                                                 std::uint64_t word) noexcept {
        const std::uint8_t* at = strings + (word & k_payload);
        std::uint32_t length;
        std::memcpy(&length, at, sizeof length);
        return {reinterpret_cast<const char*>(at + sizeof length), length};
    }
    // The index of the value after the one at tape[index].
    [[nodiscard]] static std::uint32_t after(const std::uint64_t* tape,
                                             std::uint32_t index) noexcept {
        return after(tape[index], index);
    }
    // The same, for the word read from tape[index] already.
    [[nodiscard]] static std::uint32_t after(std::uint64_t word, std::uint32_t index) noexcept {
        switch (type(word)) {
        case '[':
        case '{':
            return static_cast<std::uint32_t>(word);
        case 'l':
        case 'u':
        case 'd':
            return index + 2;
        default:
            return index + 1;
        }
    }
};

// Where members() and items() walk from: a simdjson container's tape, read inline, or an
// nlohmann container's iterators.
class JsonView::Cursor {
protected:
    friend class JsonView;
    const std::uint64_t* m_tape = nullptr;   // simdjson: the document's tape...
    const std::uint8_t* m_strings = nullptr; // ...and string buffer
    const void* m_doc = nullptr;             // simdjson document*
    std::uintptr_t m_at = 0;                 // simdjson tape index, or nlohmann iterator
    std::uintptr_t m_end = 0;
};

class JsonView::MemberCursor : public Cursor {
public:
    // Moves to the next member in document order; false after the last.
    [[nodiscard]] bool next(std::string_view& key, JsonView& value) noexcept {
        if (m_at == m_end)
            return false;
        if (m_tape) { // simdjson: inline, once per member of every object validated
            key = Tape::string(m_strings, m_tape[m_at]);
            const auto at = static_cast<std::uint32_t>(m_at + 1);
            value = JsonView::from_tape(m_doc, m_tape, m_strings, at);
            m_at = Tape::after(m_tape, at);
            return true;
        }
        // By value, not through key and value: a loop's key and value whose address escaped
        // into a call would live in memory, and reading back the view the tape branch just
        // stored there in halves stalls on store forwarding.
        const Member member = next_nlohmann();
        key = member.key;
        value = member.value;
        return true;
    }

private:
    struct Member {
        std::string_view key;
        JsonView value;
    };
    [[nodiscard]] Member next_nlohmann() noexcept;
};

class JsonView::ItemCursor : public Cursor {
public:
    // Moves to the next item in document order; false after the last.
    [[nodiscard]] bool next(JsonView& item) noexcept {
        if (m_at == m_end)
            return false;
        if (m_tape) {
            const auto at = static_cast<std::uint32_t>(m_at);
            item = JsonView::from_tape(m_doc, m_tape, m_strings, at);
            m_at = Tape::after(m_tape, at);
            return true;
        }
        item = next_nlohmann();
        return true;
    }

private:
    [[nodiscard]] JsonView next_nlohmann() noexcept;
};

inline JsonView JsonView::from_tape(const void* doc, const std::uint64_t* tape,
                                    const std::uint8_t* strings, std::uint32_t index) noexcept {
    const std::uint64_t word = tape[index];
    switch (Tape::type(word)) {
    case '"': {
        const std::string_view s = Tape::string(strings, word);
        return {reinterpret_cast<std::uint64_t>(s.data()),
                meta(JsonType::string, NumberKind::floating, Source::none,
                     static_cast<std::uint32_t>(s.size()))};
    }
    case 'l':
        return {tape[index + 1], meta(JsonType::number, NumberKind::int64)};
    case 'u':
        return {tape[index + 1], meta(JsonType::number, NumberKind::uint64)};
    case 'd':
        return {tape[index + 1], meta(JsonType::number)};
    case 't':
        return {1, meta(JsonType::boolean)};
    case 'f':
        return {0, meta(JsonType::boolean)};
    case '{':
        return {reinterpret_cast<std::uint64_t>(doc),
                meta(JsonType::object, NumberKind::floating, Source::simdjson, index)};
    case '[':
        return {reinterpret_cast<std::uint64_t>(doc),
                meta(JsonType::array, NumberKind::floating, Source::simdjson, index)};
    default: // 'n'
        return {};
    }
}

} // namespace conform::core
