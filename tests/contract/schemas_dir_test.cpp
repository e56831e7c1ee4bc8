// default_schemas_dir: $CONFORM_SCHEMAS, then ./schemas, then the source tree's schemas/.

#include <cstdlib>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "runner/contract/contract.hpp"
#include "tests/contract/contract_test_support.hpp"
#include "tests/support/scoped_env.hpp"

using namespace conform;
using conform::test::ScopedEnv;
namespace fs = std::filesystem;

namespace {

// Changes the working directory for one scope.
class ScopedCwd {
public:
    explicit ScopedCwd(const fs::path& dir) : m_old(fs::current_path()) { fs::current_path(dir); }
    ~ScopedCwd() { fs::current_path(m_old); }
    ScopedCwd(const ScopedCwd&) = delete;
    ScopedCwd& operator=(const ScopedCwd&) = delete;

private:
    fs::path m_old;
};

} // namespace

TEST_CASE("default_schemas_dir prefers CONFORM_SCHEMAS", "[schemas-dir]") {
    ScopedEnv env("CONFORM_SCHEMAS", "/somewhere/else");
    CHECK(contract::default_schemas_dir() == fs::path("/somewhere/else"));
}

TEST_CASE("default_schemas_dir takes ./schemas when it holds contract.schema.json",
          "[schemas-dir]") {
    ScopedEnv env("CONFORM_SCHEMAS", nullptr);
    test::SchemasCopy copy;
    const fs::path checkout = copy.dir() / "checkout"; // a folder holding schemas/
    fs::create_directories(checkout / "schemas");
    fs::copy_file(copy.file("contract.schema.json"), checkout / "schemas" / "contract.schema.json");
    ScopedCwd cwd(checkout);
    CHECK(contract::default_schemas_dir() == fs::path("schemas"));
}

TEST_CASE("default_schemas_dir falls back to the source tree", "[schemas-dir]") {
    ScopedEnv env("CONFORM_SCHEMAS", "");
    test::SchemasCopy copy;
    ScopedCwd cwd(copy.dir()); // no schemas/ below it
    CHECK(contract::default_schemas_dir() == test::seed_schemas_dir());
    auto contracts = contract::load_contracts(contract::default_schemas_dir());
    REQUIRE(contracts);
    CHECK(contracts->size() == 3);
}
