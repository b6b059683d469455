#pragma once

/// @file
/// Waiting for something another thread or process does, in tests.

#include <chrono>
#include <functional>

namespace gapkit::testing {

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns its last value.
/// A guard against hangs, not a timer: assert on the result, never on how long it took.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace gapkit::testing
