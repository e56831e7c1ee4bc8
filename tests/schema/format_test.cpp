// The `format` checkers (runner/schema/format.cpp): first the official JSON-Schema-Test-Suite
// files as data (STYLE.md lesson 10), then our own edge cases, one TEST_CASE per format.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/schema/format.hpp"
#include "tests/support/shared.hpp"

namespace {

using conform::schema::check_format;
using conform::schema::FormatResult;
using conform::schema::known_formats;

// A format keyword asserts nothing about a format conform does not know (2020-12 validation
// 7.2), so only `invalid` fails an instance.
bool accepts(std::string_view format, std::string_view value) {
    return check_format(format, value) != FormatResult::invalid;
}

// ---- The official suite ---------------------------------------------------------------------

// Every string test of these files must pass; they are named by file (the "regex" file holds
// format "regex", "unknown" a format conform does not know).
constexpr std::array<std::string_view, 13> k_required_files = {
    "date-time", "date",          "time", "email",        "hostname", "ipv4",   "ipv6",
    "uri",       "uri-reference", "uuid", "json-pointer", "regex",    "unknown"};

// These are reported, not required: the nice-to-have formats, and the ECMA-262 corner cases of
// "regex" that RE2 cannot run (lookbehind, backreferences, empty classes).
// Nice-to-have formats, each with the suite tests it passes today: fewer is a regression (the
// test fails); more means the floor can rise. ecmascript-regex misses what RE2 cannot express.
struct Reported {
    std::string_view name;
    std::size_t at_least;
};
constexpr std::array<Reported, 8> k_reported_files = {{
    {"duration", 46},
    {"relative-json-pointer", 19},
    {"uri-template", 32},
    {"iri", 18},
    {"iri-reference", 7},
    {"idn-hostname", 84},
    {"idn-email", 12},
    {"ecmascript-regex", 7},
}};

std::filesystem::path suite_dir() {
    return std::filesystem::path(CONFORM_SHARED_DIR) /
           "json-schema-test-suite/tests/draft2020-12/optional/format";
}

struct SuiteCase {
    std::string format;
    std::string description;
    std::string data;
    bool valid = false;
};

// The string tests of one file; non-string instances are always valid and say nothing here.
std::vector<SuiteCase> load_suite_file(std::string_view name) {
    const auto path = suite_dir() / (std::string(name) + ".json");
    std::ifstream in(path);
    REQUIRE(in.good());
    const auto groups = nlohmann::json::parse(in);
    std::vector<SuiteCase> cases;
    for (const auto& group : groups) {
        const std::string format = group.at("schema").at("format").get<std::string>();
        for (const auto& test : group.at("tests"))
            if (test.at("data").is_string())
                cases.push_back({format,
                                 group.at("description").get<std::string>() + ": " +
                                     test.at("description").get<std::string>(),
                                 test.at("data").get<std::string>(), test.at("valid").get<bool>()});
    }
    return cases;
}

std::string describe(const SuiteCase& c) {
    return c.format + " " + nlohmann::json(c.data).dump() + " should be " +
           (c.valid ? "valid" : "invalid") + " (" + c.description + ")";
}

TEST_CASE("suite: every string test of the must-have formats passes", "[format][suite]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite optional/format");
    for (const auto name : k_required_files) {
        const auto cases = load_suite_file(name);
        CHECK_FALSE(cases.empty());
        std::size_t passed = 0;
        for (const auto& c : cases) {
            INFO(describe(c));
            const bool ok = accepts(c.format, c.data) == c.valid;
            CHECK(ok);
            passed += ok ? 1 : 0;
        }
        WARN(name << ": " << passed << "/" << cases.size() << " suite string tests pass");
    }
}

TEST_CASE("suite: nice-to-have formats keep their pass counts", "[format][suite]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite optional/format");
    for (const auto& [name, at_least] : k_reported_files) {
        const auto cases = load_suite_file(name);
        std::size_t passed = 0;
        std::ostringstream failures;
        for (const auto& c : cases) {
            if (accepts(c.format, c.data) == c.valid)
                ++passed;
            else
                failures << "\n  fails: " << describe(c);
        }
        WARN(name << ": " << passed << "/" << cases.size() << " suite string tests pass"
                  << failures.str());
        CHECK(passed >= at_least);
    }
}

