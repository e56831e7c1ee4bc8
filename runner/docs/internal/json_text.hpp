#pragma once
// The bytes conform import writes for a JSON document.

#include <string>

#include <nlohmann/json.hpp>

namespace conform::docs::internal {

// Same page, same bytes: nlohmann objects keep keys sorted; invalid UTF-8 from a page is
// replaced rather than thrown on.
inline std::string pretty(const nlohmann::json& value) {
    return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace conform::docs::internal
