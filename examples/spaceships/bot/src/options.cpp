#include "options.hpp"

#include "gapkit/common/env.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace spaceships::bot {

using gapkit::common::ErrorCode;
using gapkit::common::MakeError;
using gapkit::common::Status;

void AddOptions(CLI::App& app, BotOptions& o) {
    app.add_option("--matchmaker", o.matchmaker_url, "Matchmaker WebSocket URL")
        ->envname("MATCHMAKER_URL")
        ->capture_default_str();
    app.add_option("--game", o.game, "Game name asked of the matchmaker")->capture_default_str();
    app.add_option("--version", o.version, "Game version asked of the matchmaker")->capture_default_str();
    app.add_option("--seconds", o.seconds, "Seconds each bot plays once connected")->capture_default_str();
    app.add_option("--bots", o.bots, "Concurrent bots in this process (1..64)")->capture_default_str();
    app.add_option("--direct", o.direct,
                   "Development: connect to this server (host:port) without the matchmaker, "
                   "with GAPKIT_PRIVATE_KEY or the dev key");
    app.add_option("--protocol-id", o.protocol_id, "netcode protocol id for --direct")
        ->envname("GAPKIT_PROTOCOL_ID")
        ->capture_default_str();
    app.add_option("--timeout-seconds", o.timeout_seconds, "Limit on matchmaking plus connecting")
        ->capture_default_str();
    app.add_flag("--quiet", o.quiet, "Print only the summary lines and failures");
}

Status Finish(BotOptions& options) {
    if (!options.direct.empty()) {
        if (auto text = gapkit::common::GetEnv("GAPKIT_PRIVATE_KEY"); text && !text->empty()) {
            auto key = gapkit::netcode::ParsePrivateKey(*text);
            if (!key) return gapkit::common::Fail(key.error().WithContext("GAPKIT_PRIVATE_KEY"));
            options.private_key = *key;
        }
    }
    return options.Validate();
}

Status BotOptions::Validate() const {
    if (auto ok = gapkit::common::CheckRange("--seconds", seconds, 1, 86400); !ok) return ok;
    if (auto ok = gapkit::common::CheckRange("--bots", bots, 1, 64); !ok) return ok;
    if (auto ok = gapkit::common::CheckRange("--timeout-seconds", timeout_seconds, 1, 3600); !ok) return ok;
    if (protocol_id == 0) return MakeError(ErrorCode::kInvalidArgument, "--protocol-id must be non-zero");
    return gapkit::common::Ok();
}

}  // namespace spaceships::bot
