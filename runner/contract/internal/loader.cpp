#include "runner/contract/internal/loader.hpp"

#include <cstdio>
#include <cstring>
#include <utility>

#include "runner/contract/internal/agreement.hpp"
#include "runner/contract/internal/location.hpp"
#include "runner/contract/internal/most_specific_error.hpp"
#include "runner/contract/internal/read_descriptor.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::contract::internal {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Our generated files carry "$id": "https://conform.dev/schemas/<contract>/<file>"; a $ref from
// one to another resolves from the schemas folder being loaded, never the network.
constexpr std::string_view k_our_uri_prefix = "https://conform.dev/schemas/";

// "schemas/x/" and "schemas/x" name the same folder; its filename() must be "x".
fs::path without_trailing_separator(const fs::path& dir) {
    fs::path p = dir.lexically_normal();
    if (!p.empty() && p.filename().empty() && p.has_relative_path())
        p = p.parent_path();
    return p;
}

// contract.json "links": the consumer and the producer must be operations of the contract, the
// producer one that pages (its items are where the value comes from).
core::Result<std::vector<DeclaredLink>> read_links(const json& document, const Contract& contract,
                                                   const fs::path& contract_file) {
    std::vector<DeclaredLink> out;
    auto it = document.find("links");
    if (it == document.end())
        return out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& entry = (*it)[i];
        const std::string base = "/links/" + std::to_string(i);
        DeclaredLink link{entry.value("operation", std::string()),
                          entry.at("param").get<std::string>(), entry.at("from").get<std::string>(),
                          entry.at("field").get<std::string>()};
        if (!link.operation.empty() && !contract.find_operation(link.operation))
            return core::fail("\"" + link.operation + "\" is not an operation of this contract",
                              at(contract_file, base + "/operation"));
        const Operation* from = contract.find_operation(link.from);
        if (!from || !from->pagination)
            return core::fail("\"" + link.from +
                                  "\" is not a paging operation of this contract: a link takes "
                                  "its value from a listing",
                              at(contract_file, base + "/from"));
        out.push_back(std::move(link));
    }
    return out;
}

// contract.json "scenarios": every operation named exists, the listing pages, and the writes
// are not read-only (a scenario changes state).
core::Result<std::vector<DeclaredScenario>>
read_scenarios(const json& document, const Contract& contract, const fs::path& contract_file) {
    std::vector<DeclaredScenario> out;
    auto it = document.find("scenarios");
    if (it == document.end())
        return out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& entry = (*it)[i];
        const std::string base = "/scenarios/" + std::to_string(i);
        DeclaredScenario s{
            entry.at("resource").get<std::string>(), entry.at("create").get<std::string>(),
            entry.value("update", std::string()), entry.at("delete").get<std::string>(),
            entry.at("listing").get<std::string>()};
        for (const auto& [key, name] :
             {std::pair<const char*, const std::string*>{"create", &s.create},
              {"update", &s.update},
              {"delete", &s.remove}}) {
            if (name->empty())
                continue;
            if (!contract.find_operation(*name))
                return core::fail("\"" + *name + "\" is not an operation of this contract",
                                  at(contract_file, base + "/" + key));
            if (contract.is_read_only(*name))
                return core::fail("\"" + *name +
                                      "\" is read-only: a scenario's writes change state",
                                  at(contract_file, base + "/" + key));
        }
        const Operation* listing = contract.find_operation(s.listing);
        if (!listing || !listing->pagination)
            return core::fail("\"" + s.listing +
                                  "\" is not a paging operation of this contract: a scenario "
                                  "reads its resource back from a listing",
                              at(contract_file, base + "/listing"));
        out.push_back(std::move(s));
    }
    return out;
}

bool is_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// The meta-schema check applies to documents in our dialect; compile() judges any other
// $schema (and rejects the ones it does not support).
bool uses_2020_12(const json& document) {
    if (!document.is_object())
        return true;
    auto it = document.find("$schema");
    if (it == document.end())
        return true;
    return *it == schema::k_draft2020_12 || *it == std::string(schema::k_draft2020_12) + "#";
}

