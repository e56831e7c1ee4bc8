// Query strings: the ordered list, RFC 3986 percent-encoding, the strict parser, value rendering.
#include <catch2/catch.hpp>

#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "runner/http/http.hpp"

using conform::http::QueryParam;
using conform::http::QueryParams;
namespace http = conform::http;

TEST_CASE("QueryParams keeps repeats in sending order", "[query]") {
    QueryParams params;
    params.add("ProjectId", "a");
    params.add("Action", "GetRepo");
    params.add("ProjectId", "b");
    REQUIRE(params.size() == 3);
    CHECK(*params.find("ProjectId") == "a");
    CHECK(params[2] == QueryParam{"ProjectId", "b"});
    CHECK(params.find("Missing") == nullptr);

    SECTION("set replaces every repeat by one, where the first was") {
        params.set("ProjectId", "c");
        CHECK(params == QueryParams{{"ProjectId", "c"}, {"Action", "GetRepo"}});
        params.set("Limit", "7");
        CHECK(params[2] == QueryParam{"Limit", "7"});
    }
    SECTION("erase removes every repeat") {
        CHECK(params.erase("ProjectId") == 2);
        CHECK(params == QueryParams{{"Action", "GetRepo"}});
    }
}

TEST_CASE("names sort by bytes", "[query][sort]") {
    // SIGNING.md: "CPU" before "ChargeType" ('P' 0x50 < 'h' 0x68) and "Name.10" before
    // "Name.2"; a UTF-8 lead byte sorts after every ASCII byte.
    CHECK(http::name_bytes_less("CPU", "ChargeType"));
    CHECK(http::name_bytes_less("Name.10", "Name.2"));
    CHECK(http::name_bytes_less("Z", "a"));
    CHECK(http::name_bytes_less("z", "\xC3\xA9"));
    CHECK_FALSE(http::name_bytes_less("a", "a"));

    const QueryParams params{{"b", "1"}, {"a", "x"}, {"B", "2"}, {"a", "y"}};
    const auto sorted = http::sorted_by_name(params);
    REQUIRE(sorted.size() == 4);
    CHECK(sorted[0] == QueryParam{"B", "2"});
    CHECK(sorted[1] == QueryParam{"a", "x"}); // repeats keep their order (stable)
    CHECK(sorted[2] == QueryParam{"a", "y"});
    CHECK(sorted[3] == QueryParam{"b", "1"});
}

