#pragma once
// Runs JSON-Schema-Test-Suite files: each group's schema compiled once, each test's data
// validated through the nlohmann view and the simdjson view, by the fast path and by the
// error-collecting path, which must all agree with the suite's "valid".

#include <filesystem>
#include <string>
#include <vector>

#include "runner/schema/schema.hpp"

namespace conform::test {

struct SuiteFailure {
    std::string file;
    std::string group;
    std::string test;
    std::string detail;
};

struct SuiteTally {
    std::size_t run = 0;
    std::size_t passed = 0;
    std::vector<SuiteFailure> failures;
};

// A registry that maps the suite's remotes to http://localhost:1234/ (never the network).
schema::Registry suite_registry(const std::filesystem::path& suite_root);

void run_suite_file(const std::filesystem::path& file, schema::Registry& registry,
                    bool assert_format, SuiteTally& tally);

} // namespace conform::test