std::string joined(const json& operations) {
    std::string out;
    for (const auto& [name, entry] : operations.items())
        out += (out.empty() ? "" : ", ") + name;
    return out;
}

} // namespace

std::string file_uri(const fs::path& path) {
    std::error_code ec;
    fs::path absolute = fs::absolute(path, ec);
    if (ec)
        absolute = path;
    std::string out = "file://";
    for (char c : absolute.lexically_normal().generic_string()) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            std::strchr("-._~/", c) != nullptr) {
            out += c;
        } else { // RFC 3986 2.1: everything else is percent-encoded
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", u);
            out += hex;
        }
    }
    return out;
}

Loader::Loader(schema::Registry registry, schema::CompiledSchema meta_schema, LoadOptions options)
    : m_registry(std::move(registry)), m_meta_schema(std::move(meta_schema)), m_options(options) {}

core::Result<Loader> Loader::create(const fs::path& schemas_dir, const LoadOptions& options) {
    schema::Registry registry;
    // the descriptors may refer to each other by our URIs: map them where they are read from
    registry.map_directory(std::string(k_our_uri_prefix),
                           descriptor_schema(schemas_dir, "contract.schema.json").parent_path());
    CONFORM_TRY(const json* meta_document, registry.find(schema::k_draft2020_12));
    if (meta_document == nullptr) // bundled with the validator: a build problem, not input
        return core::fail("the draft 2020-12 meta-schema is not bundled");
    CONFORM_TRY(schema::CompiledSchema meta, schema::compile(*meta_document, registry));
    // The descriptor schemas check our own files: the defaults, not the limits for responses.
    Loader loader(std::move(registry), std::move(meta), LoadOptions{});

    auto descriptor = [&](const char* name) -> core::Result<SchemaFile> {
        const fs::path path = descriptor_schema(schemas_dir, name);
        if (!is_file(path))
            return core::fail("missing: contract files are checked against it (is " +
                                  schemas_dir.string() +
                                  " the schemas folder? CONFORM_SCHEMAS can point to it)",
                              at(path, {}));
        return loader.load_schema_file(path);
    };
    CONFORM_TRY(loader.m_contract_schema, descriptor("contract.schema.json"));
    CONFORM_TRY(loader.m_operation_schema, descriptor("operation.schema.json"));
    loader.m_options = options; // for the request and response schemas of each operation
    return loader;
}

core::Result<SchemaFile> Loader::load_schema_file(const fs::path& path) {
    CONFORM_TRY(json document, core::load_json_file(path));
    if (uses_2020_12(document)) {
        auto checked = conforms(m_meta_schema, document, path, nullptr);
        if (!checked) {
            core::Diagnostic d = std::move(checked).error();
            d.message = "not a valid draft 2020-12 schema: " + d.message;
            return core::fail(std::move(d));
        }
    }
    schema::CompileOptions options;
    options.origin = path.string();
    options.max_evaluation_depth = m_options.max_evaluation_depth;
    options.max_instance_depth = m_options.max_instance_depth;
    // The retrieval URI is the base (2020-12 core 8.2): an absolute "$id" in the file
    // overrides it, and a relative one resolves against the file's own place.
    options.base_uri = file_uri(path);
    auto compiled = schema::compile(document, m_registry, options);
    if (!compiled) {
        core::Diagnostic d = std::move(compiled).error();
        if (d.where.file.empty())
            d.where.file = path.string();
        return core::fail(std::move(d));
    }
    return SchemaFile{path, std::move(document), std::move(compiled).value()};
}

