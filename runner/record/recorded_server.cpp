// `conform serve --recordings`: recorded exchanges answering requests (recorded_server.hpp).
#include "runner/record/record.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "runner/core/text.hpp"
#include "runner/record/internal/serving.hpp"

namespace conform::record {
// Named, not anonymous: Playback::State (external linkage) holds these types.
namespace matching {

using internal::iequals;
using nlohmann::json;
using Param = std::pair<std::string, std::string>;
using Params = std::vector<Param>; // sorted by name, then value

// SIGNING.md: what a signer adds to every call besides the signature itself.
constexpr std::array<std::string_view, 3> k_signing_params = {"Timestamp", "Nonce",
                                                              "SignatureMethod"};
// A method or path difference weighs as this many differing parameters.
constexpr std::size_t k_structural_weight = 4;

bool is_form_body(const http::Headers& headers) {
    const std::string* type = http::find_header(headers, "Content-Type");
    if (!type)
        return false;
    return core::ascii_lower(*type).starts_with("application/x-www-form-urlencoded");
}

// A query or form as (name, value) pairs, decoded; a query the strict parser refuses is split
// as it stands ('&', then the first '='), so that it can still be matched and shown.
void add_params(std::string_view text, Params& into) {
    if (auto parsed = http::parse_query(text)) {
        for (const http::QueryParam& p : *parsed)
            into.emplace_back(p.name, p.value);
        return;
    }
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t amp = std::min(text.find('&', start), text.size());
        const std::string_view pair = text.substr(start, amp - start);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            into.emplace_back(std::string(pair.substr(0, eq)),
                              eq == std::string_view::npos ? std::string()
                                                           : std::string(pair.substr(eq + 1)));
        }
        start = amp + 1;
    }
}

// The path of an absolute URL ("https://h:1/v2/index.php" -> "/v2/index.php"; none -> "/").
std::string path_of(std::string_view base_url) {
    const auto scheme = base_url.find("://");
    const auto slash = base_url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    return slash == std::string_view::npos ? std::string("/") : std::string(base_url.substr(slash));
}

// What matching compares of one request.
struct RequestShape {
    std::string method;
    std::string path;
    Params params;   // without the ignored names, sorted
    Params ignored;  // the ignored ones it carried, as sent
    std::string key; // method, path and params in one string
};

class Ignored {
public:
    explicit Ignored(std::set<std::string> redacted) : m_redacted(std::move(redacted)) {}
    [[nodiscard]] bool operator()(const std::string& name) const {
        return is_volatile_param(name) || m_redacted.count(name) > 0;
    }

private:
    std::set<std::string> m_redacted; // names whose value is REDACTED in some recording
};

RequestShape shape_of(std::string method, std::string path, std::string_view query,
                      const http::Headers& headers, std::string_view body, const Ignored& ignored) {
    RequestShape s;
    s.method = std::move(method);
    s.path = path.empty() ? std::string("/") : std::move(path);
    Params all;
    add_params(query, all);
    if (!body.empty() && is_form_body(headers))
        add_params(body, all);
    for (Param& p : all)
        (ignored(p.first) ? s.ignored : s.params).push_back(std::move(p));
    std::sort(s.params.begin(), s.params.end());
    s.key = s.method + ' ' + s.path + '?';
    for (const Param& p : s.params)
        s.key += http::percent_encode(p.first) + '=' + http::percent_encode(p.second) + '&';
    return s;
}

