#pragma once
// Where the tests find ../shared (the official suites, the vendor pages), and the visible skip
// when it is absent.

#include <filesystem>
#include <optional>

namespace conform::test {

// ../shared beside the checkout, or nullopt when it is not there.
[[nodiscard]] std::optional<std::filesystem::path> shared_dir();

// Prints "SKIPPED: <what> (../shared not found at <path>)" once per call site.
void warn_shared_missing(const char* what);

} // namespace conform::test

// Use at the top of a TEST_CASE that needs ../shared.
#define CONFORM_REQUIRE_SHARED(what)                                                               \
    if (!::conform::test::shared_dir()) {                                                          \
        ::conform::test::warn_shared_missing(what);                                                \
        WARN("SKIPPED: " << what << ": ../shared is absent");                                      \
        return;                                                                                    \
    }
