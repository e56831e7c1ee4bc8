#pragma once
// conform::contract — contracts and their operations, loaded from schemas/<contract>/ and
// checked before anything uses them (docs/contracts.md describes the files).
//
//   auto contracts = load_contracts(default_schemas_dir());     // Result<vector<Contract>>
//   const Contract& c = contracts->front();
//   auto op = c.route({{"Action", "GetRepo"}, {"Limit", "3"}}); // Result<const Operation*>
//   schema::ValidationResult r = (*op)->response.compiled.validate(body);
//
// Loading validates contract.json against schemas/contract.schema.json and every
// <Op>.operation.json against schemas/operation.schema.json with our own validator, then
// checks that the files agree with each other; the first problem comes back as a Diagnostic
// naming the file and the JSON pointer ("schemas/x/contract.json#/read_only/0: ...").

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/core/result.hpp"
#include "runner/schema/schema.hpp"

namespace conform::contract {

// Query parameters in the order they were sent, repeats kept (UCloud's sample repeats
// ProjectId).
using Query = std::vector<std::pair<std::string, std::string>>;

// A status field and the value it holds when the call succeeded (/RetCode 0, /codeDesc
// "Success").
struct StatusField {
    std::string pointer;
    nlohmann::json success; // integer, string or boolean
};

// A field echoing the operation's name plus a suffix (UCloud: /Action = "GetRepoResponse").
struct ActionEcho {
    std::string pointer;
    std::string suffix;

    // The value a response to `operation` should carry: operation + suffix.
    [[nodiscard]] std::string expected(std::string_view operation) const;
};

// Where a response says whether it succeeded. Two families: UCloud's /RetCode + /Message
// (+ /Action echo) and Tencent v2's /code + /codeDesc + /message.
struct Envelope {
    StatusField code;
    std::string message_pointer;
    std::optional<StatusField> description; // a second status field (Tencent v2 /codeDesc)
    std::optional<ActionEcho> action;       // UCloud /Action
};

// Offset/limit paging: the request parameters and their defaults, where the list and the
// total sit in the response, and the item field that identifies an item.
struct Pagination {
    std::string offset_param; // "Offset"
    std::int64_t offset_default = 0;
    std::string limit_param; // "Limit"
    std::int64_t limit_default = 20;
    std::string items_pointer; // "/RepoSet"
    std::string total_pointer; // "/TotalCount"
    std::string item_key;      // "RepoName"

    friend bool operator==(const Pagination&, const Pagination&) = default;
};

// A schema file of an operation: its path, its JSON, and the same compiled once for
// validation (a $ref to a sibling file resolves from the contract's folder, never the network).
struct SchemaFile {
    std::filesystem::path path;
    nlohmann::json document;
    schema::CompiledSchema compiled;
};

struct Operation {
    std::string name;         // "GetRepo"
    std::string method;       // "GET"
    std::string doc;          // the vendor page it was imported from, "ucloud-uhub.GetRepo.zh.md"
    std::size_t doc_line = 0; // the page line that states the operation's name
    SchemaFile request;       // the query parameters
    SchemaFile response;      // the response body
    std::optional<std::filesystem::path> samples; // the page's own exchanges (JSONL)
    std::optional<std::filesystem::path> overlay; // the hand-written JSON Merge Patch
    std::optional<Pagination> pagination;         // nullopt: the operation does not page
};

// How an exchange names its operation: the value of one query parameter.
struct Routing {
    std::string in = "query";
    std::string param; // "Action"
};

// A link written into contract.json where names differ: `param` of `operation` (every
// operation when empty) takes the `field` of the items `from` lists.
struct DeclaredLink {
    std::string operation;
    std::string param;
    std::string from;
    std::string field;
};

// A write scenario written into contract.json where the names do not show it (issue 17):
// the resource's create, update (optional) and delete operations, the listing that shows it and
// the identifier they share (the listing's item key, a required parameter of every write).
struct DeclaredScenario {
    std::string resource; // "Repo"
    std::string create;
    std::string update; // empty: the scenario updates nothing
    std::string remove;
    std::string listing;
};

// One vendor API family, from schemas/<name>/contract.json and the files it names.
struct Contract {
    std::string name;     // "ucloud-uhub", also its folder's name
    std::string title;    // may be empty
    std::string vendor;   // "UCloud"
    std::string base_url; // "https://api.ucloud.cn"
    Routing routing;
    std::string signing; // "tencent-v2-hmac", "ucloud-sha1" or "none"
    Envelope envelope;
    std::vector<std::string> read_only; // the operations live mode may send
    std::map<std::string, Operation, std::less<>> operations;
    std::vector<DeclaredLink> links;         // contract.json "links"
    std::vector<DeclaredScenario> scenarios; // contract.json "scenarios"
    std::filesystem::path directory;         // where contract.json was read

