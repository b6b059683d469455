#include "commands.hpp"

#include "nats_check.hpp"
#include "token_command.hpp"

namespace gapkit::cli {

void RegisterCommands(CLI::App& app, int& exit_code) {
    RegisterNatsCheckCommand(app, exit_code);
    RegisterTokenCommand(app, exit_code);
}

}  // namespace gapkit::cli
