#pragma once
// A private copy of the committed schemas/ (the descriptor schemas and the seed contracts; not
// meta/) in a fresh temporary folder, so that a test can plant one mistake in it.

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace conform::test {

// The committed schemas/ of this checkout.
[[nodiscard]] std::filesystem::path seed_schemas_dir();
// tests/contract/fixtures/<name>, parsed.
[[nodiscard]] nlohmann::json contract_fixture(const std::string& name);

class SchemasCopy {
public:
    SchemasCopy();  // copies seed_schemas_dir() without meta/
    ~SchemasCopy(); // removes the copy
    SchemasCopy(const SchemasCopy&) = delete;
    SchemasCopy& operator=(const SchemasCopy&) = delete;

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    // dir()/relative
    [[nodiscard]] std::filesystem::path file(const std::string& relative) const;
    // Reads dir()/relative, lets edit change it, writes it back.
    void edit(const std::string& relative, const std::function<void(nlohmann::json&)>& edit) const;
    void remove(const std::string& relative) const;

private:
    std::filesystem::path m_dir;
};

// A file of the checkout, by its path from the repository root.
inline std::filesystem::path source(const char* rel) {
    return std::filesystem::path(CONFORM_SOURCE_DIR) / rel;
}

} // namespace conform::test
