// JSONL recordings: one exchange per line (recording.hpp; schemas/recording.schema.json).
// The writer appends each redacted line with one write(2) on an O_APPEND descriptor, so a
// crash leaves whole lines behind; the reader streams with a bounded line buffer and turns
// every bad line into a Diagnostic naming file:line, then goes on.
#include "runner/record/record.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/core/json_parse.hpp"
#include "runner/core/text.hpp"
#include "runner/record/internal/byte_source.hpp"
#include "runner/record/internal/encoding.hpp"
#include "runner/record/internal/fast_line.hpp"

namespace conform::record {
namespace {

using nlohmann::json;

// A JSON body is kept as JSON up to this depth (the reader allows a few levels for the line).
constexpr std::size_t k_body_depth = 256;
constexpr std::size_t k_read_chunk = 64 * 1024;

std::string errno_text() {
    return std::strerror(errno);
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty() || text.size() < what.size())
        return;
    std::size_t at = 0;
    while ((at = text.find(what, at)) != std::string::npos) {
        text.replace(at, what.size(), with);
        at += with.size();
    }
}

// How a credential may be spelled in a line: as is, percent-encoded (either hex case, as a
// query or a form body carries it), and form-encoded with '+' for spaces.
std::vector<std::string> spellings(std::span<const std::string> scrub) {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end())
            out.push_back(std::move(s));
    };
    for (const std::string& value : scrub) {
        if (value.empty())
            continue;
        add(value);
        const std::string upper = http::percent_encode(value);
        add(upper);
        std::string lower = upper;
        for (std::size_t i = 0; i < lower.size(); ++i)
            if (lower[i] == '%' && i + 2 < lower.size()) {
                lower[i + 1] = core::ascii_lower(lower[i + 1]);
                lower[i + 2] = core::ascii_lower(lower[i + 2]);
            }
        add(lower);
        std::string form = upper;
        replace_all(form, "%20", "+");
        add(form);
    }
    // Longest first, so that a spelling that contains another is replaced whole.
    std::sort(out.begin(), out.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return out;
}

void scrub_string(std::string& text, const std::vector<std::string>& forms) {
    for (const std::string& form : forms)
        replace_all(text, form, k_redacted);
}

void scrub_tree(json& value, const std::vector<std::string>& forms) {
    if (value.is_string()) {
        scrub_string(value.get_ref<std::string&>(), forms);
    } else if (value.is_array()) {
        for (json& item : value)
            scrub_tree(item, forms);
    } else if (value.is_object()) {
        json out = json::object();
        for (auto& [key, member] : value.items()) {
            std::string name = key;
            scrub_string(name, forms);
            scrub_tree(member, forms);
            out[name] = std::move(member);
        }
        value = std::move(out);
    }
}

json pairs(const http::Headers& headers) {
    json out = json::array();
    for (const http::Header& h : headers)
        out.push_back(json::array({h.name, h.value}));
    return out;
}

// A body as text when it is UTF-8, else base64.
void put_text(json& into, const char* text_key, const std::string& body) {
    if (internal::is_utf8(body)) {
        into[text_key] = body;
    } else {
        into[text_key] = internal::base64_encode(body);
        into["body_encoding"] = "base64";
    }
}

// ---- Reading one line's shape ----

class Shape {
public:
    Shape(const std::filesystem::path& file, std::size_t line)
        : m_file(file.string()), m_line(line) {}

    [[nodiscard]] core::Unexpected<core::Diagnostic> bad(std::string pointer,
                                                         std::string message) const {
        core::Location where;
        where.file = m_file;
        where.line = m_line;
        where.pointer = std::move(pointer);
        where.has_pointer = true;
        return core::fail(std::move(message), std::move(where));
    }

    // An optional string member; false (with error set) when present and not a string.
    core::Result<std::string> string(const json& object, const char* key, std::string pointer,
                                     bool required = false) const {
        const auto found = object.find(key);
        if (found == object.end()) {
            if (required)
                return bad(pointer, std::string("\"") + key + "\" is missing");
            return std::string();
        }
        if (!found->is_string())
            return bad(pointer + "/" + key,
                       std::string("\"") + key + "\" must be a string, not " + found->type_name());
        return found->get<std::string>();
    }

