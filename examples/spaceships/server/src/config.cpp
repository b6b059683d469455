#include "config.hpp"

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/service/program.hpp"

namespace spaceships::server {
namespace {

using gapkit::common::ErrorCode;
using gapkit::common::MakeError;
using gapkit::common::Status;
using gapkit::service::AddOption;

Status LoadPrivateKey(ServerConfig& config) {
    std::string text;
    if (!config.private_key_file.empty()) {
        auto secret = gapkit::common::ReadSecretFile(config.private_key_file);
        if (!secret) return gapkit::common::Fail(secret.error().WithContext("--private-key-file"));
        text = std::move(*secret);
    } else {
        text = gapkit::common::GetEnv("GAPKIT_PRIVATE_KEY").value_or("");
    }
    if (text.empty() && gapkit::common::GetEnv("ARBITRIUM_REQUEST_ID")) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "no netcode private key on Edgegap: set GAPKIT_PRIVATE_KEY or --private-key-file "
                         "(the matchmaker's key)");
    }
    if (text.empty()) return gapkit::common::Ok();  // local mode: the server library's dev key
    auto key = gapkit::netcode::ParsePrivateKey(text);
    gapkit::common::Wipe(text);
    if (!key) return gapkit::common::Fail(key.error().WithContext("private key"));
    config.private_key = *key;
    gapkit::common::Wipe(*key);
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
    if (auto ok = LoadPrivateKey(config); !ok) return ok;
    return config.Validate();
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
