#pragma once
// The reference's reading of a query: integers as the paging parameters need them, and the
// check of the parameters against the operation's request schema.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runner/contract/contract.hpp"
#include "runner/http/http.hpp"

namespace conform::serve::internal {

// A decimal integer, optionally negative, nothing else ("07" is 7; "7 ", "+7", "0x7" are not).
[[nodiscard]] std::optional<std::int64_t> parse_integer(std::string_view text);

struct ParamProblem {
    std::string param;
    std::string why; // "must be a non-negative integer"
};

// The first problem, in query order: a paging parameter (the contract's offset/limit) that is
// not a non-negative integer, whatever the schema says (UCloud's Limit has no minimum, but no
// listing has a negative page); then the declared parameters, each coerced by its declared
// type, against the request schema (type, enum, bounds...). Undeclared parameters (the routing
// and signing ones) and repeats of a parameter are not judged: UCloud's own sample repeats
// ProjectId.
[[nodiscard]] std::optional<ParamProblem> check_params(const contract::Operation& operation,
                                                       const http::QueryParams& params);

} // namespace conform::serve::internal
