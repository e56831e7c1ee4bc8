#pragma once
// Page facts -> the request and response JSON Schemas (draft 2020-12). Type cells go through
// k_type_words; data models become $defs referenced by $ref; objects are closed
// (additionalProperties: false) so that an undocumented field is reported; every property
// carries "x-source" naming its table row.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docs/docs.hpp"
#include "runner/docs/internal/page.hpp"

namespace conform::docs::internal {

inline constexpr std::string_view k_draft_2020_12 = "https://json-schema.org/draft/2020-12/schema";
inline constexpr std::string_view k_id_base = "https://conform.dev/schemas/";

struct SchemaNames {
    std::string doc;       // page file name, for x-source
    std::string contract;  // for $id
    std::string operation; // for $id and titles
};

struct DerivedSchemas {
    nlohmann::json request;
    nlohmann::json response;
    std::map<std::string, const FieldTable*> models; // $defs name -> its table
};

// "Disks.N.Size" -> "Disks.N.Size", "UHostIds.n" -> "UHostIds.N" (a segment N or n after the
// first is an index); nullopt for a name with no index segment.
[[nodiscard]] std::optional<std::string> indexed_template(std::string_view name);
// "Disks.N.Size" -> "^Disks\\.(0|[1-9][0-9]*)\\.Size$" (ECMA regex for patternProperties).
[[nodiscard]] std::string indexed_pattern(std::string_view name_template);
// "Disks.N.Size" -> "Disks.0.Size": what a required indexed parameter requires.
[[nodiscard]] std::string first_index(std::string_view name_template);

[[nodiscard]] DerivedSchemas derive_schemas(const PageFacts& facts, const SchemaNames& names,
                                            std::vector<Warning>& warnings);

// A stated default in the property's type: "20" -> 20 for an integer, "public" for a string;
// nullopt (and the reason in `why`) when it does not fit.
[[nodiscard]] std::optional<nlohmann::json>
typed_default(std::string_view text, const nlohmann::json& property, std::string& why);

} // namespace conform::docs::internal
