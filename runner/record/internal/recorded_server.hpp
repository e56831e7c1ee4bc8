#pragma once
// conform::record recorded server — `conform serve --recordings FILE...`: recorded reality on
// a socket. An SDK's tests call it instead of the cloud and get what the cloud really answered
// when the exchanges were recorded (`conform record`, a HAR from a browser or a proxy).
//
//   CONFORM_TRY(RecordingsLoad loaded, load_recordings({"live.jsonl", "session.har"}));
//   for (const core::Diagnostic& bad : loaded.bad) warn(bad);     // "live.jsonl:17: ..."
//   Playback playback(std::move(loaded.exchanges));
//   CONFORM_TRY(auto server, start_playback(playback, {.host = "127.0.0.1", .port = 0}));
//   call((*server)->base_url() + "/?Action=GetRepo&Limit=20&Signature=anything");
//
// Matching. A request matches a recorded exchange when all three agree:
// - the method, exactly;
// - the path as received (not decoded) and the recorded URL's path ("/" when it has none); the
//   host is never compared (the SDK calls loopback, the recording names the cloud);
// - the parameters: the query's, plus an application/x-www-form-urlencoded body's (Tencent v2
//   takes POST forms), as a multiset of (name, value) — order does not matter, repeats do
//   ("ProjectId=a&ProjectId=b" is not "ProjectId=a"). Values are compared decoded.
//   Left out on both sides: the volatile parameters (is_volatile_param: the redaction table
//   k_secret_names with Signature, and Timestamp, Nonce, SignatureMethod), and every name whose
//   value is REDACTED somewhere in the loaded recordings.
// The request body is compared only when it is a form. Headers are never compared.
//
// Several recorded exchanges for one request are answered in recorded order (files in the
// order given, lines in file order), then the last one again for every later call: a paging
// walk or a retry sequence plays back as it happened, and a test that calls once more than was
// recorded still gets an answer. The sequence is per distinct request, shared by all clients.
//
// The answer is the recorded one: status, headers in order except hop-by-hop ones (and those a
// Connection header names), Content-Length (the server counts) and a Content-Encoding the
// recorder had undone, and the body byte for byte as the recording holds it (a JSON body as the
// line spells it; the writer stores a body that parses as JSON parsed, so member order and
// spacing are the writer's, not the wire's). A recorded transport failure is answered 502 with
// the JSON body `conform record` gave the client then ({"error", "upstream", "kind", "message"}).
//
// No match: 404, application/json:
//   {"error": "no recorded exchange matches this request",
//    "request": {"method": "GET", "path": "/",
//                "query": "Action=GetRepo&Limit=30&Signature=REDACTED"},
//    "ignored": ["Signature", "Timestamp"],        // volatile parameters this request carried
//    "closest": {"recorded": "live.jsonl:3", "method": "GET",
//                "url": "https://api.ucloud.cn/?Action=GetRepo&Limit=20&Signature=REDACTED",
//                "differences": [{"what": "parameter", "name": "Limit",
//                                 "recorded": ["20"], "requested": ["30"]}],
//                "why": "Limit is \"30\" here but \"20\" in the recording"},
//    "exchanges": 42}
// "what" is "method", "path" or "parameter" (a side without the parameter has []). The closest
// exchange is the one with the fewest differences (a method or path difference weighs as four
// parameters), the first recorded on a tie.

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/http/server.hpp"
#include "runner/record/internal/recording.hpp"

namespace conform::record {

// Parameters that change with every call, or that the recorder redacted: never matched
// (case-insensitive). k_secret_names, and Timestamp, Nonce, SignatureMethod (SIGNING.md).
[[nodiscard]] bool is_volatile_param(std::string_view name) noexcept;

struct RecordingsLoad {
    std::vector<Recorded> exchanges;   // in order: files as given, lines or entries in order
    std::vector<core::Diagnostic> bad; // lines (file:line) and HAR entries (file#pointer) skipped
};

// JSONL through RecordingReader, a .har file (by its extension) through read_har. Fails naming
// the file when one cannot be opened, or is a .har that is not a HAR document; a bad line or
// entry is only counted in bad.
[[nodiscard]] core::Result<RecordingsLoad>
load_recordings(std::span<const std::filesystem::path> files);

// The recorded exchanges as a pure request -> response table; answer() is thread-safe.
class Playback {
public:
    // log: one line per unmatched request (what came, the closest and why); nullptr: none.
    explicit Playback(std::vector<Recorded> exchanges, std::ostream* log = nullptr);
    Playback(Playback&&) noexcept;
    Playback& operator=(Playback&&) noexcept;
    ~Playback();

    [[nodiscard]] http::ServerResponse answer(const http::ServerRequest& request);
    [[nodiscard]] std::size_t exchanges() const noexcept; // held
    [[nodiscard]] std::size_t requests() const noexcept;  // distinct requests among them
    [[nodiscard]] std::size_t unmatched() const noexcept; // requests answered 404 so far

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// playback must outlive the server.
[[nodiscard]] core::Result<std::unique_ptr<http::Server>>
start_playback(Playback& playback, const http::ServerOptions& options);

// ---- `conform serve --recordings FILE... [--listen HOST:PORT] [--tls] [--cert-out FILE]` ----

struct ServeRecordingsJob {
    std::vector<std::filesystem::path> recordings;
    std::string listen = "127.0.0.1:0"; // HOST:PORT, [IPv6]:PORT or :PORT (loopback)
    bool tls = false;
    std::optional<std::filesystem::path> certificate_out; // --tls: write the PEM here
    int threads = 8;
};

struct ServeRecordingsEdges {
    // Tests stop the server by setting this; SIGINT and SIGTERM always stop it too.
    const std::atomic<bool>* stop = nullptr;
};

// Loads the recordings (each bad line on err as file:line, skipped), prints the listening URL
// as the first line of out and how many exchanges it serves on err, answers until SIGINT or
// SIGTERM, then prints how many requests went unmatched. Returns conformant when stopped
// cleanly; a usage or configuration error (a recording that cannot be opened, no exchange at
// all, a bad --listen, a port that cannot be bound, a certificate that cannot be written) is
// the Diagnostic, its message the whole text to print after "conform serve: ".
[[nodiscard]] core::Result<core::Verdict>
run_serve_recordings(const ServeRecordingsJob& job, std::ostream& out, std::ostream& err);
[[nodiscard]] core::Result<core::Verdict> run_serve_recordings(const ServeRecordingsJob& job,
                                                               const ServeRecordingsEdges& edges,
                                                               std::ostream& out,
                                                               std::ostream& err);

} // namespace conform::record
