#include "runner/cli/limit_options.hpp"

namespace conform::cli {

CLI::Option* add_max_ref_depth(CLI::App& command, std::size_t& depth) {
    return command
        .add_option("--max-ref-depth", depth,
                    "Deepest nesting of subschemas while validating ($ref chains, applicators "
                    "inside each other); deeper is an error naming the keyword's location")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
}

void bind_limit_options(CLI::App& command, engine::InputLimits& limits, bool recordings) {
    command
        .add_option("--max-depth", limits.max_depth,
                    "Deepest nesting of a response body's JSON; a deeper body is not JSON to "
                    "the checks (a body deviation naming the depth)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    add_max_ref_depth(command, limits.max_ref_depth);
    if (recordings)
        command
            .add_option("--max-line-bytes", limits.max_line_bytes,
                        "Longest recording line (e.g. 64MiB); a longer line is one bad line, "
                        "reported with its file:line, and the rest is still read")
            ->transform(CLI::AsSizeValue(false))
            ->capture_default_str();
}

} // namespace conform::cli
