#include "runner/docs/internal/markdown.hpp"

#include <algorithm>
#include <utility>

namespace conform::docs::internal {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string_view> split_lines(std::string_view page) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= page.size()) {
        std::size_t end = page.find('\n', start);
        if (end == std::string_view::npos) {
            if (start < page.size())
                lines.push_back(page.substr(start));
            break;
        }
        lines.push_back(page.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// A fence is three or more backticks or tildes (CommonMark 4.5); returns its length or 0.
std::size_t fence_length(std::string_view trimmed) {
    if (trimmed.empty() || (trimmed[0] != '`' && trimmed[0] != '~'))
        return 0;
    std::size_t n = 0;
    while (n < trimmed.size() && trimmed[n] == trimmed[0])
        ++n;
    return n >= 3 ? n : 0;
}

bool is_closing_fence(std::string_view trimmed, char fence_char, std::size_t length) {
    std::size_t n = 0;
    while (n < trimmed.size() && trimmed[n] == fence_char)
        ++n;
    return n >= length && trim(trimmed.substr(n)).empty();
}

// "|---|:---:|" : only pipes, dashes, colons and spaces, with at least one pipe and dash.
bool is_separator_row(std::string_view line) {
    const std::string_view t = trim(line);
    if (t.find('|') == std::string_view::npos || t.find('-') == std::string_view::npos)
        return false;
    return std::all_of(t.begin(), t.end(),
                       [](char c) { return c == '|' || c == '-' || c == ':' || is_space(c); });
}

int heading_level(std::string_view trimmed) {
    int level = 0;
    while (static_cast<std::size_t>(level) < trimmed.size() && trimmed[level] == '#')
        ++level;
    if (level == 0 || level > 6)
        return 0;
    if (static_cast<std::size_t>(level) < trimmed.size() && !is_space(trimmed[level]))
        return 0; // "#hashtag" is text
    return level;
}

std::string heading_text(std::string_view trimmed, int level) {
    std::string_view rest = trim(trimmed.substr(static_cast<std::size_t>(level)));
    // optional closing sequence: "## Title ##"
    while (!rest.empty() && rest.back() == '#')
        rest.remove_suffix(1);
    return std::string(trim(rest));
}

void replace_all_ci(std::string& text, std::string_view needle, std::string_view with) {
    std::string lower = to_lower_ascii(text);
    std::size_t at = 0;
    while ((at = lower.find(needle, at)) != std::string::npos) {
        text.replace(at, needle.size(), with);
        lower.replace(at, needle.size(), with);
        at += with.size();
    }
}

// [text](target) -> text, also inside other brackets: "array[[*RepoSet*](#RepoSet)]".
std::string strip_links(std::string text) {
    std::size_t search = 0;
    while (true) {
        const std::size_t mid = text.find("](", search);
        if (mid == std::string::npos)
            return text;
        // the '[' that opens the link text, skipping balanced brackets inside it
        std::size_t open = std::string::npos;
        int depth = 0;
        for (std::size_t i = mid; i-- > 0;) {
            if (text[i] == ']')
                ++depth;
            else if (text[i] == '[') {
                if (depth == 0) {
                    open = i;
                    break;
                }
                --depth;
            }
        }
        std::size_t close = std::string::npos;
        depth = 0;
        for (std::size_t i = mid + 2; i < text.size(); ++i) {
            if (text[i] == '(')
                ++depth;
            else if (text[i] == ')') {
                if (depth == 0) {
                    close = i;
                    break;
                }
                --depth;
            }
        }
        if (open == std::string::npos || close == std::string::npos) {
            search = mid + 2;
            continue;
        }
        const std::size_t start = (open > 0 && text[open - 1] == '!') ? open - 1 : open;
        const std::string label = text.substr(open + 1, mid - open - 1);
        text.replace(start, close + 1 - start, label);
        search = start + label.size();
    }
}

// Inline HTML a cell may wrap its text in ("<a href=...>Filter</a>", "<font color=red>"):
// the tags go, the text stays. Other "<...>" (a placeholder such as "<Common parameters>") stays.
std::string strip_inline_tags(std::string text) {
    static constexpr std::string_view k_inline[] = {"a",  "span", "font", "code", "b",  "strong",
                                                    "em", "i",    "u",    "sup",  "sub"};
    std::size_t at = 0;
    while ((at = text.find('<', at)) != std::string::npos) {
        std::size_t name = at + 1 + (at + 1 < text.size() && text[at + 1] == '/');
        std::size_t end = name;
        while (end < text.size() &&
               ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= 'A' && text[end] <= 'Z')))
            ++end;
        const std::size_t close = text.find_first_of("<>", end);
        const std::string tag = to_lower_ascii(std::string_view(text).substr(name, end - name));
        const bool inline_tag =
            end > name && close != std::string::npos && text[close] == '>' &&
            (end == close || is_space(text[end])) &&
            std::find(std::begin(k_inline), std::end(k_inline), tag) != std::end(k_inline);
        if (inline_tag)
            text.erase(at, close + 1 - at);
        else
            ++at;
    }
    return text;
}

