// One recording line parsed whole with simdjson (through core::FastParser) and read straight
// into a Recorded, without an nlohmann tree (fast_line.hpp). The parse validates the whole
// line; a JSON response body is read from the same parse, and its bytes are the line's.
#include "runner/record/internal/fast_line.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/record/internal/encoding.hpp"

namespace conform::record::internal {

static_assert(k_line_padding >= core::k_parse_padding);

namespace {

using core::JsonView;
using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

// Where a line's members are (the response body's bytes and parse are taken by these keys).
constexpr std::array<std::string_view, 2> k_response_body{"response", "body"};
constexpr std::array<std::string_view, 1> k_source{"source"};

// Which members an object has had, so that a repeated one goes to the full reader (nlohmann
// keeps the last; one rule, one place).
class Seen {
public:
    [[nodiscard]] bool first(unsigned bit) noexcept {
        const std::uint32_t mask = std::uint32_t{1} << bit;
        if (m_bits & mask)
            return false;
        m_bits |= mask;
        return true;
    }
    [[nodiscard]] bool has(unsigned bit) const noexcept {
        return (m_bits & (std::uint32_t{1} << bit)) != 0;
    }

private:
    std::uint32_t m_bits = 0;
};

// "body_text"/"body" + "body_encoding" -> bytes; nullopt for what the full reader names.
std::optional<std::string> decode(std::string_view text, std::string_view encoding) {
    if (encoding.empty() || encoding == "utf-8")
        return std::string(text);
    if (encoding != "base64")
        return std::nullopt;
    return base64_decode(text);
}

bool string(JsonView value, std::string_view& into) {
    if (!value.is_string())
        return false;
    into = value.as_string();
    return true;
}

bool string(JsonView value, std::string& into) {
    if (!value.is_string())
        return false;
    into.assign(value.as_string());
    return true;
}

// What a line parsed whole is read with: the parser holds the parse, line is its text.
struct Parse {
    core::FastParser& parser;
    std::string_view line;
    bool parse_body = false; // ReaderOptions::parse_bodies
    bool lend = false;       // ReaderOptions::lend_bodies
};

class Line {
public:
    Line(const Parse& parse, Pairs& listed, Pairs& headers)
        : m_parse(parse), m_listed(listed), m_headers(headers) {}

    bool read(JsonView root, Recorded& out) {
        Seen seen;
        bool has_request = false, has_response = false, has_failure = false;
        auto members = root.members();
        std::string_view key;
        JsonView value;
        while (members.next(key, value)) {
            if (key == "time") {
                if (!seen.first(0) || !string(value, out.time))
                    return false;
            } else if (key == "contract") {
                if (!seen.first(1) || !string(value, out.contract))
                    return false;
            } else if (key == "operation") {
                if (!seen.first(2) || !string(value, out.operation))
                    return false;
            } else if (key == "case") {
                if (!seen.first(3) || !string(value, out.case_name))
                    return false;
            } else if (key == "target") {
                if (!seen.first(4) || !string(value, out.target))
                    return false;
            } else if (key == "request") {
                if (!seen.first(5) || !request(value, out.exchange.request))
                    return false;
                has_request = true;
            } else if (key == "response") {
                if (!seen.first(6))
                    return false;
                has_response = true;
            } else if (key == "failure") {
                if (!seen.first(7) || !failure(value, out.exchange))
                    return false;
                has_failure = true;
            } else if (key == "seconds") {
                if (!seen.first(8) || !value.is_number() || !(value.as_double() >= 0))
                    return false;
                out.exchange.seconds = value.as_double();
            } else if (key == "source") {
                if (!seen.first(9) || !value.is_object())
                    return false;
                // Through nlohmann from the line's bytes, as the full reader reads it.
                const auto text = m_parse.parser.scratch_text(m_parse.line, k_source);
                if (!text)
                    return false;
                out.source = nlohmann::json::parse(*text, nullptr, false);
                if (!out.source.is_object())
                    return false;
            }
        }
        if (!has_request || has_response == has_failure)
            return false;
        // The response last: every other member is known sound before its body is taken.
        if (has_response && !response(*root.find("response"), out))
            return false;
        if (!out.time.empty()) {
            auto started = parse_time(out.time);
            if (!started)
                return false;
            out.exchange.started = *started;
        }
        return true;
    }

private:
    // [["name", "value"], ...] into pairs (views valid until the parser's next parse).
    static bool pairs(JsonView value, Pairs& into) {
        into.clear();
        if (!value.is_array())
            return false;
        // By cursor, not callback: a callback's thunk passes each view on through memory.
        auto items = value.items();
        JsonView pair;
        while (items.next(pair)) {
            auto parts = pair.items();
            JsonView name, text, more;
            if (!parts.next(name) || !parts.next(text) || parts.next(more) || !name.is_string() ||
                !text.is_string())
                return false;
            into.emplace_back(name.as_string(), text.as_string());
        }
        return true;
    }