TEST_CASE("suite: every format file is either required or reported", "[format][suite]") {
    CONFORM_REQUIRE_SHARED("JSON-Schema-Test-Suite optional/format");
    const auto listed = [](std::string_view name) {
        return std::ranges::find(k_required_files, name) != k_required_files.end() ||
               std::ranges::find(k_reported_files, name, &Reported::name) != k_reported_files.end();
    };
    for (const auto& entry : std::filesystem::directory_iterator(suite_dir())) {
        INFO("new suite file " << entry.path().filename().string()
                               << ": add it to k_required_files or k_reported_files");
        CHECK(listed(entry.path().stem().string()));
    }
}

// ---- The table ------------------------------------------------------------------------------

TEST_CASE("known_formats: one row per format, each with its rule and checker", "[format]") {
    const auto formats = known_formats();
    REQUIRE(formats.size() == 19);
    for (const auto& row : formats) {
        INFO(row.name);
        CHECK_FALSE(row.rule.empty());
        CHECK(row.check != nullptr);
        CHECK(check_format(row.name, "") != FormatResult::unknown_format);
    }
    for (const auto name : k_required_files)
        if (name != "unknown")
            CHECK(std::ranges::find(formats, name, &conform::schema::FormatInfo::name) !=
                  formats.end());
}

TEST_CASE("check_format: unknown names are reported, not judged", "[format]") {
    CHECK(check_format("unknown", "anything") == FormatResult::unknown_format);
    CHECK(check_format("Date-Time", "2020-01-01T00:00:00Z") == FormatResult::unknown_format);
    CHECK(check_format("", "") == FormatResult::unknown_format);
    CHECK(check_format("date", "2020-01-01") == FormatResult::valid);
    CHECK(check_format("date", "2020-1-01") == FormatResult::invalid);
}

// ---- Our own edge cases ---------------------------------------------------------------------

bool valid(std::string_view format, std::string_view value) {
    const auto result = check_format(format, value);
    REQUIRE(result != FormatResult::unknown_format);
    return result == FormatResult::valid;
}

TEST_CASE("date: days per month and the Gregorian leap years", "[format][date]") {
    CHECK(valid("date", "2000-02-29")); // divisible by 400
    CHECK_FALSE(valid("date", "1900-02-29"));
    CHECK(valid("date", "2024-02-29"));
    CHECK(valid("date", "0000-02-29")); // proleptic year 0 is a leap year
    CHECK(valid("date", "9999-12-31"));
    CHECK_FALSE(valid("date", "2023-02-29"));
    CHECK_FALSE(valid("date", "2023-04-31"));
    CHECK_FALSE(valid("date", "2023-13-01"));
    CHECK_FALSE(valid("date", std::string_view("2020-01-01\0", 11)));
}

TEST_CASE("time: offsets and where a leap second may fall", "[format][time]") {
    CHECK(valid("time", "23:59:60Z"));
    CHECK(valid("time", "23:59:60.999z"));
    CHECK(valid("time", "23:59:60-00:00"));       // unknown local offset is UTC (RFC 3339 4.3)
    CHECK(valid("time", "00:00:60+00:01"));       // 23:59 UTC the previous day
    CHECK_FALSE(valid("time", "23:59:60+23:59")); // 00:00 UTC
    CHECK_FALSE(valid("time", "12:00:60Z"));
    CHECK(valid("time", "00:00:00+23:59"));
    CHECK_FALSE(valid("time", "00:00:00+0100"));
    CHECK_FALSE(valid("time", "00:00:00.Z")); // time-secfrac needs a digit
    CHECK_FALSE(valid("time", "00:00Z"));
    CHECK_FALSE(valid("time", "00:00:00"));
}

