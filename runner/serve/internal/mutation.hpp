#pragma once
// A persona's Mutation applied to one answer, slot by slot (serve.hpp "What a persona does").
// The reference calls each in turn; none of them knows which persona asked.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/http/http.hpp"
#include "runner/http/server.hpp"
#include "runner/serve/internal/plan.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve::internal {

// The page asked (offset, limit: the request's, or the defaults) and the items it holds:
// [start, start + count) of the matching ones.
struct PageSpan {
    std::int64_t offset = 0;
    std::int64_t limit = 0;
    std::int64_t start = 0;
    std::int64_t count = 0;
};

// Reads offset and limit (a missing or bad value is the default: the parameters were checked
// before, unless the persona is lenient) and places the window over n matching items.
[[nodiscard]] PageSpan page_span(PageWindow window, const contract::Pagination& page,
                                 const http::QueryParams& params, std::int64_t n);

// The items of the page, changed as the transform says.
void transform_items(ItemTransform transform, const contract::Pagination& page,
                     const OperationPlan& plan, nlohmann::json& items);

// The total of n matching items as the page reports it.
[[nodiscard]] std::int64_t reported_total(TotalTransform transform, const PageSpan& span,
                                          std::int64_t n);

// The success body around the page (doc-sample is the reference's: it replaces the body
// before any page is made).
void transform_body(BodyTransform transform, const contract::Pagination& page,
                    nlohmann::json& body);

// The answer on the wire (http-500 echoes the request's routing value in its error envelope).
void apply_fault(TransportFault fault, const contract::Contract& contract,
                 const http::ServerRequest& request, const ReferenceOptions& options,
                 http::ServerResponse& response);

} // namespace conform::serve::internal
