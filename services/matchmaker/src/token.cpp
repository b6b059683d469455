#include "token.hpp"

#include <cstring>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/connect_token.hpp"

namespace gapkit::matchmaker {
namespace {

using common::ErrorCode;
using common::MakeError;

const edgegap::PortMapping* FindPort(const edgegap::DeploymentStatus& deployment, std::string_view port_name) {
    if (port_name.empty()) {
        if (deployment.ports.empty()) return nullptr;
        if (deployment.ports.size() > 1) {
            GAPKIT_LOG_WARN("matchmaker", "deployment {} has {} ports and --game-port-name is not set; using '{}'",
                            deployment.request_id, deployment.ports.size(), deployment.ports.begin()->first);
        }
        return &deployment.ports.begin()->second;
    }
    auto found = deployment.ports.find(std::string(port_name));
    return found == deployment.ports.end() ? nullptr : &found->second;
}

}  // namespace

common::Result<GameEndpoint> PickGameEndpoint(const edgegap::DeploymentStatus& deployment, std::string_view port_name) {
    if (deployment.public_ip.empty()) {
        return MakeError(ErrorCode::kProtocol, fmt::format("deployment {} has no public ip", deployment.request_id));
    }
    const edgegap::PortMapping* port = FindPort(deployment, port_name);
    if (port == nullptr) {
        return MakeError(ErrorCode::kProtocol,
                         fmt::format("deployment {} has no port named '{}'", deployment.request_id, port_name));
    }
    if (port->external < 1 || port->external > 65535) {
        return MakeError(ErrorCode::kProtocol, fmt::format("deployment {} port '{}' has external port {}",
                                                           deployment.request_id, port->name, port->external));
    }
    return GameEndpoint{deployment.public_ip, static_cast<std::uint16_t>(port->external)};
}

common::Result<std::string> MintToken(const TokenSettings& settings, const GameEndpoint& endpoint,
                                      std::uint64_t client_id, std::uint64_t now_unix_seconds) {
    const bool ipv6 = endpoint.ip.find(':') != std::string::npos;
    auto address = netcode::Address::Parse(ipv6 ? fmt::format("[{}]:{}", endpoint.ip, endpoint.port)
                                                : fmt::format("{}:{}", endpoint.ip, endpoint.port));
    if (!address) return common::Fail(address.error().WithContext("game server address"));
    netcode::ConnectTokenParams params;
    params.protocol_id = settings.protocol_id;
    params.private_key = settings.private_key;
    params.client_id = client_id;
    params.expire_seconds = settings.expire_seconds;
    params.timeout_seconds = settings.timeout_seconds;
    params.public_server_addresses = {*address};
    auto token = netcode::GenerateConnectToken(params, now_unix_seconds);
    if (!token) return common::Fail(token.error().WithContext("connect token"));
    return netcode::EncodeConnectTokenBase64(*token);
}

std::uint64_t NewClientId() {
    std::uint64_t id = 0;
    while (id == 0) {  // The game servers' join fact refuses 0 (protocol/server_facts.cpp).
        std::uint8_t bytes[sizeof(id)];
        netcode::RandomBytes(bytes);
        std::memcpy(&id, bytes, sizeof(id));
    }
    return id;
}

}  // namespace gapkit::matchmaker
