// `conform serve --recordings` over real loopback sockets: recorded exchanges (written with
// RecordingWriter, hand-written lines, a HAR) answer requests that differ in signature,
// timestamp, nonce and parameter order; repeats play back in recorded order; an unmatched
// request gets 404 naming the closest recorded one and what differs; bad lines are reported
// with file:line and skipped; run_serve_recordings prints its URL and refuses what it cannot
// serve.
#include <mutex>
#include <optional>
#include <sstream>
#include <streambuf>
#include <thread>

#include <catch2/catch.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/record/record.hpp"
#include "tests/record/record_support.hpp"

using namespace conform;
using nlohmann::json;
using record::Recorded;
using test::client;
using test::scrub_nothing;
using test::SharedText;

namespace {

const std::filesystem::path k_fixtures = CONFORM_RECORD_FIXTURES;

Recorded exchange(std::string base_url, http::QueryParams query, std::string body,
                  http::Headers headers = {{"Content-Type", "application/json"}}) {
    Recorded r;
    r.exchange.request.method = "GET";
    r.exchange.request.base_url = std::move(base_url);
    r.exchange.request.query = std::move(query);
    http::Response answer;
    answer.status = 200;
    answer.headers = std::move(headers);
    answer.body = std::move(body);
    r.exchange.response = std::move(answer);
    return r;
}

// A UCloud GetRepo page and a Tencent GetFavor call, as `conform record` writes them (the writer
// redacts Signature, PublicKey and SecretId); a repeated Offset=20 page recorded twice.
std::filesystem::path write_recording(const test::TempDir& dir) {
    const auto file = dir / "live.jsonl";
    auto writer = record::RecordingWriter::open(file, scrub_nothing());
    REQUIRE(writer);
    REQUIRE(writer->write(exchange(
        "https://api.ucloud.cn/",
        {{"Action", "GetRepo"},
         {"Limit", "20"},
         {"Offset", "0"},
         {"ProjectId", "org-a"},
         {"ProjectId", "org-b"},
         {"PublicKey", "ucloud-public"},
         {"Signature", "recorded-signature"}},
        R"({"Action":"GetRepoResponse","RepoSet":[{"RepoName":"nginx"}],"RetCode":0,"TotalCount":21})",
        {{"Content-Type", "application/json; charset=utf-8"},
         {"X-Request-Id", "req-1"},
         {"Connection", "keep-alive, X-Hop"},
         {"X-Hop", "dropped"},
         {"Keep-Alive", "timeout=5"},
         {"Transfer-Encoding", "chunked"},
         {"Content-Length", "9999"},
         {"Content-Encoding", "gzip"}})));
    REQUIRE(writer->write(exchange("https://ccr.api.qcloud.com/v2/index.php",
                                   {{"Action", "GetFavor"},
                                    {"Region", "ap-guangzhou"},
                                    {"Timestamp", "1700000000"},
                                    {"Nonce", "4821"},
                                    {"SecretId", "AKIDrecorded"},
                                    {"SignatureMethod", "HmacSHA256"},
                                    {"Signature", "recorded"}},
                                   R"({"code":0,"data":{"repoInfo":[],"totalCount":0}})")));
    for (const char* total : {"21", "22"}) {
        REQUIRE(writer->write(
            exchange("https://api.ucloud.cn/",
                     {{"Action", "GetRepo"}, {"Limit", "20"}, {"Offset", "20"}, {"Signature", "s"}},
                     std::string(R"({"RepoSet":[],"RetCode":0,"TotalCount":)") + total + "}")));
    }
    return file;
}

http::Exchange call(http::Transport& transport, const std::string& url, std::string raw_query,
                    std::string method = "GET", std::string body = {}, http::Headers headers = {}) {
    http::Request r;
    r.method = std::move(method);
    r.base_url = url;
    r.raw_query = std::move(raw_query);
    r.body = std::move(body);
    r.headers = std::move(headers);
    http::Exchange x = transport.send(r);
    REQUIRE(x.response);
    return x;
}

struct Served {
    record::Playback playback;
    std::unique_ptr<http::Server> server;

