// HAR 1.2: the Chromium-devtools-shaped fixture imported, Recorded -> HAR -> Recorded, and the
// import-har / export-har conversions with their default output names.
#include <sstream>

#include <catch2/catch.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/record/record.hpp"
#include "tests/record/record_support.hpp"

using namespace conform;
using nlohmann::json;
using record::Recorded;

namespace {

const std::filesystem::path k_fixture =
    std::filesystem::path(CONFORM_RECORD_FIXTURES) / "chromium-devtools.har";

} // namespace

TEST_CASE("a HAR exported by Chromium's devtools is read entry by entry") {
    auto har = record::read_har(k_fixture);
    INFO((har ? std::string() : har.error().to_string()));
    REQUIRE(har);
    CHECK(har->bad.empty());
    REQUIRE(har->entries.size() == 5);

    const Recorded& get = har->entries[0];
    CHECK(get.pointer == "/log/entries/0");
    CHECK(get.file == k_fixture);
    CHECK(get.time == "2025-03-04T09:12:31.204Z");
    CHECK(get.exchange.seconds == Approx(0.003412));
    CHECK(get.exchange.request.method == "GET");
    CHECK(get.exchange.request.base_url == "http://127.0.0.1:8000/");
    std::vector<std::string> projects;
    for (const auto& p : get.exchange.request.query)
        if (p.name == "ProjectId")
            projects.push_back(p.value);
    CHECK(projects == std::vector<std::string>{"org-abc", "org-def"});
    REQUIRE(get.exchange.response);
    CHECK(get.exchange.response->status == 200);
    auto body = core::parse_json(get.exchange.response->body);
    REQUIRE(body);
    CHECK((*body)["TotalCount"] == 2);

    // HTTP/2: pseudo-headers dropped; the URL's query (percent-encoded) is authoritative.
    const Recorded& h2 = har->entries[1];
    for (const auto& h : h2.exchange.request.headers)
        CHECK_FALSE(h.name.starts_with(":"));
    CHECK(h2.exchange.request.headers.size() == 4);
    CHECK(*h2.exchange.request.query.find("Signature") == "Vt+Bq4k3/qgOQ=");
    CHECK(h2.exchange.request.base_url == "https://ccr.api.qcloud.com/v2/index.php");

    const Recorded& post = har->entries[2];
    CHECK(post.exchange.request.method == "POST");
    CHECK(post.exchange.request.body == "Action=GetRepo&Type=private&Limit=20");
    CHECK(post.exchange.response->body == "missing Signature\r\nend");
    CHECK(post.time == "2025-03-04T09:12:32.001Z"); // +01:00 to UTC

    const Recorded& png = har->entries[3];
    REQUIRE(png.exchange.response->body.size() == 66);
    CHECK(png.exchange.response->body.substr(0, 4) == "\x89PNG");

    const Recorded& refused = har->entries[4];
    CHECK_FALSE(refused.exchange.response);
    REQUIRE(refused.exchange.failure);
    CHECK(refused.exchange.failure->message == "net::ERR_CONNECTION_REFUSED");
}

TEST_CASE("a bad HAR entry is named by its JSON pointer and the others are read") {
    json har = {
        {"log",
         {{"version", "1.2"},
          {"entries",
           {{{"request", {{"method", "GET"}, {"url", "http://h/?a=1"}}},
             {"response", {{"status", 200}, {"content", {{"text", "ok"}}}}}},
            {{"request", {{"method", "GET"}, {"url", "relative/path"}}},
             {"response", {{"status", 200}}}},
            {{"request", {{"method", "GET"}, {"url", "http://h/"}}},
             {"response",
              {{"status", 200}, {"content", {{"text", "@@@"}, {"encoding", "base64"}}}}}}}}}}};
    auto read = record::parse_har(har, "x.har");
    REQUIRE(read);
    CHECK(read->entries.size() == 1);
    REQUIRE(read->bad.size() == 2);
    CHECK(read->bad[0].to_string().starts_with("x.har#/log/entries/1/request/url: "));
    CHECK(read->bad[1].to_string().starts_with("x.har#/log/entries/2/response/content/text: "));
    CHECK_FALSE(record::parse_har(json{{"entries", json::array()}}, "y.har"));
}

