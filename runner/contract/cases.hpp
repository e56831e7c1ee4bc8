#pragma once
// Cases: the requests the live runner makes against one operation and what must hold
// (cases/<contract>/<Operation>.cases.json, validated by schemas/cases.schema.json).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runner/contract/contract.hpp"
#include "runner/core/result.hpp"

namespace conform::contract {

enum class CaseKind { single, walk, negative, auth };
enum class Signing { sign, none, bad_signature, stale_timestamp };
// What the answer must say (the envelope check): success; refusal, acceptance being an error;
// refusal preferred, acceptance being a warning (the pages do not promise refusal).
enum class Expectation { success, refusal, refusal_preferred };

struct Case {
    std::string name;
    std::string description;
    CaseKind kind = CaseKind::single;
    Query params;                  // sorted by name; values may hold {{total}} placeholders
    std::vector<std::string> omit; // parameters not to send, the routing one included
    Signing signing = Signing::sign;
    Expectation expect = Expectation::success;
    std::int64_t walk_limit = 0; // kind walk: the page size
    std::int64_t walk_max_pages = 50;
    std::vector<std::string> checks; // empty: every check that applies
};

struct CaseFile {
    std::filesystem::path path;
    std::string contract;
    std::string operation;
    std::vector<Case> cases;
};

// Reads and validates one cases file (schemas_dir/cases.schema.json); errors name the file and
// the JSON pointer. Case names must be unique within the file.
[[nodiscard]] core::Result<CaseFile> load_case_file(const std::filesystem::path& file,
                                                    const std::filesystem::path& schemas_dir);
// Every <Operation>.cases.json under cases_dir/<contract.name>/, checked against the contract
// (the operation exists and is read-only), sorted by file name.
[[nodiscard]] core::Result<std::vector<CaseFile>>
load_cases_for(const Contract& contract, const std::filesystem::path& cases_dir,
               const std::filesystem::path& schemas_dir);

// Replaces {{total}} and {{total+N}} / {{total-N}} with the total a default page reported.
[[nodiscard]] core::Result<std::string> resolve_placeholders(const std::string& value,
                                                             std::int64_t total);

// Where the committed cases live: $CONFORM_CASES, else ./cases, else the source tree's cases/.
[[nodiscard]] std::filesystem::path default_cases_dir();

[[nodiscard]] std::string_view name_of(CaseKind kind);
[[nodiscard]] std::string_view name_of(Expectation expect);
[[nodiscard]] std::string_view name_of(Signing signing);

} // namespace conform::contract
