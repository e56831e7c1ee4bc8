#pragma once
// Helpers for the record tests: a temporary directory, whole-file reads, reading every line
// of a recording, environment variables set for one scope, a client transport and a stream
// buffer two threads share.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runner/http/http.hpp"
#include "runner/record/record.hpp"
#include "tests/support/scoped_env.hpp"

namespace conform::test {

class TempDir {
public:
    TempDir() {
        std::random_device random;
        m_path = std::filesystem::temp_directory_path() /
                 ("conform-record-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
        return m_path / name;
    }

private:
    std::filesystem::path m_path;
};

inline std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void spit(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

struct ReadAll {
    std::vector<record::Recorded> good;
    std::vector<core::Diagnostic> bad;
};

inline ReadAll read_all(record::RecordingReader reader) {
    ReadAll out;
    for (;;) {
        auto next = reader.next();
        if (!next) {
            out.bad.push_back(next.error());
            continue;
        }
        if (!*next)
            break;
        out.good.push_back(std::move(**next));
    }
    return out;
}

inline ReadAll read_all(const std::filesystem::path& file, record::ReaderOptions options = {}) {
    auto reader = record::RecordingReader::open(file, options);
    REQUIRE(reader);
    return read_all(std::move(*reader));
}

// A client transport (trusting ca's certificates when given).
inline std::unique_ptr<http::Transport> client(std::optional<std::filesystem::path> ca = {}) {
    http::ClientOptions options;
    options.ca_file = std::move(ca);
    auto transport = http::make_transport(options);
    REQUIRE(transport);
    return std::move(*transport);
}

// Writer options that redact nothing beyond the fixed list (tests check what reaches a file).
inline record::WriterOptions scrub_nothing() {
    record::WriterOptions options;
    options.scrub = std::vector<std::string>{};
    return options;
}

// A stream buffer two threads may share: the command under test writes, the test polls.
class SharedText : public std::streambuf {
public:
    std::string text() {
        const std::lock_guard lock(m_mutex);
        return m_text;
    }

protected:
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) {
            const std::lock_guard lock(m_mutex);
            m_text += static_cast<char>(c);
        }
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const std::lock_guard lock(m_mutex);
        m_text.append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    std::mutex m_mutex;
    std::string m_text;
};

} // namespace conform::test
