#pragma once
// The fuzz targets, one per parser (STYLE.md lesson 14): what libFuzzer calls in the fuzz
// build (fuzz/CMakeLists.txt), and what tests/fuzz replays every seed and regression file
// through in the ordinary test build.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace conform::fuzz {

int json_parse(const std::uint8_t* data, std::size_t size);
int json_pointer(const std::uint8_t* data, std::size_t size);
int uri(const std::uint8_t* data, std::size_t size);
int schema(const std::uint8_t* data, std::size_t size);
int docs_import(const std::uint8_t* data, std::size_t size);
int recording_reader(const std::uint8_t* data, std::size_t size);
int har_reader(const std::uint8_t* data, std::size_t size);
int query(const std::uint8_t* data, std::size_t size);
int signer(const std::uint8_t* data, std::size_t size);

struct Target {
    std::string_view name; // fuzz/<name>.cpp, fuzz/corpus/<name>/, the fuzz_<name> binary
    int (*run)(const std::uint8_t*, std::size_t);
};

inline constexpr std::array k_targets = {
    Target{"json_parse", json_parse},
    Target{"json_pointer", json_pointer},
    Target{"uri", uri},
    Target{"schema", schema},
    Target{"docs_import", docs_import},
    Target{"recording_reader", recording_reader},
    Target{"har_reader", har_reader},
    Target{"query", query},
    Target{"signer", signer},
};

} // namespace conform::fuzz
