#include "runner/contract/internal/agreement.hpp"

#include <array>
#include <string_view>

#include "runner/contract/internal/location.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::contract::internal {
namespace {

// "GetRepo.operation.json#/files/samples": the other file sits beside contract.json.
std::string cite(const std::filesystem::path& file, std::string_view pointer) {
    return file.filename().string() + "#" + std::string(pointer);
}

std::string shown(const nlohmann::json& value) {
    return value.is_null() ? std::string("null") : value.dump();
}

// One field that both files state; absent from contract.json counts as null.
core::Result<void> same(const OperationEntry& op, std::string_view contract_key,
                        const std::filesystem::path& operation_file,
                        const nlohmann::json& operation, std::string_view operation_pointer) {
    auto it = op.entry.find(contract_key);
    const nlohmann::json mine = it == op.entry.end() ? nlohmann::json() : *it;
    const nlohmann::json* theirs = core::resolve_pointer(operation, operation_pointer);
    const nlohmann::json other = theirs == nullptr ? nlohmann::json() : *theirs;
    if (mine == other)
        return {};
    std::string pointer = entry_pointer(op.name);
    core::append_pointer_token(pointer, contract_key);
    const std::string stated = it == op.entry.end() ? "absent" : shown(mine);
    return core::fail(stated + " disagrees with " + cite(operation_file, operation_pointer) + " (" +
                          shown(other) + ")",
                      at(op.contract_file, pointer));
}

// contract.json's pagination wins only where the importer could not read the page: a null in
// operation.json (the page did not say) is completed by the hand-written contract, but a value
// the page did state must not be contradicted, or the checks would test something the
// documentation never promised.
core::Result<void> same_pagination(const OperationEntry& op,
                                   const std::filesystem::path& operation_file,
                                   const nlohmann::json& operation) {
    const nlohmann::json& mine = op.entry.at("pagination");
    const nlohmann::json& theirs = operation.at("pagination");
    std::string pointer = entry_pointer(op.name) + "/pagination";
    if (theirs.is_null())
        return {};
    if (mine.is_null())
        return core::fail("is null (the operation does not page), but " +
                              cite(operation_file, "/pagination") +
                              " has the pagination model read from the page",
                          at(op.contract_file, pointer));
    for (const auto& [key, value] : theirs.items()) {
        if (value.is_null() || mine.at(key) == value)
            continue;
        return core::fail(shown(mine.at(key)) + " disagrees with " +
                              cite(operation_file, "/pagination/" + key) + " (" + shown(value) +
                              "), read from the page",
                          at(op.contract_file, pointer + "/" + key));
    }
    return {};
}

} // namespace

std::string entry_pointer(const std::string& name) {
    std::string pointer = "/operations";
    core::append_pointer_token(pointer, name);
    return pointer;
}

core::Result<void> check_agreement(const OperationEntry& op,
                                   const std::filesystem::path& operation_file,
                                   const nlohmann::json& operation) {
    const std::string pointer = entry_pointer(op.name);
    const std::string name = operation.at("name").get<std::string>();
    if (name != op.name)
        return core::fail("operation \"" + op.name + "\" is named \"" + name + "\" in " +
                              cite(operation_file, "/name"),
                          at(op.contract_file, pointer));
    const std::string contract = operation.at("contract").get<std::string>();
    if (contract != op.contract_name)
        return core::fail("belongs to contract \"" + contract + "\", but sits in contract \"" +
                              op.contract_name + "\" (" + cite(op.contract_file, "/name") +
                              "); re-import it with --contract " + op.contract_name,
                          at(operation_file, "/contract"));
    CONFORM_CHECK(same(op, "method", operation_file, operation, "/method"));
    CONFORM_CHECK(same(op, "doc", operation_file, operation, "/source/doc"));
    constexpr std::array<std::string_view, 4> k_files = {"request_schema", "response_schema",
                                                         "samples", "overlay"};
    for (std::string_view key : k_files)
        CONFORM_CHECK(same(op, key, operation_file, operation, "/files/" + std::string(key)));
    return same_pagination(op, operation_file, operation);
}

} // namespace conform::contract::internal
