#pragma once
// The reference's state (issue 17): the items of every listing a write scenario reads back,
// seeded from the fixtures, changed by the scenario's create, update and delete operations as
// their pages document them (a duplicate create and a write naming a missing resource are
// refused). One Store per Reference, so that every `conform serve` process and every embedded
// run has its own; every member locks, so answer() stays callable from every server thread.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/contract/cases.hpp"
#include "runner/http/http.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve::internal {

class Store {
public:
    Store(const contract::Contract& contract, const Fixtures& fixtures);

    // A copy of the listing's items now; nullopt when no scenario reads that listing back (its
    // fixture answers it).
    [[nodiscard]] std::optional<std::vector<nlohmann::json>> items(std::string_view listing) const;

    // The answer to a scenario's write (its documented success body, or a refusal), with the
    // persona's state fault applied; nullopt when the operation is no scenario's write.
    [[nodiscard]] std::optional<nlohmann::json>
    write(const contract::Operation& op, const http::QueryParams& params, StateFault fault);

private:
    struct Listing {
        const contract::Operation* operation = nullptr;
        const nlohmann::json* item_schema = nullptr; // nullptr: undescribed
        std::vector<nlohmann::json> items;
        std::set<std::string, std::less<>> created; // keys a write created: no children
    };
    enum class Verb { create, update, remove, dependent };

    [[nodiscard]] nlohmann::json new_item(const Listing& listing, const contract::Operation& op,
                                          const contract::Scenario& scenario,
                                          const std::string& key,
                                          const http::QueryParams& params) const;
    void apply_sent(const Listing& listing, const contract::Operation& op,
                    const contract::Scenario& scenario, const http::QueryParams& params,
                    nlohmann::json& item) const;
    // A write's success: the body its page documents (the fixture's, synthesized when no
    // dataset gives one; the envelope alone when there is none), its fields that the resource
    // written also has (the created id, the key) taking that resource's values.
    [[nodiscard]] nlohmann::json success(const contract::Operation& op,
                                         const nlohmann::json& item) const;

    const contract::Contract& m_contract;
    const Fixtures& m_fixtures;
    std::vector<contract::Scenario> m_scenarios;
    mutable std::mutex m_mutex;
    std::map<std::string, Listing, std::less<>> m_listings; // by listing operation
};

} // namespace conform::serve::internal
