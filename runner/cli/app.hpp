#pragma once
// The conform command line: a table of subcommands (commands.hpp), each in its own
// cmd_<name>.cpp, bound to CLI11. A subcommand leaves its job's Outcome: a verdict, or the
// error that stopped it. main() (app.cpp) maps verdicts to exit codes and prints errors, and
// nothing else does either.

#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"

namespace conform::cli {

// DESIGN.md "Conventions that users rely on".
enum class ExitCode : int {
    ok = 0,            // conformant / every instance valid
    deviations = 1,    // deviations found (after the baseline) / an instance is invalid
    usage = 2,         // usage, configuration, schema or input error
    unreachable = 3,   // the target could not be reached
    interrupted = 130, // SIGINT/SIGTERM stopped the run (128 + SIGINT, as shells report it)
};

// What a subcommand's job returned: a verdict, or the usage, configuration or input error
// that stopped it (exit 2).
using Outcome = core::Result<core::Verdict>;

[[nodiscard]] constexpr ExitCode exit_code_of(core::Verdict verdict) noexcept {
    switch (verdict) {
    case core::Verdict::conformant:
        return ExitCode::ok;
    case core::Verdict::deviations:
        return ExitCode::deviations;
    case core::Verdict::unreachable:
        return ExitCode::unreachable;
    case core::Verdict::bad_input: // already named on stderr where it was found
        return ExitCode::usage;
    case core::Verdict::interrupted:
        return ExitCode::interrupted;
    }
    return ExitCode::usage;
}

// Runs the CLI; returns the process exit code. Never throws.
int main(int argc, char** argv);

} // namespace conform::cli
