#pragma once
// Small helpers several test executables share (header-only: each test links the modules it
// uses). A helper two tests need lives here, not in both (they also build as one unity TU).

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "runner/core/deviation.hpp"

namespace conform::test {

// temp/conform-<name>-<pid>, emptied and created.
inline std::filesystem::path fresh_dir(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("conform-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// The ids of deviations, in order.
inline std::vector<core::DeviationId> ids(const std::vector<core::Deviation>& all) {
    std::vector<core::DeviationId> out;
    out.reserve(all.size());
    for (const core::Deviation& d : all)
        out.push_back(d.id);
    return out;
}

} // namespace conform::test