    core::Result<http::Headers> headers(const json& object, const std::string& pointer) const {
        http::Headers out;
        const auto found = object.find("headers");
        if (found == object.end())
            return out;
        if (!found->is_array())
            return bad(pointer + "/headers", "\"headers\" must be an array of [name, value] pairs");
        for (std::size_t i = 0; i < found->size(); ++i) {
            const json& pair = (*found)[i];
            if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() ||
                !pair[1].is_string())
                return bad(pointer + "/headers/" + std::to_string(i),
                           "a header is a [name, value] pair of strings");
            out.push_back({pair[0].get<std::string>(), pair[1].get<std::string>()});
        }
        return out;
    }

    // "body_text"/"body" + "body_encoding" -> bytes.
    core::Result<std::string> text_body(const json& object, const char* key,
                                        const std::string& pointer) const {
        CONFORM_TRY(std::string text, string(object, key, pointer));
        CONFORM_TRY(std::string encoding, string(object, "body_encoding", pointer));
        if (encoding.empty() || encoding == "utf-8")
            return text;
        if (encoding != "base64")
            return bad(pointer + "/body_encoding",
                       "\"body_encoding\" is \"utf-8\" or \"base64\", not \"" + encoding + "\"");
        auto bytes = internal::base64_decode(text);
        if (!bytes)
            return bad(pointer + "/" + key, "not valid base64");
        return std::move(*bytes);
    }

private:
    std::string m_file;
    std::size_t m_line;
};

