#include "tests/support/shared.hpp"

#include <iostream>

namespace conform::test {

std::optional<std::filesystem::path> shared_dir() {
    std::filesystem::path p = CONFORM_SHARED_DIR;
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec))
        return std::filesystem::weakly_canonical(p, ec);
    return std::nullopt;
}

void warn_shared_missing(const char* what) {
    std::cerr << "SKIPPED: " << what << " (../shared not found at " << CONFORM_SHARED_DIR << ")\n";
}

} // namespace conform::test
