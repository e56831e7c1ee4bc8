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

// The directories fresh_dir made, removed when the test program exits (a test that fails
// midway leaves none behind either); not by a forked child that exits, whose parent may still
// be using them.
class MadeDirs {
public:
    MadeDirs() = default;
    MadeDirs(const MadeDirs&) = delete;
    MadeDirs& operator=(const MadeDirs&) = delete;
    ~MadeDirs() {
        if (::getpid() != m_owner)
            return;
        for (const std::filesystem::path& dir : m_dirs) {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    }
    void add(const std::filesystem::path& dir) { m_dirs.push_back(dir); }

private:
    pid_t m_owner = ::getpid();
    std::vector<std::filesystem::path> m_dirs;
};

// temp/conform-<name>-<pid>, emptied and created; removed when the test program exits.
inline std::filesystem::path fresh_dir(const std::string& name) {
    static MadeDirs made;
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("conform-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    made.add(dir);
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
