// JSONL recordings: round trip, the docs' samples, bad lines, redaction, threads, crash safety
// (a writer killed with SIGKILL), and every written line against schemas/recording.schema.json.
#include <csignal>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/http/http.hpp"
#include "runner/record/record.hpp"
#include "runner/schema/schema.hpp"
#include "tests/record/record_support.hpp"

using namespace conform;
using nlohmann::json;
using record::Recorded;

namespace {

const std::filesystem::path k_source = CONFORM_SOURCE_DIR;

record::WriterOptions no_environment() {
    record::WriterOptions options;
    options.scrub = std::vector<std::string>{}; // the test process's variables play no part
    return options;
}

Recorded sample_exchange() {
    Recorded r;
    r.time = "2026-12-01T10:00:00.000Z";
    r.contract = "ucloud-uhub";
    r.operation = "GetRepo";
    r.case_name = "walk-limit-7";
    r.target = "reference";
    http::Request& q = r.exchange.request;
    q.method = "GET";
    q.base_url = "https://api.ucloud.cn/";
    q.query = {{"Action", "GetRepo"}, {"ProjectId", "a"}, {"Limit", "7"}, {"ProjectId", "b b"}};
    q.headers = {{"User-Agent", "conform/0.1.0"}, {"X-Repeat", "1"}, {"X-Repeat", "2"}};
    http::Response a;
    a.status = 200;
    a.headers = {{"Content-Type", "application/json"}};
    a.body = R"({"Action":"GetRepoResponse","RepoSet":[],"RetCode":0,"TotalCount":0})";
    r.exchange.response = a;
    r.exchange.seconds = 0.25;
    return r;
}

schema::CompiledSchema recording_schema() {
    auto document = core::load_json_file(k_source / "schemas/recording.schema.json");
    REQUIRE(document);
    static schema::Registry registry;
    auto compiled = schema::compile(*document, registry);
    INFO((compiled ? std::string() : compiled.error().to_string()));
    REQUIRE(compiled);
    return std::move(*compiled);
}

void require_lines_valid(const std::filesystem::path& file) {
    const auto compiled = recording_schema();
    std::istringstream lines(test::slurp(file));
    std::string line;
    std::size_t n = 0;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        ++n;
        auto parsed = core::parse_json(line);
        REQUIRE(parsed);
        const auto result = compiled.validate(core::JsonView(*parsed));
        std::string errors;
        for (const auto& e : result.errors)
            errors += e.instance_location + ": " + e.error + "\n";
        INFO(file.string() << ":" << n << "\n" << line << "\n" << errors);
        CHECK(result.valid);
    }
    CHECK(n > 0);
}

} // namespace

