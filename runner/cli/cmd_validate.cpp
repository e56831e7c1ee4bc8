// conform validate: instances against a JSON Schema (draft 2020-12).
#include <iostream>

#include "runner/cli/commands.hpp"
#include "runner/cli/limit_options.hpp"
#include "runner/engine/engine.hpp"

namespace conform::cli {

void setup_validate(CLI::App& command, Outcome& outcome) {
    auto job = std::make_shared<engine::ValidateJob>();
    auto resource_dirs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>("text");

    command
        .add_option("--schema", job->schema, "The JSON Schema (draft 2020-12) to validate against")
        ->required()
        ->check(CLI::ExistingFile);
    command
        .add_option("--resource-dir", *resource_dirs,
                    "DIR=BASE-URI: serve $ref targets under BASE-URI from the files in DIR "
                    "(e.g. remotes=http://localhost:1234/); references never use the network")
        ->type_name("DIR=BASE-URI")
        ->allow_extra_args(false); // one value per --resource-dir: FILE... follows
    command
        .add_option("--output", *output,
                    "flag | basic: one JSON object per instance ({\"instance\",\"valid\"}, "
                    "plus \"errors\" in basic output units); text: for people")
        ->check(CLI::IsMember({"flag", "basic", "text"}))
        ->capture_default_str();
    command
        .add_option("--max-depth", job->max_depth,
                    "Deepest nesting of an instance; deeper is an error naming where")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command
        .add_option("--max-schema-depth", job->max_schema_depth,
                    "Deepest nesting of the schema document")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    add_max_ref_depth(command, job->max_ref_depth);
    command
        .add_option("--max-pattern-bytes", job->max_pattern_bytes,
                    "Longest pattern a schema may hold (RE2 memory is bounded as well)")
        ->check(CLI::Range(1, 1 << 24))
        ->capture_default_str();
    command.add_flag("--assert-format", job->assert_format,
                     "Validate \"format\" (date-time, email, ipv4, uri, uuid, ...) instead of "
                     "treating it as an annotation");
    auto* files =
        command.add_option("FILE", job->files, "JSON instance files")->check(CLI::ExistingFile);
    auto* jsonl =
        command.add_option("--jsonl", job->jsonl, "Validate one JSON instance per line of FILE")
            ->type_name("FILE")
            ->check(CLI::ExistingFile);
    files->excludes(jsonl);
    command.footer("Exit status: 0 every instance valid, 1 some instance invalid, 2 usage, "
                   "schema or input error.");

    command.callback([job, resource_dirs, output, &command, &outcome] {
        if (job->files.empty() && !job->jsonl)
            throw CLI::RequiredError("FILE... or --jsonl FILE");
        for (const std::string& spec : *resource_dirs) {
            const auto eq = spec.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
                throw CLI::ValidationError("--resource-dir", "expected DIR=BASE-URI, got " + spec);
            job->resource_dirs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
        }
        job->output = *output == "flag"    ? engine::ValidateJob::Output::flag
                      : *output == "basic" ? engine::ValidateJob::Output::basic
                                           : engine::ValidateJob::Output::text;
        (void)command;
        outcome = engine::run_validate(*job, std::cout, std::cerr);
    });
}

} // namespace conform::cli
