#pragma once
// Overlays: what the tables alone do not say (an enum only the prose states, the envelope of a
// v2 response), kept beside the generated files as <Operation>.overlay.json:
//   {"$comment": "...", "request": <JSON Merge Patch>, "response": <JSON Merge Patch>}
// Each patch is applied to the generated schema with RFC 7396 merge-patch on every import.
// Every change carries its reason: an object in a patch that sets or removes a value
// (anything but a nested object) must hold a "$comment" string, which lands in the schema.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"

namespace conform::docs::internal {

struct Overlay {
    std::string file_name; // "GetRepo.overlay.json"
    nlohmann::json request = nlohmann::json::object();
    nlohmann::json response = nlohmann::json::object();
};

// Checks an overlay document; errors name the file and the JSON pointer.
[[nodiscard]] core::Result<Overlay> read_overlay(const nlohmann::json& document,
                                                 const std::string& file);

// <dir>/<operation>.overlay.json, or nullopt when there is none.
[[nodiscard]] core::Result<std::optional<Overlay>> load_overlay(const std::filesystem::path& dir,
                                                                const std::string& operation);

void apply_overlay(const Overlay& overlay, nlohmann::json& request, nlohmann::json& response);

} // namespace conform::docs::internal
