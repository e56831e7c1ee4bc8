// HAR 1.2 <-> Recorded (har.hpp). The reader is lenient where exporters differ (missing
// optional members, queryString encodings, pseudo-headers, wrapped base64) and strict where a
// replay would otherwise see something else than was sent (method, URL, status).
#include "runner/record/record.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <ostream>

#include "runner/core/json_parse.hpp"
#include "runner/record/internal/encoding.hpp"

namespace conform::record {
namespace {

using nlohmann::json;

core::Unexpected<core::Diagnostic> bad_at(const std::filesystem::path& file, std::string pointer,
                                          std::string message) {
    core::Location where;
    where.file = file.string();
    where.pointer = std::move(pointer);
    where.has_pointer = true;
    return core::fail(std::move(message), std::move(where));
}

std::string string_member(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

core::Result<http::Headers> har_headers(const json& object, const std::filesystem::path& file,
                                        const std::string& pointer) {
    http::Headers out;
    const auto found = object.find("headers");
    if (found == object.end() || found->is_null())
        return out;
    if (!found->is_array())
        return bad_at(file, pointer + "/headers", "\"headers\" must be an array");
    for (std::size_t i = 0; i < found->size(); ++i) {
        const json& h = (*found)[i];
        if (!h.is_object() || !h.contains("name") || !h["name"].is_string())
            return bad_at(file, pointer + "/headers/" + std::to_string(i),
                          "a header is an object with a string \"name\"");
        std::string name = h["name"].get<std::string>();
        // HTTP/2 and HTTP/3 pseudo-headers (RFC 9113 8.3) are not headers of the exchange.
        if (name.starts_with(":"))
            continue;
        const auto value = h.find("value");
        out.push_back({std::move(name), value != h.end() && value->is_string()
                                            ? value->get<std::string>()
                                            : std::string()});
    }
    return out;
}

core::Result<Recorded> read_entry(const json& entry, const std::filesystem::path& file,
                                  const std::string& pointer) {
    if (!entry.is_object())
        return bad_at(file, pointer, "an entry is an object");
    Recorded out;
    out.file = file;
    out.pointer = pointer;

    const auto started = entry.find("startedDateTime");
    if (started != entry.end() && started->is_string()) {
        if (auto time = internal::parse_time(started->get<std::string>())) {
            out.exchange.started = *time;
            out.time = internal::format_time(*time);
        } else {
            return bad_at(file, pointer + "/startedDateTime",
                          "not an ISO 8601 time: \"" + started->get<std::string>() + "\"");
        }
    }
    if (const auto time = entry.find("time");
        time != entry.end() && time->is_number() && time->get<double>() > 0)
        out.exchange.seconds = time->get<double>() / 1000.0;

    // request
    const auto request_it = entry.find("request");
    if (request_it == entry.end() || !request_it->is_object())
        return bad_at(file, pointer + "/request", "\"request\" is missing or not an object");
    const json& request = *request_it;
    http::Request& r = out.exchange.request;
    r.method = string_member(request, "method");
    if (r.method.empty())
        return bad_at(file, pointer + "/request/method", "\"method\" is missing or empty");
    std::string url = string_member(request, "url");
    if (const auto hash = url.find('#'); hash != std::string::npos)
        url.resize(hash);
    if (url.find("://") == std::string::npos)
        return bad_at(file, pointer + "/request/url", "not an absolute URL: \"" + url + "\"");
    const auto question = url.find('?');
    r.base_url = url.substr(0, question);
    if (question != std::string::npos) {
        const std::string raw = url.substr(question + 1);
        if (auto parsed = http::parse_query(raw)) {
            r.query = std::move(*parsed);
            if (http::encode_query(r.query) != raw)
                r.raw_query = raw;
        } else {
            // A '%' the strict parser refuses: keep the bytes, describe with queryString.
            r.raw_query = raw;
            if (const auto qs = request.find("queryString"); qs != request.end() && qs->is_array())
                for (const json& p : *qs)
                    if (p.is_object())
                        r.query.add(string_member(p, "name"), string_member(p, "value"));
        }
    }
    CONFORM_TRY(r.headers, har_headers(request, file, pointer + "/request"));
    if (const auto post = request.find("postData"); post != request.end() && post->is_object()) {
        r.body = string_member(*post, "text");
        if (r.body.empty() && post->contains("params") && (*post)["params"].is_array()) {
            // Only params (multipart or form without text): rebuild the form body.
            http::QueryParams form;
            for (const json& p : (*post)["params"])
                if (p.is_object())
                    form.add(string_member(p, "name"), string_member(p, "value"));
            r.body = http::encode_query(form);
        }
    }

    // response
    const auto response_it = entry.find("response");
    if (response_it == entry.end() || !response_it->is_object())
        return bad_at(file, pointer + "/response", "\"response\" is missing or not an object");
    const json& response = *response_it;
    const auto status = response.find("status");
    if (status == response.end() || !status->is_number_integer() ||
        status->get<std::int64_t>() < 0 || status->get<std::int64_t>() > 999)
        return bad_at(file, pointer + "/response/status",
                      "\"status\" must be an integer from 0 to 999");
    const json* ours = nullptr;
    if (const auto c = entry.find("_conform"); c != entry.end() && c->is_object()) {
        ours = &*c;
        out.contract = string_member(*c, "contract");
        out.operation = string_member(*c, "operation");
        out.case_name = string_member(*c, "case");
        out.target = string_member(*c, "target");
    }
    if (status->get<int>() == 0) {
        // No answer: Chromium writes status 0 with "_error" ("net::ERR_CONNECTION_REFUSED").
        http::TransportFailure failure{http::FailureKind::connection_closed,
                                       string_member(response, "_error")};
        if (ours && ours->contains("failure") && (*ours)["failure"].is_object()) {
            const json& f = (*ours)["failure"];
            const std::string kind = string_member(f, "kind");
            for (const http::FailureKindInfo& info : http::k_failure_kinds)
                if (info.name == kind)
                    failure.kind = info.kind;
            failure.message = string_member(f, "message");
        }
        if (failure.message.empty())
            failure.message = "no response (status 0 in the HAR)";
        out.exchange.failure = std::move(failure);
        return out;
    }
    http::Response answer;
    answer.status = status->get<int>();
    CONFORM_TRY(answer.headers, har_headers(response, file, pointer + "/response"));
    if (const auto content = response.find("content");
        content != response.end() && content->is_object()) {
        answer.body = string_member(*content, "text");
        if (string_member(*content, "encoding") == "base64") {
            auto bytes = internal::base64_decode(answer.body);
            if (!bytes)
                return bad_at(file, pointer + "/response/content/text",
                              "\"encoding\" is base64 but the text is not valid base64");
            answer.body = std::move(*bytes);
        }
    }
    out.exchange.response = std::move(answer);
    return out;
}

json har_pairs(const http::Headers& headers) {
    json out = json::array();
    for (const http::Header& h : headers)
        out.push_back({{"name", h.name}, {"value", h.value}});
    return out;
}

std::string mime_of(const http::Headers& headers, std::string_view fallback) {
    const std::string* type = http::find_header(headers, "Content-Type");
    return type ? *type : std::string(fallback);
}

json har_entry(const Recorded& recorded) {
    const http::Exchange& x = recorded.exchange;
    const http::Request& r = x.request;
    json request = {{"method", r.method},
                    {"url", r.url()},
                    {"httpVersion", "HTTP/1.1"},
                    {"cookies", json::array()},
                    {"headers", har_pairs(r.headers)},
                    {"queryString", json::array()},
                    {"headersSize", -1},
                    {"bodySize", static_cast<std::int64_t>(r.body.size())}};
    for (const http::QueryParam& p : r.query)
        request["queryString"].push_back({{"name", p.name}, {"value", p.value}});
    if (!r.body.empty())
        request["postData"] = {{"mimeType", mime_of(r.headers, "application/octet-stream")},
                               {"text", r.body}};

    json response;
    json ours = json::object();
    if (x.response) {
        const http::Response& a = *x.response;
        json content = {{"size", static_cast<std::int64_t>(a.body.size())},
                        {"mimeType", mime_of(a.headers, "")}};
        if (internal::is_utf8(a.body)) {
            content["text"] = a.body;
        } else {
            content["text"] = internal::base64_encode(a.body);
            content["encoding"] = "base64";
        }
        response = {{"status", a.status},
                    {"statusText", ""},
                    {"httpVersion", "HTTP/1.1"},
                    {"cookies", json::array()},
                    {"headers", har_pairs(a.headers)},
                    {"content", std::move(content)},
                    {"redirectURL", http::find_header(a.headers, "Location")
                                        ? *http::find_header(a.headers, "Location")
                                        : std::string()},
                    {"headersSize", -1},
                    {"bodySize", static_cast<std::int64_t>(a.body.size())}};
    } else {
        // HAR 1.2 has no "no answer": status 0 with "_error", as Chromium writes it.
        response = {{"status", 0},
                    {"statusText", ""},
                    {"httpVersion", ""},
                    {"cookies", json::array()},
                    {"headers", json::array()},
                    {"content", {{"size", 0}, {"mimeType", "x-unknown"}}},
                    {"redirectURL", ""},
                    {"headersSize", -1},
                    {"bodySize", -1}};
        if (x.failure) {
            response["_error"] = x.failure->message;
            ours["failure"] = {{"kind", std::string(http::name_of(x.failure->kind))},
                               {"message", x.failure->message}};
        }
    }
    const double ms = std::max(0.0, x.seconds * 1000.0);
    std::string started = recorded.time;
    if (started.empty())
        started = internal::format_time(x.started); // the epoch when unknown: required field
    json entry = {
        {"startedDateTime", started},    {"time", ms},
        {"request", std::move(request)}, {"response", std::move(response)},
        {"cache", json::object()},       {"timings", {{"send", 0}, {"wait", ms}, {"receive", 0}}}};
    if (!recorded.contract.empty())
        ours["contract"] = recorded.contract;
    if (!recorded.operation.empty())
        ours["operation"] = recorded.operation;
    if (!recorded.case_name.empty())
        ours["case"] = recorded.case_name;
    if (!recorded.target.empty())
        ours["target"] = recorded.target;
    if (!ours.empty())
        entry["_conform"] = std::move(ours); // HAR 1.2: custom fields start with '_'
    return entry;
}

std::filesystem::path other_extension(const std::filesystem::path& in, const char* extension) {
    std::filesystem::path out = in;
    out.replace_extension(extension);
    return out;
}

core::Result<void> replace_file(const std::filesystem::path& temporary,
                                const std::filesystem::path& file) {
    std::error_code error;
    std::filesystem::rename(temporary, file, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        return core::fail("cannot write " + file.string() + ": " + error.message());
    }
    return {};
}

} // namespace

core::Result<HarImport> parse_har(const nlohmann::json& har, const std::filesystem::path& file) {
    if (!har.is_object() || !har.contains("log") || !har["log"].is_object())
        return bad_at(file, "", "not a HAR file: no \"log\" object");
    const json& log = har["log"];
    if (!log.contains("entries") || !log["entries"].is_array())
        return bad_at(file, "/log", "not a HAR file: no \"entries\" array");
    HarImport out;
    const json& entries = log["entries"];
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto entry = read_entry(entries[i], file, "/log/entries/" + std::to_string(i));
        if (entry)
            out.entries.push_back(std::move(*entry));
        else
            out.bad.push_back(std::move(entry).error());
    }
    return out;
}

core::Result<HarImport> read_har(const std::filesystem::path& file) {
    // HAR bodies nest as deep as the pages they carry, but as text: the archive itself is flat.
    CONFORM_TRY(json har, core::load_json_file(file));
    return parse_har(har, file);
}

nlohmann::json to_har(std::span<const Recorded> entries, std::span<const std::string> scrub) {
    json list = json::array();
    for (const Recorded& recorded : entries) {
        json entry = har_entry(redacted(recorded, scrub));
        scrub_json(entry, scrub);
        list.push_back(std::move(entry));
    }
    return {{"log",
             {{"version", "1.2"},
              {"creator", {{"name", "conform"}, {"version", CONFORM_VERSION}}},
              {"pages", json::array()},
              {"entries", std::move(list)}}}};
}

core::Result<void> write_har(const std::filesystem::path& file, std::span<const Recorded> entries,
                             std::optional<std::vector<std::string>> scrub) {
    const std::vector<std::string> values =
        scrub ? std::move(*scrub) : credential_values(http::ProcessEnvironment{});
    const std::string text =
        to_har(entries, values).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    const std::filesystem::path temporary = file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            return core::fail("cannot write " + temporary.string());
    }
    return replace_file(temporary, file);
}

