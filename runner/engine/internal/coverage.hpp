#pragma once
// Coverage (report/internal/coverage.hpp, through report.hpp) as the engine feeds it: what each
// contract documents, read from its schemas, and each judged exchange handed to the recorder with
// the body the checks already parsed. Private to engine/.

#include <cstdint>
#include <string_view>
#include <vector>

#include "runner/checks/checks.hpp"
#include "runner/contract/contract.hpp"
#include "runner/report/report.hpp"

namespace conform::engine::internal {

// What coverage counts of a contract: per operation the request parameters (properties and
// x-indexed patternProperties of the request schema) with their enum values, the response
// fields (properties, recursively through items, same-document $refs and allOf/anyOf/oneOf;
// array indices as *), the status codes (the envelope's success value and any enum or const of
// the status field), and whether it pages.
[[nodiscard]] report::ContractDoc documented(const contract::Contract& contract);
[[nodiscard]] std::vector<report::ContractDoc>
documented(const std::vector<contract::Contract>& contracts);

// The shapes one answered page is: first (offset 0), last (it reaches the total, or is short
// of the limit when there is no total), middle (neither), past-end (no items past offset 0).
// 0 when the body holds no list where the pagination model says.
[[nodiscard]] std::uint8_t page_shapes(const contract::Pagination& model,
                                       const contract::Query& query, core::JsonView body);
// The same on a page located already (checks::locate_listing).
[[nodiscard]] std::uint8_t page_shapes(const contract::Pagination& model,
                                       const contract::Query& query,
                                       const checks::Listing& listing);

// Every exchange of a judged case that has an answer, to the recorder.
void observe_case(report::CoverageRecorder& recorder, const checks::CheckContext& context,
                  std::string_view target);

} // namespace conform::engine::internal