std::string quoted(const std::string& text) {
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string values_text(const std::vector<std::string>& values) {
    if (values.size() == 1)
        return quoted(values.front());
    return json(values).dump(-1, ' ', false, json::error_handler_t::replace);
}

// One difference between a request and a recorded one.
struct Difference {
    std::string what; // "method", "path", "parameter"
    std::string name; // the parameter
    std::vector<std::string> recorded, requested;

    [[nodiscard]] json to_json() const {
        json out = {{"what", what}};
        if (what == "parameter") {
            out["name"] = name;
            out["recorded"] = recorded;
            out["requested"] = requested;
        } else {
            out["recorded"] = recorded.front();
            out["requested"] = requested.front();
        }
        return out;
    }
    [[nodiscard]] std::string why() const {
        if (what != "parameter")
            return what + " is " + quoted(requested.front()) + " here but " +
                   quoted(recorded.front()) + " in the recording";
        if (requested.empty())
            return name + "=" + values_text(recorded) + " is in the recording but not here";
        if (recorded.empty())
            return name + "=" + values_text(requested) + " is here but not in the recording";
        return name + " is " + values_text(requested) + " here but " + values_text(recorded) +
               " in the recording";
    }
};

// Differences per parameter name (both lists sorted), method and path first.
std::vector<Difference> differences(const RequestShape& recorded, const RequestShape& requested) {
    std::vector<Difference> out;
    if (recorded.method != requested.method)
        out.push_back({"method", {}, {recorded.method}, {requested.method}});
    if (recorded.path != requested.path)
        out.push_back({"path", {}, {recorded.path}, {requested.path}});
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by_name;
    for (const Param& p : recorded.params)
        by_name[p.first].first.push_back(p.second);
    for (const Param& p : requested.params)
        by_name[p.first].second.push_back(p.second);
    for (auto& [name, values] : by_name)
        if (values.first != values.second)
            out.push_back({"parameter", name, std::move(values.first), std::move(values.second)});
    return out;
}

std::size_t distance(const std::vector<Difference>& found) {
    std::size_t d = 0;
    for (const Difference& x : found)
        d += x.what == "parameter" ? 1 : k_structural_weight;
    return d;
}

// What the server sends for one recorded exchange, made once at load.
struct Answer {
    http::ServerResponse response;
    std::string where; // "live.jsonl:3" or "s.har#/log/entries/2"
    std::string url;   // redacted as recorded
    std::string method;
};

std::string where_of(const Recorded& r) {
    std::string out = r.file.string();
    if (r.line > 0)
        out += ":" + std::to_string(r.line);
    else if (!r.pointer.empty())
        out += "#" + r.pointer;
    return out;
}

http::ServerResponse response_of(const Recorded& r) {
    http::ServerResponse out;
    const http::Exchange& x = r.exchange;
    if (!x.response) {
        // What `conform record` answered the client when the upstream failed (proxy.cpp).
        out.status = 502;
        out.content_type = "application/json";
        const http::TransportFailure failure =
            x.failure.value_or(http::TransportFailure{http::FailureKind::connection_closed, ""});
        out.body = json{{"error", "the upstream did not answer"},
                        {"upstream", r.target.empty() ? x.request.base_url : r.target},
                        {"kind", std::string(http::name_of(failure.kind))},
                        {"message", failure.message}}
                       .dump(-1, ' ', false, json::error_handler_t::replace);
        return out;
    }
    const http::Response& recorded = *x.response;
    out.status = recorded.status;
    out.body = recorded.body;
    internal::copy_answer_headers(recorded.headers, out);
    return out;
}

struct Request {
    RequestShape shape;
    std::vector<std::size_t> answers; // into State::answers, in recorded order
    std::size_t served = 0;           // calls so far (guarded by State::mutex)
};

} // namespace matching

using namespace matching;

bool is_volatile_param(std::string_view name) noexcept {
    return is_secret_name(name) || internal::one_of(name, k_signing_params);
}

core::Result<RecordingsLoad> load_recordings(std::span<const std::filesystem::path> files) {
    RecordingsLoad out;
    for (const std::filesystem::path& file : files) {
        if (core::iequals(file.extension().string(), ".har")) {
            CONFORM_TRY(HarImport har, read_har(file));
            for (Recorded& r : har.entries)
                out.exchanges.push_back(std::move(r));
            for (core::Diagnostic& d : har.bad)
                out.bad.push_back(std::move(d));
            continue;
        }
        CONFORM_TRY(RecordingReader reader, RecordingReader::open(file));
        for (;;) {
            auto next = reader.next();
            if (!next) {
                out.bad.push_back(std::move(next).error());
                continue;
            }
            if (!*next)
                break;
            out.exchanges.push_back(std::move(**next));
        }
    }
    return out;
}

struct Playback::State {
    std::vector<Answer> answers;
    std::vector<Request> requests; // in order of their first recorded exchange
    std::unordered_map<std::string, std::size_t> by_key;
    Ignored ignored{{}};
    std::ostream* log = nullptr;
    std::mutex mutex; // served counters, unmatched, log
    std::size_t unmatched = 0;

    http::ServerResponse miss(const RequestShape& shape, const http::ServerRequest& in);
};

Playback::Playback(std::vector<Recorded> exchanges, std::ostream* log)
    : m_state(std::make_unique<State>()) {
    State& s = *m_state;
    s.log = log;
    // A name the recorder redacted is volatile wherever it appears.
    std::set<std::string> redacted;
    for (const Recorded& r : exchanges)
        for (const http::QueryParam& p : r.exchange.request.query)
            if (p.value == k_redacted)
                redacted.insert(p.name);
    s.ignored = Ignored(std::move(redacted));
    s.answers.reserve(exchanges.size());
    for (const Recorded& r : exchanges) {
        const http::Request& q = r.exchange.request;
        std::string query = q.raw_query ? *q.raw_query : http::encode_query(q.query);
        RequestShape shape =
            shape_of(q.method, path_of(q.base_url), query, q.headers, q.body, s.ignored);
        s.answers.push_back({response_of(r), where_of(r), redacted_url(q), q.method});
        auto [at, added] = s.by_key.try_emplace(shape.key, s.requests.size());
        if (added)
            s.requests.push_back({std::move(shape), {}, 0});
        s.requests[at->second].answers.push_back(s.answers.size() - 1);
    }
}

Playback::Playback(Playback&&) noexcept = default;
Playback& Playback::operator=(Playback&&) noexcept = default;
Playback::~Playback() = default;

std::size_t Playback::exchanges() const noexcept {
    return m_state->answers.size();
}

std::size_t Playback::requests() const noexcept {
    return m_state->requests.size();
}

std::size_t Playback::unmatched() const noexcept {
    const std::lock_guard lock(m_state->mutex);
    return m_state->unmatched;
}

