// Pages of a family before the importer reads them: what kind of page each is, which family it
// belongs to and which contract it goes to.

#include <algorithm>
#include <set>

#include "runner/docs/docs.hpp"
#include "runner/docs/internal/family_words.hpp"
#include "runner/docs/internal/markdown.hpp"
#include "runner/docs/internal/page.hpp"

namespace conform::docs {
namespace {

namespace fs = std::filesystem;
using namespace internal;

bool is_http_method(std::string_view word) {
    static constexpr std::string_view k_methods[] = {"GET",  "PUT",   "POST",   "DELETE",
                                                     "HEAD", "PATCH", "OPTIONS"};
    return std::find(std::begin(k_methods), std::end(k_methods), word) != std::end(k_methods);
}

// "PUT /<object_name> HTTP/1.1": the request line of a REST call, with its line number.
std::optional<std::pair<std::string, std::size_t>> rest_request_line(const CodeBlock& block) {
    std::size_t line = block.content_line;
    std::string_view rest = block.text;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view text = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (text.empty()) {
            ++line;
            continue;
        }
        const std::size_t space = text.find(' ');
        if (space == std::string_view::npos || !is_http_method(text.substr(0, space)))
            return std::nullopt;
        const std::string_view target = trim(text.substr(space + 1));
        if (!target.starts_with("/") || target.find(" HTTP/") == std::string_view::npos)
            return std::nullopt;
        return std::make_pair(std::string(text), line);
    }
    return std::nullopt;
}

bool sends_action(const std::vector<CodeBlock>& blocks) {
    for (const CodeBlock& block : blocks) {
        const std::string lower = to_lower_ascii(block.text);
        if (lower.find("action=") != std::string::npos ||
            lower.find("x-tc-action") != std::string::npos ||
            lower.find("\"action\"") != std::string::npos)
            return true;
    }
    return false;
}

bool has_request_or_response_heading(const std::vector<Block>& blocks) {
    for (const Block& block : blocks) {
        if (block.kind != BlockKind::heading)
            continue;
        const auto section = section_of(plain_text(block.text));
        if (section == Section::request || section == Section::response)
            return true;
    }
    return false;
}

std::string not_api_kind(std::string_view doc_name, const std::vector<Block>& blocks) {
    std::string words = to_lower_ascii(fs::path(doc_name).stem().string());
    for (const Block& block : blocks)
        if (block.kind == BlockKind::heading) {
            words += " " + to_lower_ascii(plain_text(block.text));
            break;
        }
    for (const NotApiWord& row : k_not_api_words)
        if (words.find(row.word) != std::string::npos)
            return std::string(row.kind);
    return {};
}

std::string lower_name(std::string_view text) {
    std::string out;
    for (char c : text) {
        const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        const bool keep = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
        if (keep)
            out += l;
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

// The host label(s) before a suffix in the text: "ccr" for "ccr.api.qcloud.com".
std::string label_before(std::string_view lower, std::size_t at) {
    std::size_t from = at;
    while (from > 0) {
        const char c = lower[from - 1];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            break;
        --from;
    }
    return std::string(lower.substr(from, at - from));
}

} // namespace

PageClass classify_page(std::string_view text, std::string_view doc_name) {
    const std::vector<Block> blocks = parse_markdown(text);
    std::vector<Warning> ignored;
    const PageFacts facts = read_page(blocks, doc_name, ignored);
    const bool action_row = std::any_of(facts.names.begin(), facts.names.end(),
                                        [](auto& c) { return c.rank == k_rank_action_row; });
    if (!action_row && !sends_action(facts.code_blocks)) {
        for (const CodeBlock& block : facts.code_blocks) {
            if (const auto request = rest_request_line(block))
                return PageClass{PageKind::rest,
                                 "REST-style page (`" + request->first +
                                     "`): a method, a path and headers, no Action; contracts "
                                     "route by Action, so it is not imported",
                                 request->second};
        }
    }
    if (main_table(facts, Section::request) || main_table(facts, Section::response) || action_row ||
        has_request_or_response_heading(blocks))
        return PageClass{};
    const std::string kind = not_api_kind(doc_name, blocks);
    return PageClass{PageKind::not_api,
                     "not an API page" + (kind.empty() ? std::string() : " (" + kind + ")") +
                         ": no request or response parameter table and no Action",
                     1};
}

core::Result<std::vector<fs::path>> collect_pages(const std::vector<fs::path>& inputs) {
    std::set<fs::path> pages;
    for (const fs::path& input : inputs) {
        std::error_code ec;
        if (fs::is_directory(input, ec)) {
            std::size_t found = 0;
            for (fs::recursive_directory_iterator it(input, ec), end; !ec && it != end;
                 it.increment(ec)) {
                if (it->is_regular_file(ec) && it->path().extension() == ".md") {
                    pages.insert(it->path().lexically_normal());
                    ++found;
                }
            }
            if (ec)
                return core::fail("cannot list the folder: " + ec.message(),
                                  core::Location{input.string(), 0, 0, {}, false});
            if (found == 0)
                return core::fail("no *.md page in this folder",
                                  core::Location{input.string(), 0, 0, {}, false});
        } else if (fs::is_regular_file(input, ec)) {
            pages.insert(input.lexically_normal());
        } else {
            return core::fail("no such page or folder",
                              core::Location{input.string(), 0, 0, {}, false});
        }
    }
    return std::vector<fs::path>(pages.begin(), pages.end());
}

FamilyGuess guess_family(std::string_view text) {
    const std::string lower = to_lower_ascii(text);
    for (const FamilyRow& row : k_families) {
        for (std::size_t at = lower.find(row.host_suffix); at != std::string::npos;
             at = lower.find(row.host_suffix, at + 1)) {
            FamilyGuess guess;
            guess.family = std::string(row.family);
            if (row.host_suffix.starts_with(".")) {
                guess.product = label_before(lower, at);
                if (guess.product.empty())
                    continue; // ".api.qcloud.com" with no product before it
            }
            guess.base_url = "https://" + guess.product + std::string(row.host_suffix) +
                             std::string(row.url_path);
            guess.line =
                1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + at, '\n'));
            return guess;
        }
    }
    return {};
}

