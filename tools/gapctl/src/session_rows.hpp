#pragma once

// `gapctl sessions`'s join, a pure function: Edgegap's sessions of an app version with what the
// bus holds for each (bus_records.hpp) become one row per session, plus a row per session that
// Edgegap no longer lists but bus records still name. The bus keys its records by seat id
// (services/matchmaker/src/seat.hpp): a session of one player has one seat named like it; a
// session shared by several players has one seat `<session id>/<ip>` per player. A row gathers
// every seat of its session.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bus_records.hpp"
#include "gapkit/common/result.hpp"
#include "output.hpp"

namespace gapkit::cli {

/// Where a seat stands, by the first that holds: `kParked` (its delete failed for long and waits
/// in `parked_deletions`), `kDeleting` (a delete claim exists: queued or done), `kClaimed` (an
/// `active_connections` entry: the player is on the server), `kUnclaimed` (made for a player who
/// has not arrived), `kOrphaned` (no record but a 30 s mapping or a liveness record).
/// Where a session stands: its only seat's state for a session of one player; for a shared one
/// the first that holds of parked, claimed, unclaimed, deleting among its seats (a session in
/// use is claimed even while one of its players' seats is being deleted). `kOrphaned`: Edgegap
/// lists it, the bus has no record of any seat (the reconciler deletes it after its grace).
/// `kStale`: records or entries (unclaimed, active or parked) whose session Edgegap no longer
/// lists (the reconciler removes them after its grace).
enum class SessionState { kUnclaimed, kClaimed, kDeleting, kParked, kOrphaned, kStale };

/// "unclaimed", "claimed", "deleting", "parked", "orphaned", "stale".
std::string_view ToString(SessionState state);
/// The state named `text`; `kInvalidArgument` listing the names otherwise.
common::Result<SessionState> ParseSessionState(std::string_view text);

/// One Edgegap session as listed and looked up.
struct ListedSession {
    std::string session_id;
    std::string status;                       ///< Edgegap's text, e.g. "Ready".
    std::string deployment;                   ///< Request id; empty until linked.
    std::optional<std::string> app;           ///< "<app>/<version>"; nothing when not learnt.
    std::optional<std::int64_t> age_seconds;  ///< Edgegap's `elapsed`; nothing when not looked up.
    std::vector<std::string> player_ips;      ///< Nothing when not looked up.
};

/// One seat of a session: one player's bus records.
struct SeatRow {
    std::string seat_id;  ///< The session id for a session of one player, else `<session id>/<ip>`.
    std::string ip;       ///< The player's IP in a shared session; "" for a session of one player.
    SessionState state = SessionState::kOrphaned;
    std::string client_id;                         ///< `active_connections`, else the 30 s mapping.
    std::optional<std::uint64_t> unclaimed_since;  ///< Unix seconds.
    std::optional<std::uint64_t> deleting_since;   ///< Unix seconds the delete was claimed.
    std::optional<std::uint64_t> seen_at;          ///< Unix seconds of the last `alive` stating it.
    std::optional<std::string> parked;             ///< "<unix seconds> <reason>".
};

struct SessionRow {
    std::string session_id;
    SessionState state = SessionState::kOrphaned;
    std::string edgegap_status;  ///< "" for a stale record.
    std::string deployment;      ///< Edgegap's, else `session_deployments`'.
    std::optional<std::string> app;
    std::optional<std::int64_t> age_seconds;  ///< Edgegap's `elapsed`; for stale rows since the record.
    std::vector<std::string> player_ips;
    std::string client_id;  ///< Every seat's client id, joined with ','; "" when none.
    // The bus's own records of a session of one player, as read; nothing for a shared session
    // (each of its `seats` has its own).
    std::optional<std::uint64_t> unclaimed_since;  ///< Unix seconds.
    std::optional<std::uint64_t> deleting_since;   ///< Unix seconds the delete was claimed.
    std::optional<std::uint64_t> seen_at;          ///< Unix seconds of the last `alive` stating it.
    std::optional<std::string> parked;             ///< "<unix seconds> <reason>".
    std::vector<SeatRow> seats;                    ///< Every seat with a record, by seat id.
};

/// One row per listed session, then (only when the list is `complete`) one per unlisted session
/// with records, ordered by session id within each part. `now_unix_seconds` ages stale rows (by
/// their oldest record).
std::vector<SessionRow> JoinSessions(const std::vector<ListedSession>& listed, const BusRecords& records, bool complete,
                                     std::uint64_t now_unix_seconds);

/// The table (SESSION, STATE, SEATS, EDGEGAP STATUS, DEPLOYMENT, AGE, PLAYER, CLIENT ID) and each
/// row's full JSON object.
Output SessionsOutput(const std::vector<SessionRow>& rows, boost::json::object summary);

}  // namespace gapkit::cli
