#pragma once
// Reference data synthesized from an operation's response schema, for the operations that
// have no hand-written dataset (an imported family). Deterministic, and consistent across the
// family: an identifier field has the same values in every operation that names it (by name,
// case-insensitively), so the repositories GetRepo lists are the ones GetRepoImage is filtered
// by.

#include "runner/serve/serve.hpp"

namespace conform::serve::internal {

// The items of one paging operation (enough for several pages; a consumer of a link gets the
// same number for each of the first few producer identifiers, with a filter on the linked
// parameter), or the body of one that does not page. A linked identifier takes the values a
// written dataset in `known` lists for its producer. Fails naming the operation's response
// schema when what the schema describes cannot be made valid.
[[nodiscard]] core::Result<OperationFixture> synthesize_fixture(const contract::Contract& contract,
                                                                const contract::Operation& op,
                                                                const Fixtures& known);

// The success envelope (without what the schema forbids) with every other documented top-level
// field synthesized: a paging answer's frame, and a non-paging answer before validation.
[[nodiscard]] nlohmann::json synthesize_page_base(const contract::Contract& contract,
                                                  const contract::Operation& op);

// One synthesized value of a schema (the index varies it); exposed for the tests.
[[nodiscard]] nlohmann::json synthesize_value(const nlohmann::json& root,
                                              const nlohmann::json& schema, std::string_view name,
                                              std::int64_t index);

} // namespace conform::serve::internal