    explicit Served(std::vector<std::filesystem::path> files, std::ostream* log = nullptr)
        : playback(load(files), log) {
        auto started = record::start_playback(playback, {.host = "127.0.0.1", .port = 0});
        REQUIRE(started);
        server = std::move(*started);
    }
    static std::vector<Recorded> load(const std::vector<std::filesystem::path>& files) {
        auto loaded = record::load_recordings(files);
        REQUIRE(loaded);
        CHECK(loaded->bad.empty());
        return std::move(loaded->exchanges);
    }
    [[nodiscard]] std::string url(const std::string& path = "/") const {
        return server->base_url() + path;
    }
};

json body_of(const http::Exchange& x) {
    auto parsed = core::parse_json(x.response->body);
    REQUIRE(parsed);
    return *parsed;
}

} // namespace

TEST_CASE("volatile parameters: the redaction table, and what signers add") {
    for (const char* name : {"Signature", "signature", "PublicKey", "SecretId", "Token",
                             "Timestamp", "Nonce", "SignatureMethod"})
        CHECK(record::is_volatile_param(name));
    for (const char* name : {"Action", "Limit", "Offset", "ProjectId", "Region", "Type"})
        CHECK_FALSE(record::is_volatile_param(name));
}

TEST_CASE("a recorded request is answered whatever its signature, timestamp, nonce and order") {
    test::TempDir dir;
    Served served({write_recording(dir)});
    CHECK(served.playback.exchanges() == 4);
    CHECK(served.playback.requests() == 3);
    auto transport = client();

    // Another signature and key, the parameters in another order, a repeat order kept apart.
    http::Exchange x = call(*transport, served.url(),
                            "Signature=other&ProjectId=org-a&Offset=0&PublicKey=mine&Limit=20&"
                            "Action=GetRepo&ProjectId=org-b");
    CHECK(x.response->status == 200);
    CHECK(
        x.response->body ==
        R"({"Action":"GetRepoResponse","RepoSet":[{"RepoName":"nginx"}],"RetCode":0,"TotalCount":21})");
    const http::Response& r = *x.response;
    REQUIRE(r.header("Content-Type"));
    CHECK(*r.header("Content-Type") == "application/json; charset=utf-8");
    REQUIRE(r.header("X-Request-Id"));
    CHECK(*r.header("X-Request-Id") == "req-1");
    CHECK_FALSE(r.header("X-Hop"));             // named by the recorded Connection header
    CHECK_FALSE(r.header("Transfer-Encoding")); // hop-by-hop
    CHECK_FALSE(r.header("Content-Encoding"));  // the recorded body is the decoded one
    REQUIRE(r.header("Content-Length"));
    CHECK(*r.header("Content-Length") == std::to_string(r.body.size()));

    // Tencent: Timestamp, Nonce, SignatureMethod and the redacted SecretId are ignored; the path
    // is the recorded URL's.
    x = call(*transport, served.url("/v2/index.php"),
             "Nonce=1&Timestamp=1800000000&Region=ap-guangzhou&Action=GetFavor&SecretId=AKIDmine&"
             "SignatureMethod=HmacSHA1&Signature=x%2By");
    CHECK(x.response->status == 200);
    CHECK(x.response->body == R"({"code":0,"data":{"repoInfo":[],"totalCount":0}})");

    // Recorded twice: in recorded order, then the last again.
    for (const char* total : {"21", "22", "22", "22"}) {
        x = call(*transport, served.url(), "Offset=20&Limit=20&Action=GetRepo&Signature=again");
        CHECK(x.response->status == 200);
        CHECK(body_of(x).at("TotalCount") == std::stoi(total));
    }
    CHECK(served.playback.unmatched() == 0);
}

