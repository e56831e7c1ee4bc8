#pragma once
// The input limits `conform run` and `conform replay` share (engine::InputLimits): how deep a
// response body may nest, how deep validation may follow $ref, how long a recording line may
// be. Bound once here, so both commands spell and document them alike.

#include <CLI/CLI.hpp>

#include "runner/engine/run.hpp"

namespace conform::cli {

// --max-depth and --max-ref-depth; with recordings, --max-line-bytes too. limits must
// outlive parsing.
void bind_limit_options(CLI::App& command, engine::InputLimits& limits, bool recordings);

// The --max-ref-depth option alone (`conform validate` binds its own --max-depth).
CLI::Option* add_max_ref_depth(CLI::App& command, std::size_t& depth);

} // namespace conform::cli
