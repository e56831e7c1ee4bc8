#include "runner/docs/internal/overlay.hpp"

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::docs::internal {
namespace {

using nlohmann::json;

core::Unexpected<core::Diagnostic> overlay_error(const std::string& file, std::string pointer,
                                                 std::string message) {
    return core::fail(std::move(message), core::Location{file, 0, 0, std::move(pointer), true});
}

core::Result<void> check_reasons(const json& patch, const std::string& file,
                                 const std::string& pointer) {
    bool changes_here = false;
    for (const auto& [key, value] : patch.items()) {
        if (key == "$comment")
            continue;
        if (value.is_object()) {
            std::string child = pointer;
            core::append_pointer_token(child, key);
            CONFORM_CHECK(check_reasons(value, file, child));
        } else {
            changes_here = true;
        }
    }
    if (changes_here && !(patch.contains("$comment") && patch["$comment"].is_string()))
        return overlay_error(file, pointer,
                             "overlay change without a \"$comment\" giving its reason");
    return {};
}

} // namespace

core::Result<Overlay> read_overlay(const json& document, const std::string& file) {
    if (!document.is_object())
        return overlay_error(file, "", "an overlay is a JSON object");
    Overlay overlay;
    overlay.file_name = std::filesystem::path(file).filename().string();
    for (const auto& [key, value] : document.items()) {
        if (key == "$comment") {
            if (!value.is_string())
                return overlay_error(file, "/$comment", "\"$comment\" must be a string");
            continue;
        }
        if (key != "request" && key != "response")
            return overlay_error(file, "/" + core::escape_pointer_token(key),
                                 "unknown overlay member '" + key +
                                     "' (expected \"$comment\", \"request\", \"response\")");
        if (!value.is_object())
            return overlay_error(file, "/" + key, "a patch must be a JSON object");
        CONFORM_CHECK(check_reasons(value, file, "/" + key));
        (key == "request" ? overlay.request : overlay.response) = value;
    }
    return overlay;
}

core::Result<std::optional<Overlay>> load_overlay(const std::filesystem::path& dir,
                                                  const std::string& operation) {
    if (dir.empty())
        return std::optional<Overlay>();
    const std::filesystem::path path = dir / (operation + ".overlay.json");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::optional<Overlay>();
    CONFORM_TRY(json document, core::load_json_file(path));
    CONFORM_TRY(Overlay overlay, read_overlay(document, path.string()));
    return std::optional<Overlay>(std::move(overlay));
}

void apply_overlay(const Overlay& overlay, json& request, json& response) {
    request.merge_patch(overlay.request);
    response.merge_patch(overlay.response);
}

} // namespace conform::docs::internal
