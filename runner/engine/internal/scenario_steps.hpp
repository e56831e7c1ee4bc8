#pragma once
// Replay's side of write scenarios (issue 17): the recorded lines whose case label names a
// scenario of their contract ("scenario-Repo", as `conform run --record` writes a scenario's
// steps) are set aside instead of judged one by one (a refusal step is no failure), grouped per
// file, target and scenario in recorded order, split where a new occurrence starts (a create
// of "conform-<run>-<n>-1"), and judged at the end by replay_scenario.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "runner/contract/cases.hpp"
#include "runner/engine/internal/replay_route.hpp"
#include "runner/engine/run.hpp"
#include "runner/record/record.hpp"
#include "runner/report/report.hpp"

namespace conform::engine::internal {

class ScenarioSteps {
public:
    // At most this many steps are held (a scenario is a few dozen): beyond, steps are dropped
    // and the judged scenarios say how many.
    static constexpr std::size_t k_max_held = 10'000;

    // True when `recorded` is a scenario's step: kept, with its recording order `seq`, for
    // judge() when `hold` (another --shard judges it otherwise). False: an ordinary exchange.
    bool offer(std::shared_ptr<const record::Recorded> recorded, const Routed& routed,
               std::size_t seq, bool hold);

    struct Judged {
        std::size_t seq = 0; // of the scenario's first step
        report::CaseResult result;
    };
    // Every held occurrence, judged in the order its first step was recorded.
    [[nodiscard]] std::vector<Judged> judge(const RunSettings& settings,
                                            const core::Clock& clock) const;

    // Whether a line may be a step (its case label is "scenario-..."): the parts reader leaves
    // those to the calling thread, which alone knows.
    [[nodiscard]] static bool may_be_step(const record::Recorded& recorded) {
        return recorded.case_name.starts_with("scenario-");
    }

    // The target and scenario a step belongs to: what --shard K/N keys on (not the file: shards
    // may read the same recordings under other paths).
    [[nodiscard]] static std::string shard_key(const record::Recorded& recorded);

private:
    struct Occurrence {
        const contract::Contract* contract = nullptr;
        const contract::Scenario* scenario = nullptr;
        std::size_t seq = 0;
        std::vector<std::shared_ptr<const record::Recorded>> steps;
    };
    [[nodiscard]] const contract::Scenario* scenario_of(const contract::Contract& contract,
                                                        const std::string& case_name);

    std::map<const contract::Contract*, std::vector<contract::Scenario>> m_scenarios;
    std::vector<Occurrence> m_occurrences; // in first-step order
    // (file, target, case) -> the occurrence steps are appended to now
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> m_open;
    std::size_t m_held = 0, m_dropped = 0;
};

} // namespace conform::engine::internal
