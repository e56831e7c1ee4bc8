#pragma once
// The structure of a vendor page as the importer needs it: headings, text lines, pipe tables
// and fenced code blocks, each with its 1-based line number. Deliberately not a full CommonMark
// parser: vendor pages are found by their structure (a header row followed by a |---| row),
// never by line numbers.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conform::docs::internal {

struct TableRow {
    std::size_t line = 0;
    std::vector<std::string> cells; // raw cell text, trimmed, markup kept
};

struct Table {
    std::size_t header_line = 0;
    std::vector<std::string> header; // raw header cells, trimmed
    std::vector<TableRow> rows;
};

struct CodeBlock {
    std::size_t fence_line = 0;   // the opening ``` line
    std::size_t content_line = 0; // first line inside the fence
    std::string info;             // the word after the fence ("json"), may be empty
    std::string text;             // content, lines joined with '\n'
};

enum class BlockKind { heading, text, table, code };

struct Block {
    BlockKind kind = BlockKind::text;
    std::size_t line = 0;
    int level = 0;    // heading level 1..6 (headings only)
    std::string text; // heading or text line, trimmed
    Table table;      // tables only
    CodeBlock code;   // code blocks only
};

// Splits a page into blocks in document order. Blank lines produce no block.
[[nodiscard]] std::vector<Block> parse_markdown(std::string_view page);

// Splits one pipe-table line into trimmed cells ("| a | b |" -> {"a", "b"}); "\|" and pipes
// inside `code spans` do not split.
[[nodiscard]] std::vector<std::string> split_table_row(std::string_view line);

// Cell text for reading: links become their text, <br> becomes a space, emphasis markers and
// backticks go, whitespace collapses.
[[nodiscard]] std::string plain_text(std::string_view cell);

// Full-width forms as their ASCII ("array［X］" -> "array[X]", "２０" -> "20"; U+FF01..U+FF5E
// and the ideographic space), for the cells read as types and the defaults read as numbers.
[[nodiscard]] std::string halfwidth(std::string_view text);

[[nodiscard]] std::string_view trim(std::string_view text);
[[nodiscard]] std::string to_lower_ascii(std::string_view text);

} // namespace conform::docs::internal
