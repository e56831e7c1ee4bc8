#pragma once
// Small helpers of the report tests: a substring test, reading a file whole (fresh_dir:
// tests/support/fixtures.hpp).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/fixtures.hpp"

namespace conform::test {

// Whether text contains part.
inline bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}

} // namespace conform::test
