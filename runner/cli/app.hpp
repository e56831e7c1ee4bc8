#pragma once
// The conform command line: a table of subcommands (commands.hpp), each in its own
// cmd_<name>.cpp, bound to CLI11. Exit codes are one enum, mapped here and nowhere else.

#include <iosfwd>

namespace conform::cli {

// DESIGN.md "Conventions that users rely on".
enum class ExitCode : int {
    ok = 0,          // conformant / every instance valid
    deviations = 1,  // deviations found (after the baseline) / an instance is invalid
    usage = 2,       // usage, configuration, schema or input error
    unreachable = 3, // the target could not be reached
};

// Runs the CLI; returns the process exit code. Never throws.
int main(int argc, char** argv);

} // namespace conform::cli
