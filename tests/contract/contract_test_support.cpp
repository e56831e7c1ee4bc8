#include "tests/contract/contract_test_support.hpp"

#include <atomic>
#include <fstream>
#include <random>
#include <stdexcept>

#include <unistd.h>

namespace conform::test {

namespace fs = std::filesystem;

fs::path seed_schemas_dir() {
    return fs::path(CONFORM_SOURCE_DIR) / "schemas";
}

nlohmann::json contract_fixture(const std::string& name) {
    std::ifstream in(fs::path(CONFORM_CONTRACT_FIXTURES) / name);
    if (!in)
        throw std::runtime_error("missing fixture " + name);
    return nlohmann::json::parse(in);
}

SchemasCopy::SchemasCopy() {
    // Unique per process and per instance: tests may run in parallel under CTest.
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    m_dir =
        fs::temp_directory_path() / ("conform-contract-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(counter++) + "-" + std::to_string(random()));
    fs::create_directories(m_dir);
    try {
        for (const fs::directory_entry& entry : fs::directory_iterator(seed_schemas_dir())) {
            if (entry.path().filename() == "meta")
                continue;
            fs::copy(entry.path(), m_dir / entry.path().filename(), fs::copy_options::recursive);
        }
    } catch (...) { // the destructor will not run for a half-built copy
        std::error_code ec;
        fs::remove_all(m_dir, ec);
        throw;
    }
}

SchemasCopy::~SchemasCopy() {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
}

fs::path SchemasCopy::file(const std::string& relative) const {
    return m_dir / relative;
}

void SchemasCopy::edit(const std::string& relative,
                       const std::function<void(nlohmann::json&)>& edit) const {
    nlohmann::json document;
    {
        std::ifstream in(file(relative));
        document = nlohmann::json::parse(in);
    }
    edit(document);
    std::ofstream out(file(relative), std::ios::trunc);
    out << document.dump(2) << '\n';
}

void SchemasCopy::remove(const std::string& relative) const {
    fs::remove(file(relative));
}

} // namespace conform::test