core::Result<http::QueryParams> query_pairs(const Shape& shape, const json& request) {
    http::QueryParams out;
    const auto found = request.find("query");
    if (found == request.end())
        return out;
    if (!found->is_array())
        return shape.bad("/request/query", "\"query\" must be an array of [name, value] pairs");
    for (std::size_t i = 0; i < found->size(); ++i) {
        const json& pair = (*found)[i];
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            return shape.bad("/request/query/" + std::to_string(i),
                             "a query parameter is a [name, value] pair of strings");
        out.add(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    return out;
}

} // namespace

// ---- Redaction ----

std::vector<std::string> credential_values(const http::Environment& environment) {
    std::vector<std::string> out;
    for (std::string_view name : k_credential_env)
        if (auto value = environment.get(name); value && !value->empty())
            out.push_back(std::move(*value));
    return out;
}

void scrub_json(nlohmann::json& value, std::span<const std::string> scrub) {
    const auto forms = spellings(scrub);
    if (!forms.empty())
        scrub_tree(value, forms);
}

Recorded redacted(const Recorded& recorded, std::span<const std::string> scrub) {
    Recorded out = recorded;
    const auto forms = spellings(scrub);
    auto clean = [&](std::string& s) { scrub_string(s, forms); };

    http::Request& request = out.exchange.request;
    request.query = redact(recorded.exchange.request.query);
    if (request.raw_query)
        request.raw_query = redact_raw_query(*request.raw_query);
    request.headers = redact(recorded.exchange.request.headers);
    if (!forms.empty()) {
        http::QueryParams query;
        for (const http::QueryParam& p : request.query) {
            std::string name = p.name, value = p.value;
            clean(name);
            clean(value);
            query.add(std::move(name), std::move(value));
        }
        request.query = std::move(query);
        if (request.raw_query)
            clean(*request.raw_query);
        clean(request.base_url);
        clean(request.method);
        for (http::Header& h : request.headers) {
            clean(h.name);
            clean(h.value);
        }
        clean(request.body);
    }
    if (out.exchange.response) {
        out.exchange.response->headers = redact(out.exchange.response->headers);
        if (!forms.empty()) {
            for (http::Header& h : out.exchange.response->headers) {
                clean(h.name);
                clean(h.value);
            }
            clean(out.exchange.response->body);
        }
    }
    if (!forms.empty()) {
        if (out.exchange.failure)
            clean(out.exchange.failure->message);
        for (std::string* s :
             {&out.time, &out.contract, &out.operation, &out.case_name, &out.target})
            clean(*s);
        scrub_tree(out.source, forms);
    }
    return out;
}

// ---- One line <-> Recorded ----

nlohmann::json to_json(const Recorded& recorded) {
    json j = json::object();
    const http::Exchange& x = recorded.exchange;
    if (!recorded.time.empty())
        j["time"] = recorded.time;
    else if (x.started.time_since_epoch().count() != 0)
        j["time"] = internal::format_time(x.started);
    if (!recorded.contract.empty())
        j["contract"] = recorded.contract;
    if (!recorded.operation.empty())
        j["operation"] = recorded.operation;
    if (!recorded.case_name.empty())
        j["case"] = recorded.case_name;
    if (!recorded.target.empty())
        j["target"] = recorded.target;

    json request = {{"method", x.request.method}, {"url", x.request.url()}};
    if (!x.request.query.empty()) {
        json query = json::array();
        for (const http::QueryParam& p : x.request.query)
            query.push_back(json::array({p.name, p.value}));
        request["query"] = std::move(query);
    }
    if (!x.request.headers.empty())
        request["headers"] = pairs(x.request.headers);
    if (!x.request.body.empty())
        put_text(request, "body", x.request.body);
    j["request"] = std::move(request);

    if (x.response) {
        json response = {{"status", x.response->status}};
        if (!x.response->headers.empty())
            response["headers"] = pairs(x.response->headers);
        const std::string& body = x.response->body;
        if (!body.empty()) {
            auto parsed = core::parse_json(body, {}, core::ParseLimits{k_body_depth});
            if (parsed)
                response["body"] = std::move(*parsed);
            else
                put_text(response, "body_text", body);
        }
        j["response"] = std::move(response);
    }
    if (x.failure)
        j["failure"] = {{"kind", std::string(http::name_of(x.failure->kind))},
                        {"message", x.failure->message}};
    if (x.seconds > 0)
        j["seconds"] = x.seconds;
    if (!recorded.source.is_null())
        j["source"] = recorded.source;
    return j;
}

core::Result<Recorded> from_json(const nlohmann::json& line, const std::filesystem::path& file,
                                 std::size_t line_number) {
    const Shape shape(file, line_number);
    if (!line.is_object())
        return shape.bad("",
                         std::string("a recording line is a JSON object, not ") + line.type_name());
    Recorded out;
    out.file = file;
    out.line = line_number;
    CONFORM_TRY(out.time, shape.string(line, "time", ""));
    CONFORM_TRY(out.contract, shape.string(line, "contract", ""));
    CONFORM_TRY(out.operation, shape.string(line, "operation", ""));
    CONFORM_TRY(out.case_name, shape.string(line, "case", ""));
    CONFORM_TRY(out.target, shape.string(line, "target", ""));
    if (!out.time.empty()) {
        auto started = internal::parse_time(out.time);
        if (!started)
            return shape.bad("/time",
                             "\"time\" is not an ISO 8601 time with a zone: \"" + out.time + "\"");
        out.exchange.started = *started;
    }

    // request
    const auto request_it = line.find("request");
    if (request_it == line.end() || !request_it->is_object())
        return shape.bad(request_it == line.end() ? "" : "/request",
                         "\"request\" must be an object with \"method\" and \"url\"");
    const json& request = *request_it;
    http::Request& r = out.exchange.request;
    CONFORM_TRY(r.method, shape.string(request, "method", "/request", true));
    if (r.method.empty())
        return shape.bad("/request/method", "\"method\" is empty");
    CONFORM_TRY(std::string url, shape.string(request, "url", "/request", true));
    const std::string bare = url.substr(0, url.find('#'));
    const auto scheme = bare.find("://");
    if (scheme == std::string::npos || scheme == 0)
        return shape.bad("/request/url", "not an absolute URL: \"" + bare + "\"");
    CONFORM_TRY(http::QueryParams listed, query_pairs(shape, request));
    (void)internal::set_request_url(r, bare, [&] { return std::move(listed); }); // absolute
    CONFORM_TRY(r.headers, shape.headers(request, "/request"));
    CONFORM_TRY(r.body, shape.text_body(request, "body", "/request"));

    // response or failure
    const auto response_it = line.find("response");
    const auto failure_it = line.find("failure");
    if (response_it != line.end()) {
        if (!response_it->is_object())
            return shape.bad("/response", "\"response\" must be an object");
        const json& response = *response_it;
        http::Response answer;
        const auto status = response.find("status");
        if (status == response.end())
            return shape.bad("/response", "\"status\" is missing");
        if (!status->is_number_integer() || status->get<std::int64_t>() < 0 ||
            status->get<std::int64_t>() > 999)
            return shape.bad("/response/status", "\"status\" must be an integer from 0 to 999");
        answer.status = status->get<int>();
        CONFORM_TRY(answer.headers, shape.headers(response, "/response"));
        const auto body = response.find("body");
        if (body != response.end() && response.contains("body_text"))
            return shape.bad("/response", "\"body\" and \"body_text\" exclude each other");
        if (body != response.end()) {
            answer.body = body->dump(-1, ' ', false, json::error_handler_t::replace);
        } else {
            CONFORM_TRY(answer.body, shape.text_body(response, "body_text", "/response"));
        }
        out.exchange.response = std::move(answer);
    } else if (failure_it == line.end()) {
        return shape.bad("", "a line holds a \"response\" or a \"failure\"");
    }
    if (failure_it != line.end()) {
        if (out.exchange.response)
            return shape.bad("/failure", "\"failure\" and \"response\" exclude each other");
        if (!failure_it->is_object())
            return shape.bad("/failure", "\"failure\" must be an object with \"kind\"");
        CONFORM_TRY(std::string kind, shape.string(*failure_it, "kind", "/failure", true));
        CONFORM_TRY(std::string message, shape.string(*failure_it, "message", "/failure"));
        const auto info =
            std::find_if(http::k_failure_kinds.begin(), http::k_failure_kinds.end(),
                         [&](const http::FailureKindInfo& k) { return k.name == kind; });
        if (info == http::k_failure_kinds.end())
            return shape.bad("/failure/kind", "unknown failure kind \"" + kind + "\"");
        out.exchange.failure = http::TransportFailure{info->kind, std::move(message)};
    }
    if (const auto seconds = line.find("seconds"); seconds != line.end()) {
        if (!seconds->is_number() || seconds->get<double>() < 0)
            return shape.bad("/seconds", "\"seconds\" must be a non-negative number");
        out.exchange.seconds = seconds->get<double>();
    }
    if (const auto source = line.find("source"); source != line.end()) {
        if (!source->is_object())
            return shape.bad("/source", "\"source\" must be an object");
        out.source = *source;
    }
    return out;
}

// ---- Writer ----

struct RecordingWriter::State {
    int fd = -1;
    std::filesystem::path file;
    bool fsync = false;
    std::vector<std::string> scrub;
    std::mutex mutex;
    std::size_t lines = 0;

    ~State() {
        if (fd >= 0)
            ::close(fd);
    }
};

namespace {

core::Result<void> write_all(int fd, std::string_view bytes, const std::filesystem::path& file) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return core::fail("cannot append to " + file.string() + ": " + errno_text());
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

} // namespace

core::Result<RecordingWriter> RecordingWriter::open(const std::filesystem::path& file,
                                                    WriterOptions options) {
    auto state = std::make_unique<State>();
    state->file = file;
    state->fsync = options.fsync;
    state->scrub =
        options.scrub ? std::move(*options.scrub) : credential_values(http::ProcessEnvironment{});
    // O_APPEND: every write(2) lands at the end, whoever else appends (POSIX write()).
    state->fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (state->fd < 0)
        return core::fail("cannot open " + file.string() + " for appending: " + errno_text());
    // A partial last line (a crash mid-write) is closed off, so that ours stay whole.
    struct stat info {};
    if (::fstat(state->fd, &info) == 0 && info.st_size > 0) {
        const int reader = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        char last = '\n';
        if (reader >= 0) {
            if (::pread(reader, &last, 1, info.st_size - 1) != 1)
                last = '\n';
            ::close(reader);
        }
        if (last != '\n')
            CONFORM_CHECK(write_all(state->fd, "\n", file));
    }
    RecordingWriter writer;
    writer.m_state = std::move(state);
    return writer;
}

RecordingWriter::RecordingWriter(RecordingWriter&&) noexcept = default;
RecordingWriter& RecordingWriter::operator=(RecordingWriter&&) noexcept = default;
RecordingWriter::~RecordingWriter() = default;

core::Result<void> RecordingWriter::write(const Recorded& recorded) {
    State& state = *m_state;
    json line = to_json(redacted(recorded, state.scrub));
    // Again on the tree: a JSON body may spell a credential with \u escapes.
    scrub_json(line, state.scrub);
    std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace);
    text += '\n';
    const std::lock_guard lock(state.mutex);
    // One write(2) per line: a crash leaves whole lines behind (and at most one partial line
    // when the kernel takes a huge line in pieces).
    CONFORM_CHECK(write_all(state.fd, text, state.file));
    if (state.fsync && ::fsync(state.fd) != 0)
        return core::fail("cannot fsync " + state.file.string() + ": " + errno_text());
    ++state.lines;
    return {};
}

