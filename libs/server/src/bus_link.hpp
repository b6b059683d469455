#pragma once

// The game server's side of the bus: the session map it reads, the connection records it writes,
// its context and certificate digest. Blocking calls: used only from the worker thread (and from
// `GameServer::Start`). Any thread may call them (the bus serialises internally).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"

namespace gapkit::server {

class BusLink {
  public:
    /// Connects as `client_name` from the `NATS_*` variables; `ca_pem` (from `--ca_contents`)
    /// takes the place of `NATS_CA`. Binds `sessions_ly2eg`, `active_connections` and
    /// `cert_digests`.
    static common::Result<std::unique_ptr<BusLink>> Connect(std::string client_name,
                                                            const std::optional<std::string>& ca_pem);

    /// `sessions_ly2eg[client_id]`: the session id, or nothing when there is none.
    common::Result<std::optional<std::string>> SessionOf(std::uint64_t client_id);
    /// `active_connections[session_id] = client_id`.
    common::Status RecordConnection(std::string_view session_id, std::uint64_t client_id);
    /// Deletes `active_connections[session_id]`.
    common::Status ClearConnection(std::string_view session_id);
    /// `cert_digests[public_ip] = digest`.
    common::Status PublishDigest(std::string_view public_ip, std::string_view digest);
    /// Publishes `context` as JSON on `gameserver.contexts`.
    common::Status PublishContext(const edgegap::Context& context);

  private:
    BusLink() = default;

    std::unique_ptr<bus::Connection> connection_;
    std::unique_ptr<bus::KeyValue> sessions_;
    std::unique_ptr<bus::KeyValue> active_;
    std::unique_ptr<bus::KeyValue> digests_;
};

/// The context as Edgegap's `Deployment` JSON object (the fields gapkit parses back).
std::string ContextToJson(const edgegap::Context& context);

}  // namespace gapkit::server
