#include <cstdlib>

#include "runner/contract/contract.hpp"

namespace conform::contract {

std::filesystem::path default_schemas_dir() {
    if (const char* env = std::getenv("CONFORM_SCHEMAS"); env != nullptr && *env != '\0')
        return env;
    // Run from a checkout (or a copy holding schemas/): the contracts beside the user win over
    // the ones the binary was built from.
    std::error_code ec;
    if (std::filesystem::is_regular_file("schemas/contract.schema.json", ec))
        return "schemas";
    return std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas";
}

} // namespace conform::contract
