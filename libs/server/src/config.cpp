#include "gapkit/server/config.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "gapkit/netcode/address.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::MakeError;

static_assert(GameServerConfig{}.alive_interval_seconds == protocol::kAliveIntervalSeconds);

common::Status GameServerConfig::Validate() const {
    if (max_clients < 1 || max_clients > netcode::kMaxClients) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("server config: max_clients {} is outside 1..{}",
                                                                  max_clients, netcode::kMaxClients));
    }
    if (local_port == 0) return MakeError(ErrorCode::kInvalidArgument, "server config: local_port 0 is not a port");
    if (!(self_stop_after_empty_seconds >= 0)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("server config: self_stop_after_empty_seconds {} is negative", self_stop_after_empty_seconds));
    }
    if (!(alive_interval_seconds > 0)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("server config: alive_interval_seconds {} is not positive", alive_interval_seconds));
    }
    if (!netcode::Address::FromIp(local_public_ip, 1)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("server config: local_public_ip '{}' is not an IP address", local_public_ip));
    }
    return common::Ok();
}

}  // namespace gapkit::server
