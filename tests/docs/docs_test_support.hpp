#pragma once
// Small helpers shared by the docs tests.

#include <filesystem>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"

namespace conform::test {

// The committed contracts folder.
inline const std::filesystem::path k_schemas =
    std::filesystem::path(CONFORM_SOURCE_DIR) / "schemas";

inline std::string read_text(const std::filesystem::path& path) {
    auto text = core::read_text_file(path);
    REQUIRE(text.has_value());
    return std::move(text).value();
}

// The 1-based line of the first line of text containing needle (0 when none), so that tests
// find the rows they check by content, as the importer does, not by hard-coded numbers.
inline std::size_t line_containing(std::string_view text, std::string_view needle) {
    std::size_t line = 1;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        if (text.substr(start, end - start).find(needle) != std::string_view::npos)
            return line;
        ++line;
        start = end + 1;
    }
    return 0;
}

inline const docs::GeneratedFile* file_named(const docs::ImportResult& result,
                                             std::string_view name) {
    for (const docs::GeneratedFile& file : result.files)
        if (file.name == name)
            return &file;
    return nullptr;
}

inline nlohmann::json json_file(const docs::ImportResult& result, std::string_view name) {
    const docs::GeneratedFile* file = file_named(result, name);
    INFO(name);
    REQUIRE(file != nullptr);
    return nlohmann::json::parse(file->content);
}

inline nlohmann::json source(std::string_view doc, std::size_t line) {
    return {{"doc", doc}, {"line", line}};
}

// One page imported from its text (FAILs with the error when it does not import).
inline docs::ImportResult import_text(std::string_view page, std::string_view doc = "t.Op.md") {
    auto result = docs::import_page(page, doc, {});
    if (!result)
        FAIL(result.error().to_string());
    return std::move(result).value();
}

// Whether the import warned at line with a message holding text.
inline bool has_warning(const docs::ImportResult& result, std::size_t line, std::string_view text) {
    for (const docs::Warning& w : result.warnings)
        if (w.where.line == line && w.message.find(text) != std::string::npos)
            return true;
    return false;
}

// A fresh directory under the build tree for one test.
inline std::filesystem::path scratch_dir(std::string_view name) {
    const std::filesystem::path dir =
        std::filesystem::path(CONFORM_BINARY_DIR) / "tests" / "docs" / "scratch" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace conform::test
