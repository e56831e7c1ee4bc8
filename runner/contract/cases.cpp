#include "runner/contract/cases.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "runner/contract/internal/location.hpp"
#include "runner/contract/internal/most_specific_error.hpp"
#include "runner/core/json_parse.hpp"

namespace conform::contract {
namespace {

namespace fs = std::filesystem;
using internal::at;
using nlohmann::json;

// The file's enums, as tables (schemas/cases.schema.json holds the same words).
constexpr std::pair<std::string_view, CaseKind> k_kinds[] = {{"single", CaseKind::single},
                                                             {"walk", CaseKind::walk},
                                                             {"negative", CaseKind::negative},
                                                             {"auth", CaseKind::auth}};
constexpr std::pair<std::string_view, Signing> k_signing[] = {
    {"signed", Signing::sign},
    {"none", Signing::none},
    {"bad-signature", Signing::bad_signature},
    {"stale-timestamp", Signing::stale_timestamp}};
constexpr std::pair<std::string_view, Expectation> k_expect[] = {
    {"success", Expectation::success},
    {"refusal", Expectation::refusal},
    {"refusal-preferred", Expectation::refusal_preferred}};

template <class T, std::size_t N>
T lookup(const std::pair<std::string_view, T> (&table)[N], const std::string& word, T fallback) {
    for (const auto& [name, value] : table)
        if (name == word)
            return value;
    return fallback; // unreachable once the file passed its schema
}

template <class T, std::size_t N>
std::string_view reverse(const std::pair<std::string_view, T> (&table)[N], T value) {
    for (const auto& [name, v] : table)
        if (v == value)
            return name;
    return {};
}

Case read_case(const json& c) {
    Case out;
    out.name = c.at("name").get<std::string>();
    out.description = c.value("description", std::string());
    out.kind = lookup(k_kinds, c.at("kind").get<std::string>(), CaseKind::single);
    const json params = c.value("params", json::object()); // items() must not outlive it
    for (const auto& [k, v] : params.items())
        out.params.emplace_back(k, v.get<std::string>());
    for (const auto& o : c.value("omit", json::array()))
        out.omit.push_back(o.get<std::string>());
    out.signing = lookup(k_signing, c.value("signing", std::string("signed")), Signing::sign);
    out.expect = lookup(k_expect, c.value("expect", std::string("success")), Expectation::success);
    if (c.contains("walk")) {
        out.walk_limit = c["walk"].at("limit").get<std::int64_t>();
        out.walk_max_pages = c["walk"].value("max_pages", std::int64_t{50});
    }
    for (const auto& name : c.value("checks", json::array()))
        out.checks.push_back(name.get<std::string>());
    return out;
}

// cases.schema.json parsed and compiled: what every case file is checked against.
struct CasesSchema {
    std::string text; // the file as read: a changed file is compiled again
    json document;
    std::optional<schema::CompiledSchema> compiled; // set once document is in place
};

// The cases schema at schema_file. A run loads every contract's case files against the same
// schema: it is compiled once per process for as long as the file reads the same.
core::Result<std::shared_ptr<const CasesSchema>> cases_schema(const fs::path& schema_file) {
    static std::mutex mutex;
    static std::map<fs::path, std::shared_ptr<const CasesSchema>> compiled;
    CONFORM_TRY(std::string text, core::read_text_file(schema_file));
    {
        std::lock_guard lock(mutex);
        if (auto it = compiled.find(schema_file); it != compiled.end() && it->second->text == text)
            return it->second;
    }
    auto fresh = std::make_shared<CasesSchema>();
    CONFORM_TRY(fresh->document, core::parse_json(text, schema_file.string()));
    fresh->text = std::move(text);
    schema::Registry registry;
    schema::CompileOptions options;
    options.origin = schema_file.string();
    options.base_uri = fresh->document.value("$id", std::string("urn:conform:cases-schema"));
    CONFORM_TRY(schema::CompiledSchema compiled_here,
                schema::compile(fresh->document, registry, options));
    fresh->compiled.emplace(std::move(compiled_here));
    std::lock_guard lock(mutex);
    compiled[schema_file] = fresh;
    return std::shared_ptr<const CasesSchema>(std::move(fresh));
}

} // namespace

core::Result<CaseFile> load_case_file(const fs::path& file, const fs::path& schemas_dir) {
    CONFORM_TRY(const std::shared_ptr<const CasesSchema> schema,
                cases_schema(descriptor_schema(schemas_dir, "cases.schema.json")));
    CONFORM_TRY(json doc, core::load_json_file(file));
    CONFORM_CHECK(internal::conforms(*schema->compiled, doc, file, &schema->document));

    CaseFile out;
    out.path = file;
    out.contract = doc.at("contract").get<std::string>();
    out.operation = doc.at("operation").get<std::string>();
    out.with_generated = doc.value("generated", false);
    std::set<std::string> names;
    const json& cases = doc.at("cases");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        Case c = read_case(cases[i]);
        if (!names.insert(c.name).second)
            return core::fail("case name \"" + c.name + "\" is used twice",
                              at(file, "/cases/" + std::to_string(i) + "/name"));
        for (const auto& [name, value] : c.params) {
            if (auto ok = resolve_placeholders(value, 0); !ok)
                return core::fail(ok.error().message,
                                  at(file, "/cases/" + std::to_string(i) + "/params/" + name));
        }
        out.cases.push_back(std::move(c));
    }
    return out;
}

