// What the recording proxy and the recorded server share (serving.hpp).
#include "runner/record/internal/serving.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "runner/record/record.hpp" // is_hop_by_hop

namespace conform::record::internal {

bool one_of(std::string_view name, std::span<const std::string_view> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view n) { return iequals(n, name); });
}

std::vector<std::string> connection_options(const http::Headers& headers) {
    std::vector<std::string> out;
    for (const http::Header& h : headers) {
        if (!iequals(h.name, "Connection"))
            continue;
        std::size_t start = 0;
        while (start <= h.value.size()) {
            const std::size_t comma = std::min(h.value.find(',', start), h.value.size());
            std::string token = h.value.substr(start, comma - start);
            const auto first = token.find_first_not_of(" \t");
            const auto last = token.find_last_not_of(" \t");
            if (first != std::string::npos)
                out.push_back(token.substr(first, last - first + 1));
            start = comma + 1;
        }
    }
    return out;
}

bool listed(std::string_view name, const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return iequals(n, name); });
}

void copy_answer_headers(const http::Headers& from, http::ServerResponse& out) {
    out.content_type.clear();
    const std::vector<std::string> options = connection_options(from);
    for (const http::Header& h : from) {
        if (is_hop_by_hop(h.name) || listed(h.name, options) || iequals(h.name, "Content-Length"))
            continue;
        if (iequals(h.name, "Content-Encoding") && one_of(h.value, k_decoded_codings))
            continue;
        if (iequals(h.name, "Content-Type")) {
            if (out.content_type.empty())
                out.content_type = h.value;
            continue;
        }
        out.headers.push_back(h);
    }
}

} // namespace conform::record::internal