TEST_CASE("date-time: one grammar, both halves checked", "[format][date-time]") {
    CHECK(valid("date-time", "2016-12-31T23:59:60Z"));
    CHECK(valid("date-time", "2017-01-01T00:59:60+01:00"));
    CHECK(valid("date-time", "9999-12-31T23:59:59.999999999+23:59"));
    CHECK_FALSE(valid("date-time", "2024-01-01 00:00:00Z")); // the ABNF has "T", not a space
    CHECK_FALSE(valid("date-time", "2024-01-01T00:00:00"));
    CHECK_FALSE(valid("date-time", "2024-02-30T00:00:00Z"));
    CHECK_FALSE(valid("date-time", "2024-01-01T"));
    CHECK_FALSE(valid("date-time", "2024-01-01TZ"));
}

TEST_CASE("duration: units in order, weeks alone", "[format][duration]") {
    CHECK(valid("duration", "P1Y2M3DT4H5M6S"));
    CHECK(valid("duration", "PT0S"));
    CHECK(valid("duration", "p1dt2h")); // ABNF strings are case-insensitive (RFC 5234 2.3)
    CHECK(valid("duration", "P52W"));
    CHECK_FALSE(valid("duration", "P1M1M"));
    CHECK_FALSE(valid("duration", "PT1S1M"));
    CHECK_FALSE(valid("duration", "P1DT"));
    CHECK_FALSE(valid("duration", "PW"));
    CHECK_FALSE(valid("duration", "P1W1D"));
    CHECK_FALSE(valid("duration", "P1.5D"));
}

TEST_CASE("ipv4: dotted-quad and nothing else", "[format][ipv4]") {
    CHECK(valid("ipv4", "0.0.0.0"));
    CHECK(valid("ipv4", "255.255.255.255"));
    CHECK(valid("ipv4", "1.10.100.200"));
    CHECK_FALSE(valid("ipv4", "00.0.0.0"));
    CHECK_FALSE(valid("ipv4", "1.2.3.04"));
    CHECK_FALSE(valid("ipv4", "1.2.3"));
    CHECK_FALSE(valid("ipv4", "1.2.3.4.5"));
    CHECK_FALSE(valid("ipv4", "1.2.3.-4"));
    CHECK_FALSE(valid("ipv4", std::string_view("1.2.3.4\0", 8)));
}

TEST_CASE("ipv6: compression, IPv4 tails, no zone id", "[format][ipv6]") {
    CHECK(valid("ipv6", "1::2:3:4:5:6:7")); // "::" standing for one group (RFC 4291 2.2)
    CHECK(valid("ipv6", "1:2:3:4:5:6:7::"));
    CHECK(valid("ipv6", "FFFF::"));
    CHECK(valid("ipv6", "::ffff:1.2.3.4"));
    CHECK(valid("ipv6", "1:2:3:4:5:6:1.2.3.4"));
    CHECK_FALSE(valid("ipv6", "1:2:3:4:5:6:7:1.2.3.4"));
    CHECK_FALSE(valid("ipv6", "1:2:3:4:5:6:7:8:9"));
    CHECK_FALSE(valid("ipv6", ":::"));
    CHECK_FALSE(valid("ipv6", "::00001"));
    CHECK_FALSE(valid("ipv6", "::1%eth0"));
    CHECK_FALSE(valid("ipv6", std::string_view("::1\0", 4)));
}

TEST_CASE("hostname: LDH labels, lengths, A-labels", "[format][hostname]") {
    const std::string label63(63, 'a');
    const std::string name253 =
        label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
    CHECK(name253.size() == 253);
    CHECK(valid("hostname", name253));
    CHECK_FALSE(valid("hostname", name253 + "a"));
    CHECK(valid("hostname", "1.2.3.4")); // all-digit labels are LDH
    CHECK(valid("hostname", "ab--cd"));  // reserved LDH, but not an A-label: RFC 1123 allows it
    CHECK(valid("hostname", "xn--mnchen-3ya.de"));
    CHECK(valid("hostname", "XN--MNCHEN-3YA.DE")); // DNS compares case-insensitively
    CHECK_FALSE(valid("hostname", "xn--"));
    CHECK_FALSE(valid("hostname", "xn--a"));      // decodes to U+0080, not PVALID
    CHECK_FALSE(valid("hostname", "münchen.de")); // U-labels are for idn-hostname
    CHECK_FALSE(valid("hostname", "example.com."));
    CHECK_FALSE(valid("hostname", "0a.xn--4db")); // RFC 5893 2: Bidi domain, digit first
    CHECK(valid("hostname", "a0.xn--4db"));
}