TEST_CASE("an unmatched request gets 404 naming the closest recorded request and what differs") {
    test::TempDir dir;
    const auto file = write_recording(dir);
    std::ostringstream log;
    Served served({file}, &log);
    auto transport = client();

    http::Exchange x = call(*transport, served.url(),
                            "Action=GetRepo&Limit=30&Offset=0&ProjectId=org-a&ProjectId=org-b&"
                            "Signature=mine&Timestamp=1");
    CHECK(x.response->status == 404);
    REQUIRE(x.response->header("Content-Type"));
    CHECK(x.response->header("Content-Type")->starts_with("application/json"));
    json body = body_of(x);
    INFO(body.dump(2));
    CHECK(body.at("error") == "no recorded exchange matches this request");
    CHECK(body.at("request").at("method") == "GET");
    CHECK(body.at("request").at("path") == "/");
    // The client's own signature is not echoed.
    CHECK(body.at("request").at("query").get<std::string>().find("Signature=REDACTED") !=
          std::string::npos);
    CHECK(body.at("ignored") == json::array({"Signature", "Timestamp"}));
    const json& closest = body.at("closest");
    CHECK(closest.at("recorded") == file.string() + ":1");
    CHECK(closest.at("method") == "GET");
    CHECK(
        closest.at("url").get<std::string>().starts_with("https://api.ucloud.cn/?Action=GetRepo"));
    REQUIRE(closest.at("differences").size() == 1);
    CHECK(closest.at("differences")[0] == json{{"what", "parameter"},
                                               {"name", "Limit"},
                                               {"recorded", json::array({"20"})},
                                               {"requested", json::array({"30"})}});
    CHECK(closest.at("why") == "Limit is \"30\" here but \"20\" in the recording");
    CHECK(body.at("exchanges") == 4);

    // A repeat dropped, a parameter added, another method and path: each named.
    x = call(*transport, served.url(), "Action=GetRepo&Limit=20&Offset=0&ProjectId=org-a&Type=x");
    body = body_of(x);
    CHECK(body.at("closest").at("why") == "ProjectId is \"org-a\" here but [\"org-a\",\"org-b\"] "
                                          "in the recording; Type=\"x\" is here but not in the "
                                          "recording");
    x = call(*transport, served.url("/v2/index.php"), "Action=GetFavor&Region=ap-guangzhou",
             "POST");
    body = body_of(x);
    CHECK(body.at("closest").at("recorded") == file.string() + ":2");
    CHECK(body.at("closest").at("why") == "method is \"POST\" here but \"GET\" in the recording");
    x = call(*transport, served.url("/index.php"), "Action=GetFavor&Region=ap-guangzhou");
    CHECK(body_of(x).at("closest").at("why") ==
          "path is \"/index.php\" here but \"/v2/index.php\" in the recording");
    CHECK(served.playback.unmatched() == 4);
    CHECK(log.str().find("conform serve: 404 GET /?Action=GetRepo&Limit=30") != std::string::npos);
    CHECK(log.str().find("(closest: " + file.string() + ":1: Limit is") != std::string::npos);
}

TEST_CASE("a hand-written line's body is served as the line spells it, forms are matched") {
    test::TempDir dir;
    const auto file = dir / "hand.jsonl";
    // Spacing and member order as written, an escape kept as is, a number as spelled.
    test::spit(file, R"({"request":{"method":"GET","url":"http://h/?Action=Describe&Zone=z1"},)"
                     R"("response":{"status":201,"headers":[["Content-Type","application/json"]],)"
                     R"("body":{ "b" : 1.50,  "a": ["\u00e9", {}] }  }})"
                     "\n"
                     R"({"request":{"method":"POST","url":"http://h/v2/index.php",)"
                     R"("headers":[["Content-Type","application/x-www-form-urlencoded"]],)"
                     R"("body":"Action=GetFavor&offset=20&Signature=abc"},)"
                     R"("response":{"status":200,"body_text":"form page 2"}})"
                     "\n");
    Served served({file});
    auto transport = client();
    http::Exchange x = call(*transport, served.url(), "Zone=z1&Action=Describe");
    CHECK(x.response->status == 201);
    CHECK(x.response->body == R"({ "b" : 1.50,  "a": ["\u00e9", {}] })");

    const http::Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
    x = call(*transport, served.url("/v2/index.php"), "", "POST",
             "Signature=zzz&offset=20&Action=GetFavor", form);
    CHECK(x.response->status == 200);
    CHECK(x.response->body == "form page 2");
    x = call(*transport, served.url("/v2/index.php"), "", "POST", "Action=GetFavor&offset=40",
             form);
    CHECK(x.response->status == 404);
}