std::size_t RecordingWriter::lines_written() const noexcept {
    const std::lock_guard lock(m_state->mutex);
    return m_state->lines;
}

const std::filesystem::path& RecordingWriter::file() const noexcept {
    return m_state->file;
}

// ---- Reader ----

struct RecordingReader::State {
    std::unique_ptr<internal::ByteSource> bytes; // plain, gzip or zstd; a file or stdin
    std::filesystem::path file;
    ReaderOptions options;
    // Read bytes, grown without zero-filling: read() writes each chunk whole.
    template <class T> struct Uninitialized : std::allocator<T> {
        template <class U> struct rebind { using other = Uninitialized<U>; };
        template <class U> void construct(U* at) noexcept { ::new (static_cast<void*>(at)) U; }
        template <class U, class... A> void construct(U* at, A&&... args) {
            ::new (static_cast<void*>(at)) U(std::forward<A>(args)...);
        }
    };
    std::vector<char, Uninitialized<char>> buffer;
    std::size_t begin = 0; // the unread part is buffer[begin, size), or memory[begin, size)
    std::optional<std::string_view> memory; // a part read whole: its lines are taken in place
    bool eof = false;
    bool skipping = false; // inside a line longer than max_line_bytes
    std::size_t skipped = 0;
    std::size_t line = 0;
    std::string text; // a line copied, with spare capacity for simdjson
    std::unique_ptr<internal::FastLineReader> fast; // simdjson, its buffers reused per line