    bool headers(JsonView value, http::Headers& into) {
        if (!pairs(value, m_headers))
            return false;
        into.reserve(m_headers.size());
        for (const auto& [name, text] : m_headers)
            into.push_back({std::string(name), std::string(text)});
        return true;
    }

    bool request(JsonView value, http::Request& r) {
        if (!value.is_object())
            return false;
        Seen seen;
        std::string_view method, url, body, encoding;
        m_listed.clear();
        auto members = value.members();
        std::string_view key;
        JsonView v;
        while (members.next(key, v)) {
            if (key == "method") {
                if (!seen.first(0) || !string(v, method))
                    return false;
            } else if (key == "url") {
                if (!seen.first(1) || !string(v, url))
                    return false;
            } else if (key == "query") {
                if (!seen.first(2) || !pairs(v, m_listed))
                    return false;
            } else if (key == "headers") {
                if (!seen.first(3) || !headers(v, r.headers))
                    return false;
            } else if (key == "body") {
                if (!seen.first(4) || !string(v, body))
                    return false;
            } else if (key == "body_encoding") {
                if (!seen.first(5) || !string(v, encoding))
                    return false;
            }
        }
        if (!seen.has(0) || !seen.has(1) || method.empty())
            return false;
        r.method.assign(method);
        if (!set_request_url(r, url, [&] {
                http::QueryParams listed;
                for (const auto& [name, text] : m_listed)
                    listed.add(std::string(name), std::string(text));
                return listed;
            }))
            return false;
        auto bytes = decode(body, encoding);
        if (!bytes)
            return false;
        r.body = std::move(*bytes);
        return true;
    }

    bool response(JsonView value, Recorded& out) {
        if (!value.is_object())
            return false;
        Seen seen;
        http::Response answer = std::move(out.recycled); // its buffers, empty (Recorded::clear)
        std::string_view text, encoding;
        auto members = value.members();
        std::string_view key;
        JsonView v;
        while (members.next(key, v)) {
            if (key == "status") {
                if (!seen.first(0) || !v.is_number() ||
                    v.number_kind() == core::NumberKind::floating || v.as_int64() < 0 ||
                    v.as_int64() > 999)
                    return false;
                answer.status = static_cast<int>(v.as_int64());
            } else if (key == "headers") {
                if (!seen.first(1) || !headers(v, answer.headers))
                    return false;
            } else if (key == "body") {
                if (!seen.first(2))
                    return false;
            } else if (key == "body_text") {
                if (!seen.first(3) || !string(v, text))
                    return false;
            } else if (key == "body_encoding") {
                if (!seen.first(4) || !string(v, encoding))
                    return false;
            }
        }
        if (!seen.has(0) || (seen.has(2) && seen.has(3)))
            return false;
        if (seen.has(2)) {
            // The body as the line spells it: what was recorded, byte for byte; and, when
            // asked, its parse, which is the line's.
            const auto bytes = m_parse.parser.scratch_text(m_parse.line, k_response_body);
            if (!bytes)
                return false;
            answer.body.assign(*bytes);
            if (m_parse.parse_body &&
                !(out.parsed_body = m_parse.parser.take_scratch(k_response_body, m_parse.lend)))
                return false;
        } else {
            auto bytes = decode(text, encoding);
            if (!bytes)
                return false;
            answer.body = std::move(*bytes);
        }
        out.exchange.response = std::move(answer);
        return true;
    }

