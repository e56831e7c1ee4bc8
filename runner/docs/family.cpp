// `conform import` over many pages: every page imported on its own (never stopping at a bad
// one), grouped into contracts, and each contract's contract.json written or merged.

#include <algorithm>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "runner/core/json_parse.hpp"
#include "runner/docs/docs.hpp"
#include "runner/docs/internal/family_words.hpp"
#include "runner/docs/internal/json_text.hpp"

namespace conform::docs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using internal::pretty;

core::Location at_file(const fs::path& file, std::size_t line) {
    return core::Location{file.string(), line, 0, {}, false};
}

struct Imported {
    ImportResult result;
    FamilyGuess family;
    std::string doc; // file name
};

struct Group {
    fs::path out_dir;
    std::vector<Imported> operations;
};

// Every field of the model given, as schemas/contract.schema.json types them (a page may
// document a default of "20" or none at all).
bool complete(const json& pagination) {
    if (!pagination.is_object())
        return false;
    const bool given = std::none_of(pagination.begin(), pagination.end(),
                                    [](const json& v) { return v.is_null(); });
    auto integer_from = [&](const char* key, std::int64_t min) {
        const auto it = pagination.find(key);
        return it != pagination.end() && it->is_number_integer() && it->get<std::int64_t>() >= min;
    };
    return given && integer_from("offset_default", 0) && integer_from("limit_default", 1);
}

