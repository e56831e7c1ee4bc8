#include "runner/docs/internal/page.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "runner/docs/internal/page_words.hpp"
#include "runner/docs/internal/type_words.hpp"

namespace conform::docs::internal {
namespace {

// Longer than this, a line is prose that mentions a section ("For common parameters, see
// Common Request Parameters"), not a marker that opens one.
constexpr std::size_t k_max_marker_bytes = 48;

Warning warn(std::string_view doc, std::size_t line, std::string message) {
    return Warning{core::Location{std::string(doc), line, 0, {}, false}, std::move(message)};
}

// The operation an "Action" row states: "当前 API 为 `GetRepo`", "the current API is `GetRepo`",
// "公共参数，本接口取值：DescribeX。", "Common Params. The value used for this API: DescribeX."
std::optional<std::string> action_from_description(std::string_view raw) {
    if (std::size_t open = raw.find('`'); open != std::string_view::npos) {
        std::size_t close = raw.find('`', open + 1);
        if (close != std::string_view::npos) {
            std::string_view inside = trim(raw.substr(open + 1, close - open - 1));
            if (is_identifier(inside))
                return std::string(inside);
        }
    }
    static constexpr std::string_view k_markers[] = {"取值", "this api:", "this api is",
                                                     "current api is", "当前 api 为"};
    const std::string lower = to_lower_ascii(raw);
    for (std::string_view marker : k_markers) {
        const std::size_t at = lower.find(marker);
        if (at == std::string::npos)
            continue;
        const std::vector<std::string> words =
            identifiers_in(plain_text(raw.substr(at + marker.size())));
        if (!words.empty())
            return words.front();
    }
    return std::nullopt;
}

// "This API (GetFavor) gets ...", "本接口（GetRepositoryList）用于 ..."
std::optional<std::string> action_from_prose(std::string_view text) {
    static constexpr std::string_view k_open[] = {"(", "\uff08"};
    static constexpr std::string_view k_close[] = {")", "\uff09"};
    for (std::string_view open : k_open) {
        for (std::size_t at = text.find(open); at != std::string_view::npos;
             at = text.find(open, at + 1)) {
            const std::size_t from = at >= 24 ? at - 24 : 0;
            const std::string before = to_lower_ascii(text.substr(from, at - from));
            if (before.find("api") == std::string::npos && before.find("接口") == std::string::npos)
                continue;
            std::string_view rest = trim(text.substr(at + open.size()));
            std::size_t n = 0;
            while (n < rest.size() && is_identifier(rest.substr(0, n + 1)))
                ++n;
            const std::string_view word = rest.substr(0, n);
            const std::string_view after = trim(rest.substr(n));
            const bool closed = after.starts_with(k_close[0]) || after.starts_with(k_close[1]);
            if (closed && !word.empty() && word[0] >= 'A' && word[0] <= 'Z' && is_camel_case(word))
                return std::string(word);
        }
    }
    return std::nullopt;
}

// "# 获取镜像仓库 - GetRepo" -> GetRepo
std::optional<std::string> action_from_title(std::string_view title) {
    const std::vector<std::string> words = identifiers_in(title);
    if (words.empty())
        return std::nullopt;
    const std::string& last = words.back();
    const std::string_view t = trim(title);
    if (!t.ends_with(last) || !(last[0] >= 'A' && last[0] <= 'Z') || !is_camel_case(last))
        return std::nullopt;
    const std::string_view before = trim(t.substr(0, t.size() - last.size()));
    const bool separated = before.empty() || before.ends_with("-") || before.ends_with(":") ||
                           before.ends_with("\uff1a") || before.ends_with("\u2014") ||
                           before.ends_with("\u2013");
    return separated ? std::optional<std::string>(last) : std::nullopt;
}

// The name a data model table is given by the lines above it: a quoted identifier, else one
// the page already used as a field or type name, else a camelCase word.
std::string model_name_from(const std::vector<std::string>& texts,
                            const std::set<std::string>& known) {
    for (auto it = texts.rbegin(); it != texts.rend(); ++it) {
        const std::string& text = *it;
        for (const std::string& word : identifiers_in(text)) {
            for (std::string_view q : {"\"", "'", "\u201c", "\u300c"}) {
                const std::string quoted = std::string(q) + word;
                if (text.find(quoted) != std::string::npos)
                    return word;
            }
        }
        for (const std::string& word : identifiers_in(text))
            if (known.count(word))
                return word;
        for (const std::string& word : identifiers_in(text))
            for (const std::string& name : known)
                if (to_lower_ascii(name) == to_lower_ascii(word))
                    return name;
        for (const std::string& word : identifiers_in(text))
            if (is_camel_case(word))
                return word;
    }
    return {};
}

class PageReader {
public:
    PageReader(std::string_view doc, std::vector<Warning>& warnings)
        : m_doc(doc), m_warnings(warnings) {}