    enum class Got { line, too_long, end, error };

    // A line as read: in place (the read buffer's or the part's bytes) where k_line_padding
    // bytes past it may be read, as simdjson does; else copied into `text`, which keeps that
    // much spare. readable: the bytes that may be read from its start.
    struct Line {
        std::string_view text;
        std::size_t readable = 0;
    };

    // read_line over a part held in memory.
    Got memory_line(Line& out) {
        if (begin >= memory->size())
            return Got::end;
        const char* start = memory->data() + begin;
        const std::size_t pending = memory->size() - begin;
        const void* nl = std::memchr(start, '\n', pending);
        const auto length =
            nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : pending;
        begin += length + (nl ? 1 : 0);
        return take(start, length, memory->data() + memory->size(), out);
    }

    // A whole line, unless it is over the limit: in place when the bytes up to readable_end
    // leave simdjson its padding past it, else copied.
    Got take(const char* start, std::size_t length, const char* readable_end, Line& out) {
        if (length > options.max_line_bytes) {
            skipped = length;
            return Got::too_long;
        }
        const auto readable = static_cast<std::size_t>(readable_end - start);
        if (readable >= length + internal::k_line_padding) {
            out = {std::string_view(start, length), readable};
            return Got::line;
        }
        text.reserve(length + internal::k_line_padding);
        text.assign(start, length);
        out = {text, text.capacity()};
        return Got::line;
    }

