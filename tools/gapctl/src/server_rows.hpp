#pragma once

// `gapctl servers`'s join, a pure function: deployments of an app version with their players
// (bus records), sessions and certificate digest.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "bus_records.hpp"
#include "gapkit/edgegap/types.hpp"
#include "output.hpp"

namespace gapkit::cli {

/// One deployment as listed and looked up.
struct ListedServer {
    edgegap::DeploymentStatus deployment;  ///< `GET /v1/status`'s answer, else the list item.
    bool looked_up = false;                ///< `deployment` is the status answer (it has the age).
    std::optional<int> empty_ttl_minutes;  ///< Its app version's `session_config.empty_ttl`.
};

struct ServerRow {
    edgegap::DeploymentStatus deployment;
    std::optional<std::int64_t> age_seconds;  ///< Edgegap's `elapsed_time`; nothing when not looked up.
    std::vector<std::string> sessions;        ///< Edgegap sessions linked to it.
    std::vector<std::string> players;         ///< Sessions on it with an `active_connections` entry.
    std::string cert_digest;                  ///< `cert_digests[request id]` ("e8:5b:..."); "" when none.
    std::optional<int> empty_ttl_minutes;
    /// A session or player is on it (or Edgegap counts sockets in use): its empty TTL is not running.
    bool in_use = false;
};

/// A player is counted on a deployment when its session (an `active_connections` entry) is linked
/// to it in Edgegap's session list, or, for a session not listed, in `session_deployments`.
std::vector<ServerRow> JoinServers(const std::vector<ListedServer>& servers,
                                   const std::vector<edgegap::Session>& sessions, const BusRecords& records);

/// The table (DEPLOYMENT, STATUS, ADDRESS, PORTS, PLAYERS, CERT, AGE, EMPTY TTL LEFT) and each
/// row's full JSON object.
Output ServersOutput(const std::vector<ServerRow>& rows, boost::json::object summary);

}  // namespace gapkit::cli
