#pragma once
// The exit status `conform` would give a job's outcome: what the CLI maps in one place
// (cli/app.hpp), for tests that call the job functions directly.

#include "runner/cli/app.hpp"
#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"

namespace conform::test {

[[nodiscard]] inline int exit_status(const core::Result<core::Verdict>& outcome) {
    return outcome ? static_cast<int>(cli::exit_code_of(*outcome))
                   : static_cast<int>(cli::ExitCode::usage);
}

} // namespace conform::test
