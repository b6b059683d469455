// spaceships-server: the headless, authoritative spaceships server. See docs/spaceships.md.
// Exit codes: docs/architecture.md "Programs" (service::ExitCode).

#include <CLI/CLI.hpp>

#include "config.hpp"
#include "game_loop.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"

namespace service = gapkit::service;

int main(int argc, char** argv) {
    const service::Program program{"spaceships-server", "spaceships"};
    service::StopSignals stop_signals;
    service::ProtectMemory(program);
    CLI::App app{"spaceships-server: the authoritative spaceships game server (gapkit::server)", program.name};
    app.footer(std::string(gapkit::bus::kEnvironmentHelp));
    spaceships::server::ServerConfig config;
    spaceships::server::AddOptions(app, config);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(config.log_level);
    if (auto ok = spaceships::server::Finish(config); !ok) return service::UsageError(program, ok.error());
    auto loop = spaceships::server::GameLoop::Start(config, argc, argv);
    if (!loop) {
        GAPKIT_LOG_ERROR(program.log_component, "{}", loop.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    (*loop)->Run([&] { return stop_signals.Requested(); });
    GAPKIT_LOG_INFO(program.log_component, "stopped after {} ticks", (*loop)->stats().ticks);
    return service::ToInt(service::ExitCode::kOk);
}
