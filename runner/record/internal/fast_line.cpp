// One recording line with simdjson On-Demand (fast_line.hpp). Every value of the line is
// consumed, so that a line is taken only when all of it is valid JSON: On-Demand validates
// what it reads and skips the rest unchecked, so nothing is left to skip.
#include "runner/record/internal/fast_line.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "runner/record/internal/encoding.hpp"

namespace conform::record::internal {

static_assert(k_line_padding >= simdjson::SIMDJSON_PADDING &&
              k_line_padding >= core::k_parse_padding);

// Parses JSON response bodies into documents of their own (ReaderOptions::parse_bodies). Not
// in the anonymous namespace: FastLineReader::Impl holds one.
struct BodyParser {
    core::FastParser parser;
    core::ParseLimits limits;
    bool lend = false; // ReaderOptions::lend_bodies
};

namespace {

namespace od = simdjson::ondemand;
using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

bool is_json_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

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

class Line {
public:
    Line(od::document& doc, std::size_t max_depth, Pairs& listed, Pairs& headers,
         BodyParser* parse_body)
        : m_doc(doc), m_max_depth(max_depth), m_listed(listed), m_headers(headers),
          m_parse_body(parse_body) {}

    bool read(Recorded& out) {
        od::object root;
        if (m_doc.get_object().get(root))
            return false;
        Seen seen;
        bool has_request = false, has_response = false, has_failure = false;
        std::string url;
        for (auto member : root) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            od::value& value = field.value();
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
                if (!seen.first(6) || !response(value, out.exchange))
                    return false;
                has_response = true;
            } else if (key == "failure") {
                if (!seen.first(7) || !failure(value, out.exchange))
                    return false;
                has_failure = true;
            } else if (key == "seconds") {
                double seconds = 0;
                if (!seen.first(8) || value.get_double().get(seconds) || !(seconds >= 0))
                    return false;
                out.exchange.seconds = seconds;
            } else if (key == "source") {
                std::string_view text;
                if (!seen.first(9) || !span(value, 1, text, true))
                    return false;
                out.source = nlohmann::json::parse(text, nullptr, false);
                if (!out.source.is_object())
                    return false;
            } else if (!walk(value, 1)) {
                return false;
            }
        }
        // Nothing may follow the object (the full reader names trailing bytes).
        const char* after = nullptr;
        if (m_doc.current_location().get(after) != simdjson::OUT_OF_BOUNDS)
            return false;
        if (!has_request || has_response == has_failure)
            return false;
        if (!out.time.empty()) {
            auto started = parse_time(out.time);
            if (!started)
                return false;
            out.exchange.started = *started;
        }
        out.parsed_body = std::move(m_parsed_body);
        return true;
    }

private:
    bool string(od::value& value, std::string& into) {
        std::string_view text;
        if (value.get_string().get(text))
            return false;
        into.assign(text);
        return true;
    }

    // [["name", "value"], ...] into pairs (views valid for this line).
    bool pairs(od::value& value, Pairs& into) {
        into.clear();
        od::array list;
        if (value.get_array().get(list))
            return false;
        for (auto entry : list) {
            od::value pair_value;
            od::array pair;
            if (entry.get(pair_value) || pair_value.get_array().get(pair))
                return false;
            std::string_view parts[2];
            std::size_t n = 0;
            for (auto part : pair) {
                od::value item;
                std::string_view text;
                if (n == 2 || part.get(item) || item.get_string().get(text))
                    return false;
                parts[n++] = text;
            }
            if (n != 2)
                return false;
            into.emplace_back(parts[0], parts[1]);
        }
        return true;
    }

    bool headers(od::value& value, http::Headers& into) {
        if (!pairs(value, m_headers))
            return false;
        into.reserve(m_headers.size());
        for (const auto& [name, text] : m_headers)
            into.push_back({std::string(name), std::string(text)});
        return true;
    }

