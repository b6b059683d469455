#pragma once

// `gapctl sessions`'s join, a pure function: Edgegap's sessions of an app version with what the
// bus holds for each (bus_records.hpp) become one row per session, plus a row per bus record
// whose session Edgegap no longer lists.

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

/// Where a session stands, by the first that holds: `kParked` (its delete failed for long and
/// waits in `parked_deletions`), `kDeleting` (a delete claim exists: queued or done), `kClaimed`
/// (an `active_connections` entry: the player is on the server), `kUnclaimed` (made for a player
/// who has not arrived), `kOrphaned` (Edgegap lists it, the bus has no record: the reconciler
/// deletes it after its grace). `kStale`: a record or entry (unclaimed, active or parked) whose
/// session Edgegap no longer lists (the reconciler removes it after its grace).
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

struct SessionRow {
    std::string session_id;
    SessionState state = SessionState::kOrphaned;
    std::string edgegap_status;  ///< "" for a stale record.
    std::string deployment;      ///< Edgegap's, else `session_deployments`'.
    std::optional<std::string> app;
    std::optional<std::int64_t> age_seconds;  ///< Edgegap's `elapsed`; for stale rows since the record.
    std::vector<std::string> player_ips;
    std::string client_id;  ///< `active_connections`, else the 30 s client mapping; "" when none.
    // The bus's own records, as read.
    std::optional<std::uint64_t> unclaimed_since;  ///< Unix seconds.
    std::optional<std::uint64_t> deleting_since;   ///< Unix seconds the delete was claimed.
    std::optional<std::uint64_t> seen_at;          ///< Unix seconds of the last `alive` stating it.
    std::optional<std::string> parked;             ///< "<unix seconds> <reason>".
};

/// One row per listed session, then (only when the list is `complete`) one per stale record,
/// ordered by session id within each part. `now_unix_seconds` ages stale records.
std::vector<SessionRow> JoinSessions(const std::vector<ListedSession>& listed, const BusRecords& records, bool complete,
                                     std::uint64_t now_unix_seconds);

/// The table (SESSION, STATE, EDGEGAP STATUS, DEPLOYMENT, AGE, PLAYER, CLIENT ID) and each row's
/// full JSON object.
Output SessionsOutput(const std::vector<SessionRow>& rows, boost::json::object summary);

}  // namespace gapkit::cli
