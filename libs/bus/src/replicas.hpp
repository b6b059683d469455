#pragma once

// How many copies a bucket or work queue gets in a cluster, and the warning when an existing one
// has another number (JetStream keeps the settings a stream was created with).

#include <string_view>

#include "nats_handles.hpp"

namespace gapkit::bus {

// The replicas `replicas` 0 ("auto") means on this connection: `configured` (NATS_REPLICAS) when
// it is 1..5, else 3 when the connection knows 3 or more servers (NATS_HOST's and those the
// cluster advertised), else 1. Logs the choice once per connection.
int ResolveReplicas(int configured, natsConnection* connection, std::string_view client_name);

// A config's replicas, 0 meaning the connection's.
inline int WantedReplicas(int config_replicas, int connection_replicas) {
    return config_replicas == 0 ? connection_replicas : config_replicas;
}

// Warns once per stream and process when `stream` (bound, not created) has other replicas than
// `wanted`, saying how to change it. Silent when its info cannot be read.
void WarnIfReplicasDiffer(jsCtx* js, std::string_view what, std::string_view stream, int wanted);

}  // namespace gapkit::bus
