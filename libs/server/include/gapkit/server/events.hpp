#pragma once

/// @file
/// What `GameServer::Poll` hands the game. Plain values; the game owns what it polls.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/netcode/common.hpp"

namespace gapkit::server {

enum class ServerEventType {
    kPlayerJoined,  ///< A client's session was confirmed; it may now play.
    kPlayerLeft,    ///< A joined player is gone (`reason`).
    kPayload,       ///< A joined player sent a datagram (`payload`).
    kSelfStopping,  ///< The empty timeout passed and the deployment was asked to stop.
};

/// Why a player left.
enum class LeaveReason {
    kClientDisconnected,  ///< The client said goodbye.
    kTimedOut,            ///< Nothing heard for the token's timeout.
    kServerDisconnected,  ///< The game called `Disconnect`.
    kServerStopped,       ///< `Stop` or destruction.
};

std::string_view ToString(ServerEventType type);
std::string_view ToString(LeaveReason reason);

/// One event. `client_index` and `client_id` are set for player events; the other fields only
/// for the types named beside them.
struct ServerEvent {
    ServerEventType type = ServerEventType::kPayload;
    int client_index = -1;          ///< The netcode slot, 0..max_clients-1.
    std::uint64_t client_id = 0;    ///< From the connect token (chosen by the matchmaker).
    std::string session_id;         ///< kPlayerJoined/kPlayerLeft: the Edgegap session ("" without bus).
    netcode::UserData user_data{};  ///< kPlayerJoined: from the connect token.
    LeaveReason reason = LeaveReason::kClientDisconnected;  ///< kPlayerLeft.
    std::vector<std::uint8_t> payload;                      ///< kPayload: 1..1200 bytes.
};

}  // namespace gapkit::server