core::Result<Contract> Loader::load(const fs::path& given_dir) {
    const fs::path dir = without_trailing_separator(given_dir);
    const fs::path contract_file = dir / "contract.json";
    if (!is_file(contract_file))
        return core::fail("not a contract folder: it has no contract.json", at(dir, {}));
    // A schema without "$id" has its file:// URI as base: its relative $refs find siblings.
    m_registry.map_directory(file_uri(dir) + "/", dir);
    CONFORM_TRY(json document, core::load_json_file(contract_file));
    CONFORM_CHECK(conforms(m_contract_schema->compiled, document, contract_file,
                           &m_contract_schema->document));

    Contract contract;
    contract.name = document.at("name").get<std::string>();
    contract.title = string_or_empty(document, "title");
    contract.vendor = document.at("vendor").get<std::string>();
    contract.base_url = document.at("base_url").get<std::string>();
    contract.routing = read_routing(document.at("routing"));
    contract.signing = document.at("signing").get<std::string>();
    contract.envelope = read_envelope(document.at("envelope"));
    contract.directory = dir;

    // The folder is how a contract is found (schemas/<name>/, `--contract NAME`); a copied
    // folder that kept the old name would be loaded under the wrong one.
    const std::string folder = without_trailing_separator(fs::absolute(dir)).filename().string();
    if (contract.name != folder)
        return core::fail("contract \"" + contract.name + "\" sits in folder \"" + folder +
                              "\": the name must be the folder's",
                          at(contract_file, "/name"));

    const json& operations = document.at("operations");
    const json& read_only = document.at("read_only");
    for (std::size_t i = 0; i < read_only.size(); ++i) {
        const std::string name = read_only[i].get<std::string>();
        if (!operations.contains(name))
            return core::fail(
                "read-only operation \"" + name +
                    "\" is not an operation of this contract (it has: " + joined(operations) + ")",
                at(contract_file, "/read_only/" + std::to_string(i)));
        contract.read_only.push_back(name);
    }

    for (const auto& [name, entry] : operations.items()) {
        CONFORM_TRY(Operation operation,
                    load_operation(dir, contract_file, contract.name, name, entry));
        contract.operations.emplace(name, std::move(operation));
    }
    CONFORM_TRY(contract.links, read_links(document, contract, contract_file));
    CONFORM_TRY(contract.scenarios, read_scenarios(document, contract, contract_file));
    return contract;
}

core::Result<Operation> Loader::load_operation(const fs::path& dir, const fs::path& contract_file,
                                               const std::string& contract_name,
                                               const std::string& name, const json& entry) {
    const std::string pointer = entry_pointer(name);
    // Every file the entry names must be beside contract.json ("doc" is a vendor page in
    // ../shared/api-docs, not ours to require).
    auto named_file = [&](std::string_view key) -> core::Result<std::optional<fs::path>> {
        auto it = entry.find(key);
        if (it == entry.end())
            return std::optional<fs::path>();
        const std::string file_name = it->get<std::string>();
        fs::path path = dir / file_name;
        if (!is_file(path)) {
            std::string where = pointer;
            core::append_pointer_token(where, key);
            return core::fail("file \"" + file_name + "\" does not exist in " + dir.string(),
                              at(contract_file, where));
        }
        return std::optional<fs::path>(std::move(path));
    };
    CONFORM_TRY(std::optional<fs::path> operation_file, named_file("operation"));
    CONFORM_TRY(std::optional<fs::path> request_file, named_file("request_schema"));
    CONFORM_TRY(std::optional<fs::path> response_file, named_file("response_schema"));
    CONFORM_TRY(std::optional<fs::path> samples, named_file("samples"));
    CONFORM_TRY(std::optional<fs::path> overlay, named_file("overlay"));

    CONFORM_TRY(json operation, core::load_json_file(*operation_file));
    CONFORM_CHECK(conforms(m_operation_schema->compiled, operation, *operation_file,
                           &m_operation_schema->document));
    CONFORM_CHECK(check_agreement(OperationEntry{contract_file, contract_name, name, entry},
                                  *operation_file, operation));

    CONFORM_TRY(SchemaFile request, load_schema_file(*request_file));
    CONFORM_TRY(SchemaFile response, load_schema_file(*response_file));
    const std::int64_t line = read_integer(operation.at("source").at("line"));
    return Operation{
        .name = name,
        .method = entry.at("method").get<std::string>(),
        .doc = entry.at("doc").get<std::string>(),
        .doc_line = static_cast<std::size_t>(line),
        .request = std::move(request),
        .response = std::move(response),
        .samples = std::move(samples),
        .overlay = std::move(overlay),
        .pagination = read_pagination(entry.at("pagination")),
    };
}

} // namespace conform::contract::internal
