// gapkit-matchmaker: turns "I want to play" into a game server address and a connect token.
// Options and behaviour: docs/matchmaker.md. Exit codes: 0 after a clean stop, 1 on a start-up error.

#include <CLI/CLI.hpp>

#include "config.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"
#include "service.hpp"

namespace {

using gapkit::matchmaker::MatchmakerConfig;

int Run(MatchmakerConfig config) {
    gapkit::bus::ConnectOptions options;
    options.send_asap = true;  // Replies are on the player's critical path: no write batching delay.
    auto connection = gapkit::bus::Connection::Connect("gapkit-matchmaker", options);
    if (!connection) {
        GAPKIT_LOG_ERROR("matchmaker", "NATS: {}", connection.error().ToString());
        return 1;
    }
    gapkit::matchmaker::ServiceDeps deps;
    deps.bus = connection->get();
    auto service = gapkit::matchmaker::Service::Start(std::move(config), deps);
    if (!service) {
        GAPKIT_LOG_ERROR("matchmaker", "start-up failed: {}", service.error().ToString());
        return 1;
    }
    (*service)->RunUntilSignal();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Before any secret is read: no core dump or same-user process may see the keys.
    if (auto protected_memory = gapkit::common::ProtectProcessMemory(); !protected_memory) {
        GAPKIT_LOG_WARN("matchmaker", "{}", protected_memory.error().ToString());
    }
    CLI::App app{"gapkit-matchmaker: creates Edgegap sessions for matchmaking requests on the bus"};
    MatchmakerConfig config;
    gapkit::matchmaker::AddOptions(app, config);
    CLI11_PARSE(app, argc, argv);
    if (auto level = gapkit::common::ParseLogLevel(config.log_level)) gapkit::common::SetLogLevel(*level);
    if (auto finished = gapkit::matchmaker::Finish(config); !finished) {
        GAPKIT_LOG_ERROR("matchmaker", "configuration: {}", finished.error().ToString());
        return 1;
    }
    const int code = Run(std::move(config));
    (void)gapkit::bus::CloseLibrary();
    return code;
}