http::ServerResponse Playback::answer(const http::ServerRequest& in) {
    State& s = *m_state;
    const RequestShape shape =
        shape_of(in.method, in.path, in.raw_query, in.headers, in.body, s.ignored);
    const auto found = s.by_key.find(shape.key);
    if (found == s.by_key.end())
        return s.miss(shape, in);
    Request& request = s.requests[found->second];
    std::size_t index = 0;
    {
        const std::lock_guard lock(s.mutex);
        // In recorded order, then the last one for every later call.
        index = std::min(request.served, request.answers.size() - 1);
        ++request.served;
    }
    return s.answers[request.answers[index]].response;
}

http::ServerResponse Playback::State::miss(const RequestShape& shape,
                                           const http::ServerRequest& in) {
    const std::string query = redact_raw_query(in.raw_query);
    json body = {{"error", "no recorded exchange matches this request"},
                 {"request", {{"method", in.method}, {"path", shape.path}, {"query", query}}}};
    json ignored_names = json::array();
    for (const Param& p : shape.ignored)
        if (std::find(ignored_names.begin(), ignored_names.end(), p.first) == ignored_names.end())
            ignored_names.push_back(p.first);
    body["ignored"] = std::move(ignored_names);

    const Request* closest = nullptr;
    std::vector<Difference> closest_differences;
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const Request& r : requests) { // in recorded order: the first wins a tie
        std::vector<Difference> found = differences(r.shape, shape);
        const std::size_t d = distance(found);
        if (d < best) {
            best = d;
            closest = &r;
            closest_differences = std::move(found);
        }
    }
    std::string why;
    if (closest) {
        const Answer& a = answers[closest->answers.front()];
        json listed = json::array();
        for (const Difference& d : closest_differences) {
            listed.push_back(d.to_json());
            why += (why.empty() ? "" : "; ") + d.why();
        }
        body["closest"] = {{"recorded", a.where},
                           {"method", a.method},
                           {"url", a.url},
                           {"differences", std::move(listed)},
                           {"why", why}};
    } else {
        body["closest"] = nullptr;
    }
    body["exchanges"] = answers.size();

    http::ServerResponse out;
    out.status = 404;
    out.content_type = "application/json";
    out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    const std::lock_guard lock(mutex);
    ++unmatched;
    if (log) {
        *log << "conform serve: 404 " << in.method << ' ' << shape.path
             << (query.empty() ? "" : "?") << query;
        if (closest)
            *log << " (closest: " << answers[closest->answers.front()].where << ": " << why << ')';
        *log << std::endl;
    }
    return out;
}

core::Result<std::unique_ptr<http::Server>> start_playback(Playback& playback,
                                                           const http::ServerOptions& options) {
    return http::Server::start(
        options, [&playback](const http::ServerRequest& r) { return playback.answer(r); });
}

core::Result<core::Verdict> run_serve_recordings(const ServeRecordingsJob& job, std::ostream& out,
                                                 std::ostream& err) {
    return run_serve_recordings(job, ServeRecordingsEdges{}, out, err);
}

// Errors are returned as the text `conform serve` prints after its prefix.
core::Result<core::Verdict> run_serve_recordings(const ServeRecordingsJob& job,
                                                 const ServeRecordingsEdges& edges,
                                                 std::ostream& out, std::ostream& err) {
    if (job.recordings.empty())
        return core::fail("--recordings needs at least one file");
    auto listen = http::parse_listen(job.listen);
    if (!listen)
        return core::fail(listen.error().message);
    listen->tls = job.tls;
    listen->threads = job.threads;

    auto loaded = load_recordings(job.recordings);
    if (!loaded) // the reader's open() names the file in its message, without a location
        return core::fail(loaded.error().where.file.empty() ? loaded.error().message
                                                            : loaded.error().to_string());
    for (const core::Diagnostic& bad : loaded->bad)
        err << "conform serve: skipped " << bad.to_string() << '\n';
    if (loaded->exchanges.empty())
        return core::fail("no recorded exchange to serve in the " +
                          std::to_string(job.recordings.size()) + " recording(s) given");
    const std::size_t bad_count = loaded->bad.size();
    Playback playback(std::move(loaded->exchanges), &err);

    http::StopSignals signals; // before the server starts (see StopSignals)
    auto server = start_playback(playback, *listen);
    if (!server)
        return core::fail(server.error().to_string());

    out << (*server)->base_url() << std::endl;
    err << "conform serve: " << playback.exchanges() << " recorded exchanges ("
        << playback.requests() << " distinct requests) from " << job.recordings.size()
        << " file(s)";
    if (bad_count > 0)
        err << ", " << bad_count << " bad line(s) skipped";
    err << '\n';
    if (auto served = http::serve_until_stopped(
            **server, signals, {"conform serve", job.tls, job.certificate_out, edges.stop}, err);
        !served)
        return core::fail(served.error().message);
    err << "conform serve: stopped; " << playback.unmatched() << " request(s) matched nothing\n";
    return core::Verdict::conformant;
}

} // namespace conform::record
