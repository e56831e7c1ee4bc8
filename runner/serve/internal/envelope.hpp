#pragma once
// The bodies the reference answers with: the contract's success envelope and its refusals,
// written at the pointers contract.json names (never at field names of one seed API).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"

namespace conform::serve::internal {

// The two error-code families of SIGNING.md. A contract's family follows its signing scheme
// (the codes of http::k_verify_statuses are per scheme); an unsigned contract follows its
// envelope's shape (a description field is Tencent v2's codeDesc).
enum class Family : std::uint8_t { ucloud, tencent_v2 };
[[nodiscard]] Family family_of(const contract::Contract& contract);

// Refusals that are not about the signature (those come with an http::Verdict).
enum class Refusal : std::uint8_t {
    missing_operation, // no routing parameter
    unknown_operation, // a routing value naming no operation
    invalid_parameter, // a parameter value the request schema does not allow
    internal_error,    // the http-500 persona's body
    resource_missing,  // a write names a resource that does not exist (update, delete)
    resource_exists,   // a create names a resource that exists already
};

struct RefusalInfo {
    Refusal refusal;
    std::string_view name;
    int ucloud_code;
    int tencent_code;
    std::string_view tencent_code_desc;
};

// SIGNING.md: UCloud 160 missing Action, 161 unknown Action; "no official code for an invalid
// parameter value is published; 230 is commonly used by look-alike gateways". Tencent v2 has
// one documented code for all three, 4000 InvalidParameter. Neither documents an internal
// error code: the http-500 persona echoes the HTTP status in both families.
inline constexpr std::array k_refusals = {
    RefusalInfo{Refusal::missing_operation, "missing-operation", 160, 4000, "InvalidParameter"},
    RefusalInfo{Refusal::unknown_operation, "unknown-operation", 161, 4000, "InvalidParameter"},
    RefusalInfo{Refusal::invalid_parameter, "invalid-parameter", 230, 4000, "InvalidParameter"},
    RefusalInfo{Refusal::internal_error, "internal-error", 500, 500, "InternalError"},
    // Neither family publishes codes for these (the UHub pages list none): chosen outside
    // every documented range, in the error envelope the pages describe (RetCode non-zero with
    // a Message; Tencent v2 code, codeDesc, message).
    RefusalInfo{Refusal::resource_missing, "resource-missing", 8701, 4404, "ResourceNotFound"},
    RefusalInfo{Refusal::resource_exists, "resource-exists", 8702, 4409, "ResourceInUse"},
};
static_assert(k_refusals.size() == static_cast<std::size_t>(Refusal::resource_exists) + 1,
              "every Refusal has a row");
static_assert(
    [] {
        for (std::size_t i = 0; i < k_refusals.size(); ++i)
            if (static_cast<std::size_t>(k_refusals[i].refusal) != i)
                return false;
        return true;
    }(),
    "k_refusals rows are in Refusal order");

[[nodiscard]] constexpr const RefusalInfo& refusal_info(Refusal r) noexcept {
    return k_refusals[static_cast<std::size_t>(r)];
}

// Writes value at pointer, creating objects on the way ("/data/repoInfo").
void set_at(nlohmann::json& document, std::string_view pointer, nlohmann::json value);
// Removes the member at pointer; returns it (null when absent).
nlohmann::json take_at(nlohmann::json& document, std::string_view pointer);

// The success envelope of operation (status, description, an empty message, the action echo).
[[nodiscard]] nlohmann::json success_envelope(const contract::Contract& contract,
                                              std::string_view operation);
// The same, without the members the operation's response schema forbids (a page that
// documents no Message: its answers carry none).
[[nodiscard]] nlohmann::json success_envelope(const contract::Contract& contract,
                                              const contract::Operation& operation);
// An error envelope: code at the status pointer, code_desc at the description pointer (when
// the contract has one), message at the message pointer, and the action echo of `echo` (the
// routing value that was sent; empty when none was).
[[nodiscard]] nlohmann::json error_envelope(const contract::Contract& contract,
                                            std::string_view echo, int code,
                                            std::string_view code_desc, std::string message);
[[nodiscard]] nlohmann::json refusal_envelope(const contract::Contract& contract,
                                              std::string_view echo, Refusal refusal,
                                              std::string message);

// A success answer of a paging operation: base (the envelope and the page's other documented
// fields, OperationFixture::page_base), the items at the items pointer and the total at the
// total pointer (a string when the response schema types it so).
[[nodiscard]] nlohmann::json page_body(nlohmann::json base, const contract::Operation& operation,
                                       nlohmann::json items, std::int64_t total,
                                       bool total_is_string);

// The messages, naming the parameter (SIGNING.md: UCloud's "Missing Action").
[[nodiscard]] std::string missing_operation_message(const contract::Contract& contract);
[[nodiscard]] std::string unknown_operation_message(const contract::Contract& contract,
                                                    std::string_view value);
[[nodiscard]] std::string invalid_parameter_message(std::string_view param, std::string_view why);

// JSON text that never throws: invalid UTF-8 echoed from a request is replaced, not fatal.
[[nodiscard]] std::string dump(const nlohmann::json& body);

} // namespace conform::serve::internal