TEST_CASE("Recorded values survive HAR 1.2 and back, redacted") {
    std::vector<Recorded> entries(3);
    entries[0].time = "2026-01-02T03:04:05.678Z";
    entries[0].contract = "ucloud-uhub";
    entries[0].operation = "GetRepo";
    entries[0].exchange.request.base_url = "https://api.ucloud.cn/";
    entries[0].exchange.request.query = {
        {"Action", "GetRepo"}, {"Signature", "abc"}, {"X", "1"}, {"X", "2"}};
    entries[0].exchange.request.headers = {{"Authorization", "Bearer t"}, {"Accept", "*/*"}};
    entries[0].exchange.response =
        http::Response{200, {{"Content-Type", "application/json"}}, R"({"RetCode":0})"};
    entries[0].exchange.seconds = 0.5;
    entries[1] = entries[0];
    entries[1].exchange.request.method = "POST";
    entries[1].exchange.request.body = "a=1";
    entries[1].exchange.request.raw_query = "q=a+b";
    entries[1].exchange.response->body = std::string("\0\1\2\xff", 4);
    entries[2] = entries[0];
    entries[2].exchange.response.reset();
    entries[2].exchange.failure =
        http::TransportFailure{http::FailureKind::tls_failed, "the certificate is not trusted"};

    const json har = record::to_har(entries);
    CHECK(har["log"]["version"] == "1.2");
    CHECK(har["log"]["creator"]["name"] == "conform");
    auto back = record::parse_har(har);
    REQUIRE(back);
    REQUIRE(back->bad.empty());
    REQUIRE(back->entries.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("entry " << i);
        const http::Exchange& a = entries[i].exchange;
        const http::Exchange& b = back->entries[i].exchange;
        CHECK(back->entries[i].time == entries[i].time);
        CHECK(back->entries[i].contract == "ucloud-uhub");
        CHECK(back->entries[i].operation == "GetRepo");
        CHECK(b.request.method == a.request.method);
        CHECK(b.request.body == a.request.body);
        CHECK(b.seconds == Approx(0.5));
        if (i == 1) // the raw query is what went on the wire
            CHECK(*b.request.query.find("q") == "a b");
        else
            CHECK(*b.request.query.find("Signature") == "REDACTED");
        CHECK(*http::find_header(b.request.headers, "Authorization") == "REDACTED");
        if (a.response) {
            REQUIRE(b.response);
            CHECK(b.response->status == 200);
            CHECK(b.response->body == a.response->body);
        } else {
            REQUIRE(b.failure);
            CHECK(b.failure->kind == http::FailureKind::tls_failed);
        }
    }
    CHECK(back->entries[1].exchange.request.url() == "https://api.ucloud.cn/?q=a+b");
}

TEST_CASE("import-har and export-har convert both ways, next to the input by default") {
    test::TempDir dir;
    const auto har_file = dir / "session.har";
    std::filesystem::copy_file(k_fixture, har_file);
    std::ostringstream out, err;
    REQUIRE(record::run_import_har({har_file, std::nullopt}, out, err).value() ==
            core::Verdict::conformant);
    const auto jsonl = dir / "session.jsonl";
    REQUIRE(std::filesystem::exists(jsonl));
    const std::string text = test::slurp(jsonl);
    // The fixture's made-up credentials are redacted on the way in.
    for (const char* secret :
         {"har-fixture-public-key", "AKIDharFixtureSecretId000000000000",
          "0f3a5d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", "Vt%2BBq4k3", "har-fixture-cookie"}) {
        INFO(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    const auto lines = test::read_all(jsonl);
    CHECK(lines.bad.empty());
    CHECK(lines.good.size() == 5);

    // Running it again replaces the output instead of appending to it.
    REQUIRE(record::run_import_har({har_file, std::nullopt}, out, err).value() ==
            core::Verdict::conformant);
    CHECK(test::read_all(jsonl).good.size() == 5);

    const auto exported = dir / "again.har";
    REQUIRE(record::run_export_har({jsonl, exported}, out, err).value() ==
            core::Verdict::conformant);
    auto har = record::read_har(exported);
    REQUIRE(har);
    REQUIRE(har->entries.size() == 5);
    CHECK(har->entries[3].exchange.response->body.substr(0, 4) == "\x89PNG");
    CHECK(har->entries[4].exchange.failure);

    // A recording with a bad line: converted but the bad line named, exit 1.
    test::spit(dir / "partly.jsonl", test::slurp(jsonl) + "{oops\n");
    std::ostringstream err2;
    CHECK(record::run_export_har({dir / "partly.jsonl", std::nullopt}, out, err2).value() ==
          core::Verdict::deviations);
    CHECK(std::filesystem::exists(dir / "partly.har"));
    CHECK(err2.str().find("partly.jsonl:6") != std::string::npos);
    CHECK_FALSE(record::run_import_har({dir / "absent.har", std::nullopt}, out, err));
}
