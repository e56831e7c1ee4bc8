#pragma once
// A small read-only view of one JSON value, over either an nlohmann::json or a simdjson DOM
// element. The validator and the checks read instances only through it, so a schema compiled
// once validates both (STYLE.md lesson 9). A view is two words and a tag: pass it by value.

#include <cstdint>
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

class JsonView {
public:
    JsonView() noexcept = default; // a null view over nothing: type() is null
    JsonView(const nlohmann::json& value) noexcept; // NOLINT: implicit by design
    [[nodiscard]] static JsonView of(const simdjson::dom::element& element) noexcept;

    [[nodiscard]] JsonType type() const noexcept { return m_type; }
    [[nodiscard]] bool is_null() const noexcept { return type() == JsonType::null; }
    [[nodiscard]] bool is_object() const noexcept { return type() == JsonType::object; }
    [[nodiscard]] bool is_array() const noexcept { return type() == JsonType::array; }
    [[nodiscard]] bool is_string() const noexcept { return type() == JsonType::string; }
    [[nodiscard]] bool is_number() const noexcept { return type() == JsonType::number; }
    [[nodiscard]] bool is_boolean() const noexcept { return type() == JsonType::boolean; }
    // JSON Schema's "integer": any number with a zero fractional part (1.0 included).
    [[nodiscard]] bool is_integer() const noexcept;

    [[nodiscard]] bool as_bool() const noexcept;
    // Numbers only (floating for anything else). Read once with the type: bounds, integer
    // checks and multipleOf all ask.
    [[nodiscard]] NumberKind number_kind() const noexcept { return m_kind; }
    [[nodiscard]] std::int64_t as_int64() const noexcept;
    [[nodiscard]] std::uint64_t as_uint64() const noexcept;
    [[nodiscard]] double as_double() const noexcept;
    [[nodiscard]] std::string_view as_string() const noexcept;

    // Arrays and objects: element/member count.
    [[nodiscard]] std::size_t size() const noexcept;
    // Visit items/members in document order; the callback returns false to stop early.
    void for_each_item(FunctionRef<bool(std::size_t, JsonView)> fn) const;
    void for_each_member(FunctionRef<bool(std::string_view, JsonView)> fn) const;
    // The same walk without a callback, for loops whose body is cheaper than the callback's
    // indirect call and captured state (the validator's object keywords):
    //   auto members = view.members();
    //   for (std::string_view key; JsonView value; members.next(key, value)) ...
    // Not an object: no members. Valid as long as the viewed document.
    class MemberCursor;
    [[nodiscard]] MemberCursor members() const noexcept;
    [[nodiscard]] std::optional<JsonView> find(std::string_view key) const;

    // Deep equality by JSON Schema rules: numbers compare by value (1 == 1.0), objects
    // ignore member order.
    friend bool operator==(const JsonView& a, const JsonView& b);

    // Copies the value into an nlohmann::json (for reports and error messages; not hot).
    [[nodiscard]] nlohmann::json to_json() const;

private:
    enum class Source : std::uint8_t { none, nlohmann, simdjson };
    // 16 bytes, so that a view travels in two registers: the validator passes one per value,
    // and a 24-byte view went through memory, where reading it back right after the cursor
    // wrote it stalled (store forwarding) on every member.
    const void* m_ptr = nullptr; // nlohmann::json*, or simdjson document*
    std::uint32_t m_index = 0;   // simdjson tape index (simdjson documents are < 4 GiB)
    Source m_source = Source::none;
    JsonType m_type = JsonType::null; // read once: every keyword asks
    NumberKind m_kind = NumberKind::floating;
};

class JsonView::MemberCursor {
public:
    // Moves to the next member in document order; false after the last.
    [[nodiscard]] bool next(std::string_view& key, JsonView& value) noexcept;

private:
    friend class JsonView;
    Source m_source = Source::none;
    const void* m_doc = nullptr; // simdjson document*
    std::uintptr_t m_at = 0;     // simdjson tape index, or nlohmann map iterator
    std::uintptr_t m_end = 0;
};

} // namespace conform::core
