#pragma once
// ECMA-262 patterns (what JSON Schema's `pattern` speaks) run on RE2, which is linear-time:
// patterns and instances are untrusted input. Constructs RE2 cannot run (lookaround,
// backreferences) are reported as a clear error at compile time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "runner/core/result.hpp"

namespace re2 {
class RE2;
}

namespace conform::schema {

// Bounds on one pattern: patterns are untrusted input (a schema, or an instance checked with
// format "regex"). A pattern over either bound is a compile error that says which.
struct RegexLimits {
    std::size_t max_length = 32768;                  // bytes of pattern text
    std::int64_t max_memory = std::int64_t{8} << 20; // RE2's budget for the compiled program
};

// A compiled pattern; search semantics (unanchored), as JSON Schema requires.
class Regex {
public:
    [[nodiscard]] static core::Result<Regex> compile(std::string_view ecma_pattern,
                                                     const RegexLimits& limits = {});
    [[nodiscard]] bool search(std::string_view text) const;
    [[nodiscard]] std::string_view pattern() const;
    // Whether search() runs on the small position automaton instead of RE2 (for tests).
    [[nodiscard]] bool uses_simple_matcher() const { return m_simple != nullptr; }

    Regex(Regex&&) noexcept;
    Regex& operator=(Regex&&) noexcept;
    ~Regex();

private:
    // Patterns that are a plain sequence of ASCII literals and ASCII classes with quantifiers
    // ("^[a-z0-9][a-z0-9._-]*$", the bulk of API schemas) also get a small position automaton
    // that search() runs instead of RE2 (see regex.cpp).
    struct Simple;
    Regex() = default;
    std::unique_ptr<re2::RE2> m_re;
    std::unique_ptr<const Simple> m_simple;
};

} // namespace conform::schema