core::Result<core::Verdict> run_import_har(const HarJob& job, std::ostream& out,
                                           std::ostream& err) {
    CONFORM_TRY(const HarImport har, read_har(job.in));
    for (const core::Diagnostic& bad : har.bad)
        err << "conform import-har: skipped " << bad.to_string() << '\n';
    const std::filesystem::path target = job.out.value_or(other_extension(job.in, ".jsonl"));
    const std::filesystem::path temporary = target.string() + ".tmp";
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    {
        CONFORM_TRY(RecordingWriter writer, RecordingWriter::open(temporary));
        for (const Recorded& entry : har.entries)
            CONFORM_CHECK(writer.write(entry));
    }
    CONFORM_CHECK(replace_file(temporary, target));
    out << "conform import-har: " << har.entries.size() << " exchanges written to "
        << target.string();
    if (!har.bad.empty())
        out << ", " << har.bad.size() << " entries skipped";
    out << '\n';
    return har.bad.empty() ? core::Verdict::conformant : core::Verdict::deviations;
}

core::Result<core::Verdict> run_export_har(const HarJob& job, std::ostream& out,
                                           std::ostream& err) {
    CONFORM_TRY(RecordingReader reader, RecordingReader::open(job.in));
    std::vector<Recorded> entries;
    std::size_t skipped = 0;
    for (;;) {
        auto next = reader.next();
        if (!next) {
            err << "conform export-har: skipped " << next.error().to_string() << '\n';
            ++skipped;
            continue;
        }
        if (!*next)
            break;
        entries.push_back(std::move(**next));
    }
    const std::filesystem::path target = job.out.value_or(other_extension(job.in, ".har"));
    CONFORM_CHECK(write_har(target, entries));
    out << "conform export-har: " << entries.size() << " exchanges written to " << target.string();
    if (skipped > 0)
        out << ", " << skipped << " bad lines skipped";
    out << '\n';
    return skipped == 0 ? core::Verdict::conformant : core::Verdict::deviations;
}

} // namespace conform::record
