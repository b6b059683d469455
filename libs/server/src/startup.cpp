#include "startup.hpp"

#include <fmt/core.h>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace gapkit::server {

common::Result<StartContext> ReadStartContext(const GameServerConfig& config, int argc, const char* const* argv) {
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    const EnvLookup lookup = ProcessEnvironment();
    auto env = ParseArbitriumEnvironment(lookup);
    if (!env) return common::Fail(env.error());
    auto ca_pem = ParseCaContentsFlag(argc, argv);
    if (!ca_pem) return common::Fail(ca_pem.error());
    StartContext start{config, std::move(*env), std::move(*ca_pem), {}};
    if (auto applied = ApplyGapkitEnvironment(lookup, start.config); !applied) return common::Fail(applied.error());
    // Still all zeros only in local mode: ApplyGapkitEnvironment refuses that on Edgegap.
    if (start.config.private_key == netcode::Key{}) {
        GAPKIT_LOG_WARN("server", "local mode: using the public development key");
        start.config.private_key = netcode::DevPrivateKey();
    }
    start.public_ip = start.env ? start.env->public_ip : start.config.local_public_ip;
    return start;
}

common::Result<GamePort> ResolveGamePort(const StartContext& start) {
    int internal_port = start.config.local_port;
    int external_port = start.config.local_port;
    if (start.env) {
        auto port = start.env->GamePort(start.config.game_port_name, start.config.webtransport_port_name);
        if (!port) return common::Fail(port.error());
        internal_port = port->internal;
        external_port = port->external;
    }
    auto advertised = netcode::Address::FromIp(start.public_ip, static_cast<std::uint16_t>(external_port));
    if (!advertised) return common::Fail(advertised.error());
    return GamePort{static_cast<std::uint16_t>(internal_port), *advertised};
}

common::Result<std::shared_ptr<BusLink>> ConnectServerBus(const StartContext& start) {
    if (!start.config.use_bus || (!start.env && !common::GetEnv("NATS_HOST"))) {
        GAPKIT_LOG_INFO("server", "no bus: clients join without a session check");
        return std::shared_ptr<BusLink>{};
    }
    const std::string deployment = start.env ? start.env->request_id : std::string(bus::names::kLocalDeployment);
    auto link = BusLink::Connect(fmt::format("gameserver-{}", deployment), start.ca_pem, deployment);
    if (!link) return common::Fail(link.error());
    return std::shared_ptr<BusLink>(std::move(*link));
}

}  // namespace gapkit::server