    bool failure(JsonView value, http::Exchange& x) {
        if (!value.is_object())
            return false;
        Seen seen;
        std::string_view kind, message;
        auto members = value.members();
        std::string_view key;
        JsonView v;
        while (members.next(key, v)) {
            if (key == "kind") {
                if (!seen.first(0) || !string(v, kind))
                    return false;
            } else if (key == "message") {
                if (!seen.first(1) || !string(v, message))
                    return false;
            }
        }
        const auto info =
            std::find_if(http::k_failure_kinds.begin(), http::k_failure_kinds.end(),
                         [&](const http::FailureKindInfo& k) { return k.name == kind; });
        if (!seen.has(0) || info == http::k_failure_kinds.end())
            return false;
        x.failure = http::TransportFailure{info->kind, std::string(message)};
        return true;
    }

    const Parse& m_parse;
    Pairs& m_listed;  // scratch, reused across lines
    Pairs& m_headers; // scratch, reused across lines
};

} // namespace

bool set_request_url(http::Request& r, std::string_view url,
                     core::FunctionRef<http::QueryParams()> listed) {
    if (const auto hash = url.find('#'); hash != std::string_view::npos)
        url = url.substr(0, hash);
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos || scheme == 0)
        return false;
    const auto question = url.find('?');
    r.base_url.assign(url.substr(0, question));
    if (question != std::string_view::npos) {
        const std::string_view raw = url.substr(question + 1);
        // The URL says what went on the wire; "query" only where the URL's query does not parse.
        bool encoded = false;
        if (http::parse_query_into(raw, encoded, r.query)) {
            if (!encoded && http::encode_query(r.query) != raw)
                r.raw_query = std::string(raw);
        } else {
            r.query = listed();
            r.raw_query = std::string(raw);
        }
    } else {
        r.query = listed();
        if (!r.query.empty())
            r.raw_query = std::string(); // the URL had no query: keep it so
    }
    return true;
}

struct FastLineReader::Impl {
    core::FastParser parser;
    core::ParseLimits limits;
    bool parse_bodies = false, lend = false;
    Pairs listed, headers;
};

FastLineReader::FastLineReader(const ReaderOptions& options) : m_impl(std::make_unique<Impl>()) {
    // The line no deeper than the full reader's limit, and, when bodies are parsed, no deeper
    // than its body may be plus the two levels above it: a line past either is the full
    // reader's, and the judge's own parse of its body says why.
    std::size_t depth = options.max_depth > 1 ? options.max_depth - 1 : 0;
    if (options.parse_bodies)
        depth = std::min(depth, options.body_max_depth + 2);
    m_impl->limits = core::ParseLimits{depth};
    m_impl->parse_bodies = options.parse_bodies;
    m_impl->lend = options.lend_bodies;
}

FastLineReader::~FastLineReader() = default;

bool FastLineReader::read(std::string_view line, std::size_t readable,
                          const std::filesystem::path& file, std::size_t line_number,
                          Recorded& out) {
    if (readable < line.size() + k_line_padding)
        return false;
    Impl& impl = *m_impl;
    const auto root = impl.parser.parse_scratch(line, impl.limits);
    if (!root || !root->is_object())
        return false;
    const Parse parse{impl.parser, line, impl.parse_bodies, impl.lend};
    if (!Line(parse, impl.listed, impl.headers).read(*root, out))
        return false;
    if (out.file.native() != file.native()) // as a rule the same: a Recorded read into again
        out.file = file;
    out.line = line_number;
    return true;
}

} // namespace conform::record::internal