// Where "<pre>" (or "<pre class=...>", any case) that opens a line ends; 0 when it does not.
std::size_t pre_open_length(std::string_view trimmed) {
    if (trimmed.size() < 5 || to_lower_ascii(trimmed.substr(0, 4)) != "<pre" ||
        (trimmed[4] != '>' && !is_space(trimmed[4])))
        return 0;
    const std::size_t close = trimmed.find('>');
    return close == std::string_view::npos ? 0 : close + 1;
}

std::size_t find_ci(std::string_view text, std::string_view what) {
    return to_lower_ascii(text).find(what);
}

// The text of an HTML <pre> block: its tags dropped (a link keeps its text: "<<a href=..>Common
// request parameters</a>>" reads "<Common request parameters>"), its entities decoded.
std::string pre_text(std::string_view html) {
    auto is_tag_start = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '/' || c == '!';
    };
    std::string out;
    out.reserve(html.size());
    for (std::size_t i = 0; i < html.size(); ++i) {
        if (html[i] == '<' && i + 1 < html.size() && is_tag_start(html[i + 1])) {
            const std::size_t end = html.find_first_of("<>\n", i + 1);
            if (end != std::string_view::npos && html[end] == '>') {
                i = end;
                continue;
            }
        }
        out += html[i];
    }
    for (const auto& [entity, text] : {std::pair<std::string_view, std::string_view>{"&lt;", "<"},
                                       {"&gt;", ">"},
                                       {"&quot;", "\""},
                                       {"&#39;", "'"},
                                       {"&apos;", "'"},
                                       {"&nbsp;", " "},
                                       {"&amp;", "&"}})
        replace_all_ci(out, entity, text);
    return out;
}

} // namespace

std::string halfwidth(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
        if (i + 2 < text.size() && byte(0) == 0xEF && (byte(1) == 0xBC || byte(1) == 0xBD)) {
            // U+FF01..U+FF5E: EF BC 81..BF, EF BD 80..9E; ASCII 0x21 + (code - 0xFF01)
            const unsigned code = 0xFF00u + ((byte(1) - 0xBCu) << 6) + (byte(2) - 0x80u);
            if (code >= 0xFF01 && code <= 0xFF5E) {
                out += static_cast<char>(0x21 + (code - 0xFF01));
                i += 2;
                continue;
            }
        }
        if (i + 2 < text.size() && byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) {
            out += ' '; // U+3000
            i += 2;
            continue;
        }
        out += text[i];
    }
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<std::string> split_table_row(std::string_view line) {
    std::string_view t = trim(line);
    if (!t.empty() && t.front() == '|')
        t.remove_prefix(1);
    if (!t.empty() && t.back() == '|' && !(t.size() >= 2 && t[t.size() - 2] == '\\'))
        t.remove_suffix(1);
    // An unbalanced backtick is literal text, not the start of a code span.
    const bool spans = std::count(t.begin(), t.end(), '`') % 2 == 0;
    std::vector<std::string> cells;
    std::string cell;
    bool in_code = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
            cell += '|';
            ++i;
        } else if (c == '`' && spans) {
            in_code = !in_code;
            cell += c;
        } else if (c == '|' && !in_code) {
            cells.emplace_back(trim(cell));
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells.emplace_back(trim(cell));
    return cells;
}

