// Recordings as users keep them: gzip and zstd read directly (told by their first bytes, also
// concatenated members and frames), standard input ("-"), and a truncated .gz/.zst: one error
// naming the file and the line after the last whole one, every line before it still read.
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>

#include "runner/record/record.hpp"
#include "tests/record/record_support.hpp"

using namespace conform;

namespace {

// A recording of n lines, line k (1-based) asking for Offset=k; every 7th line is not JSON.
std::string recording(int n) {
    std::string text;
    for (int k = 1; k <= n; ++k) {
        if (k % 7 == 0) {
            text += "{not json\n";
            continue;
        }
        text += R"({"request":{"method":"GET","url":"http://h/?Action=GetRepo&Offset=)" +
                std::to_string(k) +
                R"("},"response":{"status":200,"body":{"RetCode":0,"Padding":")" +
                std::string(static_cast<std::size_t>(200 + k % 50), 'p') + "\"}}}\n";
    }
    return text;
}

std::string gzip(const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK); // gzip
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string zstd(const std::string& text) {
    std::string out(ZSTD_compressBound(text.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
    REQUIRE_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

// What a reader gives: "line:offset" per good line, "line:message" per bad one.
std::vector<std::string> outline(const test::ReadAll& all) {
    std::vector<std::string> out;
    for (const auto& r : all.good)
        out.push_back(std::to_string(r.line) + ":" + *r.exchange.request.query.find("Offset"));
    return out;
}

std::vector<std::size_t> bad_lines(const test::ReadAll& all) {
    std::vector<std::size_t> out;
    for (const auto& d : all.bad)
        out.push_back(d.where.line);
    return out;
}

// Reads "-" with fd 0 pointing at file for the duration.
test::ReadAll read_stdin(const std::filesystem::path& file) {
    const int saved = ::dup(STDIN_FILENO);
    const int fd = ::open(file.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::dup2(fd, STDIN_FILENO) == STDIN_FILENO);
    ::close(fd);
    test::ReadAll all = test::read_all("-");
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    return all;
}

} // namespace

TEST_CASE("gzip and zstd recordings read line for line as the plain file, by content not name") {
    test::TempDir dir;
    const std::string text = recording(3000); // several read chunks compressed and decoded
    test::spit(dir / "day.jsonl", text);
    test::spit(dir / "day.jsonl.gz", gzip(text));
    test::spit(dir / "day.jsonl.zst", zstd(text));
    test::spit(dir / "renamed.jsonl", zstd(text)); // told by its magic, not its name
    const auto plain = test::read_all(dir / "day.jsonl");
    REQUIRE(plain.good.size() == 3000 - 3000 / 7);
    REQUIRE(plain.bad.size() == 3000 / 7);
    CHECK(plain.bad.front().where.line == 7);
    for (const char* name : {"day.jsonl.gz", "day.jsonl.zst", "renamed.jsonl"}) {
        INFO(name);
        const auto all = test::read_all(dir / name);
        CHECK(outline(all) == outline(plain));
        CHECK(bad_lines(all) == bad_lines(plain));
        CHECK(all.bad.front().where.file == (dir / name).string());
        CHECK(all.good.front().file == dir / name);
    }
    // The byte count is what was read from the file: the compressed size.
    auto reader = record::RecordingReader::open(dir / "day.jsonl.zst");
    REQUIRE(reader);
    while (true) {
        auto next = reader->next();
        if (next && !*next)
            break;
    }
    CHECK(reader->bytes_read() == std::filesystem::file_size(dir / "day.jsonl.zst"));
}

TEST_CASE("concatenated gzip members and zstd frames are one recording (`cat a.gz b.gz`)") {
    test::TempDir dir;
    const std::string a = recording(40), b = recording(30);
    test::spit(dir / "joined.gz", gzip(a) + gzip(b));
    test::spit(dir / "joined.zst", zstd(a) + zstd(b));
    test::spit(dir / "joined.jsonl", a + b);
    const auto plain = test::read_all(dir / "joined.jsonl");
    for (const char* name : {"joined.gz", "joined.zst"}) {
        INFO(name);
        const auto all = test::read_all(dir / name);
        CHECK(outline(all) == outline(plain));
        CHECK(all.good.size() == plain.good.size());
        CHECK(bad_lines(all) == bad_lines(plain));
    }
}

TEST_CASE("a truncated .gz or .zst: the lines before it, then one error naming file:line") {
    test::TempDir dir;
    const std::string text = recording(2000);
    const auto plain = test::read_all([&] {
        test::spit(dir / "day.jsonl", text);
        return dir / "day.jsonl";
    }());
    for (const auto& [name, bytes] :
         {std::pair<std::string, std::string>{"cut.jsonl.gz", gzip(text)},
          {"cut.jsonl.zst", zstd(text)}}) {
        INFO(name);
        const auto file = dir / name;
        test::spit(file, bytes.substr(0, bytes.size() / 2)); // cut mid-stream, mid-line
        const auto all = test::read_all(file);
        // Everything whole before the cut was read, in order, with its own line number.
        REQUIRE(all.good.size() > 100);
        REQUIRE(all.good.size() < plain.good.size());
        const auto got = outline(all);
        const auto want = outline(plain);
        CHECK(std::equal(got.begin(), got.end(), want.begin()));
        // The last diagnostic is the truncation, on the line after the last whole one.
        REQUIRE_FALSE(all.bad.empty());
        const core::Diagnostic& cut = all.bad.back();
        CHECK(cut.where.file == file.string());
        const std::size_t last_good = all.good.back().line;
        CHECK(cut.where.line >= last_good + 1);
        CHECK(cut.where.line <= last_good + 2); // a "{not json" line may sit in between
        CHECK(cut.message.find("truncated") != std::string::npos);
        CHECK(cut.message.find(name.ends_with(".gz") ? "gzip" : "zstd") != std::string::npos);
        CHECK(cut.to_string().starts_with(file.string() + ":" + std::to_string(cut.where.line)));
        // Only the ordinary bad lines (every 7th) precede it: the cut line is not a second error.
        for (std::size_t i = 0; i + 1 < all.bad.size(); ++i)
            CHECK(all.bad[i].where.line % 7 == 0);
    }
    // Corrupt data (not just short) is named as such.
    std::string corrupt = gzip(text);
    for (std::size_t i = 100; i < 200; ++i)
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    test::spit(dir / "corrupt.gz", corrupt);
    const auto broken = test::read_all(dir / "corrupt.gz");
    REQUIRE_FALSE(broken.bad.empty());
    CHECK(broken.bad.back().message.find("gzip") != std::string::npos);
}

TEST_CASE("\"-\" reads standard input, plain or compressed, named <stdin>") {
    test::TempDir dir;
    const std::string text = recording(50);
    test::spit(dir / "day.jsonl", text);
    test::spit(dir / "day.jsonl.zst", zstd(text));
    const auto plain = test::read_all(dir / "day.jsonl");
    for (const char* name : {"day.jsonl", "day.jsonl.zst"}) {
        INFO(name);
        const auto all = read_stdin(dir / name);
        CHECK(outline(all) == outline(plain));
        CHECK(bad_lines(all) == bad_lines(plain));
        REQUIRE_FALSE(all.good.empty());
        CHECK(all.good.front().file == "<stdin>");
        REQUIRE_FALSE(all.bad.empty());
        CHECK(all.bad.front().to_string().starts_with("<stdin>:7"));
    }
}
