#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "runner/core/utf8.hpp"
#include "runner/report/internal/text.hpp"

namespace conform::report::internal {
namespace {

constexpr char32_t k_replacement = 0xFFFD;

// Decodes one UTF-8 sequence at text[i]; advances i. Invalid or overlong sequences, surrogates
// and values past U+10FFFF yield U+FFFD and consume one byte (RFC 3629).
char32_t next_code_point(std::string_view text, std::size_t& i) {
    if (const auto cp = core::next_code_point(text, i))
        return *cp;
    ++i;
    return k_replacement;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void append_visible_escape(std::string& out, char32_t cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
    out += buf;
}

bool is_disallowed_control(char32_t cp) {
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F;
}

} // namespace

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();)
        append_utf8(out, next_code_point(text, i));
    return out;
}

std::string escape_xml(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = next_code_point(text, i);
        switch (cp) {
        case '&':
            out += "&amp;";
            continue;
        case '<':
            out += "&lt;";
            continue;
        case '>':
            out += "&gt;";
            continue;
        case '"':
            out += attribute ? "&quot;" : "\"";
            continue;
        case '\'':
            out += attribute ? "&apos;" : "'";
            continue;
        case '\t':
            out += attribute ? "&#9;" : "\t";
            continue;
        case '\n':
            out += attribute ? "&#10;" : "\n";
            continue;
        case '\r':
            out += "&#13;";
            continue; // a raw CR would be normalised away
        default:
            break;
        }
        // XML 1.0 section 2.2: Char excludes C0 controls, surrogates, U+FFFE and U+FFFF; not
        // even a character reference may name them.
        if (is_disallowed_control(cp) || cp == 0xFFFE || cp == 0xFFFF)
            append_visible_escape(out, cp);
        else
            append_utf8(out, cp);
    }
    return out;
}

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = next_code_point(text, i);
        switch (cp) {
        case '&':
            out += "&amp;";
            continue;
        case '<':
            out += "&lt;";
            continue;
        case '>':
            out += "&gt;";
            continue;
        case '"':
            out += "&quot;";
            continue;
        case '\'':
            out += "&#39;";
            continue;
        default:
            break;
        }
        if (is_disallowed_control(cp))
            append_visible_escape(out, cp);
        else
            append_utf8(out, cp);
    }
    return out;
}

std::string escape_markdown_cell(std::string_view text) {
    std::string out;
    const std::string clean = valid_utf8(text);
    for (char ch : clean) {
        switch (ch) {
        case '|':
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
            out += '\\';
            out += ch;
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '\n':
        case '\r':
        case '\t':
            out += ' ';
            break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F)
                append_visible_escape(out, static_cast<unsigned char>(ch));
            else
                out += ch;
        }
    }
    return out;
}

