#pragma once

/// @file
/// How a game configures `GameServer`. Plain data, set once and passed to `GameServer::Start`.

#include <cstdint>
#include <string>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::server {

struct GameServerConfig {
    /// netcode protocol id; must equal the matchmaker's. Default 0: `Start` reads
    /// `GAPKIT_PROTOCOL_ID`; still 0 is refused on Edgegap and kept in local mode.
    std::uint64_t protocol_id = 0;
    /// netcode private key shared with the matchmaker. Never logged. Default all zeros: `Start`
    /// reads `GAPKIT_PRIVATE_KEY_FILE`, else `GAPKIT_PRIVATE_KEY` (ApplyGapkitEnvironment in
    /// environment.hpp); with neither it is refused on Edgegap and replaced by
    /// `netcode::DevPrivateKey()` in local mode. A key set here wins over the environment.
    netcode::Key private_key{};
    /// Player slots, 1..256. Default 64.
    int max_clients = 64;
    /// Local mode (no `ARBITRIUM_*`): UDP port to bind on 0.0.0.0 and to advertise, 1..65535.
    /// Default 6420.
    std::uint16_t local_port = 6420;
    /// Local mode: the IP clients use, advertised so tokens minted for it are accepted.
    /// Default "127.0.0.1".
    std::string local_public_ip = "127.0.0.1";
    /// On Edgegap: the name of the game port in `ARBITRIUM_PORTS_MAPPING`; empty takes the first
    /// UDP port. Default "".
    std::string game_port_name;
    /// On Edgegap: the name of the UDP port in `ARBITRIUM_PORTS_MAPPING` that serves WebTransport
    /// to browser players (docs/browser.md). A deployment without that port serves UDP clients
    /// only (logged at start); "" turns WebTransport off. Default "webtransport".
    std::string webtransport_port_name = "webtransport";
    /// Local mode: UDP port of the WebTransport endpoint; 0 = none. Default 0.
    std::uint16_t local_webtransport_port = 0;
    /// Disconnect a client whose `join` the matchmaker refused or did not answer (no session for
    /// its client id on this deployment). Turn off only for development. Default true.
    bool require_session = true;
    /// On Edgegap: stop the deployment through `ARBITRIUM_DELETE_URL` after this many seconds
    /// without players (counted from start or from the last player leaving); 0 = never.
    /// Default 0.
    double self_stop_after_empty_seconds = 0;
    /// With the bus: seconds between two `alive` facts naming the joined players (none while the
    /// server is empty), > 0. The matchmaker counts a player its server stopped naming for 3
    /// intervals as left and deletes the session. Default 10 s (`protocol::kAliveIntervalSeconds`;
    /// change it only in tests).
    double alive_interval_seconds = 10;
    /// Connect the bus (`NATS_*` variables). On Edgegap the bus is then required; in local mode
    /// it is used only when `NATS_HOST` is set (deployment id "local", whose joins the matchmaker
    /// refuses). Without a bus no join is asked and every client joins with an empty session id.
    /// Default true.
    bool use_bus = true;

    /// Checks ranges; the error names the field and the bad value (never the key).
    common::Status Validate() const;
};

}  // namespace gapkit::server