TEST_CASE("a recording round-trips repeated parameters, raw queries and every kind of body") {
    test::TempDir dir;
    const auto file = dir / "round.jsonl";
    std::vector<Recorded> written;
    written.push_back(sample_exchange());
    {
        Recorded text = sample_exchange(); // not JSON: kept as text
        text.exchange.response->body = "<html>502 Bad Gateway</html>\r\n";
        text.exchange.request.raw_query = "Action=GetRepo&b=x+y&c=%2f"; // as a client sent it
        written.push_back(text);
    }
    {
        Recorded binary = sample_exchange(); // not UTF-8: base64
        binary.exchange.response->body = std::string("\x89PNG\r\n\x1a\n\0\xff\xfe", 11);
        binary.exchange.request.method = "POST";
        binary.exchange.request.body = std::string("\x01\x02\xff", 3);
        written.push_back(binary);
    }
    {
        Recorded failed = sample_exchange();
        failed.exchange.response.reset();
        failed.exchange.failure =
            http::TransportFailure{http::FailureKind::read_timeout, "read timeout after 5 ms"};
        written.push_back(failed);
    }
    {
        auto writer = record::RecordingWriter::open(file, no_environment());
        REQUIRE(writer);
        for (const Recorded& r : written)
            REQUIRE(writer->write(r));
        CHECK(writer->lines_written() == written.size());
    }
    const auto back = test::read_all(file);
    REQUIRE(back.bad.empty());
    REQUIRE(back.good.size() == written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
        INFO("line " << i + 1);
        const http::Exchange& w = written[i].exchange;
        const http::Exchange& r = back.good[i].exchange;
        CHECK(back.good[i].line == i + 1);
        CHECK(back.good[i].file == file);
        CHECK(back.good[i].contract == "ucloud-uhub");
        CHECK(back.good[i].operation == "GetRepo");
        CHECK(back.good[i].case_name == "walk-limit-7");
        CHECK(back.good[i].time == "2026-12-01T10:00:00.000Z");
        CHECK(r.request.method == w.request.method);
        CHECK(r.request.url() == w.request.url());
        CHECK(r.request.headers == w.request.headers);
        CHECK(r.request.body == w.request.body);
        CHECK(r.seconds == Approx(0.25));
        CHECK(r.response.has_value() == w.response.has_value());
        if (w.response) {
            CHECK(r.response->status == w.response->status);
            CHECK(r.response->headers == w.response->headers);
            CHECK(r.response->body == w.response->body);
        } else {
            REQUIRE(r.failure);
            CHECK(r.failure->kind == http::FailureKind::read_timeout);
            CHECK(r.failure->message == "read timeout after 5 ms");
        }
    }
    // Repeats keep their order; the raw query is read back byte for byte.
    CHECK(back.good[0].exchange.request.query == written[0].exchange.request.query);
    CHECK(back.good[1].exchange.request.raw_query == "Action=GetRepo&b=x+y&c=%2f");
    CHECK(*back.good[1].exchange.request.query.find("b") == "x y");
    const std::string text = test::slurp(file);
    CHECK(text.find("\"body_encoding\":\"base64\"") != std::string::npos);
    CHECK(text.find("\"body_text\":\"<html>502 Bad Gateway</html>\\r\\n\"") != std::string::npos);
    require_lines_valid(file);
}

TEST_CASE("the docs' samples files are recordings the reader reads") {
    for (const char* name :
         {"ucloud-uhub/GetRepo", "genesissai-uhub/GetRepo", "tencent-ccr/GetFavor"}) {
        const auto file = k_source / "schemas" / (std::string(name) + ".samples.jsonl");
        INFO(file.string());
        const auto all = test::read_all(file);
        CHECK(all.bad.empty());
        REQUIRE(!all.good.empty());
        const Recorded& first = all.good.front();
        CHECK(first.exchange.request.method == "GET");
        CHECK(first.exchange.response->status == 200);
        CHECK(first.source.contains("doc"));
        CHECK(core::parse_json(first.exchange.response->body));
        require_lines_valid(file);
    }
    const auto ucloud = test::read_all(k_source / "schemas/ucloud-uhub/GetRepo.samples.jsonl");
    // The page's own sample repeats ProjectId; both stay, in order.
    std::vector<std::string> projects;
    for (const auto& p : ucloud.good.front().exchange.request.query)
        if (p.name == "ProjectId")
            projects.push_back(p.value);
    CHECK(projects == std::vector<std::string>{"DPQzQxpe", "uhpPXDet"});
}

