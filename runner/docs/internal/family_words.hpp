#pragma once
// The tables a family import reads pages by: which vendor family a page belongs to (its API
// host, its routing, signing and status envelope), which words make a page something other
// than an API page, and which verbs make an operation read-only. docs/contracts.md documents
// them; a new family or verb is one row here.

#include <string_view>

namespace conform::docs::internal {

// One vendor API family. A page belongs to the first row whose host word its text holds.
struct FamilyRow {
    std::string_view family;      // "ucloud"
    std::string_view vendor;      // contract.json "vendor"
    std::string_view host_suffix; // "api.ucloud.cn", ".api.qcloud.com" (product before it)
    std::string_view url_path;    // appended to https://<host>: "", "/v2/index.php"
    std::string_view signing;     // contract.json "signing"
    std::string_view envelope;    // contract.json "envelope", as JSON text
    std::string_view name_prefix; // contract name: prefix + product ("ucloud-uhub")
};

// clang-format off
inline constexpr FamilyRow k_families[] = {
    {"ucloud", "UCloud", "api.ucloud.cn", "", "ucloud-sha1",
     R"({"action":{"pointer":"/Action","suffix":"Response"},"code":{"pointer":"/RetCode","success":0},"message":{"pointer":"/Message"}})",
     "ucloud-"},
    {"tencent-v2", "Tencent Cloud", ".api.qcloud.com", "/v2/index.php", "tencent-v2-hmac",
     R"({"code":{"pointer":"/code","success":0},"description":{"pointer":"/codeDesc","success":"Success"},"message":{"pointer":"/message"}})",
     "tencent-"},
};
// clang-format on

// Why a page with no parameter table is not an API page: a word of its file name or first
// heading (lower case) and the kind of page it names. Checked in order.
struct NotApiWord {
    std::string_view word;
    std::string_view kind;
};

// clang-format off
inline constexpr NotApiWord k_not_api_words[] = {
    {"_sidebar", "navigation sidebar"}, {"sidebar", "navigation sidebar"},
    {"glossary", "glossary"},           {"名词解释", "glossary"},  {"术语", "glossary"},
    {"changelog", "changelog"},         {"release note", "changelog"},
    {"更新日志", "changelog"},          {"更新历史", "changelog"}, {"版本历史", "changelog"},
    {"error_code", "error-code list"},  {"error code", "error-code list"},
    {"错误码", "error-code list"},
    {"readme", "index page"},           {"index", "index page"},  {"索引", "index page"},
    {"目录", "index page"},             {"概览", "overview"},     {"overview", "overview"},
};
// clang-format on

// Operations whose name starts with one of these verbs only read: `read_only` in
// contract.json, what live mode may send. A verb matches a whole word of the camel-case name
// ("GetRepo", not "Getaway"); anything else (Create, Update, Delete, Modify, ...) writes.
// clang-format off
inline constexpr std::string_view k_read_only_verbs[] = {
    "Get", "Describe", "List", "Query", "Check", "Search", "Inquire", "Fetch", "Show", "View",
    "Lookup", "Verify", "Estimate", "Is", "Has", "Count", "Preview", "Inquiry",
};
// clang-format on

} // namespace conform::docs::internal
