#pragma once

/// @file
/// Connecting a test's bus client to a `NatsServer` fixture without touching the environment.

#include <string_view>

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/nats_cluster.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace gapkit::testing {

/// Options that reach `server` as its first user. Every field is set explicitly, so
/// NATS_* variables in the test's environment are ignored.
bus::ConnectOptions BusOptionsFor(const NatsServer& server);

/// The same as user `user_name` (e.g. one role of a config template). A name the server does not
/// know gets a password it refuses, so connecting fails with `kUnauthenticated`.
bus::ConnectOptions BusOptionsFor(const NatsServer& server, std::string_view user_name);

/// Options that reach every node of `cluster` (`host` = `HostList()`) as user `user_name`
/// (empty: the first user).
bus::ConnectOptions BusOptionsFor(const NatsCluster& cluster, std::string_view user_name = {});

}  // namespace gapkit::testing
