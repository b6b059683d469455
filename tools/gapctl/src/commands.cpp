#include "commands.hpp"

#include "app_version_command.hpp"
#include "deploy_command.hpp"
#include "nats_check.hpp"
#include "reconcile_command.hpp"
#include "servers_command.hpp"
#include "sessions_command.hpp"
#include "set_ca_argument_command.hpp"
#include "status_command.hpp"
#include "token_command.hpp"
#include "watch_command.hpp"

namespace gapkit::cli {

void RegisterCommands(CLI::App& app, int& exit_code) {
    RegisterNatsCheckCommand(app, exit_code);
    RegisterTokenCommand(app, exit_code);
    RegisterAppVersionCommand(app, exit_code);
    RegisterSetCaArgumentCommand(app, exit_code);
    RegisterDeployCommands(app, exit_code);
    RegisterWatchCommand(app, exit_code);
    RegisterStatusCommand(app, exit_code);
    RegisterSessionsCommand(app, exit_code);
    RegisterServersCommand(app, exit_code);
    RegisterReconcileCommand(app, exit_code);
}

}  // namespace gapkit::cli
