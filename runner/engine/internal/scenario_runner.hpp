#pragma once
// A write scenario as ONE case (issue 17): create a resource under a name conform generates,
// read it back from the listing (every page walked), update it, read back the change, delete
// it, read back its absence, delete it again (must be refused), create another twice (the
// second must be refused), and clean up whatever this run created and has not deleted. Every
// answer goes through the http, envelope and schema checks as a case's would; each transition
// through the state checks (state.* ids). Steps are sent one after another on one thread,
// after the target's read-only cases (a listing walked while a write lands would see a total
// change).

#include <atomic>
#include <cstddef>
#include <span>
#include <string>

#include "runner/contract/cases.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/engine/internal/request_pipeline.hpp"
#include "runner/engine/run.hpp"
#include "runner/report/report.hpp"

namespace conform::engine::internal {

// Where the scenario goes and how it is signed (from the live runner's target state).
struct ScenarioTarget {
    const Target& target;
    const Endpoint& endpoint;
    const http::Scheme* scheme = nullptr; // nullptr: the contract signs nothing
    std::string unreachable_why;          // non-empty: the target could not be reached
};

// The names a scenario creates: "conform-<run id>-<n>", the run id from the run's clock
// (deterministic under a fixed one), n counting resources within the run.
[[nodiscard]] std::string scenario_run_id(const core::Clock& clock);

// Runs one scenario (or reports it skipped, saying why: no --allow-writes for an external
// target, unreachable, no credentials). `ordinal` numbers the scenario within the run so that
// two scenarios never generate the same name.
[[nodiscard]] report::CaseResult run_scenario(const ScenarioTarget& target,
                                              const contract::Scenario& scenario,
                                              std::size_t ordinal, const RequestPipeline& pipeline,
                                              const RunSettings& settings,
                                              const core::Clock& clock);

// A scenario read back from a recording (`conform replay`): the same steps, each answered by
// the next of `steps` (the exchanges `conform run --record` wrote under the scenario's case
// name, in recorded order) instead of by a target, so the state checks run over the recorded
// sequence. The names come from the recorded create ("conform-<run id>-<n>-1"). Skipped, saying
// at which step, when the recording does not follow the scenario (another operation or
// resource than the step sends, or it ends first).
[[nodiscard]] report::CaseResult replay_scenario(const contract::Contract& contract,
                                                 const contract::Scenario& scenario,
                                                 std::span<const record::Recorded* const> steps,
                                                 const RunSettings& settings,
                                                 const core::Clock& clock);

} // namespace conform::engine::internal