std::string plain_text(std::string_view cell) {
    std::string text(cell);
    for (std::string_view br : {"<br />", "<br/>", "<br>"})
        replace_all_ci(text, br, " ");
    text = strip_inline_tags(std::move(text));
    replace_all_ci(text, "&nbsp;", " ");
    // The spaces pages carry as characters (a no-break space after a name, an ideographic
    // space) are spaces; a zero-width space or a stray byte order mark is nothing.
    for (const auto& [space, with] :
         {std::pair<std::string_view, std::string_view>{"\xC2\xA0", " "},
          {"\xE3\x80\x80", " "},
          {"\xE2\x80\x8B", ""},
          {"\xEF\xBB\xBF", ""}})
        replace_all_ci(text, space, with);
    text = strip_links(std::move(text));
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (char c : text) {
        if (c == '*' || c == '`')
            continue;
        if (is_space(c) || c == '\n') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out += ' ';
        pending_space = false;
        out += c;
    }
    replace_all_ci(out, "&lt;", "<");
    replace_all_ci(out, "&gt;", ">");
    replace_all_ci(out, "&amp;", "&");
    return out;
}

std::vector<Block> parse_markdown(std::string_view page) {
    const std::vector<std::string_view> lines = split_lines(page);
    std::vector<Block> blocks;
    // No "</pre>" on this line or after it (a search found none): later <pre> lines are text
    // without another search, so that a page of unclosed ones is read in linear time.
    std::size_t no_pre_close_from = lines.size();
    std::size_t i = 0;
    while (i < lines.size()) {
        const std::string_view t = trim(lines[i]);
        Block block;
        block.line = i + 1;
        if (t.empty()) {
            ++i;
            continue;
        }
        // An HTML <pre> block holds a sample as a fence does (Tencent API 2.0 pages); one
        // that never closes is text.
        if (const std::size_t open = pre_open_length(t); open && i < no_pre_close_from) {
            std::size_t j = i;
            std::size_t close = std::string_view::npos;
            for (; j < lines.size(); ++j)
                if ((close = find_ci(j == i ? t.substr(open) : lines[j], "</pre>")) !=
                    std::string_view::npos)
                    break;
            if (j == lines.size())
                no_pre_close_from = i;
            if (j < lines.size()) {
                block.kind = BlockKind::code;
                block.code.fence_line = i + 1;
                block.code.info = "pre";
                std::string html;
                for (std::size_t k = i; k <= j; ++k) {
                    std::string_view content = k == i ? t.substr(open) : lines[k];
                    if (k == j)
                        content = content.substr(0, close);
                    if (!content.empty() && content.back() == '\r')
                        content.remove_suffix(1);
                    if (block.code.content_line == 0) {
                        if (trim(content).empty())
                            continue; // the line of <pre> itself, as a fence's
                        block.code.content_line = k + 1;
                    } else {
                        html += '\n';
                    }
                    html += content;
                }
                if (block.code.content_line == 0)
                    block.code.content_line = j + 1;
                block.code.text = pre_text(html);
                blocks.push_back(std::move(block));
                i = j + 1;
                continue;
            }
        }
        if (const std::size_t fence = fence_length(t)) {
            block.kind = BlockKind::code;
            block.code.fence_line = i + 1;
            block.code.content_line = i + 2;
            block.code.info = std::string(trim(t.substr(fence)));
            std::size_t j = i + 1;
            std::string text;
            // an unclosed fence runs to the end of the page (CommonMark 4.5)
            while (j < lines.size() && !is_closing_fence(trim(lines[j]), t[0], fence)) {
                if (j > i + 1)
                    text += '\n';
                std::string_view content = lines[j];
                if (!content.empty() && content.back() == '\r')
                    content.remove_suffix(1);
                text += content;
                ++j;
            }
            block.code.text = std::move(text);
            blocks.push_back(std::move(block));
            i = j + 1;
            continue;
        }
        if (const int level = heading_level(t)) {
            block.kind = BlockKind::heading;
            block.level = level;
            block.text = heading_text(t, level);
            blocks.push_back(std::move(block));
            ++i;
            continue;
        }
        if (t.find('|') != std::string_view::npos && i + 1 < lines.size() &&
            is_separator_row(lines[i + 1])) {
            block.kind = BlockKind::table;
            block.table.header_line = i + 1;
            block.table.header = split_table_row(t);
            std::size_t j = i + 2;
            while (j < lines.size()) {
                const std::string_view row = trim(lines[j]);
                if (row.empty() || row.find('|') == std::string_view::npos || fence_length(row))
                    break;
                block.table.rows.push_back(TableRow{j + 1, split_table_row(row)});
                ++j;
            }
            blocks.push_back(std::move(block));
            i = j;
            continue;
        }
        block.kind = BlockKind::text;
        block.text = std::string(t);
        blocks.push_back(std::move(block));
        ++i;
    }
    return blocks;
}

} // namespace conform::docs::internal
