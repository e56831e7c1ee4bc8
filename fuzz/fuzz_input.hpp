#pragma once
// Helpers shared by the fuzz targets: splitting one input into parts, and an in-memory file
// for the readers that take a path (RecordingReader, read_har).

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/core/json_view.hpp"

namespace conform::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// "first\nrest" -> {"first", "rest"}; no newline: {text, text} (the input is both).
inline std::pair<std::string_view, std::string_view> split_first_line(std::string_view text) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos)
        return {text, text};
    return {text.substr(0, nl), text.substr(nl + 1)};
}

// A property the target checks was violated: report and abort so libFuzzer saves the input
// (replayed by tests/fuzz, it throws so that Catch2 names the input).
[[noreturn]] inline void violated(const char* what) {
#ifdef CONFORM_FUZZ_REPLAY
    throw std::logic_error(std::string("fuzz property violated: ") + what);
#else
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
#endif
}

// CONFORM_FUZZ_SKIP_OPEN=1 (a development aid; scripts/fuzz never sets it): inputs that would
// only reproduce an open finding of FINDINGS.md are skipped, so that fuzzing goes on past it.
inline bool skip_open_findings() {
    static const bool skip = std::getenv("CONFORM_FUZZ_SKIP_OPEN") != nullptr;
    return skip;
}

// Whether an object in value repeats a member name: nlohmann keeps the last, simdjson keeps
// both (RFC 8259 leaves it open), so the two views of such a text may differ on purpose.
inline bool has_duplicate_keys(core::JsonView value) {
    std::vector<core::JsonView> pending{value};
    while (!pending.empty()) {
        const core::JsonView v = pending.back();
        pending.pop_back();
        std::set<std::string_view> names;
        bool repeated = false;
        v.for_each_item([&](std::size_t, core::JsonView item) {
            pending.push_back(item);
            return true;
        });
        v.for_each_member([&](std::string_view key, core::JsonView member) {
            repeated = !names.insert(key).second;
            pending.push_back(member);
            return !repeated;
        });
        if (repeated)
            return true;
    }
    return false;
}

// An anonymous in-memory file holding bytes, reachable by path (/proc/self/fd/N).
class MemoryFile {
public:
    explicit MemoryFile(std::string_view bytes) {
        m_fd = memfd_create("conform-fuzz", 0);
        if (m_fd < 0)
            violated("memfd_create failed");
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(m_fd, bytes.data() + done, bytes.size() - done);
            if (n <= 0)
                violated("write to memfd failed");
            done += static_cast<std::size_t>(n);
        }
        m_path = "/proc/self/fd/" + std::to_string(m_fd);
    }
    ~MemoryFile() { ::close(m_fd); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;

    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    int m_fd = -1;
    std::string m_path;
};

} // namespace conform::fuzz

// Each fuzz/<target>.cpp defines conform::fuzz::<target>(data, size) (declared in
// fuzz/targets.hpp) and ends with CONFORM_FUZZ_ENTRY(<target>): libFuzzer's entry point in the
// fuzz build, nothing when tests/fuzz links every target into one replay test.
#ifdef CONFORM_FUZZ_REPLAY
#define CONFORM_FUZZ_ENTRY(target)
#else
#define CONFORM_FUZZ_ENTRY(target)                                                                 \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {            \
        return ::conform::fuzz::target(data, size);                                                \
    }
#endif