TEST_CASE("idn-hostname: U-labels through IDNA2008", "[format][idn-hostname]") {
    CHECK(valid("idn-hostname", "münchen.de"));
    CHECK(valid("idn-hostname", "münchen。de"));
    CHECK(valid("idn-hostname", "xn--mnchen-3ya.de"));
    CHECK_FALSE(valid("idn-hostname", "Bücher.de")); // uppercase is DISALLOWED (RFC 5892 2.5)
    CHECK_FALSE(valid("idn-hostname", "ﬁ.de"));      // compatibility character
    CHECK_FALSE(valid("idn-hostname", "a\u200Cb"));  // ZWNJ without its context
    CHECK_FALSE(valid("idn-hostname", "\xC3"));      // not UTF-8
    CHECK_FALSE(valid("idn-hostname", "münchen."));
    CHECK_FALSE(valid("idn-hostname", "ü_x.de")); // only LDH ASCII is PVALID
    CHECK_FALSE(valid("idn-hostname", std::string_view("ü\0x.de", 7)));
    CHECK_FALSE(valid("idn-email", std::string_view("a@ü\0x.de", 9)));
}

TEST_CASE("email: local parts, domains and address literals", "[format][email]") {
    CHECK(valid("email", std::string(64, 'a') + "@example.com"));
    CHECK_FALSE(valid("email", std::string(65, 'a') + "@example.com"));
    CHECK(valid("email", "\"\"@example.com")); // *QcontentSMTP may be empty
    CHECK(valid("email", "\"a\\\"b\"@example.com"));
    CHECK_FALSE(valid("email", "\"a\"b\"@example.com"));
    CHECK_FALSE(valid("email", "\"a\\\tb\"@example.com")); // quoted-pair is %d32-126
    CHECK(valid("email", "a@[IPv6:::1]"));
    CHECK(valid("email", "a@[ipv6:::1]"));
    CHECK_FALSE(valid("email", "a@[::1]"));
    CHECK_FALSE(valid("email", "a@[tag:content]"));
    CHECK_FALSE(valid("email", "a@[1.2.3.4"));
    CHECK_FALSE(valid("email", "a@b@example.com"));
    CHECK_FALSE(valid("email", "a@example.com."));
    CHECK(valid("email", "a@xn--mnchen-3ya.de"));
    CHECK_FALSE(valid("email", "ä@example.com"));
    CHECK(valid("idn-email", "ä@münchen.de"));
    CHECK(valid("idn-email", "\"ä b\"@example.com"));
    CHECK_FALSE(valid("idn-email", "\xC3@example.com"));
}

TEST_CASE("uri and uri-reference: RFC 3986 component by component", "[format][uri]") {
    CHECK(valid("uri", "http:"));
    CHECK(valid("uri", "a:b:c"));
    CHECK(valid("uri", "http://example.com:"));
    CHECK(valid("uri", "http://ex%41mple.com/a%2Fb?c=d&e#f/g?h"));
    CHECK(valid("uri", "http://[v1.x]/"));
    CHECK(valid("uri", "http://[::1]:8080/"));
    CHECK_FALSE(valid("uri", "http://[vg.x]/"));
    CHECK_FALSE(valid("uri", "http://[v1.]/"));
    CHECK_FALSE(valid("uri", "http://[::1%25eth0]/")); // RFC 6874 zone ids are not RFC 3986
    CHECK_FALSE(valid("uri", "http://[::1]x/"));
    CHECK_FALSE(valid("uri", "http://a b/"));
    CHECK_FALSE(valid("uri", "http://example.com/#a#b"));
    CHECK_FALSE(valid("uri", "http://example.com/\xEF\xBF\xBD"));
    CHECK(valid("uri-reference", "this:that")); // a URI with scheme "this"
    CHECK(valid("uri-reference", "./this:that"));
    CHECK(valid("uri-reference", "a/b:c"));
    CHECK_FALSE(valid("uri-reference", "%zz"));
    CHECK_FALSE(valid("uri-reference", "a b"));
}

