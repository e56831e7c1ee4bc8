#pragma once
// What a vendor page says, read from its structure: which tables document the request, the
// response and the data models (by the headings and short lines above them, in either
// language), the rows of those tables, the evidence for the operation's name, and the code
// blocks that may hold samples.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/docs/docs.hpp"
#include "runner/docs/internal/markdown.hpp"

namespace conform::docs::internal {

enum class Section { none, common, request, response, model, sample, other };

// The section a heading or short line opens ("### 请求参数" -> request), or nullopt.
[[nodiscard]] std::optional<Section> section_of(std::string_view text);

struct Field {
    std::string name;
    std::string type_cell;        // raw, read later by parse_type()
    std::string description;      // plain text
    std::optional<bool> required; // nullopt when the table has no Required column
    std::size_t line = 0;
};

struct FieldTable {
    Section section = Section::none; // request, response or model
    std::string name; // data model name; empty for the main tables and unnamed models
    std::size_t header_line = 0;
    std::vector<Field> fields;

    [[nodiscard]] bool is_model() const { return section == Section::model; }
};

// One piece of evidence for the operation's name; a lower rank is stronger.
struct NameClaim {
    std::string name;
    std::size_t line = 0;
    int rank = 0;
    std::string how;
};

inline constexpr int k_rank_action_row = 0; // "当前 API 为 `GetRepo`", "本接口取值：X"
inline constexpr int k_rank_prose = 1;      // "This API (GetFavor) ...", "本接口（X）"
inline constexpr int k_rank_title = 2;      // "# 获取镜像仓库 - GetRepo"
inline constexpr int k_rank_sample = 3;     // "?Action=GetRepo", "X-TC-Action: X"

struct PageFacts {
    std::vector<FieldTable> tables; // page order: main request/response tables and models
    std::vector<NameClaim> names;   // page order
    std::vector<CodeBlock> code_blocks;
    std::size_t first_table_line = 0; // the first markdown table of any kind; 0: none
};

[[nodiscard]] PageFacts read_page(const std::vector<Block>& blocks, std::string_view doc,
                                  std::vector<Warning>& warnings);

// Folds the dotted names of response and model tables ("subnetSet.n.cidr") into data model
// tables of their own, appended to facts.tables (dotted_rows.cpp); request tables keep them.
void fold_dotted_rows(PageFacts& facts, std::string_view doc, std::vector<Warning>& warnings);

// The main request or response table, or nullptr.
[[nodiscard]] const FieldTable* main_table(const PageFacts& facts, Section section);

} // namespace conform::docs::internal
