#pragma once
// The family tests' run: contracts from `schemas` with no hand-written cases or datasets,
// served by the reference persona alone, quiet, the report read back.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/engine/replay.hpp"
#include "runner/engine/run.hpp"

namespace conform::test {

struct FamilyRun {
    core::Result<core::Verdict> verdict = core::Verdict::conformant;
    std::string console; // stdout and stderr, for INFO
    std::string err;
    nlohmann::json report; // null when the run failed
};

// params: --param NAME=VALUE, each sent with every request; record: --record FILE.
inline FamilyRun run_family(const std::filesystem::path& schemas, const std::filesystem::path& dir,
                            std::vector<std::string> contracts,
                            std::vector<std::string> params = {},
                            std::optional<std::filesystem::path> record = std::nullopt) {
    std::filesystem::create_directories(dir / "no-cases");
    engine::RunJob job;
    job.schemas_dir = schemas;
    job.cases_dir = dir / "no-cases";
    job.contracts = std::move(contracts);
    job.personas = {"reference"};
    job.params = std::move(params);
    job.record = std::move(record);
    job.report.dir = dir / "report";
    job.report.console.quiet = true;
    std::ostringstream out, err;
    FamilyRun run{engine::run_run(job, out, err), out.str() + err.str(), err.str(), nullptr};
    if (run.verdict)
        run.report = nlohmann::json::parse(std::ifstream(dir / "report" / "report.json"));
    return run;
}

// `conform replay recording` with the contracts of `schemas`, quiet, the report (in dir) read
// back.
inline FamilyRun replay_family(const std::filesystem::path& recording,
                               const std::filesystem::path& schemas,
                               const std::filesystem::path& dir,
                               std::vector<std::string> contracts = {}) {
    engine::ReplayJob job;
    job.files = {recording};
    job.schemas_dir = schemas;
    job.contracts = std::move(contracts);
    job.report.dir = dir;
    job.report.console.quiet = true;
    std::ostringstream out, err;
    FamilyRun run{engine::run_replay(job, out, err), out.str() + err.str(), err.str(), nullptr};
    if (run.verdict)
        run.report = nlohmann::json::parse(std::ifstream(dir / "report.json"));
    return run;
}

// The exchanges of a JSONL recording, one parsed line each.
inline std::vector<nlohmann::json> recorded(const std::filesystem::path& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line));
    return out;
}

} // namespace conform::test