TEST_CASE("bad lines are reported with file:line (and the JSON pointer) and the reader goes on") {
    test::TempDir dir;
    const auto file = dir / "bad.jsonl";
    const std::string good =
        R"({"request":{"method":"GET","url":"http://h/?a=1"},"response":{"status":200}})";
    test::spit(
        file,
        good + "\n" +       // 1
            "{not json\n" + // 2
            "\n" +          // 3 blank
            R"({"request":{"method":7,"url":"http://h/"},"response":{"status":200}})" + "\n" + // 4
            R"({"request":{"method":"GET","url":"http://h/"}})"
            "\n" + // 5
            std::string(300, 'x') +
            "\n" + // 6 too long
            R"({"request":{"method":"GET","url":"http://h/","headers":[["a"]]},"response":{"status":200}})"
            "\n" +        // 7
            "[1,2]\r\n" + // 8
            good);        // 9, no '\n'
    record::ReaderOptions options;
    options.max_line_bytes = 200;
    const auto all = test::read_all(file, options);
    REQUIRE(all.good.size() == 2);
    CHECK(all.good[0].line == 1);
    CHECK(all.good[1].line == 9);
    REQUIRE(all.bad.size() == 6);
    const std::string f = file.string();
    CHECK(all.bad[0].where.file == f);
    CHECK(all.bad[0].where.line == 2);
    CHECK(all.bad[0].where.column > 0);
    CHECK(all.bad[1].to_string() ==
          f + ":4#/request/method: \"method\" must be a string, not number");
    CHECK(all.bad[2].where.line == 5);
    CHECK(all.bad[2].message.find("\"response\" or a \"failure\"") != std::string::npos);
    CHECK(all.bad[3].where.line == 6);
    CHECK(all.bad[3].message.find("longer than the limit of 200") != std::string::npos);
    CHECK(all.bad[4].to_string().starts_with(f + ":7#/request/headers/0: "));
    CHECK(all.bad[5].to_string().starts_with(f + ":8#: a recording line is a JSON object"));

    // Read whole into memory first (a part of `replay --jobs N`), lines are taken in place:
    // the same exchanges and the same findings, numbered after the lines before the part.
    const std::string bytes = *core::read_text_file(file);
    const auto part = test::read_all(record::RecordingReader::open_part(file, bytes, 100, options));
    REQUIRE(part.good.size() == all.good.size());
    for (std::size_t i = 0; i < all.good.size(); ++i)
        CHECK(part.good[i].line == all.good[i].line + 100);
    REQUIRE(part.bad.size() == all.bad.size());
    for (std::size_t i = 0; i < all.bad.size(); ++i) {
        CHECK(part.bad[i].where.line == all.bad[i].where.line + 100);
        CHECK(part.bad[i].message == all.bad[i].message);
    }

    // A line longer than the read chunk and the limit is skipped without holding it all.
    const auto long_file = dir / "long.jsonl";
    test::spit(long_file, std::string(1 << 20, 'y') + "\n" + good + "\n");
    options.max_line_bytes = 1000;
    const auto long_all = test::read_all(long_file, options);
    CHECK(long_all.bad.size() == 1);
    REQUIRE(long_all.good.size() == 1);
    CHECK(long_all.good[0].line == 2);

    CHECK_FALSE(record::RecordingReader::open(dir / "absent.jsonl"));
}

namespace {

// The line start at or after at, from the text itself: at, or the first byte after a '\n'
// past at (the text's size when none follows).
std::uint64_t line_start_in(std::string_view text, std::uint64_t at) {
    if (at == 0)
        return 0;
    const auto nl = text.find('\n', at - 1);
    return nl == std::string_view::npos ? std::uint64_t{text.size()} : std::uint64_t{nl + 1};
}

} // namespace

