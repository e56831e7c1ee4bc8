// Malformed requests against the reference server on a real socket (issue 7): each gets a clean
// refusal — an HTTP 4xx from the listener, or the contract's error envelope — never a crash or
// a hang, and the server goes on answering well-formed requests.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "runner/http/server.hpp"
#include "runner/serve/serve.hpp"
#include "tests/hostile/hostile_server.hpp"
#include "tests/serve/serve_support.hpp"

namespace http = conform::http;
namespace serve = conform::serve;
using namespace std::chrono_literals;

namespace {

struct Case {
    std::string name;
    std::string request; // the bytes on the wire
};

std::string get(const std::string& target, const std::string& headers = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
           "Connection: close\r\n\r\n";
}

std::vector<Case> malformed_requests() {
    std::vector<Case> out;
    out.push_back({"garbage query", get("/?%%%&&==&=&a=b=c&&Action")});
    out.push_back({"invalid percent-encoding", get("/?Action=%ZZ%4&Limit=%")});
    out.push_back(
        {"percent-encoded NUL and invalid UTF-8", get("/?Action=GetRepo%00&Name=%FF%FE%C3%28")});
    out.push_back({"raw non-UTF-8 bytes in the target", get("/?Action=\xff\xfe\x80&X=\xc3\x28")});
    out.push_back({"a 100 KB header line",
                   get("/?Action=GetRepo", "X-Huge: " + std::string(100000, 'h') + "\r\n")});
    std::string many;
    for (int i = 0; i < 100; ++i)
        many += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'f') + "\r\n";
    out.push_back({"100 KB of headers in 100 lines", get("/?Action=GetRepo", many)});
    std::string params = "/?Action=GetRepo";
    for (int i = 0; i < 10000; ++i)
        params += "&P" + std::to_string(i) + "=" + std::to_string(i);
    out.push_back({"10,000 parameters", get(params)});
    std::string few = "/?Action=GetRepo";
    for (int i = 0; i < 1000; ++i)
        few += "&A=" + std::to_string(i % 10);
    if (few.size() > 8000)
        few.resize(8000);
    out.push_back({"1,000 repeats of one parameter (under 8 KB)", get(few)});
    static constexpr char k_tls_hello[] =
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n";
    out.push_back(
        {"not HTTP (a TLS hello, NUL bytes)", std::string(k_tls_hello, sizeof k_tls_hello - 1)});
    out.push_back({"no request line", "\r\n\r\n\r\n"});
    out.push_back({"a header without a colon", get("/?Action=GetRepo", "NoColonHere\r\n")});
    out.push_back({"a body far over the limit, announced",
                   "POST /?Action=GetRepo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                   "1073741824\r\nConnection: close\r\n\r\n" +
                       std::string(65536, 'b')});
    std::string chunked = "POST /?Action=GetRepo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < 64; ++i)
        chunked += conform::test::chunk(std::string(65536, 'c'));
    out.push_back({"a chunked body over the limit", chunked + "0\r\n\r\n"});
    out.push_back({"an endless chunk-size line",
                   "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       std::string(3 << 20, 'f')});
    out.push_back({"an unknown method", "BREW /?Action=GetRepo HTTP/1.1\r\nHost: x\r\n\r\n"});
    out.push_back({"HTTP/9.9", "GET /?Action=GetRepo HTTP/9.9\r\nHost: x\r\n\r\n"});
    return out;
}

// A clean refusal: a 4xx from the listener, or a 200 whose body is the contract's envelope
// (JSON with the contract's status field), and never a 5xx.
bool clean_refusal(const conform::test::RawAnswer& a) {
    if (a.status >= 400 && a.status < 500)
        return true;
    if (a.status != 200)
        return false;
    const auto body_at = a.bytes.find("\r\n\r\n");
    if (body_at == std::string::npos)
        return false;
    const auto body = nlohmann::json::parse(a.bytes.substr(body_at + 4), nullptr, false);
    return body.is_object() && !body.empty();
}

} // namespace

TEST_CASE("reference: malformed requests get clean refusals and the server survives",
          "[hostile][serve]") {
    const auto& contract =
        conform::test::seed_contract(GENERATE(as<std::string>{}, "ucloud-uhub", "tencent-ccr"));
    auto reference = serve::make_reference(contract, conform::test::seed_fixtures(contract), {});
    REQUIRE(reference.has_value());
    auto server =
        serve::start_reference(*reference, {.host = "127.0.0.1", .port = 0, .threads = 4});
    REQUIRE(server.has_value());
    const std::uint16_t port = (*server)->port();

    for (const Case& c : malformed_requests()) {
        INFO(contract.name << ": " << c.name);
        const auto start = std::chrono::steady_clock::now();
        const conform::test::RawAnswer answer = conform::test::raw_request(port, c.request, 3s);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        INFO("status " << answer.status << ", " << answer.bytes.size()
                       << " bytes: " << answer.bytes.substr(0, 300));
        if (std::getenv("CONFORM_HOSTILE_VERBOSE"))
            std::fprintf(
                stderr, "%-12s %-45s -> %3d %s (%lld ms)\n", contract.name.c_str(), c.name.c_str(),
                answer.status, answer.status == 0 ? (answer.closed ? "closed" : "no answer") : "",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
        // Either a clean refusal, or (only where no request could be read at all) a close.
        CHECK((clean_refusal(answer) || (answer.status == 0 && answer.closed)));
        CHECK(elapsed < 2500ms); // the server answered or hung up; it did not wait us out

        // Still alive, still right.
        const auto probe = conform::test::raw_request(port, get("/?Action=NoSuchAction"), 3s);
        CHECK(probe.status == 200);
        CHECK(clean_refusal(probe));
    }
}
