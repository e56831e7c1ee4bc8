#include "tests/cli/run_conform.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

namespace conform::test {
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string quote(const std::string& arg) {
    std::string out = "'";
    for (char c : arg)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}
} // namespace

TempDir::TempDir() {
    std::random_device rd;
    m_path = fs::temp_directory_path() /
             ("conform-test-" + std::to_string(rd()) + "-" + std::to_string(::getpid()));
    fs::create_directories(m_path);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& text) const {
    const fs::path p = m_path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

Run run_conform(const std::vector<std::string>& args) {
    TempDir dir;
    std::string command = quote(CONFORM_BINARY);
    for (const auto& a : args)
        command += " " + quote(a);
    command += " >" + quote((dir.path() / "out").string()) + " 2>" +
               quote((dir.path() / "err").string()) + " </dev/null";
    const int status = std::system(command.c_str());
    Run r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir.path() / "out");
    r.err = slurp(dir.path() / "err");
    return r;
}

} // namespace conform::test
