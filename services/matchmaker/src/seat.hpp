#pragma once

/// @file
/// Seats: the per-player identity of the matchmaker's bus records (issue 16 item 4). A session
/// created for one player is that player's seat, and its seat id is the Edgegap session id exactly
/// as before. A session shared by several players (one `POST /v1/session` whose `ip_list` names
/// them all) gives each player the seat id `<session id>/<player ip>`. Every per-player record
/// (unclaimed_sessions, sessions_eg2ly, sessions_ly2eg, session_deployments, active_connections,
/// connections_seen, parked_deletions, the delete queue item and its `.deleting` claim) is keyed by
/// the seat id, through `bus::names::EncodeIdToken` like any outside id. '/' never occurs in an
/// Edgegap session id (ids are URL path segments) nor in an IP address (IPv6 has ':', never '/'),
/// so the first '/' separates the two. Pure functions; any thread.

#include <string>
#include <string_view>

namespace gapkit::matchmaker {

/// One player's place in an Edgegap session.
struct Seat {
    std::string session_id;  ///< The Edgegap session id.
    std::string ip;          ///< The player's IP in a shared session; empty for a solo session.

    bool operator==(const Seat&) const = default;
};

/// Separates the session id from the player's IP in a shared seat id.
inline constexpr char kSeatSeparator = '/';

/// `session_id` when `ip` is empty (a solo session), else `<session_id>/<ip>`.
std::string SeatId(std::string_view session_id, std::string_view ip);

/// The seat a seat id names: split at the first '/'; without one, a solo seat (`ip` empty).
/// Outside data (a bus key) is never refused: the caller decides what an empty part means.
Seat ParseSeatId(std::string_view seat_id);

/// True for a player's seat in a shared session (`ip` not empty).
bool IsShared(const Seat& seat);

/// The seat's id again (`SeatId(seat.session_id, seat.ip)`).
std::string SeatId(const Seat& seat);

}  // namespace gapkit::matchmaker
