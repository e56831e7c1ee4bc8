#pragma once
// Loads contract folders against one schemas/ directory: the descriptor schemas
// (contract.schema.json, operation.schema.json) and the 2020-12 meta-schema are compiled once
// and shared by every contract loaded through the same Loader.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"
#include "runner/core/result.hpp"
#include "runner/schema/schema.hpp"

namespace conform::contract::internal {

class Loader {
public:
    // Fails when schemas_dir lacks contract.schema.json or operation.schema.json.
    [[nodiscard]] static core::Result<Loader> create(const std::filesystem::path& schemas_dir,
                                                     const LoadOptions& options = {});

    // dir holds contract.json and the files it names.
    [[nodiscard]] core::Result<Contract> load(const std::filesystem::path& dir);

private:
    Loader(schema::Registry registry, schema::CompiledSchema meta_schema, LoadOptions options);

    // Reads a schema file, checks it against the 2020-12 meta-schema, compiles it.
    [[nodiscard]] core::Result<SchemaFile> load_schema_file(const std::filesystem::path& path);
    [[nodiscard]] core::Result<Operation> load_operation(const std::filesystem::path& dir,
                                                         const std::filesystem::path& contract_file,
                                                         const std::string& contract_name,
                                                         const std::string& name,
                                                         const nlohmann::json& entry);

    schema::Registry m_registry;
    schema::CompiledSchema m_meta_schema;
    LoadOptions m_options;
    std::optional<SchemaFile> m_contract_schema;  // set by create()
    std::optional<SchemaFile> m_operation_schema; // set by create()
};

// "file:///abs/path" for a local file (percent-encoding what a URI may not hold).
[[nodiscard]] std::string file_uri(const std::filesystem::path& path);

} // namespace conform::contract::internal
