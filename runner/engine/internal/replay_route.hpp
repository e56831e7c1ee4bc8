#pragma once
// Replay's routing: which contract, operation and case a recorded exchange belongs to
// (replay.hpp states the rules), and the small facts about a recorded line the engine keys on.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/result.hpp"
#include "runner/engine/replay.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {

// Where an exchange goes: pointers into the contracts and cases the Router was made with (and
// into the Router, for the cases it derives), so that routing every exchange and handing the
// result on copies a few words.
struct Routed {
    const contract::Contract* contract = nullptr;
    const contract::Operation* operation = nullptr;
    const contract::Case* test_case = nullptr; // what the exchange is judged as; never null
    std::string_view walk_case_name; // the line's case when it names a walk case of the cases file
    // The line's case names a single, negative or auth case of the cases file: one request
    // on its own, never a page of a walk (offset-at-end and offset-past-end share a limit).
    bool standalone_case = false;
};

class Router {
public:
    explicit Router(const ReplayContracts& contracts);
    Router(const Router&) = delete; // a Routed points into it
    Router& operator=(const Router&) = delete;

    // Fails with why no (or more than one) contract accepts the exchange.
    [[nodiscard]] core::Result<Routed> route(const record::Recorded& recorded) const;

private:
    core::Result<Routed> with_contract(const record::Recorded& recorded, std::size_t index) const;

    const ReplayContracts& m_contracts;
    std::vector<std::string> m_hosts, m_paths; // of each contract's base_url
    // The cases an exchange is judged as when the cases file does not name it whole: the
    // plain single; per contract, the single sent without its routing parameter; per walk
    // case of a cases file, the single page of it (the walk is grouped apart).
    contract::Case m_single;
    std::vector<contract::Case> m_unrouted;
    std::unordered_map<const contract::Case*, contract::Case> m_walk_pages;
};

// "https://API.ucloud.cn:443/x" -> "api.ucloud.cn"; "" when there is none.
[[nodiscard]] std::string host_of(std::string_view url);
// The path, "/" at least.
[[nodiscard]] std::string path_of(std::string_view url);
// scheme://authority of a URL (a view into it).
[[nodiscard]] std::string_view origin_in(std::string_view url);
[[nodiscard]] std::string origin_of(std::string_view url);
// The line's target, else the request URL's origin (target_of: a view into the line's).
[[nodiscard]] std::string_view target_of(const record::Recorded& recorded);
[[nodiscard]] std::string target_name(const record::Recorded& recorded);

// "2026-12-01T10:00:00Z", "2026-12-01T10:00:00.123+08:00" -> time point; nullopt otherwise.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point>
parse_iso8601(std::string_view text);
// Older than settings.max_age before settings.now (false when either is unknown).
[[nodiscard]] bool is_stale(const std::string& time, const ReplaySettings& settings);
// "30d", or "3600s" when it is no whole number of days.
[[nodiscard]] std::string age_text(std::chrono::seconds age);

// The listing an exchange belongs to: contract, operation, target, the walk case it names and
// every parameter but the offset (when the operation pages) and the per-request signing ones
// (Signature, Timestamp, Nonce, key ids). No file: `--shard K/N` keys on it, and shards may
// see the same recordings under other paths.
[[nodiscard]] std::string listing_key(const record::Recorded& recorded, const Routed& routed);
// What the pages of one walk share: the file and the listing.
[[nodiscard]] std::string walk_key(const record::Recorded& recorded, const Routed& routed);
// Parameters that differ between two signings of the same request.
[[nodiscard]] bool is_signing_param(std::string_view name);

} // namespace conform::engine