// Defaults of Offset and Limit typed string on the page ("0", "20"): the numbers they are.
void integer_defaults(json& pagination) {
    if (!pagination.is_object())
        return;
    for (const char* key : {"offset_default", "limit_default"}) {
        const auto it = pagination.find(key);
        if (it == pagination.end() || !it->is_string())
            continue;
        const std::string text = it->get<std::string>();
        if (!text.empty() && text.size() <= 9 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            *it = std::stoll(text);
    }
}

// The contract.json entry of one operation. A pagination model the page gave only in part
// cannot go into contract.json (all or nothing): unless contract.json already completes it,
// the operation is taken as not paging, in both files, with a warning.
json operation_entry(Imported& op, const json* existing) {
    GeneratedFile* file = nullptr;
    for (GeneratedFile& f : op.result.files)
        if (f.name.ends_with(".operation.json"))
            file = &f;
    json descriptor = json::parse(file->content);
    json pagination = descriptor.at("pagination");
    if (!pagination.is_null()) {
        integer_defaults(pagination);
        if (pagination != descriptor["pagination"]) {
            descriptor["pagination"] = pagination;
            file->content = pretty(descriptor);
        }
    }
    if (!pagination.is_null() && !complete(pagination)) {
        const json kept = existing ? existing->value("pagination", json()) : json();
        if (complete(kept)) {
            pagination = kept;
        } else {
            op.result.warnings.push_back(Warning{
                core::Location{
                    op.doc, descriptor["source"].value("line", std::size_t{1}), 0, {}, false},
                "the pagination model is incomplete (" + descriptor["pagination"].dump() +
                    "); the operation is taken as not paging until contract.json "
                    "completes it"});
            pagination = nullptr;
            descriptor["pagination"] = nullptr;
            file->content = pretty(descriptor);
        }
    }
    json entry = existing && existing->is_object() ? *existing : json::object();
    const json& files = descriptor.at("files");
    entry["doc"] = op.doc;
    entry["method"] = descriptor.at("method");
    entry["operation"] = file->name;
    entry["request_schema"] = files.at("request_schema");
    entry["response_schema"] = files.at("response_schema");
    entry["pagination"] = pagination;
    for (const char* key : {"samples", "overlay"}) {
        if (files.at(key).is_null())
            entry.erase(key);
        else
            entry[key] = files.at(key);
    }
    return entry;
}

// The family of a group: the first page that names one.
FamilyGuess family_of(const Group& group) {
    for (const Imported& op : group.operations)
        if (!op.family.family.empty())
            return op.family;
    return {};
}

// A group's pages that name another API host than its first page does (a folder that mixes
// products or vendors): one contract has one base_url, so the page is warned at that line.
void warn_other_hosts(Group& group) {
    const auto first = std::find_if(group.operations.begin(), group.operations.end(),
                                    [](const Imported& op) { return !op.family.family.empty(); });
    if (first == group.operations.end())
        return;
    for (Imported& op : group.operations)
        if (!op.family.base_url.empty() && op.family.base_url != first->family.base_url)
            op.result.warnings.push_back(Warning{
                core::Location{op.doc, op.family.line, 0, {}, false},
                "the page names " + op.family.base_url + " where " + first->doc + " names " +
                    first->family.base_url +
                    "; one contract has one base_url (import this page with a --contract of "
                    "its own?)"});
}

// Whether some operation of the group documents the top-level response field `field`.
bool group_documents(const Group& group, std::string_view field) {
    for (const Imported& op : group.operations)
        for (const GeneratedFile& file : op.result.files) {
            if (!file.name.ends_with(".response.schema.json"))
                continue;
            const json schema = json::parse(file.content, nullptr, false);
            if (schema.is_object() && schema.contains("properties") &&
                schema["properties"].is_object() && schema["properties"].contains(field))
                return true;
        }
    return false;
}

json family_defaults(const std::string& name, const Group& group) {
    const FamilyGuess guess = family_of(group);
    json contract = {
        {"$comment", "Written by conform import; edit freely: title, read_only, base_url, "
                     "routing, signing, envelope and any other key are kept on re-import, the "
                     "operations are refreshed from their pages (docs/contracts.md)."},
        {"name", name},
        {"routing", {{"in", "query"}, {"param", "Action"}}},
        {"vendor", "unknown"},
        {"signing", "none"},
        {"envelope",
         {{"code", {{"pointer", "/RetCode"}, {"success", 0}}},
          {"message", {{"pointer", "/Message"}}}}},
        {"base_url", guess.base_url.empty() ? std::string("https://localhost") : guess.base_url},
    };
    for (const internal::FamilyRow& row : internal::k_families) {
        if (row.family != guess.family)
            continue;
        contract["vendor"] = row.vendor;
        contract["signing"] = row.signing;
        contract["envelope"] = json::parse(row.envelope);
    }
    // A status description the family may carry (Tencent's codeDesc) but none of these pages
    // documents (CVM's DescribeKeyPairs answers code and message only) is not required of them.
    json& envelope = contract["envelope"];
    if (envelope.contains("description")) {
        const std::string pointer = envelope["description"].value("pointer", std::string());
        if (pointer.size() > 1 && pointer.find('/', 1) == std::string::npos &&
            !group_documents(group, pointer.substr(1)))
            envelope.erase("description");
    }
    return contract;
}

json merge_contract(const std::string& name, Group& group, const std::optional<json>& existing) {
    json contract = existing ? *existing : family_defaults(name, group);
    const json known = contract.value("operations", json::object());
    json operations = known.is_object() ? known : json::object();
    json read_only = contract.value("read_only", json::array());
    if (!read_only.is_array())
        read_only = json::array();
    for (Imported& op : group.operations) {
        const std::string& op_name = op.result.operation;
        const bool is_new = !operations.contains(op_name);
        operations[op_name] = operation_entry(op, is_new ? nullptr : &operations[op_name]);
        // a person's read-only choice for a known operation stands; a new one follows its verb
        if (is_new && is_read_only_verb(op_name) &&
            std::find(read_only.begin(), read_only.end(), op_name) == read_only.end())
            read_only.push_back(op_name);
    }
    contract["operations"] = std::move(operations);
    contract["read_only"] = std::move(read_only);
    return contract;
}

core::Result<std::optional<json>> read_existing(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::optional<json>();
    CONFORM_TRY(json parsed, core::load_json_file(file));
    if (!parsed.is_object())
        return core::fail("contract.json is not an object; fix or remove it", at_file(file, 1));
    return std::optional<json>(std::move(parsed));
}

// Writes (or, with check, compares) one file; a file is touched only when its bytes change.
core::Result<void> put(const fs::path& path, const std::string& content, bool check,
                       FamilyImportReport& report) {
    auto now = core::read_text_file(path);
    if (now && *now == content)
        return {};
    if (check) {
        report.stale.push_back(path);
        return {};
    }
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
        return core::fail("cannot write file", at_file(path, 0));
    report.written.push_back(path);
    return {};
}

// The type a status value has, as a schema ({} for one of no simple type).
json type_of(const json& value) {
    if (value.is_number_integer())
        return {{"type", "integer"}};
    if (value.is_number())
        return {{"type", "number"}};
    if (value.is_boolean())
        return {{"type", "boolean"}};
    if (value.is_string())
        return {{"type", "string"}};
    return json::object();
}

// Every answer of the contract carries its envelope, whether or not the page says so (one
// Tencent page lists codeDesc and the next does not; a UCloud page may leave out RetCode):
// each top-level envelope field an operation's response schema does not declare is added to
// it, so that the reference answers with it and no check calls it undocumented.
void add_envelope_fields(const json& envelope, Imported& op) {
    if (!envelope.is_object())
        return;
    std::vector<std::pair<std::string, json>> fields;
    auto add = [&](const char* key, json schema) {
        const auto it = envelope.find(key);
        if (it == envelope.end() || !it->is_object())
            return;
        const std::string pointer = it->value("pointer", std::string());
        if (pointer.size() < 2 || pointer[0] != '/' || pointer.find('/', 1) != std::string::npos ||
            pointer.find('~') != std::string::npos)
            return; // nested or escaped: the page's own table says where it goes
        schema["$comment"] = "the contract's envelope field; the page does not document it";
        fields.emplace_back(pointer.substr(1), std::move(schema));
    };
    auto success_type = [&](const char* key) {
        const auto it = envelope.find(key);
        return it != envelope.end() && it->is_object() && it->contains("success")
                   ? type_of((*it)["success"])
                   : json::object();
    };
    add("code", success_type("code"));
    add("message", {{"type", "string"}});
    add("description", success_type("description"));
    add("action", {{"type", "string"}});
    for (GeneratedFile& file : op.result.files) {
        if (!file.name.ends_with(".response.schema.json"))
            continue;
        json schema = json::parse(file.content, nullptr, false);
        if (!schema.is_object() || !schema.contains("properties") ||
            !schema["properties"].is_object())
            continue; // no response table: nothing is closed
        bool added = false;
        for (const auto& [field, field_schema] : fields)
            if (!schema["properties"].contains(field)) {
                schema["properties"][field] = field_schema;
                added = true;
            }
        if (added)
            file.content = pretty(schema);
    }
}

core::Result<void> write_group(const std::string& name, Group& group, bool check,
                               FamilyImportReport& report) {
    const fs::path contract_file = group.out_dir / "contract.json";
    CONFORM_TRY(const std::optional<json> existing, read_existing(contract_file));
    const json contract = merge_contract(name, group, existing);
    warn_other_hosts(group);
    for (Imported& op : group.operations)
        add_envelope_fields(contract.value("envelope", json()), op);
    for (const Imported& op : group.operations)
        for (const GeneratedFile& file : op.result.files)
            CONFORM_CHECK(put(group.out_dir / file.name, file.content, check, report));
    return put(contract_file, pretty(contract), check, report);
}

PageOutcome import_one(const fs::path& page, const FamilyImportRequest& request,
                       std::map<std::string, Group>& groups) {
    PageOutcome outcome;
    outcome.page = page;
    auto text = core::read_text_file(page);
    if (!text) {
        outcome.status = PageStatus::failed;
        outcome.message = text.error().to_string();
        return outcome;
    }
    const PageClass kind = classify_page(*text, page.filename().string());
    if (kind.kind != PageKind::api) {
        outcome.status = PageStatus::skipped;
        outcome.message = kind.why;
        return outcome;
    }
    Imported op;
    op.family = guess_family(*text);
    op.doc = page.filename().string();
    outcome.contract =
        request.contract.empty() ? default_contract(page, op.family) : request.contract;
    Group& group = groups[outcome.contract];
    if (group.out_dir.empty())
        group.out_dir =
            request.out_dir.empty() ? request.schemas_dir / outcome.contract : request.out_dir;
    ImportOptions options{outcome.contract,
                          request.overlay_dir.empty() ? group.out_dir : request.overlay_dir};
    auto imported = import_page(*text, op.doc, options);
    if (!imported) {
        core::Diagnostic error = imported.error();
        error.where.file = page.string(); // the path as given, not only the file name
        outcome.status = PageStatus::failed;
        outcome.message = error.to_string();
        return outcome;
    }
    outcome.operation = imported->operation;
    for (const Imported& other : group.operations) {
        if (other.result.operation == outcome.operation) {
            outcome.status = PageStatus::skipped;
            outcome.message = "describes " + outcome.operation + " as " + other.doc +
                              " does (a translation?); imported once, from " + other.doc +
                              " (docs lint compares them)";
            return outcome;
        }
    }
    op.result = std::move(imported).value();
    group.operations.push_back(std::move(op));
    return outcome;
}

} // namespace

