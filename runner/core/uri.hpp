#pragma once
// URI references (RFC 3986) on uriparser: resolution against a base, splitting off the
// fragment, and syntax checks for the uri / uri-reference formats.

#include <string>
#include <string_view>
#include <utility>

#include "runner/core/result.hpp"

namespace conform::core {

// RFC 3986 section 5.2: the target URI of reference resolved against an absolute base.
[[nodiscard]] Result<std::string> resolve_uri(std::string_view base, std::string_view reference);

// "http://x/y#frag" -> {"http://x/y", "frag"}; no '#' -> {uri, ""}.
[[nodiscard]] std::pair<std::string_view, std::string_view> split_fragment(std::string_view uri);

[[nodiscard]] bool is_uri(std::string_view text);           // absolute, with a scheme
[[nodiscard]] bool is_uri_reference(std::string_view text); // absolute or relative

} // namespace conform::core
