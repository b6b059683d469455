#pragma once

/// @file
/// Picking a free port on 127.0.0.1 for a server a test is about to start.

#include <cstdint>

#include "gapkit/common/result.hpp"

namespace gapkit::testing {

enum class PortKind { kTcp, kUdp };

/// Binds port 0 of the given kind to let the kernel pick a free port, and releases it. Another
/// process could take it before the test's server binds it; on loopback in a test run that window
/// is harmless.
common::Result<std::uint16_t> FreeLoopbackPort(PortKind kind = PortKind::kTcp);

}  // namespace gapkit::testing
