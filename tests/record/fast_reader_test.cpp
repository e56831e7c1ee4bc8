// RecordingReader reads lines on simdjson (internal/fast_line.cpp) and leaves every line it
// does not take whole to the full reader (core::parse_json + from_json). Both must agree: on
// every line below the reader's answer is the full reader's (the same Recorded, a JSON body
// compared as JSON; the same Diagnostic, byte for byte).
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>

#include "runner/core/json_parse.hpp"
#include "runner/record/internal/encoding.hpp"
#include "runner/record/record.hpp"
#include "tests/record/record_support.hpp"

using namespace conform;
using nlohmann::json;

namespace {

const std::string k_request = R"("request":{"method":"GET","url":"http://h/?Action=A&b=1"})";

std::string line_with(const std::string& response) {
    return "{" + k_request + ",\"response\":" + response + "}";
}

// What the full reader makes of one line.
core::Result<record::Recorded> full_reader(const std::string& line,
                                           const std::filesystem::path& file) {
    auto parsed = core::parse_json(line, file.string(), core::ParseLimits{300});
    if (!parsed) {
        core::Diagnostic d = std::move(parsed).error();
        d.where.file = file.string();
        d.where.line = 1;
        return core::fail(std::move(d));
    }
    return record::from_json(*parsed, file, 1);
}

void same_body(const std::string& a, const std::string& b) {
    auto ja = core::parse_json(a), jb = core::parse_json(b);
    if (ja && jb)
        CHECK(*ja == *jb);
    else
        CHECK(a == b);
}

// Everything a line means, the same in r and e (a JSON body compared as JSON).
void same_recorded(const record::Recorded& r, const record::Recorded& e) {
    CHECK(r.file == e.file);
    CHECK(r.line == e.line);
    CHECK(r.time == e.time);
    CHECK(r.contract == e.contract);
    CHECK(r.operation == e.operation);
    CHECK(r.case_name == e.case_name);
    CHECK(r.target == e.target);
    CHECK(r.source == e.source);
    const http::Exchange &x = r.exchange, &y = e.exchange;
    CHECK(x.started == y.started);
    CHECK(x.seconds == y.seconds);
    CHECK(x.request.method == y.request.method);
    CHECK(x.request.base_url == y.request.base_url);
    CHECK(x.request.query == y.request.query);
    CHECK(x.request.raw_query == y.request.raw_query);
    CHECK(x.request.headers == y.request.headers);
    CHECK(x.request.body == y.request.body);
    REQUIRE(x.response.has_value() == y.response.has_value());
    if (x.response) {
        CHECK(x.response->status == y.response->status);
        CHECK(x.response->headers == y.response->headers);
        same_body(x.response->body, y.response->body);
    }
    REQUIRE(x.failure.has_value() == y.failure.has_value());
    if (x.failure) {
        CHECK(x.failure->kind == y.failure->kind);
        CHECK(x.failure->message == y.failure->message);
    }
}

// With options.parse_bodies too: a JSON response body the reader parsed is the body it hands
// over, parsed; one it could not parse so (too deep for body_max_depth) comes without it.
void agree(const std::string& line, bool good, record::ReaderOptions options = {}) {
    test::TempDir dir;
    const auto file = dir / "one.jsonl";
    test::spit(file, line + "\n");
    INFO(line);
    INFO("parse_bodies " << options.parse_bodies << ", body_max_depth " << options.body_max_depth);
    const auto read = test::read_all(file, options);
    const auto expected = full_reader(line, file);
    REQUIRE(expected.has_value() == good);
    if (!good) {
        REQUIRE(read.bad.size() == 1);
        CHECK(read.good.empty());
        CHECK(read.bad[0].to_string() == expected.error().to_string());
        return;
    }
    REQUIRE(read.bad.empty());
    REQUIRE(read.good.size() == 1);
    const record::Recorded& r = read.good[0];
    same_recorded(r, *expected);
    const http::Exchange& x = r.exchange;
    if (x.response) {
        // Parsed only when asked, for a JSON body within body_max_depth (and one simdjson
        // reads: a number beyond 64 bits is left to the judge's own parse).
        const bool json_body =
            line.find("\"body_text\"") == std::string::npos && !x.response->body.empty();
        const bool within = static_cast<bool>(
            core::parse_json(x.response->body, {}, core::ParseLimits{options.body_max_depth}));
        if (!options.parse_bodies || !json_body || !within)
            CHECK_FALSE(r.parsed_body);
        if (r.parsed_body)
            CHECK(r.parsed_body->root().to_json() == *core::parse_json(x.response->body));
    } else {
        CHECK_FALSE(r.parsed_body);
    }
}

} // namespace

