#pragma once
// The bytes of a recording as users keep them: a file, standard input ("-"), or either of them
// compressed with gzip or zstd (`conform replay day.jsonl.zst`, `zstdcat day.jsonl.zst |
// conform replay -`). The compression is told by the first bytes, not the name, so a renamed
// file or a piped `cat day.jsonl.gz` reads too (a JSON Lines text never starts with the gzip
// or zstd magic). Internal to conform::record; zlib and libzstd types never leave
// byte_source.cpp.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runner/core/result.hpp"

namespace conform::record::internal {

// How standard input is named in diagnostics and Recorded::file ("<stdin>:17: ...").
inline constexpr std::string_view k_stdin_name = "<stdin>";

enum class Compression { none, gzip, zstd };

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Up to size decoded bytes into out; 0 at the end of the input. Fails with the reason (a
    // read error, a compressed stream that is corrupt or ends before its end marker: a
    // truncated file); after a failure the source is at its end.
    [[nodiscard]] virtual core::Result<std::size_t> read(char* out, std::size_t size) = 0;
    // Bytes read from the file or pipe so far (compressed bytes for a compressed input).
    [[nodiscard]] virtual std::uint64_t raw_bytes() const noexcept = 0;
    [[nodiscard]] virtual Compression compression() const noexcept = 0;
};

// Opens file ("-": standard input, which is not closed) and looks at its first bytes. Fails
// naming the file when it cannot be opened or read.
[[nodiscard]] core::Result<std::unique_ptr<ByteSource>>
open_bytes(const std::filesystem::path& file);

// One part of a plain file, [begin, end), read as it is consumed (pread; memory stays at one
// read chunk). For reading one recording in parts (`conform replay --jobs N`).
[[nodiscard]] core::Result<std::unique_ptr<ByteSource>>
open_part(const std::filesystem::path& file, std::uint64_t begin, std::uint64_t end);

// The '\n' bytes in bytes.
[[nodiscard]] std::uint64_t count_newlines(std::string_view bytes) noexcept;

// The lines that start in [from, to) of a plain file (read_lines, below).
struct PartLines {
    std::uint64_t begin = 0, end = 0;
    bool loaded = false;
    std::string_view bytes;
};

// What one thread reading parts of plain files keeps from part to part: the bytes of the
// last part (a block that only grows) and the file it read last, kept open (one open a file,
// not one a part; closed with the buffer). The block starts on a page and each part is read
// from a page's start in the file, so that the kernel copies page to page: a destination a
// few bytes past the source's place in its page (reading from the byte before a part, as the
// first version did) made that copy three times slower on x86 (4K aliasing; measured in
// bench/README.md, session 29).
class PartBuffer {
public:
    static constexpr std::size_t k_page = 4096;

    PartBuffer() = default;
    // Holding these bytes already, as a buffer that read a larger part before does (tests).
    explicit PartBuffer(std::string_view bytes);
    ~PartBuffer();
    PartBuffer(PartBuffer&& other) noexcept;
    PartBuffer& operator=(PartBuffer&& other) noexcept;

private:
    friend core::Result<PartLines> read_lines(const std::filesystem::path& file, std::uint64_t from,
                                              std::uint64_t to, std::uint64_t max_bytes,
                                              PartBuffer& buffer);
    // The file open for reading, kept open while it is the one read.
    [[nodiscard]] core::Result<int> open(const std::filesystem::path& file);
    // The block, at least size bytes, its first keep bytes kept; nullptr when out of memory.
    [[nodiscard]] char* grow(std::size_t size, std::size_t keep);

    struct Free {
        void operator()(char* p) const noexcept { std::free(p); }
    };
    std::unique_ptr<char[], Free> m_bytes; // page-aligned, m_capacity bytes
    std::size_t m_capacity = 0;
    std::filesystem::path m_file;
    int m_fd = -1;
};

// The lines that start in [from, to) of a plain file: begin is line_start_at(from) and end is
// line_start_at(to), found with (as a rule) one read that also holds the lines. When they end
// within max_bytes of `from`, `bytes` views them in the buffer (valid until its next read);
// otherwise (a line longer than that) `bytes` is empty and loaded false, for reading them as
// they are consumed (open_part).
[[nodiscard]] core::Result<PartLines> read_lines(const std::filesystem::path& file,
                                                 std::uint64_t from, std::uint64_t to,
                                                 std::uint64_t max_bytes, PartBuffer& buffer);

// The file's size when it can be read in parts: a regular file that is neither standard input
// nor gzip or zstd; nullopt otherwise (or when it cannot be read).
[[nodiscard]] std::optional<std::uint64_t> splittable_size(const std::filesystem::path& file);

// The first line start at or after at (at itself when it is 0 or follows a '\n'; size when
// no line starts after it), and the '\n' bytes in [begin, end).
[[nodiscard]] core::Result<std::uint64_t> line_start_at(const std::filesystem::path& file,
                                                        std::uint64_t at);
[[nodiscard]] core::Result<std::uint64_t> count_newlines(const std::filesystem::path& file,
                                                         std::uint64_t begin, std::uint64_t end);

} // namespace conform::record::internal
