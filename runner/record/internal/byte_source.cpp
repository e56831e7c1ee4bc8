// Recording bytes: plain, gzip (zlib's inflate, every member of a concatenated file) or zstd
// (every frame). A compressed stream that stops before its end marker is a truncated file: the
// bytes decoded before it are handed out, then the failure says so (byte_source.hpp).
#include "runner/record/internal/byte_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

namespace conform::record::internal {
namespace {

constexpr std::size_t k_raw_chunk = 64 * 1024;
constexpr std::size_t k_first_look = 8 * 1024; // line_start_at's first read

// The descriptor and what was read from it but not yet decoded.
class RawInput {
public:
    RawInput(int fd, bool owned) : m_fd(fd), m_owned(owned), m_buffer(k_raw_chunk) {}
    ~RawInput() {
        if (m_owned && m_fd >= 0)
            ::close(m_fd);
    }
    RawInput(const RawInput&) = delete;
    RawInput& operator=(const RawInput&) = delete;

    // Reads more when everything read was used; sets at_end() at the end of the input.
    core::Result<void> fill() {
        if (m_begin < m_end || m_eof)
            return {};
        m_begin = m_end = 0;
        ssize_t n;
        do {
            n = ::read(m_fd, m_buffer.data(), m_buffer.size());
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            m_eof = true;
            return core::fail(std::strerror(errno));
        }
        m_end = static_cast<std::size_t>(n);
        m_total += m_end;
        m_eof = n == 0;
        return {};
    }
    // Fills until at least n bytes are pending or the input ends (sniffing the magic).
    core::Result<void> fill_at_least(std::size_t n) {
        while (pending() < n && !m_eof) {
            if (m_begin > 0) {
                std::memmove(m_buffer.data(), m_buffer.data() + m_begin, pending());
                m_end -= m_begin;
                m_begin = 0;
            }
            ssize_t got;
            do {
                got = ::read(m_fd, m_buffer.data() + m_end, m_buffer.size() - m_end);
            } while (got < 0 && errno == EINTR);
            if (got < 0) {
                m_eof = true;
                return core::fail(std::strerror(errno));
            }
            m_end += static_cast<std::size_t>(got);
            m_total += static_cast<std::size_t>(got);
            m_eof = got == 0;
        }
        return {};
    }
    // Nothing pending: reads up to size bytes into out, bypassing the buffer.
    core::Result<std::size_t> read_into(char* out, std::size_t size) {
        if (m_eof)
            return std::size_t{0};
        ssize_t n;
        do {
            n = ::read(m_fd, out, size);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            m_eof = true;
            return core::fail(std::strerror(errno));
        }
        m_total += static_cast<std::size_t>(n);
        m_eof = n == 0;
        return static_cast<std::size_t>(n);
    }
    [[nodiscard]] const char* data() const { return m_buffer.data() + m_begin; }
    [[nodiscard]] std::size_t pending() const { return m_end - m_begin; }
    void consume(std::size_t n) { m_begin += n; }
    [[nodiscard]] bool at_end() const { return m_eof && pending() == 0; }
    [[nodiscard]] std::uint64_t total() const { return m_total; }

private:
    int m_fd;
    bool m_owned;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0, m_end = 0;
    bool m_eof = false;
    std::uint64_t m_total = 0;
};

class PlainSource final : public ByteSource {
public:
    explicit PlainSource(std::unique_ptr<RawInput> raw) : m_raw(std::move(raw)) {}
    core::Result<std::size_t> read(char* out, std::size_t size) override {
        if (m_raw->pending() == 0) // past the sniffed bytes: straight into out
            return m_raw->read_into(out, size);
        const std::size_t n = std::min(size, m_raw->pending());
        std::memcpy(out, m_raw->data(), n);
        m_raw->consume(n);
        return n;
    }
    std::uint64_t raw_bytes() const noexcept override { return m_raw->total(); }
    Compression compression() const noexcept override { return Compression::none; }

private:
    std::unique_ptr<RawInput> m_raw;
};

core::Unexpected<core::Diagnostic> truncated(std::string_view format) {
    return core::fail("the " + std::string(format) +
                      " stream ends before its end marker: the file is truncated");
}

class GzipSource final : public ByteSource {
public:
    explicit GzipSource(std::unique_ptr<RawInput> raw) : m_raw(std::move(raw)) {
        // 15 + 32: a gzip or zlib header, told apart by inflate itself.
        m_ok = inflateInit2(&m_z, 15 + 32) == Z_OK;
    }
    ~GzipSource() override { inflateEnd(&m_z); }

