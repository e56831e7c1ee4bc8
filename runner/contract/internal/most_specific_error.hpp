#pragma once
// Turns a failed validation of one of our descriptor files into the one error worth showing.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"
#include "runner/schema/schema.hpp"

namespace conform::contract::internal {

// The most specific error of an invalid result (the deepest instance location, then the
// deepest keyword), as a Diagnostic at file#pointer. schema_document is the schema that was
// applied: when the error is a closed object's unknown member, its declared members are
// searched for the likely intended spelling ("did you mean ..."). May be null.
[[nodiscard]] core::Diagnostic most_specific_error(const schema::ValidationResult& result,
                                                   const std::filesystem::path& file,
                                                   const nlohmann::json* schema_document);

// Validates instance (read from file) against compiled; the most specific error on failure.
[[nodiscard]] core::Result<void> conforms(const schema::CompiledSchema& compiled,
                                          const nlohmann::json& instance,
                                          const std::filesystem::path& file,
                                          const nlohmann::json* schema_document);

// The declared name closest to a misspelt one: equal ignoring case, or within two edits
// (and fewer edits than half its length). Empty when none is close.
[[nodiscard]] std::string closest_name(std::string_view typo,
                                       const std::vector<std::string>& names);

} // namespace conform::contract::internal
