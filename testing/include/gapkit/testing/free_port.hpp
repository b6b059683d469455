#pragma once

/// @file
/// Picking a free port on 127.0.0.1 for a server a test is about to start.

#include <cstdint>

#include "gapkit/common/result.hpp"

namespace gapkit::testing {

enum class PortKind { kTcp, kUdp };

/// A loopback port of the given kind that is free now, released again. It is picked below the
/// kernel's ephemeral range (ip_local_port_range) when there is room, so that no process's
/// outgoing connection can take it before the test's server binds it; else the kernel picks one.
common::Result<std::uint16_t> FreeLoopbackPort(PortKind kind = PortKind::kTcp);

}  // namespace gapkit::testing