    core::Result<std::size_t> read(char* out, std::size_t size) override {
        if (!m_ok)
            return core::fail("cannot start the gzip decoder");
        if (m_done)
            return std::size_t{0};
        for (;;) {
            CONFORM_CHECK(m_raw->fill());
            if (m_member_ended) {
                if (m_raw->at_end()) {
                    m_done = true;
                    return std::size_t{0};
                }
                inflateReset(&m_z); // `cat a.gz b.gz`: another member follows
                m_member_ended = false;
            }
            const bool no_more_input = m_raw->at_end();
            m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m_raw->data()));
            m_z.avail_in = static_cast<uInt>(m_raw->pending());
            m_z.next_out = reinterpret_cast<Bytef*>(out);
            m_z.avail_out = static_cast<uInt>(size);
            const int status = inflate(&m_z, Z_NO_FLUSH);
            m_raw->consume(m_raw->pending() - m_z.avail_in);
            const std::size_t produced = size - m_z.avail_out;
            if (status == Z_STREAM_END) {
                m_member_ended = true;
            } else if (status != Z_OK && status != Z_BUF_ERROR) {
                m_done = true;
                return core::fail(std::string("the gzip data is corrupt: ") +
                                  (m_z.msg ? m_z.msg : "inflate failed"));
            }
            if (produced > 0)
                return produced;
            if (no_more_input && !m_member_ended) {
                m_done = true;
                return truncated("gzip");
            }
        }
    }
    std::uint64_t raw_bytes() const noexcept override { return m_raw->total(); }
    Compression compression() const noexcept override { return Compression::gzip; }

private:
    std::unique_ptr<RawInput> m_raw;
    z_stream m_z{};
    bool m_ok = false, m_member_ended = false, m_done = false;
};

class ZstdSource final : public ByteSource {
public:
    explicit ZstdSource(std::unique_ptr<RawInput> raw)
        : m_raw(std::move(raw)), m_context(ZSTD_createDCtx()) {}
    ~ZstdSource() override { ZSTD_freeDCtx(m_context); }

    core::Result<std::size_t> read(char* out, std::size_t size) override {
        if (!m_context)
            return core::fail("cannot start the zstd decoder");
        if (m_done)
            return std::size_t{0};
        for (;;) {
            CONFORM_CHECK(m_raw->fill());
            const bool no_more_input = m_raw->at_end();
            // 0 from the decoder: a frame ended and everything of it was handed out.
            if (no_more_input && m_frame_complete) {
                m_done = true;
                return std::size_t{0};
            }
            ZSTD_inBuffer in{m_raw->data(), m_raw->pending(), 0};
            ZSTD_outBuffer to{out, size, 0};
            const std::size_t status = ZSTD_decompressStream(m_context, &to, &in);
            m_raw->consume(in.pos);
            if (ZSTD_isError(status)) {
                m_done = true;
                return core::fail(std::string("the zstd data is corrupt: ") +
                                  ZSTD_getErrorName(status));
            }
            m_frame_complete = status == 0;
            if (to.pos > 0)
                return to.pos;
            if (no_more_input && !m_frame_complete) {
                m_done = true;
                return truncated("zstd");
            }
        }
    }
    std::uint64_t raw_bytes() const noexcept override { return m_raw->total(); }
    Compression compression() const noexcept override { return Compression::zstd; }

private:
    std::unique_ptr<RawInput> m_raw;
    ZSTD_DCtx* m_context;
    bool m_frame_complete = false, m_done = false;
};

// A file descriptor closed with its owner.
class OwnedFd {
public:
    explicit OwnedFd(int fd) : m_fd(fd) {}
    ~OwnedFd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    [[nodiscard]] int get() const { return m_fd; }

private:
    int m_fd;
};

// pread until size bytes or the end of the file; the bytes read.
core::Result<std::size_t> pread_some(int fd, char* out, std::size_t size, std::uint64_t at) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(at + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return core::fail(std::strerror(errno));
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

class PartSource final : public ByteSource {
public:
    PartSource(int fd, std::uint64_t begin, std::uint64_t end)
        : m_fd(fd), m_at(begin), m_end(end) {}
    core::Result<std::size_t> read(char* out, std::size_t size) override {
        const std::uint64_t left = m_end - m_at;
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, left));
        if (want == 0)
            return std::size_t{0};
        auto n = pread_some(m_fd.get(), out, want, m_at);
        if (!n) {
            m_at = m_end;
            return core::fail(std::move(n).error());
        }
        if (*n == 0) // the file shrank: its end
            m_end = m_at;
        m_at += *n;
        m_raw += *n;
        return *n;
    }
    std::uint64_t raw_bytes() const noexcept override { return m_raw; }
    Compression compression() const noexcept override { return Compression::none; }