    // nullptr when the contract has no such operation.
    [[nodiscard]] const Operation* find_operation(std::string_view name) const;
    [[nodiscard]] bool is_read_only(std::string_view operation) const;
    // The operation named by the routing parameter (the first occurrence; a repeat with another
    // value is ambiguous). Fails naming the parameter when it is missing, empty, ambiguous or
    // names no operation of this contract.
    [[nodiscard]] core::Result<const Operation*> route(const Query& query) const;
    // The same over views of the (name, value) pairs, for a query held in another type.
    [[nodiscard]] core::Result<const Operation*>
    route_views(std::span<const std::pair<std::string_view, std::string_view>> query) const;
};

// Limits on the contract's schemas when they validate responses (schema::CompileOptions):
// `conform run` and `conform replay` set them from --max-depth and --max-ref-depth.
struct LoadOptions {
    std::size_t max_evaluation_depth = 1024; // subschemas nested at validation ($ref chains)
    std::size_t max_instance_depth = 256;    // instance nesting a schema follows
    // Contracts loaded at once by load_contracts and load_named_contracts (threads, each with
    // its own descriptor schemas): a tree of many contracts (an imported vendor family) loads
    // in a fraction of the time on as many cores. The result, and the error when a contract is
    // bad (the first in folder order), are those of loading them one by one. A thread is
    // started for every four folders at most: each compiles the descriptor schemas anew.
    unsigned threads = 1;
};

// Loads schemas/<name>/ with the descriptor schemas found in schemas_dir
// (schemas_dir/contract.schema.json and schemas_dir/operation.schema.json).
[[nodiscard]] core::Result<Contract> load_contract(const std::filesystem::path& dir,
                                                   const std::filesystem::path& schemas_dir,
                                                   const LoadOptions& options = {});
// The same with schemas_dir = the folder above dir.
[[nodiscard]] core::Result<Contract> load_contract(const std::filesystem::path& dir);
// Every subfolder of schemas_dir holding a contract.json (not meta/, the bundled
// meta-schemas), sorted by name. The first bad contract fails the whole load.
[[nodiscard]] core::Result<std::vector<Contract>>
load_contracts(const std::filesystem::path& schemas_dir, const LoadOptions& options = {});
// The contracts of schemas_dir that names names, in load_contracts' order (all of them when
// names is empty): what --contract picks for every subcommand. A name with no contract is an
// error located at the folder, naming the contracts it holds.
[[nodiscard]] core::Result<std::vector<Contract>>
load_named_contracts(const std::filesystem::path& schemas_dir, std::span<const std::string> names,
                     const LoadOptions& options = {});

// Where the committed contracts live: $CONFORM_SCHEMAS when set, else ./schemas when it holds
// contract.schema.json, else the source tree's schemas/ (CONFORM_SOURCE_DIR).
[[nodiscard]] std::filesystem::path default_schemas_dir();

// Where the descriptor schema `name` (contract, operation, cases or dataset .schema.json: the
// ones that check conform's own files) is read from: the contracts folder when it holds it,
// else the one conform was built with. So a folder of imported contracts alone is a valid
// --schemas (conform import writes contracts, not descriptors).
[[nodiscard]] std::filesystem::path descriptor_schema(const std::filesystem::path& schemas_dir,
                                                      std::string_view name);

// Indexed query parameters (UCloud "Disks.N.Size" on the page, "Disks.0.Size=..." on the wire)
// are patternProperties of the request schema marked "x-indexed": <the page's name>.
// "Disks.0.Size" -> "Disks.N.Size": every segment after the first that is all digits becomes N;
// nullopt when there is none.
[[nodiscard]] std::optional<std::string> index_template(std::string_view name);

// The request-schema property a query parameter is read by: properties/<name>, else the
// patternProperties entry whose "x-indexed" is the name's index template; nullptr when the
// schema declares neither (routing and signing parameters).
[[nodiscard]] const nlohmann::json* request_property(const nlohmann::json& request_schema,
                                                     std::string_view name);

} // namespace conform::contract
