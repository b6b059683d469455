#include "config.hpp"

#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"
#include "gapkit/server/environment.hpp"
#include "gapkit/service/program.hpp"

namespace spaceships::server {
namespace {

using gapkit::common::ErrorCode;
using gapkit::common::MakeError;
using gapkit::common::Status;
using gapkit::service::AddOption;

// The server library reads the key (GAPKIT_PRIVATE_KEY_FILE, else GAPKIT_PRIVATE_KEY; required on
// Edgegap); --private-key-file stands in for GAPKIT_PRIVATE_KEY_FILE. Read here rather than in
// GameServer::Start so a bad or missing key fails before anything starts.
Status LoadPrivateKey(ServerConfig& config) {
    const std::string& file = config.private_key_file;
    const gapkit::server::EnvLookup lookup = [&file](std::string_view name) -> std::optional<std::string> {
        if (name == "GAPKIT_PRIVATE_KEY_FILE" && !file.empty()) return file;
        return gapkit::common::GetEnv(name);
    };
    gapkit::server::GameServerConfig library = config.ToGameServerConfig();
    auto applied = gapkit::server::ApplyGapkitEnvironment(lookup, library);
    if (!applied) {
        return gapkit::common::Fail(file.empty() ? applied.error() : applied.error().WithContext("--private-key-file"));
    }
    config.private_key = library.private_key;
    gapkit::common::Wipe(library.private_key);
    return gapkit::common::Ok();
}

}  // namespace

void AddOptions(CLI::App& app, ServerConfig& c) {
    AddOption(app, "--port", c.port, "SPACESHIPS_PORT", "Local mode: UDP port to bind and advertise");
    AddOption(app, "--webtransport-port", c.webtransport_port, "SPACESHIPS_WEBTRANSPORT_PORT",
              "Local mode: UDP port for browser players over WebTransport (0: none)");
    AddOption(app, "--protocol-id", c.protocol_id, "GAPKIT_PROTOCOL_ID", "netcode protocol id (the matchmaker's)");
    AddOption(app, "--private-key-file", c.private_key_file, "GAPKIT_PRIVATE_KEY_FILE",
              "File holding the netcode private key (or set GAPKIT_PRIVATE_KEY; neither: local dev key)");
    AddOption(app, "--self-stop-after-empty-seconds", c.self_stop_after_empty_seconds,
              "SPACESHIPS_SELF_STOP_AFTER_EMPTY_SECONDS",
              "On Edgegap: stop the deployment after this long without players (0: never)");
    app.add_flag("--allow-unknown-sessions", c.allow_unknown_sessions,
                 "Development only: let clients without a known session play")
        ->envname("SPACESHIPS_ALLOW_UNKNOWN_SESSIONS")
        ->capture_default_str();
    AddOption(app, "--max-players", c.max_players, "SPACESHIPS_MAX_PLAYERS", "Player slots (1..6)");
    AddOption(app, "--seed", c.seed, "SPACESHIPS_SEED", "World seed (0: random)");
    app.add_option("--ca_contents", c.ca_contents, "NATS CA certificate (PEM), as Edgegap passes it");
    gapkit::service::AddLogLevelOption(app, c.log_level);
}

Status Finish(ServerConfig& config) {
    if (auto ok = config.Validate(); !ok) return ok;
    return LoadPrivateKey(config);
}

Status ServerConfig::Validate() const {
    if (auto ok = gapkit::common::CheckRange("port", port, 1, 65535); !ok) return ok;
    if (auto ok = gapkit::common::CheckRange("webtransport_port", webtransport_port, 0, 65535); !ok) return ok;
    if (protocol_id == 0) return MakeError(ErrorCode::kInvalidArgument, "protocol_id must be non-zero");
    if (auto ok = gapkit::common::CheckRange("max_players", max_players, 1, kMaxShips); !ok) return ok;
    if (auto ok = gapkit::common::CheckRange("self_stop_after_empty_seconds", self_stop_after_empty_seconds, 0, 86400);
        !ok)
        return ok;
    if (auto level = gapkit::common::ParseLogLevel(log_level); !level) return gapkit::common::Fail(level.error());
    return gapkit::common::Ok();
}

gapkit::server::GameServerConfig ServerConfig::ToGameServerConfig() const {
    gapkit::server::GameServerConfig out;
    out.protocol_id = protocol_id;
    out.private_key = private_key;
    out.max_clients = max_players;
    out.local_port = static_cast<std::uint16_t>(port);
    out.local_webtransport_port = static_cast<std::uint16_t>(webtransport_port);
    out.require_session = !allow_unknown_sessions;
    out.self_stop_after_empty_seconds = self_stop_after_empty_seconds;
    return out;
}

}  // namespace spaceships::server
