#pragma once
// The deviation classifier: turns the validator's basic output units into the taxonomy of
// DESIGN.md. One root cause gives one deviation: nine strings where objects are expected is one
// type.mismatch with count 9; a missing "RepoName" beside an unexpected "repoName" is one
// field.renamed; documented fields found under "data" are one field.misplaced.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/deviation.hpp"
#include "runner/core/json_view.hpp"
#include "runner/schema/schema.hpp"

namespace conform::checks {

struct ClassifyInput {
    std::string operation;        // for fingerprints
    const nlohmann::json& schema; // the schema document that was validated against
    core::JsonView instance;      // the instance that was validated
    const schema::ValidationResult& result;
};

[[nodiscard]] std::vector<core::Deviation> classify(const ClassifyInput& input);

// Case-insensitive equality or an edit distance of at most 2 (for names of 4+ characters):
// what field.renamed accepts as "the same field, spelled differently".
[[nodiscard]] bool is_probable_rename(std::string_view documented, std::string_view actual);

} // namespace conform::checks