// Good lines of every shape the reader takes or leaves to the full reader.
std::vector<std::string> good_lines() {
    const std::string deep = std::string(200, '[') + std::string(200, ']');
    return {
        line_with(
            R"({"status":200,"headers":[["A","1"],["A","2"]],"body":{"x":[1,2.5,-3e2,true,false,null,"s\u00e9\n"]}})"),
        line_with(R"({"status":200,"body":"just a string"})"),
        line_with(R"({"status":204,"body":null})"),
        line_with(R"({"status":200,"body_text":"<html>","body_encoding":"utf-8"})"),
        line_with(R"({"status":200,"body_text":"iVBORw0=","body_encoding":"base64"})"),
        line_with(R"({"status":200,"body":)" + deep + "}"),
        line_with(R"({"status":200,"body":12345678901234567890123})"),
        line_with(R"({"status":0})"),
        std::string(R"({"time":"2026-12-01T10:00:00+01:00","contract":"c","operation":"o",)") +
            R"("case":"k","target":"t","seconds":0.5,"source":{"doc":"d.md","line":3},)" +
            R"("x-extension":{"deep":[{"a":"\ud83d\ude00"}]},)" +
            R"("request":{"method":"POST","url":"https://h:8443/v2/index.php?b=x+y&a=%2f#frag",)" +
            R"("query":[["ignored","since the URL's query parses"]],"headers":[["H","v"]],)" +
            R"("body":"AQL/","body_encoding":"base64"},)" +
            R"("failure":{"kind":"read-timeout","message":"slow"}})",
        std::string(
            R"({"request":{"method":"GET","url":"http://h/","query":[["a","1"],["a","2"]]},)") +
            R"("response":{"status":200}})",
        std::string(
            R"({"request":{"method":"GET","url":"http://h/?%zz"},"response":{"status":200}})"),
        std::string(
            R"({"re\u0071uest":{"method":"GET","url":"http://h/"},"response":{"status":200}})"),
        // A repeated member: the last one counts, as nlohmann reads it.
        "{" + k_request + R"(,"response":{"status":200},"response":{"status":201}})",
        std::string("\xEF\xBB\xBF") + line_with(R"({"status":200})"),
        "  " + line_with(R"({ "status" : 200 , "body" : { "a" : 1 } })") + "  ",
        // Keys written with escapes: the body's bytes are not found by their spelling, and
        // the full reader reads such a line.
        line_with(R"({"status":200,"b\u006fdy":{"a":1}})"),
        std::string(R"({"resp\u006fnse":{"status":200,"body":[1,2]},)") + k_request + "}",
        // "body" elsewhere too, the response first.
        std::string(R"({"response":{"headers":[["body","x"]],"body":{"body":{"body":1}},)") +
            R"("status":200},"request":{"method":"POST","url":"http://h/","body":"{}"}})",
    };
}

TEST_CASE("the simdjson reader agrees with the full reader on good lines") {
    for (const std::string& line : good_lines()) {
        agree(line, true);
        agree(line, true, {.parse_bodies = true});
        agree(line, true, {.parse_bodies = true, .body_max_depth = 100}); // deep: not parsed
    }
}

TEST_CASE("one Recorded read into line after line holds each line as a fresh one does") {
    // Replay reads every line into a Recorded it has read into before (Recorded::clear keeps
    // its buffers): nothing of a line may stay for the next, whatever the next one lacks.
    std::vector<std::string> lines = good_lines();
    const std::vector<std::string> forward = lines;
    lines.insert(lines.end(), forward.rbegin(), forward.rend()); // each shape after each other
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i)
        text += lines[i] + (i % 7 == 3 ? "\n{\"request\": bad line\n\n" : "\n");
    test::TempDir dir;
    const auto file = dir / "many.jsonl";
    test::spit(file, text);
    for (const bool parse_bodies : {false, true}) {
        const record::ReaderOptions options{.parse_bodies = parse_bodies};
        auto fresh = record::RecordingReader::open(file, options);
        auto reused = record::RecordingReader::open(file, options);
        REQUIRE(fresh);
        REQUIRE(reused);
        record::Recorded into;
        std::size_t good = 0, bad = 0;
        for (;;) {
            const auto expected = fresh->next();
            const auto got = reused->next_into(into);
            REQUIRE(expected.has_value() == got.has_value());
            if (!expected) {
                CHECK(got.error().to_string() == expected.error().to_string());
                ++bad;
                continue;
            }
            REQUIRE(expected->has_value() == *got);
            if (!*got)
                break;
            INFO("line " << into.line << ", parse_bodies " << parse_bodies);
            same_recorded(into, **expected);
            CHECK(static_cast<bool>(into.parsed_body) ==
                  static_cast<bool>((*expected)->parsed_body));
            ++good;
        }
        CHECK(good == lines.size());
        CHECK(bad == (lines.size() + 3) / 7);
    }
}

TEST_CASE("the simdjson reader agrees with the full reader on bad lines") {
    const std::string too_deep = std::string(400, '[') + std::string(400, ']');
    for (
        const std::string& line : {
            line_with(R"({"status":200,"body":{"a":tru}})"),
            line_with(R"({"status":200,"body":{"a":nul}})"),
            line_with(R"({"status":200,"body":{"a":01}})"),
            line_with(R"({"status":200,"body":{"a":"\q"}})"),
            line_with(R"({"status":200,"body":1e999})"),
            line_with(R"({"status":200,"body":)" + too_deep + "}"),
            line_with(R"({"status":200,"unknown":"\x"})"),
            line_with(R"({"status":200.0})"),
            line_with(R"({"status":"200"})"),
            line_with(R"({"status":1000})"),
            line_with(R"({"status":200,"headers":[["a","b","c"]]})"),
            line_with(R"({"status":200,"headers":[["a",1]]})"),
            line_with(R"({"status":200,"body":{},"body_text":""})"),
            line_with(R"({"status":200,"body_text":"!!","body_encoding":"base64"})"),
            line_with(R"({"status":200,"body_text":"x","body_encoding":"latin1"})"),
            line_with(R"({"status":200})") + " x",
            line_with(R"({"status":200})") + line_with(R"({"status":200})"),
            line_with(R"({"status":200})").substr(1),
            std::string(
                R"({"request":{"method":"GET","url":"http://h/"},"response":{"status":200},"failure":{"kind":"read-timeout"}})"),
            std::string(
                R"({"request":{"method":"GET","url":"http://h/"},"failure":{"kind":"sleepy"}})"),
            std::string(R"({"request":{"method":"","url":"http://h/"},"response":{"status":200}})"),
            std::string(
                R"({"request":{"method":"GET","url":"/relative"},"response":{"status":200}})"),
            std::string(
                R"({"request":{"method":"GET","url":"http://h/","query":[["a"]]},"response":{"status":200}})"),
            std::string(R"({"time":"yesterday",)") + k_request + R"(,"response":{"status":200}})",
            std::string(R"({"seconds":-1,)") + k_request + R"(,"response":{"status":200}})",
            std::string(R"({"source":[1],)") + k_request + R"(,"response":{"status":200}})",
            std::string("{\"request\":{\"method\":\"GET\",\"url\":\"http://h/\xff\"},") +
                "\"response\":{\"status\":200}}",
            std::string("{\"request\":{\"method\":\"G\tET\",\"url\":\"http://h/\"},") +
                "\"response\":{\"status\":200}}",
            std::string("[") + line_with(R"({"status":200})") + "]",
        }) {
        agree(line, false);
        agree(line, false, {.parse_bodies = true});
    }
}

TEST_CASE("a JSON body reaches the exchange as the line spells it") {
    test::TempDir dir;
    const auto file = dir / "spelled.jsonl";
    test::spit(file, line_with(R"({"status":200,"body":  {"b" : 1.50, "a":["\u00e9"]}  })") + "\n" +
                         line_with(R"({"status":200,"body":"text"})") + "\n" +
                         R"({"response":{"body" : [ 1, {"body":2} ] ,"status":200},)" +
                         R"("request":{"method":"POST","url":"http://h/","body":"body"}})" + "\n");
    for (const bool parse_bodies : {false, true}) {
        const auto all = test::read_all(file, {.parse_bodies = parse_bodies});
        REQUIRE(all.good.size() == 3);
        CHECK(all.good[0].exchange.response->body == R"({"b" : 1.50, "a":["\u00e9"]})");
        CHECK(all.good[1].exchange.response->body == R"("text")");
        CHECK(all.good[2].exchange.response->body == R"([ 1, {"body":2} ])");
        CHECK(all.good[2].exchange.request.body == "body");
    }
}

TEST_CASE("asked to, the reader hands over each JSON body parsed, for the judge to read") {
    test::TempDir dir;
    const auto file = dir / "parsed.jsonl";
    test::spit(file,
               line_with(R"({"status":200,"body":{"RepoSet":[{"RepoName":"a"}],"TotalCount":1}})") +
                   "\n" + line_with(R"({"status":200,"body_text":"<html>"})") + "\n" +
                   line_with(R"({"status":200,"body":[[[[1]]]]})") + "\n");
    const auto plain = test::read_all(file);
    REQUIRE(plain.good.size() == 3);
    for (const record::Recorded& r : plain.good)
        CHECK_FALSE(r.parsed_body); // not asked
    const auto parsed = test::read_all(file, {.parse_bodies = true, .body_max_depth = 4});
    REQUIRE(parsed.good.size() == 3);
    REQUIRE(parsed.good[0].parsed_body);
    const core::JsonView root = parsed.good[0].parsed_body->root();
    REQUIRE(root.find("TotalCount"));
    CHECK(root.find("TotalCount")->as_int64() == 1);
    CHECK_FALSE(parsed.good[1].parsed_body); // a text body
    CHECK_FALSE(parsed.good[2].parsed_body); // four levels: past body_max_depth, as the judge says
    CHECK(parsed.good[2].exchange.response->body == "[[[[1]]]]");
}

TEST_CASE("lent bodies: each line's parse, right until the next line is read, copied nowhere") {
    test::TempDir dir;
    const auto file = dir / "lent.jsonl";
    std::string lines;
    // Larger then smaller bodies: the lent scratch keeps the larger one's words beyond.
    for (const int n : {40, 3, 0, 17, 1})
        lines += line_with(R"({"status":200,"body":{"n":)" + std::to_string(n) + R"(,"items":)" +
                           json(std::vector<int>(static_cast<std::size_t>(n), n)).dump() + "}}") +
                 "\n";
    test::spit(file, lines);
    auto reader = record::RecordingReader::open(
        file, {.parse_bodies = true, .body_max_depth = 100, .lend_bodies = true});
    REQUIRE(reader);
    std::size_t read = 0;
    const core::JsonDocument* first = nullptr;
    for (auto next = reader->next(); next && *next; next = reader->next(), ++read) {
        const record::Recorded& r = **next;
        REQUIRE(r.parsed_body);
        CHECK(r.parsed_body->root().to_json() == *core::parse_json(r.exchange.response->body));
        if (!first)
            first = r.parsed_body.get();
        CHECK(r.parsed_body.get() == first);   // the one scratch, lent again
        CHECK(r.parsed_body.use_count() == 0); // owning nothing
    }
    CHECK(read == 5);
}

TEST_CASE("a line's time is read as timegm reads the same civil time") {
    // The reference: the C library's timegm over the fields, the zone's offset and the
    // fraction added after (days past a month's end and second 60 count on, as in timegm).
    auto reference = [](int y, int mo, int d, int h, int mi, int s, int offset_minutes,
                        long micros) {
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = s;
        using namespace std::chrono;
        return system_clock::time_point(duration_cast<system_clock::duration>(
            seconds(timegm(&tm) - offset_minutes * 60) + microseconds(micros)));
    };
    using record::internal::parse_time;
    CHECK(parse_time("2026-12-01T10:00:00Z") == reference(2026, 12, 1, 10, 0, 0, 0, 0));
    CHECK(parse_time("2024-02-29T23:59:59.5Z") == reference(2024, 2, 29, 23, 59, 59, 0, 500000));
    CHECK(parse_time("2026-02-30T00:00:00Z") == reference(2026, 2, 30, 0, 0, 0, 0, 0));
    CHECK(parse_time("2026-12-31T23:59:60Z") == reference(2026, 12, 31, 23, 59, 60, 0, 0));
    CHECK(parse_time("1970-01-01T00:00:00+01:30") == reference(1970, 1, 1, 0, 0, 0, 90, 0));
    CHECK(parse_time("1969-12-31 23:59:59.000001-0800") ==
          reference(1969, 12, 31, 23, 59, 59, -480, 1));
    CHECK(parse_time("1678-01-01T00:00:00Z") == reference(1678, 1, 1, 0, 0, 0, 0, 0));
    CHECK(parse_time("2261-12-31T23:59:59.999999Z") ==
          reference(2261, 12, 31, 23, 59, 59, 0, 999999));
    CHECK_FALSE(parse_time("1677-12-31T23:59:59Z"));
    CHECK_FALSE(parse_time("2026-13-01T00:00:00Z"));
    CHECK_FALSE(parse_time("2026-12-01T10:00:00")); // no zone
}