    bool request(od::value& value, http::Request& r) {
        od::object request;
        if (value.get_object().get(request))
            return false;
        Seen seen;
        std::string_view method, url, body, encoding;
        m_listed.clear();
        for (auto member : request) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            od::value& v = field.value();
            if (key == "method") {
                if (!seen.first(0) || v.get_string().get(method))
                    return false;
                r.method.assign(method); // the string buffer is the line's: keep a copy now
            } else if (key == "url") {
                if (!seen.first(1) || v.get_string().get(url))
                    return false;
            } else if (key == "query") {
                if (!seen.first(2) || !pairs(v, m_listed))
                    return false;
            } else if (key == "headers") {
                if (!seen.first(3) || !headers(v, r.headers))
                    return false;
            } else if (key == "body") {
                if (!seen.first(4) || v.get_string().get(body))
                    return false;
            } else if (key == "body_encoding") {
                if (!seen.first(5) || v.get_string().get(encoding))
                    return false;
            } else if (!walk(v, 2)) {
                return false;
            }
        }
        if (!seen.has(0) || !seen.has(1) || r.method.empty())
            return false;
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

    bool response(od::value& value, http::Exchange& x) {
        od::object response;
        if (value.get_object().get(response))
            return false;
        Seen seen;
        http::Response answer;
        std::shared_ptr<const core::JsonDocument> answer_parsed;
        std::string_view body, text, encoding;
        for (auto member : response) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            od::value& v = field.value();
            if (key == "status") {
                std::int64_t status = 0;
                if (!seen.first(0) || v.get_int64().get(status) || status < 0 || status > 999)
                    return false;
                answer.status = static_cast<int>(status);
            } else if (key == "headers") {
                if (!seen.first(1) || !headers(v, answer.headers))
                    return false;
            } else if (key == "body") {
                // The body as the line spells it: what was recorded, byte for byte.
                if (!seen.first(2) ||
                    !(m_parse_body ? skipped_span(v, body) : span(v, 2, body, false)))
                    return false;
                if (m_parse_body) {
                    BodyParser& p = *m_parse_body;
                    answer_parsed = p.lend ? p.parser.parse_lent(body, p.limits)
                                           : p.parser.parse_owned(body, p.limits);
                    if (!answer_parsed)
                        return false; // the full reader reads it, and the judge says why
                }
            } else if (key == "body_text") {
                if (!seen.first(3) || v.get_string().get(text))
                    return false;
            } else if (key == "body_encoding") {
                if (!seen.first(4) || v.get_string().get(encoding))
                    return false;
            } else if (!walk(v, 2)) {
                return false;
            }
        }
        if (!seen.has(0) || (seen.has(2) && seen.has(3)))
            return false;
        if (seen.has(2)) {
            answer.body.assign(body);
        } else {
            auto bytes = decode(text, encoding);
            if (!bytes)
                return false;
            answer.body = std::move(*bytes);
        }
        x.response = std::move(answer);
        m_parsed_body = std::move(answer_parsed);
        return true;
    }

    bool failure(od::value& value, http::Exchange& x) {
        od::object failure;
        if (value.get_object().get(failure))
            return false;
        Seen seen;
        std::string_view kind, message;
        for (auto member : failure) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            od::value& v = field.value();
            if (key == "kind") {
                if (!seen.first(0) || v.get_string().get(kind))
                    return false;
            } else if (key == "message") {
                if (!seen.first(1) || v.get_string().get(message))
                    return false;
            } else if (!walk(v, 2)) {
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

    // Validates one value whole and returns its text in the line (trailing blanks trimmed).
    bool span(od::value& value, std::size_t depth, std::string_view& text, bool object_only) {
        const char* start = value.raw_json_token().data();
        if (object_only) {
            od::json_type type;
            if (value.type().get(type) || type != od::json_type::object)
                return false;
        }
        if (!walk(value, depth))
            return false;
        // The next token (',' or '}' of the enclosing object) ends the value.
        const char* end = nullptr;
        if (m_doc.current_location().get(end) || end < start)
            return false;
        while (end > start && is_json_space(end[-1]))
            --end;
        text = std::string_view(start, static_cast<std::size_t>(end - start));
        return !text.empty();
    }

    // An object or array's text, skipped over unvalidated (the body parser validates it);
    // any other value through span().
    bool skipped_span(od::value& value, std::string_view& text) {
        od::json_type type;
        if (value.type().get(type))
            return false;
        if (type == od::json_type::object) {
            od::object object;
            if (value.get_object().get(object) || object.raw_json().get(text))
                return false;
        } else if (type == od::json_type::array) {
            od::array array;
            if (value.get_array().get(array) || array.raw_json().get(text))
                return false;
        } else {
            return span(value, 2, text, false);
        }
        while (!text.empty() && is_json_space(text.back()))
            text.remove_suffix(1);
        return !text.empty();
    }

    // Reads a value through, validating every part of it; depth is its nesting (the line's
    // object is 0). Deeper than the limit goes to the full reader, which names it.
    bool walk(od::value value, std::size_t depth) {
        if (depth + 1 >= m_max_depth)
            return false;
        od::json_type type;
        if (value.type().get(type))
            return false;
        switch (type) {
        case od::json_type::object: {
            od::object object;
            if (value.get_object().get(object))
                return false;
            for (auto member : object) {
                od::field field;
                std::string_view key;
                if (std::move(member).get(field) || field.unescaped_key().get(key) ||
                    !walk(field.value(), depth + 1))
                    return false;
            }
            return true;
        }
        case od::json_type::array: {
            od::array array;
            if (value.get_array().get(array))
                return false;
            for (auto entry : array) {
                od::value item;
                if (entry.get(item) || !walk(item, depth + 1))
                    return false;
            }
            return true;
        }
        case od::json_type::string: {
            std::string_view text;
            return !value.get_string().get(text);
        }
        case od::json_type::number: {
            od::number number;
            return !value.get_number().get(number);
        }
        case od::json_type::boolean: {
            bool flag = false;
            return !value.get_bool().get(flag);
        }
        case od::json_type::null: {
            bool null = false;
            return !value.is_null().get(null) && null;
        }
        }
        return false;
    }

    od::document& m_doc;
    std::size_t m_max_depth;
    Pairs& m_listed;          // scratch, reused across lines
    Pairs& m_headers;         // scratch, reused across lines
    BodyParser* m_parse_body; // nullptr: bodies are validated, not parsed
    std::shared_ptr<const core::JsonDocument> m_parsed_body; // the response's, when parsed
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
    r.base_url = std::string(url.substr(0, question));
    if (question != std::string_view::npos) {
        const std::string_view raw = url.substr(question + 1);
        // The URL says what went on the wire; "query" only where the URL's query does not parse.
        if (auto parsed = http::parse_query(raw)) {
            r.query = std::move(*parsed);
            if (!http::is_encoded_query(raw) && http::encode_query(r.query) != raw)
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
    od::parser parser;
    std::size_t max_depth = 0;
    Pairs listed, headers;
    std::optional<BodyParser> parse_body;
};

FastLineReader::FastLineReader(const ReaderOptions& options) : m_impl(std::make_unique<Impl>()) {
    m_impl->max_depth = options.max_depth;
    if (options.parse_bodies) {
        // Never deeper than the line allows its body (two levels down, and walk()'s one).
        BodyParser& p = m_impl->parse_body.emplace();
        p.limits = core::ParseLimits{
            std::min(options.body_max_depth, options.max_depth > 3 ? options.max_depth - 3 : 0)};
        p.lend = options.lend_bodies;
    }
}

FastLineReader::~FastLineReader() = default;

std::optional<Recorded> FastLineReader::read(std::string_view line, std::size_t readable,
                                             const std::filesystem::path& file,
                                             std::size_t line_number) {
    if (readable < line.size() + k_line_padding)
        return std::nullopt;
    od::document doc;
    if (m_impl->parser.iterate(line.data(), line.size(), readable).get(doc))
        return std::nullopt;
    Recorded out;
    Line reading(doc, m_impl->max_depth, m_impl->listed, m_impl->headers,
                 m_impl->parse_body ? &*m_impl->parse_body : nullptr);
    if (!reading.read(out))
        return std::nullopt;
    out.file = file;
    out.line = line_number;
    return out;
}

} // namespace conform::record::internal
