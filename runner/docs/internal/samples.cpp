#include "runner/docs/internal/samples.hpp"

#include "runner/core/json_pointer.hpp"

#include "runner/core/json_parse.hpp"

namespace conform::docs::internal {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Line {
    std::size_t number = 0;
    std::string_view text; // trimmed
};

struct Request {
    std::string method = "GET";
    std::string url;
    Pairs query;
    Pairs headers;
    bool http_message = false; // "POST / HTTP/1.1" with headers, rather than a bare URL
    std::string body_text;
    std::size_t body_line = 0;
    std::size_t line = 0;
};

std::vector<Line> lines_of(const CodeBlock& block) {
    std::vector<Line> lines;
    std::string_view text = block.text;
    std::size_t number = block.content_line;
    while (true) {
        const std::size_t end = text.find('\n');
        lines.push_back(Line{number++, trim(text.substr(0, end))});
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos)
            return parts;
        text.remove_prefix(at + 1);
    }
}

bool is_method(std::string_view word) {
    static constexpr std::string_view k_methods[] = {"GET",    "POST",  "PUT",
                                                     "DELETE", "PATCH", "HEAD"};
    const std::string upper = [&] {
        std::string s(word);
        for (char& c : s)
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>(c - 'a' + 'A');
        return s;
    }();
    for (std::string_view m : k_methods)
        if (upper == m)
            return true;
    return false;
}

// Splits "url?a=1&b=2" into the URL and its query, skipping placeholders such as
// "&other common parameters" or "&<公共请求参数>" that name no parameter.
void read_query(std::string_view target, Request& request) {
    const std::size_t mark = target.find('?');
    const std::string_view base = target.substr(0, mark);
    std::string kept;
    if (mark != std::string_view::npos) {
        for (std::string_view piece : split(target.substr(mark + 1), '&')) {
            piece = trim(piece);
            const std::size_t eq = piece.find('=');
            if (eq == std::string_view::npos || eq == 0)
                continue;
            const std::string_view name = piece.substr(0, eq);
            if (name.find_first_of(" \t<>{}") != std::string_view::npos)
                continue;
            request.query.emplace_back(core::percent_decode(name),
                                       core::percent_decode(piece.substr(eq + 1)));
            kept += (kept.empty() ? "" : "&") + std::string(piece);
        }
    }
    request.url = std::string(base) + (kept.empty() ? "" : "?" + kept);
}

std::optional<Request> read_request(const CodeBlock& block) {
    const std::vector<Line> lines = lines_of(block);
    std::size_t first = 0;
    while (first < lines.size() && lines[first].text.empty())
        ++first;
    if (first == lines.size())
        return std::nullopt;
    Request request;
    request.line = lines[first].number;
    std::vector<std::string_view> words = split(lines[first].text, ' ');
    std::erase_if(words, [](std::string_view w) { return w.empty(); });
    std::string_view target = lines[first].text;
    if (words.size() >= 2 && is_method(words[0])) {
        request.method = std::string(words[0]);
        for (char& c : request.method)
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>(c - 'a' + 'A');
        target = words[1];
        request.http_message =
            words.size() >= 3 && words[2].starts_with("HTTP/") && target.starts_with("/");
    }
    const bool url =
        target.starts_with("http://") || target.starts_with("https://") || target.starts_with("//");
    if (!url && !request.http_message)
        return std::nullopt; // a host name or anything else that is not a request
    std::size_t i = first + 1;
    std::string joined(target.starts_with("//") ? "https:" + std::string(target) : target);
    if (request.http_message) {
        // headers up to the first blank line; "<公共请求参数>" names no header
        for (; i < lines.size() && !lines[i].text.empty(); ++i) {
            const std::size_t colon = lines[i].text.find(':');
            const std::string_view name = trim(lines[i].text.substr(0, colon));
            if (colon == std::string_view::npos || name.empty() ||
                name.find_first_of(" <>") != std::string_view::npos)
                continue;
            request.headers.emplace_back(name, trim(lines[i].text.substr(colon + 1)));
        }
    } else {
        // the query continues one "&Name=value" a line, until a JSON body starts
        for (; i < lines.size(); ++i) {
            const std::string_view t = lines[i].text;
            if (t.starts_with("{") || t.starts_with("["))
                break;
            if (!t.empty())
                joined += (t.starts_with("&") || t.starts_with("?") ? "" : "&") + std::string(t);
        }
    }
    for (; i < lines.size(); ++i) {
        if (request.body_text.empty() && lines[i].text.empty())
            continue;
        if (request.body_text.empty())
            request.body_line = lines[i].number;
        request.body_text += std::string(lines[i].text) + "\n";
    }
    if (request.http_message) {
        std::string host;
        for (const auto& [name, value] : request.headers)
            if (to_lower_ascii(name) == "host")
                host = value;
        joined = "https://" + (host.empty() ? std::string("host") : host) + std::string(target);
    }
    read_query(joined, request);
    return request;
}