std::size_t FamilyImportReport::count(PageStatus status) const {
    return static_cast<std::size_t>(std::count_if(
        pages.begin(), pages.end(), [&](const PageOutcome& p) { return p.status == status; }));
}

core::Result<FamilyImportReport> run_family_import(const FamilyImportRequest& request) {
    CONFORM_TRY(const std::vector<fs::path> pages, collect_pages(request.inputs));
    FamilyImportReport report;
    std::map<std::string, Group> groups;
    for (const fs::path& page : pages)
        report.pages.push_back(import_one(page, request, groups));
    std::erase_if(groups, [](const auto& g) { return g.second.operations.empty(); });
    if (!request.out_dir.empty() && groups.size() > 1) {
        std::string names;
        for (const auto& [name, group] : groups)
            names += (names.empty() ? "" : ", ") + name;
        return core::fail("the pages belong to " + std::to_string(groups.size()) + " contracts (" +
                          names +
                          "); --out takes one: give --contract, or import one family at a time");
    }
    for (auto& [name, group] : groups) {
        if (name.empty())
            return core::fail("cannot infer a contract name; give --contract",
                              at_file(group.operations.front().doc, 0));
        CONFORM_CHECK(write_group(name, group, request.check, report));
        // warnings added while merging belong to their page's outcome
        for (const Imported& op : group.operations)
            for (PageOutcome& outcome : report.pages)
                if (outcome.contract == name && outcome.operation == op.result.operation &&
                    outcome.status == PageStatus::imported)
                    outcome.warnings = op.result.warnings;
    }
    return report;
}

} // namespace conform::docs
