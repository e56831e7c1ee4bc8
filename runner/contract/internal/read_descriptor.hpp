#pragma once
// The typed values of a contract.json or <Op>.operation.json that has already passed its
// descriptor schema: the schema has checked every shape, so these only copy.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"

namespace conform::contract::internal {

[[nodiscard]] Envelope read_envelope(const nlohmann::json& envelope);
[[nodiscard]] Routing read_routing(const nlohmann::json& routing);
// contract.json's pagination (every member set); nullopt for null.
[[nodiscard]] std::optional<Pagination> read_pagination(const nlohmann::json& pagination);

// A JSON Schema "integer" (20.0 is one too) as int64; values beyond int64 saturate.
[[nodiscard]] std::int64_t read_integer(const nlohmann::json& value);

// A string member, or "" when absent or not a string (operation.json allows null in places).
[[nodiscard]] std::string string_or_empty(const nlohmann::json& object, std::string_view key);

} // namespace conform::contract::internal