private:
    OwnedFd m_fd;
    std::uint64_t m_at, m_end, m_raw = 0;
};

core::Result<int> open_for_parts(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return core::fail("cannot open the recording " + file.string() + ": " +
                          std::strerror(errno));
    return fd;
}

} // namespace

core::Result<std::unique_ptr<ByteSource>> open_part(const std::filesystem::path& file,
                                                    std::uint64_t begin, std::uint64_t end) {
    CONFORM_TRY(const int fd, open_for_parts(file));
    return std::unique_ptr<ByteSource>(new PartSource(fd, begin, std::max(begin, end)));
}

std::uint64_t count_newlines(std::string_view bytes) noexcept {
    std::uint64_t count = 0;
    const char* p = bytes.data();
    const char* stop = p + bytes.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(stop - p))) {
        ++count;
        p = static_cast<const char*>(nl) + 1;
    }
    return count;
}

PartBuffer::PartBuffer(std::string_view bytes) {
    if (char* into = grow(bytes.size(), 0); into && !bytes.empty())
        std::memcpy(into, bytes.data(), bytes.size());
}

PartBuffer::~PartBuffer() {
    if (m_fd >= 0)
        ::close(m_fd);
}

PartBuffer::PartBuffer(PartBuffer&& other) noexcept
    : m_bytes(std::move(other.m_bytes)), m_capacity(std::exchange(other.m_capacity, 0)),
      m_file(std::move(other.m_file)), m_fd(std::exchange(other.m_fd, -1)) {}

PartBuffer& PartBuffer::operator=(PartBuffer&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_bytes = std::move(other.m_bytes);
        m_capacity = std::exchange(other.m_capacity, 0);
        m_file = std::move(other.m_file);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

core::Result<int> PartBuffer::open(const std::filesystem::path& file) {
    if (m_fd >= 0 && m_file.native() == file.native())
        return m_fd;
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
    CONFORM_TRY(m_fd, open_for_parts(file));
    m_file = file;
    return m_fd;
}

char* PartBuffer::grow(std::size_t size, std::size_t keep) {
    if (m_bytes && size <= m_capacity)
        return m_bytes.get();
    const std::size_t capacity = std::max({size, m_capacity + m_capacity / 2, std::size_t{1}});
    const std::size_t rounded = (capacity + k_page - 1) / k_page * k_page; // aligned_alloc's rule
    std::unique_ptr<char[], Free> bytes(static_cast<char*>(std::aligned_alloc(k_page, rounded)));
    if (!bytes)
        return nullptr;
    if (keep > 0)
        std::memcpy(bytes.get(), m_bytes.get(), std::min(keep, m_capacity));
    m_bytes = std::move(bytes);
    m_capacity = rounded;
    return m_bytes.get();
}

core::Result<PartLines> read_lines(const std::filesystem::path& file, std::uint64_t from,
                                   std::uint64_t to, std::uint64_t max_bytes, PartBuffer& buffer) {
    CONFORM_TRY(const int fd, buffer.open(file));
    to = std::max(to, from);
    // From the page that holds the byte before `from` (a '\n' there makes `from` a line
    // start), at most the lines that max_bytes allows; a line start not found within them is
    // looked for in the file.
    const std::uint64_t start =
        from == 0 ? 0 : (from - 1) / PartBuffer::k_page * PartBuffer::k_page;
    const std::uint64_t limit = (from - start) + max_bytes + 1;
    char* into = nullptr;
    std::size_t have = 0;
    bool at_end = false;
    auto read_up_to = [&](std::uint64_t want) -> core::Result<void> {
        want = std::min(want, limit);
        into = buffer.grow(static_cast<std::size_t>(want), have);
        if (!into)
            return core::fail("out of memory reading " + std::to_string(want) + " bytes");
        if (have < want && !at_end) {
            CONFORM_TRY(
                const std::size_t n,
                pread_some(fd, into + have, static_cast<std::size_t>(want) - have, start + have));
            at_end = have + n < want;
            have += n;
        }
        return {};
    };
    // The line start at or after `at`, when what is read tells it.
    auto find = [&](std::uint64_t at) -> std::optional<std::uint64_t> {
        if (at == 0)
            return std::uint64_t{0};
        const std::uint64_t i = at - 1 - start;
        if (i < have)
            if (const void* nl = std::memchr(into + i, '\n', have - i))
                return start + static_cast<std::uint64_t>(static_cast<const char*>(nl) - into) + 1;
        if (!at_end)
            return std::nullopt;
        if (have == 0) { // start may lie past the end
            struct stat st {};
            if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < start)
                return static_cast<std::uint64_t>(st.st_size);
        }
        return start + have; // the file's end
    };
    PartLines out;
    CONFORM_CHECK(read_up_to(to - start + k_first_look));
    std::optional<std::uint64_t> begin, end;
    for (;;) {
        if (!begin)
            begin = find(from);
        if (begin)
            end = find(to);
        if (end || at_end || have >= limit)
            break;
        CONFORM_CHECK(read_up_to(std::max<std::uint64_t>(2 * have, have + k_first_look)));
    }
    if (!begin) {
        CONFORM_TRY(begin, line_start_at(file, from));
    }
    if (!end) {
        CONFORM_TRY(end, line_start_at(file, to));
    }
    out.begin = *begin;
    out.end = *end;
    out.loaded = out.end - out.begin <= max_bytes && out.end <= start + have;
    if (out.loaded)
        out.bytes = std::string_view(into + (out.begin - start),
                                     static_cast<std::size_t>(out.end - out.begin));
    return out;
}