std::string markdown_code(std::string_view text) {
    std::string body;
    for (char ch : valid_utf8(text)) {
        if (ch == '|')
            body += "\\|"; // GFM: a pipe inside a cell is escaped even in a code span
        else if (ch == '\n' || ch == '\r' || ch == '\t')
            body += ' ';
        else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F)
            append_visible_escape(body, static_cast<unsigned char>(ch));
        else
            body += ch;
    }
    if (body.empty())
        return "";
    const std::string fence = body.find('`') == std::string::npos ? "`" : "``";
    const bool pad = body.front() == '`' || body.back() == '`';
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string markdown_fence(std::string_view text) {
    std::size_t longest = 0, run = 0;
    for (char ch : text) {
        run = ch == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::string format_seconds(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", seconds < 0 ? 0.0 : seconds);
    return buf;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string case_label(const CaseResult& c) {
    return c.contract + "/" + c.operation + "/" + c.name;
}

std::string_view case_status(const CaseResult& c) {
    if (!c.skipped.empty())
        return "skipped";
    return c.deviation_count() == 0 ? "passed" : "failed";
}

std::string_view check_status(const CheckResult& c) {
    if (!c.skipped.empty())
        return "skipped";
    return c.deviations.empty() ? "passed" : "failed";
}

std::string pointer_text(std::string_view pointer) {
    return pointer.empty() ? std::string("/") : std::string(pointer);
}

std::string source_text(const core::Deviation& d) {
    if (!d.source || d.source->doc.empty())
        return "";
    return d.source->line ? d.source->doc + ":" + std::to_string(d.source->line) : d.source->doc;
}

namespace {
std::string string_at(const nlohmann::json& j, const char* object, const char* key) {
    if (!j.is_object() || !j.contains(object) || !j[object].is_object())
        return "";
    const auto& o = j[object];
    if (!o.contains(key))
        return "";
    const auto& v = o[key];
    return v.is_string() ? v.get<std::string>()
                         : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
} // namespace

std::string request_url(const nlohmann::json& exchange) {
    return string_at(exchange, "request", "url");
}

std::string request_line(const nlohmann::json& exchange) {
    const std::string method = string_at(exchange, "request", "method");
    const std::string url = request_url(exchange);
    if (method.empty())
        return url;
    return url.empty() ? method : method + " " + url;
}

std::string response_line(const nlohmann::json& exchange) {
    if (exchange.is_object() && exchange.contains("response")) {
        std::string line = "HTTP " + string_at(exchange, "response", "status");
        const std::string type = string_at(exchange, "response", "content_type");
        if (!type.empty())
            line += " " + type;
        return line;
    }
    if (exchange.is_object() && exchange.contains("failure")) {
        const std::string message = string_at(exchange, "failure", "message");
        return "failure " + string_at(exchange, "failure", "kind") +
               (message.empty() ? "" : ": " + message);
    }
    return "";
}

std::string response_body(const nlohmann::json& exchange) {
    if (!exchange.is_object() || !exchange.contains("response") ||
        !exchange["response"].is_object() || !exchange["response"].contains("body"))
        return "";
    const auto& body = exchange["response"]["body"];
    if (body.is_string())
        return valid_utf8(body.get<std::string>());
    if (body.is_null())
        return "";
    return body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> step_lines(const CaseResult& c, bool with_request) {
    std::vector<std::string> out;
    for (const nlohmann::json& x : c.exchanges) {
        if (!x.is_object() || !x.contains("step") || !x["step"].is_object())
            continue;
        std::string line = std::to_string(out.size() + 1) + ". " + string_at(x, "step", "name");
        if (with_request)
            if (const std::string request = request_line(x); !request.empty())
                line += ": " + request;
        const std::string response = response_line(x);
        line += " -> " + (response.empty() ? std::string("no answer") : response) + " -> " +
                string_at(x, "step", "verdict");
        out.push_back(std::move(line));
    }
    return out;
}

const nlohmann::json* exchange_of(const CaseResult& c, const CheckResult& check,
                                  std::size_t deviation_index) {
    const auto index = check.exchange_index(deviation_index);
    if (!index || *index >= c.exchanges.size())
        return nullptr;
    return &c.exchanges[*index];
}

std::vector<SummaryRow> summary_rows(const std::vector<CaseResult>& cases) {
    std::vector<SummaryRow> rows;
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
    for (const CaseResult& c : cases) {
        const auto key = std::make_tuple(c.contract, c.operation, c.target);
        auto [it, inserted] = index.emplace(key, rows.size());
        if (inserted)
            rows.push_back(SummaryRow{c.contract, c.operation, c.target});
        SummaryRow& row = rows[it->second];
        ++row.cases;
        const auto status = case_status(c);
        row.passed += status == "passed";
        row.failed += status == "failed";
        row.skipped += status == "skipped";
        for (const CheckResult& check : c.checks)
            for (const core::Deviation& d : check.deviations) {
                ++row.deviations;
                row.errors += d.severity == core::Severity::error;
                row.warnings += d.severity == core::Severity::warning;
            }
    }
    return rows;
}

Matrix build_matrix(const ReportModel& model) {
    Matrix m;
    m.targets = model.target_names();
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
    for (const CaseResult& c : model.cases) {
        const auto key = std::make_tuple(c.contract, c.operation, c.name);
        auto [it, inserted] = index.emplace(key, m.rows.size());
        if (inserted)
            m.rows.push_back(MatrixRow{c.contract, c.operation, c.name,
                                       std::vector<const CaseResult*>(m.targets.size())});
        const auto column = std::find(m.targets.begin(), m.targets.end(), c.target);
        m.rows[it->second].cells[static_cast<std::size_t>(column - m.targets.begin())] = &c;
    }
    return m;
}

std::string cell_text(const CaseResult* c) {
    if (!c)
        return "-";
    if (!c->skipped.empty())
        return "skip";
    const std::size_t n = c->deviation_count();
    return n == 0 ? "pass" : plural(n, "deviation", "deviations");
}

std::vector<std::pair<core::DeviationId, std::vector<Occurrence>>>
group_by_id(const std::vector<CaseResult>& cases) {
    std::map<core::DeviationId, std::vector<Occurrence>> groups;
    for (const CaseResult& c : cases)
        for (const CheckResult& check : c.checks)
            for (std::size_t i = 0; i < check.deviations.size(); ++i)
                groups[check.deviations[i].id].push_back(Occurrence{&c, &check, i});
    return {groups.begin(), groups.end()};
}

std::string baseline_line(const ReportModel& model) {
    if (!model.baseline)
        return {};
    const BaselineOutcome& b = *model.baseline;
    return "baseline " + b.file + ": " + std::to_string(b.accepted) + " accepted, " +
           std::to_string(b.expired) + " expired, " + std::to_string(b.fixed.size()) + " fixed";
}

std::string fixed_entry_text(const BaselineEntry& e) {
    return e.contract + "/" + e.operation + "/" + e.case_name +
           (e.target.empty() ? std::string() : " @ " + e.target) + ": " + e.id + " (first seen " +
           e.first_seen + ", last seen " + e.last_seen + ")";
}

std::vector<Occurrence> accepted_occurrences(const std::vector<CaseResult>& cases) {
    std::vector<Occurrence> out;
    for (const CaseResult& c : cases)
        for (const CheckResult& check : c.checks)
            for (std::size_t i = 0; i < check.accepted.size(); ++i)
                out.push_back({&c, &check, i, true});
    return out;
}

} // namespace conform::report::internal
