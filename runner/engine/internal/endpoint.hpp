#pragma once
// Where a target's requests go: a --target URL split into what the transport and the signers
// need, with the contract's path when the URL names none (Tencent v2 lives at /v2/index.php).

#include <cstdint>
#include <string>
#include <string_view>

#include "runner/core/result.hpp"

namespace conform::engine {

struct Endpoint {
    bool https = false;
    std::string host; // without brackets for IPv6
    std::uint16_t port = 0;
    std::string path;         // "/" at least
    std::string base_url;     // scheme://authority + path: what Request::base_url holds
    std::string signing_host; // host[:port], the port only off the scheme's default
};

// "http://127.0.0.1:8080" + contract base "https://ccr.api.qcloud.com/v2/index.php" ->
// base_url "http://127.0.0.1:8080/v2/index.php". Fails naming the URL for anything but an
// absolute http(s) URL without query or fragment.
[[nodiscard]] core::Result<Endpoint> endpoint_of(std::string_view url,
                                                 std::string_view contract_base_url);

} // namespace conform::engine
