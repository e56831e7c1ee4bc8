#pragma once
// The status envelope check (DESIGN.md envelope.*): does an answer say success or failure
// where the contract says it must, in the documented fields?

#include <string>
#include <vector>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/json_view.hpp"

namespace conform::checks {

using Expect = contract::Expectation; // what a case expects of the answer

// Whether the body's status field holds the contract's success value.
[[nodiscard]] bool is_success(const contract::Envelope& envelope, core::JsonView body);

// envelope.status when success/failure is not what the case expects; envelope.shape when the
// status, description, message or action-echo fields are missing or mistyped. An empty
// operation (a request that named none) expects no action echo.
[[nodiscard]] std::vector<core::Deviation> check_envelope(const contract::Envelope& envelope,
                                                          const std::string& operation,
                                                          core::JsonView body, Expect expect);

} // namespace conform::checks
