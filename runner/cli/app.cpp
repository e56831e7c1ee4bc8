#include "runner/cli/app.hpp"

#include <exception>
#include <iostream>

#include "runner/cli/commands.hpp"

namespace conform::cli {
namespace {

void print_error(const Command& command, const core::Diagnostic& error) {
    std::cerr << command.error_prefix
              << (command.error_form == ErrorForm::message ? error.message : error.to_string())
              << '\n';
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"conform: checks where an API implementation departs from its documented "
                 "contract (fields, types, values, envelopes, pagination)",
                 "conform"};
#ifdef CONFORM_ALLOCATOR
    app.set_version_flag("--version", std::string("conform ") + CONFORM_VERSION +
                                          " (malloc: " CONFORM_ALLOCATOR ")");
#else
    app.set_version_flag("--version", std::string("conform ") + CONFORM_VERSION);
#endif
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);

    Outcome outcome = core::Verdict::conformant;
    for (const Command& command : k_commands)
        command.setup(*app.add_subcommand(command.name, command.summary), outcome);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return static_cast<int>(ExitCode::usage);
    } catch (const std::exception& e) {
        // Expected failures are Results; this is a bug or a fatal setup error.
        std::cerr << "conform: error: internal error: " << e.what() << '\n';
        return static_cast<int>(ExitCode::usage);
    }
    for (const Command& command : k_commands) {
        if (!app.got_subcommand(command.name))
            continue;
        if (!outcome) {
            print_error(command, outcome.error());
            return static_cast<int>(ExitCode::usage);
        }
        return static_cast<int>(exit_code_of(*outcome));
    }
    return static_cast<int>(ExitCode::usage); // unreachable: require_subcommand(1)
}

} // namespace conform::cli
