#pragma once

/// @file
/// The bots' driving: turn towards the nearest other live ship (or wander when alone), thrust,
/// and fire when roughly aimed. A pure function of the snapshot, so it is easy to test.

#include "spaceships/messages.hpp"

namespace spaceships::bot {

/// Within this many radians of the target the bot fires.
inline constexpr float kFireConeRadians = 0.25f;

/// What the bot holds down after seeing `snapshot` (all released when its own ship is absent or
/// dead).
PlayerInput Steer(const Snapshot& snapshot);

}  // namespace spaceships::bot