core::Result<std::vector<CaseFile>>
load_cases_for(const Contract& contract, const fs::path& cases_dir, const fs::path& schemas_dir) {
    std::vector<CaseFile> out;
    const fs::path dir = cases_dir / contract.name;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return out; // a contract without cases: nothing to run
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().filename().string().ends_with(".cases.json"))
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
        CONFORM_TRY(CaseFile file, load_case_file(f, schemas_dir));
        if (file.contract != contract.name)
            return core::fail("the cases are for contract \"" + file.contract +
                                  "\" but sit in the folder of \"" + contract.name + "\"",
                              at(f, "/contract"));
        if (!contract.find_operation(file.operation))
            return core::fail("contract " + contract.name + " has no operation \"" +
                                  file.operation + "\"",
                              at(f, "/operation"));
        if (!contract.is_read_only(file.operation))
            return core::fail("operation \"" + file.operation + "\" is not marked read-only in " +
                                  contract.name + "/contract.json; live mode never sends it",
                              at(f, "/operation"));
        out.push_back(std::move(file));
    }
    return out;
}

core::Result<std::string> resolve_placeholders(const std::string& value, std::int64_t total) {
    std::string out;
    std::size_t i = 0;
    while (i < value.size()) {
        const auto open = value.find("{{", i);
        if (open == std::string::npos) {
            out.append(value, i, std::string::npos);
            break;
        }
        const auto close = value.find("}}", open);
        if (close == std::string::npos)
            return core::fail("unterminated {{ in \"" + value + "\"");
        out.append(value, i, open - i);
        std::string_view expr(value.data() + open + 2, close - open - 2);
        if (!expr.starts_with("total"))
            return core::fail("unknown placeholder {{" + std::string(expr) +
                              "}} (known: {{total}}, {{total+N}}, {{total-N}})");
        expr.remove_prefix(5);
        std::int64_t n = 0;
        if (!expr.empty()) {
            const char sign = expr.front();
            expr.remove_prefix(1);
            auto [end, err] = std::from_chars(expr.data(), expr.data() + expr.size(), n);
            if ((sign != '+' && sign != '-') || err != std::errc() ||
                end != expr.data() + expr.size())
                return core::fail("bad placeholder in \"" + value +
                                  "\" (known: {{total}}, "
                                  "{{total+N}}, {{total-N}})");
            if (sign == '-')
                n = -n;
        }
        out += std::to_string(total + n);
        i = close + 2;
    }
    return out;
}

fs::path default_cases_dir() {
    if (const char* env = std::getenv("CONFORM_CASES"); env && *env)
        return env;
    std::error_code ec;
    if (fs::is_directory("cases", ec) && fs::exists("schemas/cases.schema.json", ec))
        return "cases";
    return fs::path(CONFORM_SOURCE_DIR) / "cases";
}

std::string_view name_of(CaseKind kind) {
    return reverse(k_kinds, kind);
}
std::string_view name_of(Expectation expect) {
    return reverse(k_expect, expect);
}
std::string_view name_of(Signing signing) {
    return reverse(k_signing, signing);
}
std::string_view name_of(CaseSource source) {
    return source == CaseSource::generated ? "generated" : "file";
}

} // namespace conform::contract
