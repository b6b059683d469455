#include "commands.hpp"

#include "token_command.hpp"

namespace gapkit::cli {

void RegisterCommands(CLI::App& app, int& exit_code) {
    RegisterTokenCommand(app, exit_code);
}

}  // namespace gapkit::cli
