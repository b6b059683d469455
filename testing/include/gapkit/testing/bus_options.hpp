#pragma once

/// @file
/// Connecting a test's bus client to a `NatsServer` fixture without touching the environment.

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace gapkit::testing {

/// Options that reach `server` as its first user. Every field is set explicitly, so
/// NATS_* variables in the test's environment are ignored.
bus::ConnectOptions BusOptionsFor(const NatsServer& server);

}  // namespace gapkit::testing