bool looks_like_json(const CodeBlock& block) {
    const std::string_view t = trim(block.text);
    return t.starts_with("{") || t.starts_with("[");
}

// Parses a block's JSON; a failure is a warning at the page line where the JSON breaks.
std::optional<nlohmann::json> parse_block_json(std::string_view text, std::size_t first_line,
                                               std::string_view doc, std::string_view what,
                                               std::vector<Warning>& warnings) {
    auto parsed = core::parse_json(text, doc);
    if (parsed)
        return std::move(parsed).value();
    core::Location where = parsed.error().where;
    where.line = first_line + (where.line > 0 ? where.line - 1 : 0);
    warnings.push_back(Warning{where, std::string(what) + " is not valid JSON (" +
                                          parsed.error().message + "); kept as text"});
    return std::nullopt;
}

nlohmann::json pairs_json(const Pairs& pairs) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, value] : pairs)
        out.push_back(nlohmann::json::array({name, value}));
    return out;
}

} // namespace

std::vector<SampleExchange> read_samples(const std::vector<CodeBlock>& blocks, std::string_view doc,
                                         std::vector<Warning>& warnings) {
    std::vector<SampleExchange> samples;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        std::optional<Request> request = read_request(blocks[i]);
        if (!request)
            continue;
        nlohmann::json req = {{"method", request->method},
                              {"url", request->url},
                              {"query", pairs_json(request->query)}};
        if (request->http_message)
            req["headers"] = pairs_json(request->headers);
        if (!trim(request->body_text).empty()) {
            if (auto body = parse_block_json(request->body_text, request->body_line, doc,
                                             "the sample request body", warnings))
                req["body"] = std::move(*body);
            else
                req["body_text"] = request->body_text;
        }
        // the response is the next JSON block before another request
        nlohmann::json response = nullptr;
        for (std::size_t j = i + 1; j < blocks.size() && !read_request(blocks[j]); ++j) {
            if (!looks_like_json(blocks[j]))
                continue;
            response = {{"status", 200}};
            if (auto body = parse_block_json(blocks[j].text, blocks[j].content_line, doc,
                                             "the sample response", warnings))
                response["body"] = std::move(*body);
            else
                response["body_text"] = blocks[j].text;
            break;
        }
        if (response.is_null())
            warnings.push_back(
                Warning{core::Location{std::string(doc), request->line, 0, {}, false},
                        "sample request has no JSON response block after it"});
        SampleExchange sample;
        sample.method = request->method;
        sample.line = request->line;
        for (const auto& [name, value] : request->query)
            if (name == "Action" && !sample.action)
                sample.action = value;
        for (const auto& [name, value] : request->headers)
            if (to_lower_ascii(name) == "x-tc-action" && !sample.action)
                sample.action = value;
        sample.exchange = {{"request", std::move(req)},
                           {"response", std::move(response)},
                           {"source", {{"doc", doc}, {"line", request->line}}}};
        samples.push_back(std::move(sample));
    }
    return samples;
}

} // namespace conform::docs::internal
