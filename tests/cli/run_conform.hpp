#pragma once
// Runs the built conform binary with arguments, capturing stdout, stderr and the exit code.

#include <filesystem>
#include <string>
#include <vector>

namespace conform::test {

struct Run {
    int exit_code = -1;
    std::string out;
    std::string err;
};

Run run_conform(const std::vector<std::string>& args);

// A fresh temporary directory, removed when the object goes away.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path write(const std::string& name, const std::string& text) const;

private:
    std::filesystem::path m_path;
};

} // namespace conform::test
