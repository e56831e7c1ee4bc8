#pragma once
// conform::record proxy — `conform record`: a recording reverse proxy. Clients (an SDK, curl,
// a browser) call it instead of the API; it forwards each request to the upstream unchanged
// (same method, the path appended to the upstream's path, the raw query byte for byte so that
// signatures stay valid, the headers but hop-by-hop ones and Host), answers with the
// upstream's answer unchanged, and appends the redacted exchange to a recording before it
// answers (what a client saw is on disk). An upstream that fails is answered 502 with a JSON
// body saying why, and recorded as the failure.
//
//   CONFORM_TRY(auto writer, RecordingWriter::open("live.jsonl"));
//   CONFORM_TRY(auto transport, http::make_transport(client_options));
//   ProxyOptions options{.upstream = "https://api.ucloud.cn", .contract = &contract};
//   CONFORM_TRY(auto proxy, RecordingProxy::start(options, *transport, writer));
//   call(proxy->base_url() + "/?Action=GetRepo&...");
//   proxy->stop();

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "runner/contract/contract.hpp"
#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/http/http.hpp"
#include "runner/http/server.hpp"
#include "runner/record/internal/recording.hpp"

namespace conform::record {

struct ProxyOptions {
    std::string upstream; // http(s)://host[:port][/base path], no query
    http::ServerOptions listen;
    // When set, every exchange is recorded as this contract's, with the operation its routing
    // parameter names (left empty when it names none).
    const contract::Contract* contract = nullptr;
    bool preserve_host = false;  // forward the client's Host instead of the upstream's (a
                                 // Tencent v2 signature covers the host it was signed for)
    std::ostream* log = nullptr; // one line per failed write of the recording; nullptr: none
};

// Hop-by-hop headers (RFC 9110 7.6.1), never forwarded in either direction.
[[nodiscard]] bool is_hop_by_hop(std::string_view name) noexcept;

class RecordingProxy {
public:
    // Fails naming the upstream when it is not an http(s) URL without a query, or naming
    // host:port when it cannot listen. transport and writer must outlive the proxy.
    [[nodiscard]] static core::Result<std::unique_ptr<RecordingProxy>>
    start(ProxyOptions options, http::Transport& transport, RecordingWriter& writer);
    virtual ~RecordingProxy() = default;

    [[nodiscard]] virtual std::string base_url() const = 0;  // "http://127.0.0.1:40123"
    [[nodiscard]] virtual std::size_t exchanges() const = 0; // recorded so far
    [[nodiscard]] virtual std::size_t write_failures() const = 0;
    virtual void wait() = 0; // until stop(), or http::Server::signal_stop()
    virtual void stop() = 0;
};

// ---- `conform record --upstream URL --listen HOST:PORT --out FILE [--contract NAME]` ----

struct RecordJob {
    std::string upstream;
    std::string listen = "127.0.0.1:0"; // HOST:PORT, [IPv6]:PORT or :PORT (loopback)
    std::filesystem::path out;
    std::string contract; // empty: exchanges are recorded without contract and operation
    std::optional<std::filesystem::path> schemas_dir; // default: contract::default_schemas_dir()
    std::optional<std::filesystem::path> ca_file;     // --cacert for an HTTPS upstream
    bool insecure = false;
    bool preserve_host = false;
    bool fsync = false;
    int threads = 8;
    std::chrono::milliseconds timeout{30000}; // the longest wait for the upstream's answer
};

struct RecordEdges {
    // Tests stop the proxy by setting this; SIGINT and SIGTERM always stop it too.
    const std::atomic<bool>* stop = nullptr;
};

// Prints the listening URL as the first line of out, then blocks until SIGINT or SIGTERM
// (handlers installed here call http::Server::signal_stop(); the previous ones are restored)
// and prints on err how many exchanges it recorded. Returns conformant when stopped cleanly;
// a usage or configuration error (bad --upstream or --listen, unknown contract, unreadable
// --cacert, a recording that cannot be opened, a port that cannot be bound) is the Diagnostic,
// its message the whole text to print after "conform record: ".
[[nodiscard]] core::Result<core::Verdict> run_record(const RecordJob& job, std::ostream& out,
                                                     std::ostream& err);
[[nodiscard]] core::Result<core::Verdict> run_record(const RecordJob& job, const RecordEdges& edges,
                                                     std::ostream& out, std::ostream& err);

} // namespace conform::record