    PageFacts read(const std::vector<Block>& blocks) {
        bool first_heading = true;
        for (const Block& block : blocks) {
            switch (block.kind) {
            case BlockKind::heading:
                if (first_heading)
                    claim(action_from_title(plain_text(block.text)), block.line, k_rank_title,
                          "the page title");
                first_heading = false;
                on_heading(block);
                break;
            case BlockKind::text:
                on_text(block);
                break;
            case BlockKind::table:
                if (m_facts.first_table_line == 0)
                    m_facts.first_table_line = block.table.header_line;
                on_table(block.table);
                m_pending_texts.clear();
                m_pending_name.clear();
                break;
            case BlockKind::code:
                m_facts.code_blocks.push_back(block.code);
                break;
            }
        }
        return std::move(m_facts);
    }

private:
    void claim(std::optional<std::string> name, std::size_t line, int rank, std::string how) {
        if (name)
            m_facts.names.push_back(NameClaim{std::move(*name), line, rank, std::move(how)});
    }

    void open_section(Section section, int level) {
        m_section = section;
        m_section_level = level;
        m_said_rows_without_table = false;
        m_pending_texts.clear();
        m_pending_name.clear();
    }

    void on_heading(const Block& block) {
        const std::string text = plain_text(block.text);
        claim(action_from_prose(text), block.line, k_rank_prose, "the page text");
        m_last_heading_level = block.level;
        if (const auto section = section_of(text)) {
            open_section(*section, block.level);
            // "### repoInfo 字段详细说明" names the model it introduces
            if (*section == Section::model) {
                const std::vector<std::string> words = identifiers_in(text);
                if (!words.empty())
                    m_pending_name = words.front();
            }
            return;
        }
        // A heading as shallow as the section's ends it, except between data models, which
        // are headed at the level of the "数据模型" heading itself.
        if (block.level < m_section_level ||
            (block.level == m_section_level && m_section != Section::model))
            open_section(Section::none, 0);
        m_pending_texts.clear();
        const std::vector<std::string> words = identifiers_in(text);
        m_pending_name = words.empty() ? std::string() : words.front();
    }

    void on_text(const Block& block) {
        const std::string text = plain_text(block.text);
        claim(action_from_prose(text), block.line, k_rank_prose, "the page text");
        if (text.size() <= k_max_marker_bytes) {
            if (const auto section = section_of(text)) {
                open_section(*section, m_last_heading_level + 1);
                return;
            }
        }
        // "| a | b | c |" that the page does not make a table of (no |---| row under its
        // header, or rows cut off by a blank line): its parameters would be lost unsaid.
        const bool documents = m_section == Section::request || m_section == Section::response ||
                               m_section == Section::model;
        if (documents && !m_said_rows_without_table && block.text.starts_with('|') &&
            std::count(block.text.begin(), block.text.end(), '|') >= 3) {
            m_warnings.push_back(warn(m_doc, block.line,
                                      "a table row with no table: the header's |---| row is "
                                      "missing or a blank line cut the table; not read"));
            m_said_rows_without_table = true;
        }
        m_pending_texts.push_back(text);
    }

