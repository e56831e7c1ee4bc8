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

std::filesystem::path descriptor_schema(const std::filesystem::path& schemas_dir,
                                        std::string_view name) {
    std::error_code ec;
    const std::filesystem::path own = schemas_dir / name;
    if (std::filesystem::is_regular_file(own, ec))
        return own;
    for (const std::filesystem::path& dir :
         {default_schemas_dir(), std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas"})
        if (std::filesystem::is_regular_file(dir / name, ec))
            return dir / name;
    return own; // missing everywhere: the error names the folder the user gave
}

} // namespace conform::contract
