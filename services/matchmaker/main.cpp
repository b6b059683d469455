// gapkit-matchmaker: turns "I want to play" into a game server address and a connect token.
// Options and behaviour: docs/matchmaker.md. Exit codes: docs/architecture.md "Programs" (service::ExitCode).

#include <CLI/CLI.hpp>

#include "config.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"
#include "service.hpp"

namespace {

namespace service = gapkit::service;
using gapkit::matchmaker::MatchmakerConfig;

int Run(const service::Program& program, MatchmakerConfig config, service::StopSignals& stop_signals) {
    gapkit::bus::ConnectOptions options;
    options.send_asap = true;  // Replies are on the player's critical path: no write batching delay.
    auto connection = gapkit::bus::Connection::Connect(program.name, options);
    if (!connection) {
        GAPKIT_LOG_ERROR(program.log_component, "NATS: {}", connection.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    const std::chrono::seconds grace(config.shutdown_grace_seconds);
    auto started = gapkit::matchmaker::Service::Start(std::move(config), {.bus = connection->get()});
    if (!started) {
        GAPKIT_LOG_ERROR(program.log_component, "start-up failed: {}", started.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    service::WaitThenStop(stop_signals, program, grace, [&] { (*started)->Shutdown(grace); });
    return service::ToInt(service::ExitCode::kOk);
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"gapkit-matchmaker", "matchmaker"};
    service::StopSignals stop_signals;
    service::ProtectMemory(program);
    CLI::App app{"gapkit-matchmaker: creates Edgegap sessions for matchmaking requests on the bus", program.name};
    app.footer(std::string(gapkit::bus::kEnvironmentHelp));
    MatchmakerConfig config;
    gapkit::matchmaker::AddOptions(app, config);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(config.log_level);
    if (auto finished = gapkit::matchmaker::Finish(config); !finished) {
        return service::UsageError(program, finished.error());
    }
    const int code = Run(program, std::move(config), stop_signals);
    (void)gapkit::bus::CloseLibrary();
    return code;
}
