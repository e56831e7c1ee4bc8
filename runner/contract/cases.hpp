#pragma once
// Cases: the requests the live runner makes against one operation and what must hold
// (cases/<contract>/<Operation>.cases.json, validated by schemas/cases.schema.json).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"
#include "runner/core/result.hpp"

namespace conform::contract {

enum class CaseKind { single, walk, negative, auth };
enum class Signing { sign, none, bad_signature, stale_timestamp };
// What the answer must say (the envelope check): success; refusal, acceptance being an error;
// refusal preferred, acceptance being a warning (the pages do not promise refusal).
enum class Expectation { success, refusal, refusal_preferred };

// Where a case came from: derived from the contract (generate.cpp) or a cases file.
enum class CaseSource { generated, file };

// A request parameter whose value comes from another operation's answer (links.cpp): the
// producer and the JSON pointer into its default page ("/RepoSet/0/RepoName").
struct Link {
    std::string param;
    std::string from;
    std::string pointer;

    friend bool operator==(const Link&, const Link&) = default;
};

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
    CaseSource source = CaseSource::file;
    std::vector<Link> links; // parameters to fill from a producer's answer (not in params)
    // Non-empty: the case cannot run as planned and says why (a linked value nobody filled).
    // The engine reports it skipped with this text and never sends it.
    std::string skip;
    // The required parameters skip names as having no value: a run given each of them with
    // --param (sent with every request) sends the case after all.
    std::vector<std::string> unfilled;
};

struct CaseFile {
    std::filesystem::path path;
    std::string contract;
    std::string operation;
    std::vector<Case> cases;
    // The file asks for the generated cases too ("generated": true): its cases add to them and
    // override them by name. Without it a file replaces the generated set (the seed files).
    bool with_generated = false;
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

// The cases a run sends, per read-only operation in name order: the generated ones
// (generate_cases) for an operation without a cases file, the file's for one with, both merged
// by name when the file says "generated": true. Errors as load_cases_for's.
[[nodiscard]] core::Result<std::vector<CaseFile>>
plan_cases(const Contract& contract, const std::filesystem::path& cases_dir,
           const std::filesystem::path& schemas_dir);
// The cases derived from the operation's request schema, pagination model, the contract's
// routing and signing, and the family's links (links_of). Deterministic; names are stable for
// a given contract. Cases that need a linked value carry it in `links` and a `skip` reason.
[[nodiscard]] CaseFile generate_cases(const Contract& contract, const Operation& operation);
// The request a run probes the operation with (reachability, the total for {{total}}, the
// identifiers its consumers need): the default page or request, its required parameters with
// their documented values, its links to fill, and, like a generated case, a `skip` naming the
// required identifiers no operation lists (`unfilled`): such a probe is not sent, as its
// cases are not, unless --param gives each of them.
[[nodiscard]] Case probe_case(const Contract& contract, const Operation& operation);
// Generated ∪ file, the file's case replacing a generated one of the same name; the generated
// order first, then the file's new cases in its order.
[[nodiscard]] CaseFile merge_cases(CaseFile generated, const CaseFile& file);

// The links of one consumer operation: its required request parameters that are identifiers
// another read-only, paging operation of the family lists (an item field of the same name,
// case-insensitively), or that contract.json declares under "links". In parameter order.
[[nodiscard]] std::vector<Link> links_of(const Contract& contract, const Operation& consumer);

// The plan of one operation as JSON: the cases file's shape plus, per case, "source"
// (generated or file), "links" ({"RepoName": {"from": "GetRepo", "pointer": "/RepoSet/0/
// RepoName"}}) and "skip" when it cannot run (`conform cases --format json`).
[[nodiscard]] nlohmann::json to_json(const CaseFile& file);

// A write scenario (issue 17): create a resource, read it back from the listing, update it,
// read back the change, delete it, read back its absence, delete it again (refused), create it
// twice (the second refused). Derived from the family: Create<R> with Delete<R> (and
// Update<R> when there is one) and the read-only listing of R (Get<R>, Describe<R> or
// List<R>, else the one whose item key the create requires), the shared identifier being the
// listing's item key, required by every write; contract.json "scenarios" declares the others.
struct Scenario {
    std::string name;      // "Repo"
    std::string create;    // "CreateRepo"
    std::string update;    // "UpdateRepo"; empty: no update step
    std::string remove;    // "DeleteRepo"
    std::string listing;   // "GetRepo"
    std::string key;       // "RepoName": the listing's item key, sent by every write
    bool declared = false; // from contract.json rather than derived
    // Deletes of what lives inside the resource ("DeleteRepoImage": the key and the child's
    // own names), sent about a child the resource conform created cannot have: each must be
    // refused. Derived for declared scenarios too.
    std::vector<std::string> dependents;

    friend bool operator==(const Scenario&, const Scenario&) = default;
};

// The contract's scenarios, declared ones first (in their order), then derived ones by create
// operation name. A derived candidate whose writes do not all require the key is left out.
[[nodiscard]] std::vector<Scenario> scenarios_of(const Contract& contract);
// The field names of a paging operation's items (its response schema's items at the items
// pointer, local $refs followed); empty when undescribed or the operation does not page.
[[nodiscard]] std::vector<std::string> item_fields(const Operation& listing);
// {"scenario", "create", "update", "delete", "listing", "key", "source"}.
[[nodiscard]] nlohmann::json to_json(const Scenario& scenario);

// Replaces {{total}} and {{total+N}} / {{total-N}} with the total a default page reported.
[[nodiscard]] core::Result<std::string> resolve_placeholders(const std::string& value,
                                                             std::int64_t total);

// Where the committed cases live: $CONFORM_CASES, else ./cases, else the source tree's cases/.
[[nodiscard]] std::filesystem::path default_cases_dir();

[[nodiscard]] std::string_view name_of(CaseKind kind);
[[nodiscard]] std::string_view name_of(Expectation expect);
[[nodiscard]] std::string_view name_of(Signing signing);
[[nodiscard]] std::string_view name_of(CaseSource source);

} // namespace conform::contract