TEST_CASE("HAR files are served too, a recorded failure answers 502 as the recorder did") {
    Served served({k_fixtures / "chromium-devtools.har"});
    auto transport = client();
    http::Exchange x = call(*transport, served.url(),
                            "PublicKey=k&Signature=s&Offset=0&Limit=2&ProjectId=org-abc&"
                            "ProjectId=org-def&Action=GetRepo");
    CHECK(x.response->status == 200);
    CHECK(body_of(x).at("TotalCount") == 2);

    x = call(*transport, served.url("/favicon.png"), "");
    CHECK(x.response->status == 200);
    CHECK(x.response->body.starts_with("\x89PNG"));

    // Chromium's status 0 ("_error"): no answer was recorded.
    x = call(*transport, served.url(), "Action=GetRepo&Timestamp=1");
    CHECK(x.response->status == 502);
    CHECK(body_of(x).at("kind") == "connection-closed");

    x = call(*transport, served.url("/nowhere"), "");
    CHECK(x.response->status == 404);
    CHECK(body_of(x)
              .at("closest")
              .at("recorded")
              .get<std::string>()
              .find("chromium-devtools.har#/log/entries/") != std::string::npos);
}

TEST_CASE("run_serve_recordings: URL first, bad lines reported and skipped, exit 2 when it "
          "cannot serve") {
    test::TempDir dir;
    const auto file = dir / "mixed.jsonl";
    test::spit(
        file,
        R"({"request":{"method":"GET","url":"http://h/?Action=A"},"response":{"status":200,"body":{"ok":1}}})"
        "\n"
        "{not json\n"
        R"({"request":{"method":"GET","url":"http://h/?Action=B"},"response":{"status":"200"}})"
        "\n"
        R"({"request":{"method":"GET","url":"http://h/?Action=C"},"response":{"status":200,"body":[1]}})"
        "\n");
    record::ServeRecordingsJob job;
    job.recordings = {file};
    std::atomic<bool> stop{false};
    SharedText out_text, err_text;
    std::ostream out(&out_text), err(&err_text);
    std::optional<core::Result<core::Verdict>> verdict;
    std::thread runner([&] {
        verdict = record::run_serve_recordings(job, record::ServeRecordingsEdges{&stop}, out, err);
    });
    std::string url;
    for (int i = 0; i < 500 && url.empty(); ++i) {
        const std::string text = out_text.text();
        if (const auto nl = text.find('\n'); nl != std::string::npos)
            url = text.substr(0, nl);
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(url.starts_with("http://127.0.0.1:"));
    auto transport = client();
    CHECK(call(*transport, url + "/", "Action=C").response->body == "[1]");
    CHECK(call(*transport, url + "/", "Action=B").response->status == 404);
    stop = true;
    runner.join();
    REQUIRE(verdict);
    CHECK(verdict->value() == core::Verdict::conformant);
    const std::string log = err_text.text();
    INFO(log);
    CHECK(log.find("conform serve: skipped " + file.string() + ":2") != std::string::npos);
    CHECK(log.find("conform serve: skipped " + file.string() + ":3#/response/status") !=
          std::string::npos);
    CHECK(log.find("2 recorded exchanges (2 distinct requests) from 1 file(s), 2 bad line(s) "
                   "skipped") != std::string::npos);
    CHECK(log.find("1 request(s) matched nothing") != std::string::npos);

    // Each an error (`conform serve` exits 2 printing it).
    std::ostringstream o, e;
    auto error_of = [&](const record::ServeRecordingsJob& j) {
        const auto served = record::run_serve_recordings(j, o, e);
        return served ? std::string("(served)") : served.error().message;
    };
    record::ServeRecordingsJob bad = job;
    bad.recordings = {dir / "absent.jsonl"};
    CHECK(error_of(bad).find("absent.jsonl") != std::string::npos);
    bad.recordings = {file, dir / "absent.har"};
    CHECK(error_of(bad) != "(served)");
    const auto empty = dir / "empty.jsonl";
    test::spit(empty, "\n{bad\n");
    bad.recordings = {empty};
    CHECK(error_of(bad).find("no recorded exchange to serve") != std::string::npos);
    bad = job;
    bad.listen = "127.0.0.1:notaport";
    CHECK(error_of(bad).find("notaport") != std::string::npos);
    CHECK(o.str().empty());
}
