// Replays every fuzz target's seed corpus (fuzz/corpus/<target>/) and regression files
// (tests/fuzz/regressions/<target>/) through the target itself: a finding, once fixed, stays
// fixed in the ordinary test build (GCC, and ASan + UBSan in scripts/test).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file())
            out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const conform::fuzz::Target& target, const fs::path& dir) {
    for (const fs::path& file : files_in(dir / std::string(target.name))) {
        INFO("input " << file.string());
        const std::string bytes = bytes_of(file);
        CHECK_NOTHROW(
            target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
}

} // namespace

TEST_CASE("every fuzz target runs its seed corpus", "[fuzz]") {
    for (const conform::fuzz::Target& target : conform::fuzz::k_targets) {
        INFO("target " << std::string(target.name));
        CHECK_FALSE(files_in(fs::path(CONFORM_FUZZ_CORPUS) / std::string(target.name)).empty());
        replay(target, CONFORM_FUZZ_CORPUS);
    }
}

TEST_CASE("every fuzz finding stays fixed", "[fuzz]") {
    for (const conform::fuzz::Target& target : conform::fuzz::k_targets) {
        INFO("target " << std::string(target.name));
        replay(target, CONFORM_FUZZ_REGRESSIONS);
    }
}

TEST_CASE("an empty input is fine for every target", "[fuzz]") {
    for (const conform::fuzz::Target& target : conform::fuzz::k_targets) {
        INFO("target " << std::string(target.name));
        const std::uint8_t nothing = 0;
        CHECK_NOTHROW(target.run(&nothing, 0));
    }
}