TEST_CASE("a part's line starts and newlines are found whatever the lines' lengths") {
    // Lines shorter than line_start_at's first read, longer than it, and longer than its
    // largest; the last without its '\n'.
    test::TempDir dir;
    const auto file = dir / "parts.jsonl";
    const std::vector<std::size_t> lengths = {10, 5000, 20000, 200000, 3, 70000};
    std::string text;
    std::vector<std::uint64_t> starts;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        starts.push_back(text.size());
        text += std::string(lengths[i], static_cast<char>('a' + i));
        if (i + 1 < lengths.size())
            text += '\n';
    }
    test::spit(file, text);
    auto expected = [&](std::uint64_t at) { return line_start_in(text, at); };
    std::vector<std::uint64_t> probes = {0, text.size(), text.size() + 5};
    for (const std::uint64_t s : starts)
        for (const std::int64_t d : {-2, -1, 0, 1, 2, 9000, 70000})
            if (static_cast<std::int64_t>(s) + d >= 0 &&
                static_cast<std::uint64_t>(static_cast<std::int64_t>(s) + d) <= text.size())
                probes.push_back(static_cast<std::uint64_t>(static_cast<std::int64_t>(s) + d));
    for (const std::uint64_t at : probes) {
        INFO("at " << at);
        const auto start = record::line_start_at(file, at);
        REQUIRE(start);
        CHECK(*start == expected(at));
    }
    for (std::size_t i = 0; i < starts.size(); ++i)
        for (std::size_t j = i; j < starts.size(); ++j) {
            const auto n = record::count_newlines(file, starts[i], starts[j]);
            REQUIRE(n);
            CHECK(*n == j - i);
        }
    CHECK(*record::count_newlines(file, 0, text.size()) == lengths.size() - 1);
    CHECK_FALSE(record::line_start_at(dir / "absent.jsonl", 1));

    // read_lines finds the same line starts with one read, and holds the lines between them
    // whenever they end within max_bytes of `from`, whatever the buffer held before (one
    // buffer serves every part).
    record::PartBuffer buffer("left over from a larger part: " + std::string(300000, 'z'));
    for (const std::uint64_t from : probes)
        for (const std::uint64_t to : probes) {
            if (to < from)
                continue;
            for (const std::uint64_t max_bytes :
                 {std::uint64_t{100}, std::uint64_t{30000}, std::uint64_t{1} << 20}) {
                INFO("from " << from << " to " << to << " max " << max_bytes);
                const auto lines = record::read_lines(file, from, to, max_bytes, buffer);
                REQUIRE(lines);
                CHECK(lines->begin == expected(from));
                CHECK(lines->end == expected(to));
                const std::uint64_t size = lines->end - lines->begin;
                if (lines->end - from <= max_bytes) // within reach of one read
                    CHECK(lines->loaded);
                if (lines->loaded) {
                    CHECK(size <= max_bytes);
                    CHECK(lines->bytes == std::string_view(text).substr(lines->begin, size));
                }
            }
        }
    // The buffer keeps the file it read open: reading another file in between, and a missing
    // one, reads each file's own lines.
    const auto other = dir / "other.jsonl";
    test::spit(other, "first\nsecond\n");
    for (int round = 0; round < 2; ++round) {
        const auto mine = record::read_lines(file, 0, 4, 1 << 20, buffer);
        REQUIRE(mine);
        CHECK(mine->bytes == std::string_view(text).substr(0, starts[1]));
        const auto theirs = record::read_lines(other, 1, 13, 1 << 20, buffer);
        REQUIRE(theirs);
        CHECK(theirs->bytes == "second\n");
        CHECK_FALSE(record::read_lines(dir / "absent.jsonl", 0, 10, 100, buffer));
    }
    record::PartBuffer none;
    CHECK_FALSE(record::read_lines(dir / "absent.jsonl", 0, 10, 100, none));
}

