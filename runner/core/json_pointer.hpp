#pragma once
// JSON Pointer (RFC 6901) helpers, and Path: an instance location built on the stack as the
// validator descends, turned into a pointer string only when something needs reporting.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"

namespace conform::core {

// "a/b~c" -> "a~1b~0c"
[[nodiscard]] std::string escape_pointer_token(std::string_view token);
// Appends "/" + escaped token.
void append_pointer_token(std::string& pointer, std::string_view token);
// Splits "/a/b~1c" into {"a", "b/c"}; a pointer that is not "" and does not start with "/" or
// has a bad "~" escape is an error.
[[nodiscard]] Result<std::vector<std::string>> parse_pointer(std::string_view pointer);
// The value at pointer inside document, or nullptr when there is none.
[[nodiscard]] const nlohmann::json* resolve_pointer(const nlohmann::json& document,
                                                    std::string_view pointer);
// The same through the read-only view (nlohmann or simdjson); nullopt when there is none.
[[nodiscard]] std::optional<JsonView> resolve_pointer(JsonView document, std::string_view pointer);
// Follows a same-document "$ref": "#/..." (what the importer writes for $defs), a bounded number
// of hops so that a $ref cycle cannot loop; the node itself when it is not a local $ref, and
// nullptr when the pointer leads nowhere. Schema walks that need no validator use it.
[[nodiscard]] const nlohmann::json* resolve_local_ref(const nlohmann::json& root,
                                                      const nlohmann::json* node);
// Percent-decoding of a URI fragment ("#/a%25b" holds the pointer "/a%b").
[[nodiscard]] std::string percent_decode(std::string_view text);

// One step of an instance location. Lives on the caller's stack; parent chains to the root.
struct Path {
    const Path* parent = nullptr;
    std::string_view key; // member name when is_index is false
    std::size_t index = 0;
    bool is_index = false;
    bool is_root = true;
    std::size_t depth = 0; // steps from the root: how deep in the instance this is

    [[nodiscard]] Path member(std::string_view k) const noexcept {
        return Path{this, k, 0, false, false, depth + 1};
    }
    [[nodiscard]] Path item(std::size_t i) const noexcept {
        return Path{this, {}, i, true, false, depth + 1};
    }
    // The JSON pointer of this location, e.g. "/RepoSet/3/RepoName".
    [[nodiscard]] std::string to_pointer() const;
};

} // namespace conform::core
