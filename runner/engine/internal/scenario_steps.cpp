#include "runner/engine/internal/scenario_steps.hpp"

#include <algorithm>

#include "runner/engine/internal/scenario_runner.hpp"

namespace conform::engine::internal {

const contract::Scenario* ScenarioSteps::scenario_of(const contract::Contract& contract,
                                                     const std::string& case_name) {
    constexpr std::string_view prefix = "scenario-";
    if (!case_name.starts_with(prefix))
        return nullptr;
    auto [it, fresh] = m_scenarios.try_emplace(&contract);
    if (fresh)
        it->second = contract::scenarios_of(contract);
    const std::string_view resource = std::string_view(case_name).substr(prefix.size());
    for (const contract::Scenario& s : it->second)
        if (s.name == resource)
            return &s;
    return nullptr;
}

bool ScenarioSteps::offer(std::shared_ptr<const record::Recorded> recorded, const Routed& routed,
                          std::size_t seq, bool hold) {
    const contract::Scenario* scenario = scenario_of(*routed.contract, recorded->case_name);
    if (!scenario)
        return false;
    if (!hold)
        return true;
    if (m_held >= k_max_held) {
        ++m_dropped;
        return true;
    }
    // A create of the run's first resource ("conform-<run>-<n>-1") starts an occurrence.
    const std::string* key = recorded->exchange.request.query.find(scenario->key);
    const bool starts = routed.operation && routed.operation->name == scenario->create && key &&
                        key->ends_with("-1");
    const auto where =
        std::make_tuple(recorded->file.string(), target_name(*recorded), recorded->case_name);
    auto open = m_open.find(where);
    if (open == m_open.end() || starts) {
        m_occurrences.push_back({routed.contract, scenario, seq, {}});
        open = m_open.insert_or_assign(where, m_occurrences.size() - 1).first;
    }
    m_occurrences[open->second].steps.push_back(std::move(recorded));
    ++m_held;
    return true;
}

std::vector<ScenarioSteps::Judged> ScenarioSteps::judge(const RunSettings& settings,
                                                        const core::Clock& clock) const {
    std::vector<Judged> out;
    for (const Occurrence& o : m_occurrences) {
        std::vector<const record::Recorded*> steps;
        steps.reserve(o.steps.size());
        for (const auto& s : o.steps)
            steps.push_back(s.get());
        Judged j{o.seq, replay_scenario(*o.contract, *o.scenario, steps, settings, clock)};
        if (m_dropped > 0)
            j.result.environment.push_back(
                std::to_string(m_dropped) + " more recorded scenario step(s) were not judged: " +
                "more than " + std::to_string(k_max_held) + " held at once");
        out.push_back(std::move(j));
    }
    return out;
}

std::string ScenarioSteps::shard_key(const record::Recorded& recorded) {
    return target_name(recorded) + '\x1f' + recorded.case_name;
}

} // namespace conform::engine::internal
