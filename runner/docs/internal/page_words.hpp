#pragma once
// The keyword tables the page reader matches on: section headings and table column headers in
// both languages, and the words a Required column uses. Matching is by substring on lower-cased
// ASCII, so "### 2. Input Parameters" and "**输入参数**" both open the request section.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/docs/internal/page.hpp"

namespace conform::docs::internal {

struct SectionWord {
    std::string_view word; // lower case
    Section section;
};

// Order matters: "公共请求参数" is common before it is a request, "Request Example" is a sample.
// clang-format off
inline constexpr SectionWord k_section_words[] = {
    {"公共参数", Section::common},           {"公共请求参数", Section::common},
    {"public parameter", Section::common},   {"common parameter", Section::common},
    {"common request parameter", Section::common}, {"common param", Section::common},
    {"示例", Section::sample},               {"example", Section::sample},
    {"sample", Section::sample},
    {"错误码", Section::other},              {"error code", Section::other},
    {"开发者资源", Section::other},          {"developer resource", Section::other},
    {"数据模型", Section::model},            {"数据结构", Section::model},
    {"字段详细说明", Section::model},        {"字段说明", Section::model},
    {"data model", Section::model},          {"data structure", Section::model},
    {"输入参数", Section::request},          {"请求参数", Section::request},
    {"input parameter", Section::request},   {"request parameter", Section::request},
    {"输出参数", Section::response},         {"响应字段", Section::response},
    {"响应参数", Section::response},         {"返回参数", Section::response},
    {"返回字段", Section::response},         {"返回值", Section::response},
    {"output parameter", Section::response}, {"response field", Section::response},
    {"response parameter", Section::response}, {"response element", Section::response},
    {"return parameter", Section::response},
};
// clang-format on

enum class Column { name, type, description, required };

struct ColumnWord {
    std::string_view word; // lower case
    Column column;
};

// Checked in this order, so "参数类型" is a type column and "Parameter Name" a name column.
// clang-format off
inline constexpr ColumnWord k_column_words[] = {
    {"required", Column::required}, {"mandatory", Column::required},
    {"必选", Column::required},     {"必填", Column::required},   {"是否必", Column::required},
    {"type", Column::type},         {"类型", Column::type},
    {"description", Column::description}, {"desc", Column::description},
    {"描述", Column::description},  {"说明", Column::description}, {"备注", Column::description},
    {"name", Column::name},         {"parameter", Column::name},  {"field", Column::name},
    {"名", Column::name},           {"参数", Column::name},       {"字段", Column::name},
};
// clang-format on

// The columns of a table header; name and type are required for a parameter table.
struct Columns {
    std::optional<std::size_t> name, type, description, required;
};
[[nodiscard]] Columns columns_of(const std::vector<std::string>& header);

// "Yes", "**Yes**", "是", "必选", "true" -> true; "No", "否", "", "可选" -> false;
// anything else -> nullopt (the caller warns).
[[nodiscard]] std::optional<bool> read_required(std::string_view cell);

// Identifier tokens ([A-Za-z_][A-Za-z0-9_.]*) of a text, in order.
[[nodiscard]] std::vector<std::string> identifiers_in(std::string_view text);

// "repoInfo", "RepoSet": a lower-case letter followed by an upper-case one.
[[nodiscard]] bool is_camel_case(std::string_view word);

} // namespace conform::docs::internal