    void on_table(const Table& table) {
        const Columns columns = columns_of(table.header);
        if (!columns.name || !columns.type)
            return; // error codes and other tables that document no parameters
        if (m_section == Section::common || m_section == Section::request) {
            for (const TableRow& row : table.rows)
                if (row.cells.size() > *columns.name &&
                    plain_text(row.cells[*columns.name]) == "Action" && columns.description &&
                    row.cells.size() > *columns.description)
                    claim(action_from_description(row.cells[*columns.description]), row.line,
                          k_rank_action_row, "the Action parameter row");
        }
        if (m_section == Section::common || m_section == Section::sample ||
            m_section == Section::other)
            return;
        if (m_section == Section::none) {
            m_warnings.push_back(warn(m_doc, table.header_line,
                                      "parameter table under no request, response or data "
                                      "model heading; skipped"));
            return;
        }
        FieldTable out;
        out.header_line = table.header_line;
        out.section = m_section;
        const bool is_main = (m_section == Section::request && !m_have_request) ||
                             (m_section == Section::response && !m_have_response);
        if (is_main) {
            (m_section == Section::request ? m_have_request : m_have_response) = true;
        } else {
            out.section = Section::model;
            out.name = !m_pending_name.empty() ? m_pending_name
                                               : model_name_from(m_pending_texts, m_known_names);
        }
        std::unordered_map<std::string, std::size_t> lines; // of the names read, for repeats
        for (const TableRow& row : table.rows)
            read_row(row, columns, out, lines);
        for (const Field& field : out.fields) {
            m_known_names.insert(field.name);
            if (TypeExpr type = parse_type(field.type_cell); type.names_model)
                m_known_names.insert(type.base);
        }
        m_facts.tables.push_back(std::move(out));
    }

    void read_row(const TableRow& row, const Columns& columns, FieldTable& out,
                  std::unordered_map<std::string, std::size_t>& lines) {
        auto cell = [&](std::optional<std::size_t> column) -> std::string_view {
            return column && *column < row.cells.size() ? std::string_view(row.cells[*column])
                                                        : std::string_view();
        };
        Field field;
        field.name = plain_text(cell(columns.name));
        if (field.name.empty()) {
            const bool says_something =
                std::any_of(row.cells.begin(), row.cells.end(),
                            [](const std::string& c) { return !plain_text(c).empty(); });
            if (says_something)
                m_warnings.push_back(warn(m_doc, row.line, "a row with no name; skipped"));
            return;
        }
        field.type_cell = std::string(cell(columns.type));
        field.description = plain_text(cell(columns.description));
        // Tencent API 3.0 lists Action/Version/Region in the request table as common
        // parameters; the contract's routing and signing own them.
        const std::string lower = to_lower_ascii(field.description);
        if (lower.starts_with("公共参数") || lower.starts_with("common param"))
            return;
        if (columns.required) {
            field.required = read_required(cell(columns.required));
            if (!field.required) {
                m_warnings.push_back(warn(m_doc, row.line,
                                          "unreadable Required value '" +
                                              plain_text(cell(columns.required)) + "' for " +
                                              field.name + "; taken as not required"));
                field.required = false;
            }
        }
        if (const auto [first, added] = lines.emplace(field.name, row.line); !added) {
            m_warnings.push_back(warn(m_doc, row.line,
                                      "field " + field.name +
                                          " appears twice in the table "
                                          "(first at line " +
                                          std::to_string(first->second) +
                                          "); the first row is kept"));
            return;
        }
        field.line = row.line;
        out.fields.push_back(std::move(field));
    }

    std::string_view m_doc;
    std::vector<Warning>& m_warnings;
    PageFacts m_facts;
    Section m_section = Section::none;
    int m_section_level = 0;
    int m_last_heading_level = 0;
    bool m_have_request = false;
    bool m_have_response = false;
    bool m_said_rows_without_table = false;   // in this section
    std::vector<std::string> m_pending_texts; // text lines since the last table or heading
    std::string m_pending_name;               // a model name given by a heading
    std::set<std::string> m_known_names;      // field and type names seen so far
};

} // namespace

PageFacts read_page(const std::vector<Block>& blocks, std::string_view doc,
                    std::vector<Warning>& warnings) {
    PageFacts facts = PageReader(doc, warnings).read(blocks);
    fold_dotted_rows(facts, doc, warnings);
    return facts;
}

const FieldTable* main_table(const PageFacts& facts, Section section) {
    for (const FieldTable& table : facts.tables)
        if (table.section == section)
            return &table;
    return nullptr;
}

} // namespace conform::docs::internal