std::string default_contract(const fs::path& page, const FamilyGuess& family) {
    const std::string file = page.filename().string();
    if (std::count(file.begin(), file.end(), '.') >= 3)
        return contract_from_doc_name(file);
    const FamilyRow* row = nullptr;
    for (const FamilyRow& r : k_families)
        if (r.family == family.family)
            row = &r;
    if (row && !family.product.empty())
        return std::string(row->name_prefix) + lower_name(family.product);
    std::string folder = lower_name(page.parent_path().filename().string());
    if (row) {
        if (folder.ends_with("-api"))
            folder.resize(folder.size() - 4);
        if (!folder.starts_with(row->name_prefix))
            folder = std::string(row->name_prefix) + folder;
    }
    return folder;
}

bool is_read_only_verb(std::string_view operation) {
    for (std::string_view verb : k_read_only_verbs) {
        if (!operation.starts_with(verb))
            continue;
        const std::string_view rest = operation.substr(verb.size());
        if (rest.empty() || (rest[0] >= 'A' && rest[0] <= 'Z') ||
            (rest[0] >= '0' && rest[0] <= '9'))
            return true;
    }
    // Older Tencent APIs name the noun first (CNS: DomainList, RecordList beside RecordCreate,
    // RecordModify): one word and "List" lists. Only that: "AddBlackList" adds to a list.
    constexpr std::string_view k_list = "List";
    if (operation.size() > k_list.size() && operation.ends_with(k_list)) {
        const std::string_view noun = operation.substr(0, operation.size() - k_list.size());
        const bool one_word =
            noun[0] >= 'A' && noun[0] <= 'Z' &&
            std::none_of(noun.begin() + 1, noun.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
        if (one_word)
            return true;
    }
    return false;
}

} // namespace conform::docs