    // The next line without its '\n' (a last line without one too). Memory stays below
    // max_line_bytes + one read chunk.
    Got read_line(Line& out, std::string& error) {
        if (memory)
            return memory_line(out);
        for (;;) {
            // (capacity: the bytes past the size are allocated, read by simdjson unused)
            const char* readable_end = buffer.data() + buffer.capacity();
            const char* start = buffer.data() + begin;
            const std::size_t pending = buffer.size() - begin;
            // (an empty buffer's data() is null, which memchr may not be given)
            if (const void* nl = pending > 0 ? std::memchr(start, '\n', pending) : nullptr) {
                const auto length = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
                begin += length + 1;
                if (skipping) {
                    skipped += length;
                    skipping = false;
                    return Got::too_long;
                }
                return take(start, length, readable_end, out);
            }
            if (skipping || pending > options.max_line_bytes) {
                skipped += pending;
                skipping = true;
                begin = buffer.size();
            }
            if (eof) {
                if (skipping) {
                    skipping = false;
                    return Got::too_long;
                }
                if (begin < buffer.size()) { // the last line, without its '\n'
                    const std::size_t from = std::exchange(begin, buffer.size());
                    return take(buffer.data() + from, buffer.size() - from, readable_end, out);
                }
                return Got::end;
            }
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(begin));
            begin = 0;
            const std::size_t old = buffer.size();
            buffer.resize(old + k_read_chunk);
            auto n = bytes->read(buffer.data() + old, k_read_chunk);
            if (!n) {
                // Reported once, after every whole line before it; a partial last line (a
                // truncated .gz/.zst stops mid-line) would only be a second, misleading error.
                error = std::move(n).error().message;
                if (old > 0)
                    error += " (this line is incomplete: its " + std::to_string(old) +
                             " byte(s) are dropped)";
                buffer.clear();
                begin = 0;
                skipping = false;
                eof = true; // the next call ends the file
                return Got::error;
            }
            buffer.resize(old + *n);
            if (*n == 0)
                eof = true;
        }
    }
};

RecordingReader RecordingReader::reading(std::unique_ptr<State> state) {
    state->fast = std::make_unique<internal::FastLineReader>(state->options);
    RecordingReader reader;
    reader.m_state = std::move(state);
    return reader;
}

core::Result<RecordingReader> RecordingReader::open(const std::filesystem::path& file,
                                                    ReaderOptions options) {
    auto state = std::make_unique<State>();
    state->file = file == "-" ? std::filesystem::path(internal::k_stdin_name) : file;
    state->options = options;
    CONFORM_TRY(state->bytes, internal::open_bytes(file));
    return reading(std::move(state));
}

core::Result<RecordingReader> RecordingReader::open_part(const std::filesystem::path& file,
                                                         std::uint64_t begin, std::uint64_t end,
                                                         std::size_t lines_before,
                                                         ReaderOptions options) {
    auto state = std::make_unique<State>();
    state->file = file;
    state->options = options;
    state->line = lines_before;
    CONFORM_TRY(state->bytes, internal::open_part(file, begin, end));
    return reading(std::move(state));
}

RecordingReader RecordingReader::open_part(const std::filesystem::path& file,
                                           std::string_view bytes, std::size_t lines_before,
                                           ReaderOptions options) {
    auto state = std::make_unique<State>();
    state->file = file;
    state->options = options;
    state->line = lines_before;
    state->memory = bytes;
    return reading(std::move(state));
}

