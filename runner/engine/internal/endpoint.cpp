#include "runner/engine/internal/endpoint.hpp"

#include <charconv>

#include "runner/http/http.hpp"

namespace conform::engine {
namespace {

struct Parts {
    bool https = false;
    std::string authority, host, path;
    std::uint16_t port = 0;
};

core::Result<Parts> split(std::string_view url) {
    auto bad = [&](const std::string& why) {
        return core::fail("target URL \"" + std::string(url) + "\": " + why);
    };
    Parts p;
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        p.https = true;
        rest = url.substr(8);
    } else {
        return bad("expected http://HOST[:PORT][/PATH] or https://...");
    }
    if (rest.find_first_of("?#") != std::string_view::npos)
        return bad("a target URL takes no query or fragment (parameters come from the cases)");
    const auto slash = rest.find('/');
    p.authority = std::string(rest.substr(0, slash));
    p.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
    if (p.authority.empty() || p.authority.find('@') != std::string::npos)
        return bad("no host (user info is not supported)");
    std::string_view port_text;
    if (p.authority.front() == '[') {
        const auto close = p.authority.find(']');
        if (close == std::string::npos)
            return bad("unclosed IPv6 literal");
        p.host = p.authority.substr(1, close - 1);
        std::string_view after = std::string_view(p.authority).substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return bad("junk after the IPv6 literal");
            port_text = after.substr(1);
        }
    } else {
        const auto colon = p.authority.find(':');
        p.host = p.authority.substr(0, colon);
        if (colon != std::string::npos)
            port_text = std::string_view(p.authority).substr(colon + 1);
    }
    if (p.host.empty())
        return bad("no host");
    p.port = p.https ? 443 : 80;
    if (!port_text.empty()) {
        unsigned value = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535)
            return bad("the port must be a number from 1 to 65535");
        p.port = static_cast<std::uint16_t>(value);
    }
    return p;
}

} // namespace

core::Result<Endpoint> endpoint_of(std::string_view url, std::string_view contract_base_url) {
    CONFORM_TRY(Parts target, split(url));
    std::string path = target.path;
    if (path.empty() || path == "/") {
        if (auto base = split(contract_base_url); base && !base->path.empty())
            path = base->path;
    }
    if (path.empty())
        path = "/";
    Endpoint e;
    e.https = target.https;
    e.host = target.host;
    e.port = target.port;
    e.path = path;
    e.base_url = std::string(target.https ? "https://" : "http://") + target.authority + path;
    const std::string host_for_signing =
        target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
    e.signing_host = http::signing_host(host_for_signing, target.port, target.https);
    return e;
}

} // namespace conform::engine
