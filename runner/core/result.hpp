#pragma once
// Expected failures are values (STYLE.md lesson 4): a Result<T> holds either a T or a
// Diagnostic that says what went wrong and where (file:line:column or a JSON pointer).
// The API mirrors std::expected so that it can become an alias when the compiler has it.

#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace conform::core {

// Where a problem is: a file with an optional line/column, and/or a JSON pointer in it.
struct Location {
    std::string file;       // empty when the input had no file (a string, stdin)
    std::size_t line = 0;   // 1-based; 0 = unknown
    std::size_t column = 0; // 1-based; 0 = unknown
    std::string pointer;    // JSON pointer inside the document; empty = whole document
    bool has_pointer = false;

    [[nodiscard]] std::string to_string() const;
};

struct Diagnostic {
    std::string message;
    Location where;

    // "file:line:col: message" or "file#/pointer: message".
    [[nodiscard]] std::string to_string() const;
};

// Tag type so that a Diagnostic can be returned where a Result<T> is expected.
template <class E> struct Unexpected { E error; };
// Cold: the compiler takes a path that fails as the unlikely one and moves it, message
// building included, out of the way of the path that succeeds (the hot loops are full of
// `if (!x) return fail(...)`).
[[gnu::cold]] inline Unexpected<Diagnostic> fail(std::string message, Location where = {}) {
    return {Diagnostic{std::move(message), std::move(where)}};
}
[[gnu::cold]] inline Unexpected<Diagnostic> fail(Diagnostic d) {
    return {std::move(d)};
}

template <class T> class [[nodiscard]] Result {
public:
    using value_type = T;
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(Unexpected<Diagnostic> e) : m_state(std::in_place_index<1>, std::move(e.error)) {}
    template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Unexpected<Diagnostic>>) Result(U&& value)
        : m_state(std::in_place_index<0>, T(std::forward<U>(value))) {}

    [[nodiscard]] bool has_value() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Diagnostic& error() const& { return std::get<1>(m_state); }
    Diagnostic&& error() && { return std::get<1>(std::move(m_state)); }

private:
    std::variant<T, Diagnostic> m_state;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Unexpected<Diagnostic> e) : m_error(std::move(e.error)) {}
    [[nodiscard]] bool has_value() const noexcept { return !m_error; }
    explicit operator bool() const noexcept { return has_value(); }
    const Diagnostic& error() const& { return *m_error; }
    Diagnostic&& error() && { return std::move(*m_error); }

private:
    std::optional<Diagnostic> m_error;
};

} // namespace conform::core

// Propagate a failed Result from the enclosing function returning a Result.
#define CONFORM_TRY_CAT2(a, b) a##b
#define CONFORM_TRY_CAT(a, b) CONFORM_TRY_CAT2(a, b)
#define CONFORM_TRY_IMPL(tmp, decl, expr)                                                          \
    auto tmp = (expr);                                                                             \
    if (!tmp.has_value())                                                                          \
        return ::conform::core::Unexpected<::conform::core::Diagnostic>{std::move(tmp).error()};   \
    decl = std::move(tmp).value()
// CONFORM_TRY(auto x, make_x()); binds x to the value or returns the failure.
#define CONFORM_TRY(decl, expr)                                                                    \
    CONFORM_TRY_IMPL(CONFORM_TRY_CAT(conform_try_, __LINE__), decl, expr)
// CONFORM_CHECK(do_something()); for Result<void>.
#define CONFORM_CHECK(expr)                                                                        \
    do {                                                                                           \
        auto conform_check_tmp = (expr);                                                           \
        if (!conform_check_tmp.has_value())                                                        \
            return ::conform::core::Unexpected<::conform::core::Diagnostic>{                       \
                std::move(conform_check_tmp).error()};                                             \
    } while (0)
