#pragma once
// Defaults stated in a parameter's description, in either language: "默认0", "默认为20",
// "默认值：20", "缺省为 desc", "The default value is 20", "default is 20", "Default: 20",
// "defaults to 20", "Offset, default 0".

#include <optional>
#include <string>
#include <string_view>

namespace conform::docs::internal {

// The default as written ("20", "public"), or nullopt when the description states none.
// A bare "default X" (no "is", ":" or "value") counts only when X is a number or a boolean,
// so that "the default project is used" states no default.
[[nodiscard]] std::optional<std::string> find_default(std::string_view description);

// "20", "-1", "0.5"
[[nodiscard]] bool is_number_text(std::string_view text);

} // namespace conform::docs::internal
