// What the recording proxy and the recorded server share (serving.hpp).
#include "runner/record/internal/serving.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

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

core::Result<http::ServerOptions> parse_listen(std::string_view text) {
    auto bad = [&](std::string why) {
        return core::fail("--listen " + std::string(text) + ": " + why +
                          " (expected HOST:PORT, [IPv6]:PORT or :PORT)");
    };
    http::ServerOptions out;
    std::string_view port_text;
    if (text.starts_with("[")) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return bad("an IPv6 host is written [ADDRESS]:PORT");
        out.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return bad("no port");
        out.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    if (out.host.empty())
        out.host = "127.0.0.1"; // ":PORT": loopback, never every interface by accident
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        port > 65535)
        return bad("the port is not a number from 0 to 65535");
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

namespace {

extern "C" void on_stop_signal(int) {
    http::Server::signal_stop();
}

} // namespace

StopSignals::StopSignals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &m_previous_int);
    sigaction(SIGTERM, &action, &m_previous_term);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &m_previous_int, nullptr);
    sigaction(SIGTERM, &m_previous_term, nullptr);
}

} // namespace conform::record::internal