TEST_CASE("a part read from the start of its page holds the lines of its byte range") {
    // read_lines reads from the page that holds the byte before `from`: lines that start on a
    // page (each 4 KiB long), and parts whose ends fall just before, on and after a page.
    test::TempDir dir;
    const auto file = dir / "pages.jsonl";
    constexpr std::uint64_t page = 4096;
    std::string text;
    for (int i = 0; i < 12; ++i)
        text += std::string(page - 1, static_cast<char>('a' + i)) + '\n';
    text += "last line, unaligned and without its newline";
    test::spit(file, text);
    auto expected = [&](std::uint64_t at) { return line_start_in(text, at); };
    record::PartBuffer buffer;
    for (const std::uint64_t from : {std::uint64_t{1}, page - 1, page, page + 1, 3 * page,
                                     3 * page + 7, 12 * page - 1, 12 * page, 12 * page + 3})
        for (const std::uint64_t length : {std::uint64_t{0}, std::uint64_t{1}, page, 5 * page})
            for (const std::uint64_t max_bytes :
                 {std::uint64_t{2} * page, std::uint64_t{1} << 20}) {
                const std::uint64_t to = std::min<std::uint64_t>(from + length, text.size());
                INFO("from " << from << " to " << to << " max " << max_bytes);
                const auto lines = record::read_lines(file, from, to, max_bytes, buffer);
                REQUIRE(lines);
                CHECK(lines->begin == expected(from));
                CHECK(lines->end == expected(to));
                if (lines->end - from <= max_bytes) // within reach of one read
                    CHECK(lines->loaded);
                if (lines->loaded)
                    CHECK(lines->bytes ==
                          std::string_view(text).substr(lines->begin, lines->end - lines->begin));
            }
}

TEST_CASE("no credential from the environment reaches a recording") {
    const http::Scheme& ucloud = *http::find_scheme("ucloud-sha1");
    const http::Scheme& tencent = *http::find_scheme("tencent-v2-hmac");
    const std::string public_key = "envPublicKey0123456789", private_key = "envPrivate/Key+9876=";
    const std::string secret_id = "AKIDenvSecretId0000", secret_key = "envSecretKey5555";
    test::ScopedEnv a("UCLOUD_PUBLIC_KEY", public_key.c_str());
    test::ScopedEnv b("UCLOUD_PRIVATE_KEY", private_key.c_str());
    test::ScopedEnv c("TENCENTCLOUD_SECRET_ID", secret_id.c_str());
    test::ScopedEnv d("TENCENTCLOUD_SECRET_KEY", secret_key.c_str());

    const http::ProcessEnvironment environment;
    auto ucloud_credentials = http::credentials_from_env(ucloud, environment);
    auto tencent_credentials = http::credentials_from_env(tencent, environment);
    REQUIRE(ucloud_credentials);
    REQUIRE(tencent_credentials);
    const http::FixedClock clock(1'760'000'000);
    http::RandomNonceSource nonces(7);
    auto signed_ucloud =
        ucloud.sign({{"Action", "GetRepo"}, {"Limit", "3"}}, {"GET", "api.ucloud.cn", "/"},
                    *ucloud_credentials, clock, nonces);
    auto signed_tencent = tencent.sign({{"Action", "GetFavor"}, {"Region", "ap-guangzhou"}},
                                       {"GET", "ccr.api.qcloud.com", "/v2/index.php"},
                                       *tencent_credentials, clock, nonces);
    REQUIRE(signed_ucloud);
    REQUIRE(signed_tencent);

    test::TempDir dir;
    const auto file = dir / "signed.jsonl";
    std::vector<std::string> secrets = {public_key, private_key, secret_id, secret_key,
                                        http::percent_encode(private_key)};
    {
        auto writer = record::RecordingWriter::open(file); // the process environment
        REQUIRE(writer);
        Recorded r = sample_exchange();
        r.exchange.request.query = signed_ucloud->params;
        secrets.push_back(*signed_ucloud->params.find("Signature"));
        r.exchange.request.headers.push_back({"Authorization", "Bearer " + secret_key});
        r.exchange.request.headers.push_back({"Cookie", "k=" + public_key});
        r.exchange.request.headers.push_back({"X-Echo", "leaked " + private_key});
        // A server that echoes the key in its body, once plainly and once with \u escapes.
        r.exchange.response->body =
            R"({"PublicKey":")" + public_key + R"(","note":"\u0065nvSecretKey5555"})";
        REQUIRE(writer->write(r));

        Recorded t = sample_exchange();
        t.exchange.request.base_url = "https://ccr.api.qcloud.com/v2/index.php";
        t.exchange.request.query = signed_tencent->params;
        t.exchange.request.raw_query =
            signed_tencent->query() + "&Echo=" + http::percent_encode(private_key);
        secrets.push_back(*signed_tencent->params.find("Signature"));
        secrets.push_back(http::percent_encode(*signed_tencent->params.find("Signature")));
        t.exchange.response->body = std::string("\xff\xfe binary ") + secret_key; // base64 body
        t.exchange.response->headers.push_back({"Set-Cookie", "s=" + secret_id});
        REQUIRE(writer->write(t));
    }
    const std::string text = test::slurp(file);
    for (const std::string& secret : secrets) {
        INFO(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    // The base64 body hides nothing either: decoded, it says REDACTED.
    const auto back = test::read_all(file);
    REQUIRE(back.good.size() == 2);
    CHECK(back.good[1].exchange.response->body.find(secret_key) == std::string::npos);
    CHECK(back.good[1].exchange.response->body.find("REDACTED") != std::string::npos);
    CHECK(*back.good[0].exchange.request.query.find("Signature") == "REDACTED");
    CHECK(*back.good[0].exchange.request.query.find("PublicKey") == "REDACTED");
    CHECK(*back.good[1].exchange.request.query.find("SecretId") == "REDACTED");
    CHECK(text.find("Action=GetFavor") != std::string::npos); // the rest stays
    require_lines_valid(file);
}

TEST_CASE("threads share a writer and their lines never interleave") {
    test::TempDir dir;
    const auto file = dir / "threads.jsonl";
    auto writer = record::RecordingWriter::open(file, no_environment());
    REQUIRE(writer);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                Recorded r = sample_exchange();
                r.case_name = std::to_string(t) + "-" + std::to_string(i);
                r.exchange.response->body = std::string(5000 + i, 'a' + static_cast<char>(t));
                CHECK(writer->write(r));
            }
        });
    for (auto& thread : threads)
        thread.join();
    const auto all = test::read_all(file);
    CHECK(all.bad.empty());
    CHECK(all.good.size() == 400);
}