TEST_CASE("percent_encode follows RFC 3986 unreserved", "[query][encode]") {
    CHECK(http::percent_encode("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(http::percent_encode("a b") == "a%20b"); // never '+'
    CHECK(http::percent_encode("a+b") == "a%2Bb");
    CHECK(http::percent_encode("NSI3UqqD99b/UJb4tbG/xZpRW64=") ==
          "NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D"); // SIGNING.md's worked example, as sent
    CHECK(http::percent_encode("&=?#%*!'()") == "%26%3D%3F%23%25%2A%21%27%28%29");
    CHECK(http::percent_encode("\xE4\xB8\xAD") == "%E4%B8%AD"); // UTF-8 "中", byte by byte
    CHECK(http::percent_encode(std::string("\0\xFF", 2)) == "%00%FF");
    CHECK(http::percent_encode("") == "");
}

TEST_CASE("encode_query encodes names and values in list order", "[query][encode]") {
    const QueryParams params{
        {"Action", "GetRepo"}, {"PublicKey", "a+b/c="}, {"q", "x y"}, {"Action", "again"}};
    CHECK(http::encode_query(params) ==
          "Action=GetRepo&PublicKey=a%2Bb%2Fc%3D&q=x%20y&Action=again");
    CHECK(http::encode_query({}) == "");
}

TEST_CASE("parse_query decodes strictly", "[query][parse]") {
    SECTION("pairs, repeats, empty values, both hex cases") {
        auto parsed = http::parse_query("a=1&b=&c&a=%2f%2F&%E4%B8%AD=x%20y");
        REQUIRE(parsed);
        CHECK(*parsed ==
              QueryParams{{"a", "1"}, {"b", ""}, {"c", ""}, {"a", "//"}, {"\xE4\xB8\xAD", "x y"}});
    }
    SECTION("'+' decodes to a space, as the gateways decode it") {
        auto parsed = http::parse_query("PublicKey=a+b&Sig=a%2Bb");
        REQUIRE(parsed);
        CHECK(*parsed->find("PublicKey") == "a b");
        CHECK(*parsed->find("Sig") == "a+b");
    }
    SECTION("only the first '=' splits") {
        auto parsed = http::parse_query("Signature=abc==");
        REQUIRE(parsed);
        CHECK(*parsed->find("Signature") == "abc==");
    }
    SECTION("empty pairs carry nothing") {
        auto parsed = http::parse_query("&a=1&&b=2&");
        REQUIRE(parsed);
        CHECK(*parsed == QueryParams{{"a", "1"}, {"b", "2"}});
        CHECK(http::parse_query("")->empty());
    }
    SECTION("round trip of anything percent_encode produced") {
        const QueryParams params{{"k y", "+&=%\xC3\xA9"}, {"a.b_c~", "-"}, {"empty", ""}};
        auto parsed = http::parse_query(http::encode_query(params));
        REQUIRE(parsed);
        CHECK(*parsed == params);
    }
}

namespace {

// What parse_query's `encoded` must say: encode_query gives the query back.
bool round_trips(std::string_view q) {
    auto parsed = http::parse_query(q);
    return parsed && http::encode_query(*parsed) == q;
}

// parse_query(q, encoded), with `encoded` set to the wrong answer first; nullopt when q does
// not parse.
std::optional<bool> encoded_of(std::string_view q) {
    bool encoded = !round_trips(q);
    if (!http::parse_query(q, encoded))
        return std::nullopt;
    return encoded;
}

} // namespace

TEST_CASE("parse_query says exactly when a query is encode_query's own spelling",
          "[query][encode]") {
    for (std::string_view q : {"Action=GetRepo&Offset=20&Limit=20", "a=", "a=&b=", "a=%20b",
                               "a=%2F", "RepoName.0=x-y_z.~", "",
                               // each of these needs its raw spelling kept:
                               "a", "a=1&", "&a=1", "a=1&&b=2", "a=b=c", "a=x+y", "a=%2f", "a=%41",
                               "a=caf\xc3\xa9", "a=b c", "a=1&b"}) {
        INFO(q);
        const auto encoded = encoded_of(q);
        REQUIRE(encoded);
        CHECK(*encoded == round_trips(q));
    }
}

TEST_CASE("parse_query's encoded answer holds for every short query", "[query][parse][encode]") {
    // Every query of up to 5 bytes over an alphabet of the bytes that matter: structure,
    // percent-encoding in both cases, '+', a reserved byte and unreserved ones.
    const std::string alphabet = "a=&%2Ff+ 4";
    std::vector<std::string> queries{""};
    for (std::size_t length = 1, from = 0; length <= 5; ++length) {
        const std::size_t to = queries.size();
        for (std::size_t i = from; i < to; ++i)
            for (const char c : alphabet)
                queries.push_back(queries[i] + c);
        from = to;
    }
    std::size_t encoded_count = 0, wrong = 0;
    std::string first_wrong;
    for (const std::string& q : queries) {
        const auto encoded = encoded_of(q);
        if (!encoded)
            continue;
        encoded_count += *encoded;
        if (*encoded != round_trips(q) && wrong++ == 0)
            first_wrong = q;
    }
    INFO(first_wrong);
    CHECK(wrong == 0);
    CHECK(encoded_count > 100); // the alphabet reaches both answers
}

TEST_CASE("parse_query names the offset of bad percent-encoding", "[query][parse]") {
    struct Bad {
        const char* query;
        const char* offset;
    };
    for (const Bad bad :
         {Bad{"a=%G1", "offset 2"}, Bad{"a=1&b=%4", "offset 6"}, Bad{"a=1&b=%", "offset 6"},
          Bad{"x%zz=1", "offset 1"}, Bad{"ok=1&v=abc%2", "offset 10"}}) {
        INFO(bad.query);
        auto parsed = http::parse_query(bad.query);
        REQUIRE_FALSE(parsed);
        CHECK_THAT(parsed.error().message,
                   Catch::Contains("invalid percent-encoding") && Catch::Contains(bad.offset));
    }
    auto empty_name = http::parse_query("a=1&=2");
    REQUIRE_FALSE(empty_name);
    CHECK_THAT(empty_name.error().message, Catch::Contains("empty parameter name at offset 4"));
}

TEST_CASE("values render as sent", "[query][render]") {
    CHECK(http::render_integer(0) == "0");
    CHECK(http::render_integer(-5) == "-5");
    CHECK(http::render_integer(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    CHECK(http::render_bool(true) == "true");
    CHECK(http::render_bool(false) == "false");

    CHECK(*http::render_number(35.0) == "35"); // SIGNING.md: no trailing .0
    CHECK(*http::render_number(-2.5) == "-2.5");
    CHECK(*http::render_number(0.1) == "0.1");
    CHECK(*http::render_number(0.1 + 0.2) == "0.30000000000000004"); // shortest round trip
    CHECK(*http::render_number(1e-7) == "0.0000001");                // never scientific
    CHECK(*http::render_number(1e21) == "1000000000000000000000");
    CHECK(*http::render_number(-0.0) == "0");
    CHECK(http::render_number(std::numeric_limits<double>::max()).has_value());
    CHECK(http::render_number(std::numeric_limits<double>::denorm_min()).has_value());
    CHECK_FALSE(http::render_number(std::numeric_limits<double>::quiet_NaN()));
    CHECK_FALSE(http::render_number(std::numeric_limits<double>::infinity()));
}

TEST_CASE("append_value flattens lists into Name.0, Name.1, ...", "[query][render]") {
    const auto doc = nlohmann::json::parse(R"({
        "Limit": 20, "Big": 18446744073709551615, "Ratio": 35.0, "IsShared": false,
        "Type": "private", "RepoName": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
        "Nested": [[1, 2], [3]], "Null": null, "Obj": {"a": 1}, "BadList": [1, null]
    })");
    QueryParams params;
    for (const char* name : {"Limit", "Big", "Ratio", "IsShared", "Type"})
        REQUIRE(http::append_value(params, name, doc[name]));
    CHECK(params == QueryParams{{"Limit", "20"},
                                {"Big", "18446744073709551615"},
                                {"Ratio", "35"},
                                {"IsShared", "false"},
                                {"Type", "private"}});

    QueryParams list;
    REQUIRE(http::append_value(list, "RepoName", doc["RepoName"]));
    REQUIRE(list.size() == 11);
    CHECK(list[0] == QueryParam{"RepoName.0", "a"});
    CHECK(list[10] == QueryParam{"RepoName.10", "k"});
    // Sorting is by bytes, so Name.10 comes before Name.2.
    const auto sorted = http::sorted_by_name(list);
    CHECK(sorted[1].name == "RepoName.1");
    CHECK(sorted[2].name == "RepoName.10");
    CHECK(sorted[3].name == "RepoName.2");

    QueryParams nested;
    REQUIRE(http::append_value(nested, "N", doc["Nested"]));
    CHECK(nested == QueryParams{{"N.0.0", "1"}, {"N.0.1", "2"}, {"N.1.0", "3"}});

    QueryParams untouched{{"Keep", "1"}};
    for (const char* name : {"Null", "Obj", "BadList"}) {
        INFO(name);
        auto r = http::append_value(untouched, name, doc[name]);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains(name));
    }
    CHECK(untouched == QueryParams{{"Keep", "1"}}); // all or nothing
}

TEST_CASE("signing_host adds the port only off the default", "[query]") {
    CHECK(http::signing_host("ccr.api.qcloud.com", 443, true) == "ccr.api.qcloud.com");
    CHECK(http::signing_host("ccr.api.qcloud.com", 80, false) == "ccr.api.qcloud.com");
    CHECK(http::signing_host("127.0.0.1", 8443, true) == "127.0.0.1:8443");
    CHECK(http::signing_host("example.test", 443, false) == "example.test:443");
    CHECK(http::signing_host("[::1]", 8080, false) == "[::1]:8080");
}
