#pragma once
// Cross-file consistency: an operation's entry in contract.json (hand-written) against the
// <Op>.operation.json the importer derived from the vendor page. Both files have passed their
// descriptor schemas before these run.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"

namespace conform::contract::internal {

// One operation as contract.json names it.
struct OperationEntry {
    std::filesystem::path contract_file; // .../contract.json
    std::string contract_name;           // contract.json's "name"
    std::string name;                    // the key under /operations
    const nlohmann::json& entry;         // contract.json#/operations/<name>
};

// contract.json#/operations/<name>, the pointer every disagreement is reported at.
[[nodiscard]] std::string entry_pointer(const std::string& name);

// Name, contract, method, source page, file names and pagination agree. A disagreement is
// reported at the contract.json member (the hand-written side) and names the operation.json
// member it contradicts.
[[nodiscard]] core::Result<void> check_agreement(const OperationEntry& op,
                                                 const std::filesystem::path& operation_file,
                                                 const nlohmann::json& operation);

} // namespace conform::contract::internal