TEST_CASE("a writer killed mid-recording leaves a file valid up to its last complete line") {
    test::TempDir dir;
    const auto file = dir / "crash.jsonl";
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child: append as fast as it can until killed. Nothing here may return to Catch.
        auto writer = record::RecordingWriter::open(file, no_environment());
        if (!writer)
            ::_exit(3);
        for (std::size_t i = 0;; ++i) {
            Recorded r = sample_exchange();
            r.case_name = std::to_string(i);
            r.exchange.response->body = std::string(2000 + i % 5000, 'z');
            if (!writer->write(r))
                ::_exit(4);
        }
    }
    // Wait until a good part of the recording is there, then kill -9 mid-stream.
    for (int i = 0; i < 1000 && (!std::filesystem::exists(file) ||
                                 std::filesystem::file_size(file) < 2'000'000);
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    const auto all = test::read_all(file);
    CHECK(all.good.size() > 100);
    CHECK(all.bad.size() <= 1); // at most the last line, cut by the kill
    if (!all.bad.empty())
        CHECK(all.bad.front().where.line == all.good.size() + 1);
    for (std::size_t i = 0; i < all.good.size(); ++i)
        if (all.good[i].case_name != std::to_string(i)) {
            FAIL("line " << i + 1 << " holds exchange " << all.good[i].case_name);
        }

    // Appending after the crash: a partial last line is closed off, the new line stays whole.
    {
        std::ofstream(file, std::ios::binary | std::ios::app) << R"({"request":{"meth)";
        auto writer = record::RecordingWriter::open(file, no_environment());
        REQUIRE(writer);
        REQUIRE(writer->write(sample_exchange()));
    }
    const auto again = test::read_all(file);
    CHECK(again.good.size() == all.good.size() + 1);
    CHECK(again.bad.size() == 1); // the junk, joined to a partial line the kill left, if any
    CHECK(again.good.back().case_name == "walk-limit-7");
}