TEST_CASE("iri and iri-reference: ucschar everywhere, iprivate in the query", "[format][iri]") {
    CHECK(valid("iri", "http://例子.测试/路径?查询#片段"));
    CHECK(valid("iri", "http://example.com/?\xEE\x80\x80"));      // U+E000 in the query
    CHECK_FALSE(valid("iri", "http://example.com/\xEE\x80\x80")); // ... not in the path
    CHECK_FALSE(valid("iri", "http://example.com/\xEF\xBF\xBE")); // U+FFFE is not ucschar
    CHECK_FALSE(valid("iri", "http://example.com/\xC3"));         // not UTF-8
    CHECK_FALSE(valid("iri", "http://[::1%25eth0]/"));
    CHECK(valid("iri-reference", "ä/ö"));
    CHECK_FALSE(valid("iri-reference", "ä:ö")); // "ä" is not a scheme
}

TEST_CASE("uuid: 8-4-4-4-12 hex digits", "[format][uuid]") {
    CHECK(valid("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
    CHECK_FALSE(valid("uuid", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}"));
    CHECK_FALSE(valid("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g"));
    CHECK_FALSE(valid("uuid", "2eb8aa08-aa98-11ea-b4aa_73b441d16380"));
}

TEST_CASE("json-pointer and relative-json-pointer", "[format][json-pointer]") {
    CHECK(valid("json-pointer", "/a~0b~1c"));
    CHECK_FALSE(valid("json-pointer", "~0"));
    CHECK_FALSE(valid("json-pointer", "/a~"));
    CHECK_FALSE(valid("json-pointer", "/\xFF"));
    CHECK(valid("relative-json-pointer", "0+1"));
    CHECK(valid("relative-json-pointer", "1-2/foo"));
    CHECK(valid("relative-json-pointer", "0+1#"));
    CHECK_FALSE(valid("relative-json-pointer", "0+"));
    CHECK_FALSE(valid("relative-json-pointer", "0+01"));
    CHECK_FALSE(valid("relative-json-pointer", "0#/"));
}

TEST_CASE("uri-template: expressions and literals", "[format][uri-template]") {
    CHECK(valid("uri-template", "{+a,b:3,c*}"));
    CHECK(valid("uri-template", "{a}{b}/x{?q,r}"));
    CHECK(valid("uri-template", "{a.b_c%20}"));
    CHECK_FALSE(valid("uri-template", "{=a}")); // op-reserve
    CHECK_FALSE(valid("uri-template", "{a:12345}"));
    CHECK_FALSE(valid("uri-template", "{a*:3}"));
    CHECK_FALSE(valid("uri-template", "{{a}}"));
    CHECK_FALSE(valid("uri-template", "{.a."));
    CHECK_FALSE(valid("uri-template", "%4"));
    CHECK_FALSE(valid("uri-template", "a<b"));
}

TEST_CASE("regex: ECMA-262 syntax that RE2 can run", "[format][regex]") {
    CHECK(valid("regex", "^[a-z]+$"));
    CHECK(valid("regex", "\\p{L}\\x41\\u0041\\u{1F600}\\cJ"));
    CHECK(valid("regex", "(?:a)(?i:b)"));
    CHECK(valid("regex", "[\\]]"));
    CHECK_FALSE(valid("regex", "(?i)abc"));
    CHECK_FALSE(valid("regex", "(?P<n>x)"));
    CHECK_FALSE(valid("regex", "\\a"));
    CHECK_FALSE(valid("regex", "a\\z"));
    CHECK_FALSE(valid("regex", "\\pL"));
    CHECK_FALSE(valid("regex", "\\x{41}"));
    CHECK_FALSE(valid("regex", "\\c"));
    CHECK_FALSE(valid("regex", "\\"));
    CHECK_FALSE(valid("regex", "["));
    // Valid ECMA-262 that RE2 cannot run: rejected, because `pattern` could not use it.
    CHECK_FALSE(valid("regex", "a(?=b)"));
    CHECK_FALSE(valid("regex", "(a)\\1"));
}

} // namespace
