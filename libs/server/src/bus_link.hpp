#pragma once

// The game server's side of the bus: the facts it states on `gameserver.<deployment>.<fact>`
// (docs/protocol/gameserver-facts.md), which the matchmaker checks before it writes the KV. The game
// server never touches JetStream. Blocking calls, each bounded by `kFactTimeout`: used only from
// the worker thread (and from `GameServer::Start`). Any thread may call them (the bus serialises
// internally).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::server {

/// Longest wait for the matchmaker's answer to one fact.
inline constexpr std::chrono::seconds kFactTimeout{3};

class BusLink {
  public:
    /// Connects as `client_name` from the `NATS_*` variables with replies under
    /// `bus::names::kGameServerInboxPrefix` (the only inbox its NATS user may read); `ca_pem` (from `--ca_contents`)
    /// takes the place of `NATS_CA`. `deployment` (the Edgegap request id, or `bus::names::kLocalDeployment`) goes into
    /// every subject; `kInvalidArgument` when it cannot be a subject token.
    static common::Result<std::unique_ptr<BusLink>> Connect(std::string client_name,
                                                            const std::optional<std::string>& ca_pem,
                                                            std::string deployment);

    /// `join`: the session of `client_id`, which the matchmaker then records as connected.
    /// `kPermissionDenied` (with the matchmaker's reason) when it refused; any other error means
    /// the fact was not checked (no matchmaker, timeout, a matchmaker failure).
    common::Result<std::string> Join(std::uint64_t client_id);
    /// `left`: the player of `session_id` (who joined as `client_id`) is gone. Errors as `Join`.
    common::Status Left(std::string_view session_id, std::uint64_t client_id);
    /// `cert_digest`: this server's certificate at `public_ip` has `digest`. Errors as `Join`.
    common::Status PublishDigest(std::string_view public_ip, std::string_view digest);
    /// Publishes `fact` on `gameserver.<deployment>.alive` (nobody answers: a lost one is covered by
    /// the next, the matchmaker waits 3 intervals).
    common::Status PublishAlive(const protocol::AliveFact& fact);
    /// Publishes `context` as JSON on `gameserver.<deployment>.context` (nobody answers).
    common::Status PublishContext(const edgegap::Context& context);

  private:
    BusLink() = default;
    common::Result<std::string> Ask(std::string_view fact, const std::string& payload);
    common::Status Publish(std::string_view fact, const std::string& payload);

    std::unique_ptr<bus::Connection> connection_;
    std::string deployment_;
};

/// The context as Edgegap's `Deployment` JSON object (the fields gapkit parses back).
std::string ContextToJson(const edgegap::Context& context);

}  // namespace gapkit::server