std::optional<std::uint64_t> splittable_size(const std::filesystem::path& file) {
    return internal::splittable_size(file);
}

std::uint64_t count_newlines(std::string_view bytes) noexcept {
    return internal::count_newlines(bytes);
}

core::Result<PartLines> read_lines(const std::filesystem::path& file, std::uint64_t from,
                                   std::uint64_t to, std::uint64_t max_bytes, PartBuffer& buffer) {
    return internal::read_lines(file, from, to, max_bytes, buffer);
}

core::Result<std::uint64_t> line_start_at(const std::filesystem::path& file, std::uint64_t at) {
    return internal::line_start_at(file, at);
}

core::Result<std::uint64_t> count_newlines(const std::filesystem::path& file, std::uint64_t begin,
                                           std::uint64_t end) {
    return internal::count_newlines(file, begin, end);
}

RecordingReader::RecordingReader(RecordingReader&&) noexcept = default;
RecordingReader& RecordingReader::operator=(RecordingReader&&) noexcept = default;
RecordingReader::~RecordingReader() = default;

std::size_t RecordingReader::line() const noexcept {
    return m_state->line;
}

std::uint64_t RecordingReader::bytes_read() const noexcept {
    return m_state->memory ? m_state->begin : m_state->bytes->raw_bytes();
}

void Recorded::clear() {
    constexpr std::size_t k_kept_body = std::size_t{64} << 10;
    http::Request& request = exchange.request;
    request.method = "GET";
    request.base_url.clear();
    request.query.clear();
    request.raw_query.reset();
    request.headers.clear();
    request.body.clear();
    if (exchange.response)
        recycled = std::move(*exchange.response);
    exchange.response.reset();
    recycled.status = 0;
    recycled.headers.clear();
    if (recycled.body.capacity() > k_kept_body)
        recycled.body = std::string();
    recycled.body.clear();
    exchange.failure.reset();
    exchange.started = {};
    exchange.seconds = 0;
    time.clear();
    contract.clear();
    operation.clear();
    case_name.clear();
    target.clear();
    source = nullptr;
    line = 0;
    pointer.clear();
    parsed_body.reset();
}

core::Result<std::optional<Recorded>> RecordingReader::next() {
    std::optional<Recorded> out(std::in_place);
    CONFORM_TRY(const bool got, next_into(*out));
    if (!got)
        out.reset();
    return out;
}

core::Result<bool> RecordingReader::next_into(Recorded& out) {
    State& state = *m_state;
    out.clear();
    std::string error;
    for (;;) {
        State::Line line;
        const State::Got got = state.read_line(line, error);
        core::Location where;
        switch (got) {
        case State::Got::end:
            return false;
        case State::Got::error:
            where.file = state.file.string();
            where.line = state.line + 1;
            return core::fail("cannot read: " + error, where);
        case State::Got::too_long:
            where.file = state.file.string();
            where.line = ++state.line;
            return core::fail("the line is " + std::to_string(state.skipped) +
                                  " bytes, longer than the limit of " +
                                  std::to_string(state.options.max_line_bytes),
                              where);
        case State::Got::line:
            break;
        }
        ++state.line;
        std::string_view text = line.text;
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        if (text.find_first_not_of(" \t") == std::string_view::npos)
            continue; // blank lines carry nothing
        // The hot path: simdjson straight into a Recorded. It takes only lines that are whole
        // and well-formed; any other goes to the full reader below, which names the problem.
        if (state.fast->read(text, line.readable, state.file, state.line, out))
            return true;
        where.file = state.file.string();
        auto parsed =
            core::parse_json(text, where.file, core::ParseLimits{state.options.max_depth});
        if (!parsed) {
            core::Diagnostic d = std::move(parsed).error();
            d.where.file = where.file;
            d.where.line = state.line; // parse_json counts lines within the one line
            return core::fail(std::move(d));
        }
        CONFORM_TRY(out, from_json(*parsed, state.file, state.line)); // the whole of it
        return true;
    }
}

} // namespace conform::record
