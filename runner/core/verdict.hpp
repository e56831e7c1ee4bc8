#pragma once
// What a job concluded. A job that ran to its end returns a Verdict; one that could not (a
// usage, configuration or input error) returns the Diagnostic that stopped it instead: every
// job function is `core::Result<core::Verdict> run_<job>(...)`. The CLI turns both into the
// exit status and prints the error, in one place (cli/app.cpp, DESIGN.md "Conventions that users
// rely on").

namespace conform::core {

enum class Verdict : unsigned char {
    // Nothing wrong found; for jobs that check nothing (serve, record, sign): done.
    conformant,
    // The job ran to its end and found what it looks for: deviations at --fail-on not accepted
    // by the baseline, invalid instances, drift with --fail-on-drift, stale exchanges with
    // --fail-stale, entries a conversion had to skip.
    deviations,
    // A target could not be reached (outranks deviations).
    unreachable,
    // Some input could not be read; each bad part was named on stderr where it was found and
    // the rest was still checked (outranks deviations and unreachable).
    bad_input,
    // SIGINT or SIGTERM stopped the run before its end: what it had checked is reported and
    // what it created is cleaned up, but the rest was never checked (outranks every verdict
    // above: a partial run is no verdict on the target).
    interrupted,
};

} // namespace conform::core
