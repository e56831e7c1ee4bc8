// The page structure reader: tables, headings and code fences found by shape, with lines.

#include <catch2/catch.hpp>

#include "runner/docs/internal/markdown.hpp"

using namespace conform::docs::internal;

TEST_CASE("a pipe table is a header row followed by a separator row", "[docs][markdown]") {
    const auto blocks = parse_markdown("intro\n"
                                       "\n"
                                       "| Name | Type |\n"
                                       "|:---|---:|\n"
                                       "| **a** | int |\n"
                                       "| b | array[[*X*](#x)] |\n"
                                       "after\n");
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].kind == BlockKind::text);
    REQUIRE(blocks[1].kind == BlockKind::table);
    const Table& table = blocks[1].table;
    CHECK(table.header_line == 3);
    CHECK(table.header == std::vector<std::string>{"Name", "Type"});
    REQUIRE(table.rows.size() == 2);
    CHECK(table.rows[0].line == 5);
    CHECK(table.rows[1].line == 6);
    CHECK(plain_text(table.rows[0].cells[0]) == "a");
    CHECK(plain_text(table.rows[1].cells[1]) == "array[X]");
    CHECK(blocks[2].text == "after");
}

TEST_CASE("tables without outer pipes and with escaped pipes", "[docs][markdown]") {
    const auto blocks = parse_markdown("a | b\n---|---\nx \\| y | `p|q`\n");
    REQUIRE(blocks.size() == 1);
    REQUIRE(blocks[0].kind == BlockKind::table);
    REQUIRE(blocks[0].table.rows.size() == 1);
    CHECK(blocks[0].table.rows[0].cells == std::vector<std::string>{"x | y", "`p|q`"});
}

TEST_CASE("a line of dashes alone is not a table", "[docs][markdown]") {
    const auto blocks = parse_markdown("text\n---\n");
    for (const Block& b : blocks)
        CHECK(b.kind != BlockKind::table);
}

TEST_CASE("headings carry their level and code fences hide their content", "[docs][markdown]") {
    const auto blocks = parse_markdown("# Title - Op\n"
                                       "### Sub ###\n"
                                       "#nohash\n"
                                       "````\n"
                                       "# not a heading\n"
                                       "| a | b |\n"
                                       "|---|---|\n"
                                       "````\n"
                                       "```json\n"
                                       "{\"unclosed\": true}\n");
    REQUIRE(blocks.size() == 5);
    CHECK(blocks[0].kind == BlockKind::heading);
    CHECK(blocks[0].level == 1);
    CHECK(blocks[0].text == "Title - Op");
    CHECK(blocks[1].level == 3);
    CHECK(blocks[1].text == "Sub");
    CHECK(blocks[2].kind == BlockKind::text);
    REQUIRE(blocks[3].kind == BlockKind::code);
    CHECK(blocks[3].code.fence_line == 4);
    CHECK(blocks[3].code.content_line == 5);
    CHECK(blocks[3].code.text == "# not a heading\n| a | b |\n|---|---|");
    REQUIRE(blocks[4].kind == BlockKind::code);
    CHECK(blocks[4].code.info == "json");
    CHECK(blocks[4].code.text == "{\"unclosed\": true}");
}

TEST_CASE("plain_text strips links, emphasis, <br> and entities", "[docs][markdown]") {
    CHECK(plain_text("see [Console](https://x/y?a=(1))") == "see Console");
    CHECK(plain_text("**Yes**") == "Yes");
    CHECK(plain_text("A <br>QCLOUD HUB:  x<BR/>y") == "A QCLOUD HUB: x y");
    CHECK(plain_text("a &lt;b&gt; &amp; c&nbsp;d") == "a <b> & c d");
    CHECK(plain_text("![img](p.png) text") == "img text");
    CHECK(plain_text("[unclosed](") == "[unclosed](");
    CHECK(plain_text("Array of <a href=\"/doc#Filter\">Filter</a>") == "Array of Filter");
    CHECK(plain_text("<FONT color=red>Int</font>") == "Int");
    CHECK(plain_text("<Common parameters> <ab>") == "<Common parameters> <ab>");
}

TEST_CASE("plain_text reads the spaces pages write as characters", "[docs][markdown]") {
    // A no-break space after a bold name (real UCloud cells carry them), an ideographic space,
    // a zero-width space and a byte order mark inside a cell.
    CHECK(plain_text("**VolumeId**\u00a0") == "VolumeId");
    CHECK(plain_text("\u00a0Limit\u00a0\u00a0") == "Limit");
    CHECK(plain_text("a\u3000b") == "a b");
    CHECK(plain_text("Repo\u200bName\ufeff") == "RepoName");
}

TEST_CASE("CRLF pages read like LF pages", "[docs][markdown]") {
    const auto blocks = parse_markdown("| a | b |\r\n|---|---|\r\n| x | y |\r\n");
    REQUIRE(blocks.size() == 1);
    REQUIRE(blocks[0].table.rows.size() == 1);
    CHECK(blocks[0].table.rows[0].cells[1] == "y");
}

TEST_CASE("an HTML <pre> block is a code block: tags dropped, entities decoded",
          "[docs][markdown]") {
    const auto blocks = parse_markdown("Input:\n"
                                       "<pre>\n"
                                       "https://x.api.qcloud.com/v2/index.php?Action=A\n"
                                       "&<<a href=\"https://e/c\">Common parameters</a>>\n"
                                       "</pre>\n"
                                       "<PRE class=\"json\">{&quot;a&quot;: &lt;1&gt;}</PRE>\n"
                                       "<pre>never closed\n"
                                       "| a | b |\n"
                                       "|---|---|\n");
    REQUIRE(blocks.size() == 5);
    REQUIRE(blocks[1].kind == BlockKind::code);
    CHECK(blocks[1].code.fence_line == 2);
    CHECK(blocks[1].code.content_line == 3);
    CHECK(blocks[1].code.text ==
          "https://x.api.qcloud.com/v2/index.php?Action=A\n&<Common parameters>\n");
    REQUIRE(blocks[2].kind == BlockKind::code); // opened and closed on one line
    CHECK(blocks[2].code.content_line == 6);
    CHECK(blocks[2].code.text == "{\"a\": <1>}");
    CHECK(blocks[3].kind == BlockKind::text); // an unclosed <pre> hides nothing
    CHECK(blocks[4].kind == BlockKind::table);
}