std::optional<std::uint64_t> splittable_size(const std::filesystem::path& file) {
    if (file == "-")
        return std::nullopt;
    // Told before opening: opening a named pipe (`<(zstdcat ...)`) and closing it again would
    // cost its writer a SIGPIPE.
    struct stat named {};
    if (::stat(file.c_str(), &named) != 0 || !S_ISREG(named.st_mode))
        return std::nullopt;
    auto fd = open_for_parts(file);
    if (!fd)
        return std::nullopt;
    const OwnedFd owned(*fd);
    struct stat st {};
    if (::fstat(owned.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    unsigned char magic[4] = {0, 0, 0, 0};
    auto n = pread_some(owned.get(), reinterpret_cast<char*>(magic), sizeof magic, 0);
    if (!n)
        return std::nullopt;
    if (*n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return std::nullopt; // gzip
    if (*n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return std::nullopt; // zstd
    return static_cast<std::uint64_t>(st.st_size);
}

core::Result<std::uint64_t> line_start_at(const std::filesystem::path& file, std::uint64_t at) {
    if (at == 0)
        return std::uint64_t{0};
    CONFORM_TRY(const int fd, open_for_parts(file));
    const OwnedFd owned(fd);
    // A line ends a few kilobytes on, as a rule: small reads first, doubling up to k_raw_chunk,
    // into a buffer nobody zeroes (read for every part of a replay, twice).
    std::unique_ptr<char[]> block(new char[k_raw_chunk]);
    std::size_t want = k_first_look;
    std::uint64_t pos = at - 1; // the byte before at: a '\n' makes at a line start
    for (;;) {
        CONFORM_TRY(const std::size_t n, pread_some(fd, block.get(), want, pos));
        if (n == 0) { // the end of the file: at or before pos (at may lie past it)
            struct stat st {};
            if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < pos)
                return static_cast<std::uint64_t>(st.st_size);
            return pos;
        }
        if (const void* nl = std::memchr(block.get(), '\n', n))
            return pos + static_cast<std::uint64_t>(static_cast<const char*>(nl) - block.get()) + 1;
        pos += n;
        want = std::min(2 * want, k_raw_chunk);
    }
}

core::Result<std::uint64_t> count_newlines(const std::filesystem::path& file, std::uint64_t begin,
                                           std::uint64_t end) {
    CONFORM_TRY(const int fd, open_for_parts(file));
    const OwnedFd owned(fd);
    std::unique_ptr<char[]> block(new char[k_raw_chunk]);
    std::uint64_t count = 0;
    for (std::uint64_t pos = begin; pos < end;) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(k_raw_chunk, end - pos));
        CONFORM_TRY(const std::size_t n, pread_some(fd, block.get(), want, pos));
        if (n == 0)
            break;
        count += count_newlines(std::string_view(block.get(), n));
        pos += n;
    }
    return count;
}

core::Result<std::unique_ptr<ByteSource>> open_bytes(const std::filesystem::path& file) {
    const bool standard_input = file == "-";
    const std::string name = standard_input ? std::string(k_stdin_name) : file.string();
    const int fd = standard_input ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return core::fail("cannot open the recording " + name + ": " + std::strerror(errno));
    auto raw = std::make_unique<RawInput>(fd, !standard_input);
    if (auto sniffed = raw->fill_at_least(4); !sniffed)
        return core::fail("cannot read the recording " + name + ": " + sniffed.error().message);
    const auto* magic = reinterpret_cast<const unsigned char*>(raw->data());
    const std::size_t n = raw->pending();
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return std::unique_ptr<ByteSource>(new GzipSource(std::move(raw)));
    if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return std::unique_ptr<ByteSource>(new ZstdSource(std::move(raw)));
    return std::unique_ptr<ByteSource>(new PlainSource(std::move(raw)));
}

} // namespace conform::record::internal
