#pragma once

// What `GameServer::Start` and `SessionGate::Start` both do before they differ: read and check the
// configuration and the environment, find the game port and the address tokens must name, and
// connect the bus. Called on the game thread during `Start` (the bus connect may block a few
// seconds).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bus_link.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/server/config.hpp"
#include "gapkit/server/environment.hpp"

namespace gapkit::server {

struct StartContext {
    GameServerConfig config;                  // With the GAPKIT_* variables applied and, in local mode, the dev key.
    std::optional<ArbitriumEnvironment> env;  // Set on Edgegap.
    std::optional<std::string> ca_pem;        // From --ca_contents.
    std::string public_ip;                    // Edgegap's, or config.local_public_ip.
};

// Validates `config`, reads the process environment and `argv`.
common::Result<StartContext> ReadStartContext(const GameServerConfig& config, int argc, const char* const* argv);

struct GamePort {
    std::uint16_t internal_port = 0;  // What the server binds.
    netcode::Address advertised;      // What tokens must name: public ip and external port.
};

// The game port: `game_port_name` on Edgegap (not the WebTransport port), `local_port` otherwise.
common::Result<GamePort> ResolveGamePort(const StartContext& start);

// The bus when configured (`use_bus`, and on Edgegap or with NATS_HOST set); null without one.
common::Result<std::shared_ptr<BusLink>> ConnectServerBus(const StartContext& start);

}  // namespace gapkit::server
