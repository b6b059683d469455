#pragma once

/// @file
/// The numbers of the spaceships game, shared by the server, the bot and the windowed client.
/// Distances are world units (the client draws 1 unit = 1 pixel at 1x), times are seconds, angles
/// radians. Changing any of them changes the game for everyone: bump `kGameVersion`.

#include <cstdint>

namespace spaceships {

/// Arena width in world units; x wraps around at this edge. 1280.
inline constexpr float kArenaWidth = 1280.0f;
/// Arena height in world units; y wraps around at this edge (y grows downwards on screen). 720.
inline constexpr float kArenaHeight = 720.0f;
/// Server simulation and snapshot rate, ticks per second. 30.
inline constexpr int kTickRateHz = 30;
/// Seconds per tick.
inline constexpr float kTickSeconds = 1.0f / static_cast<float>(kTickRateHz);
/// Most ships in one world (= Edgegap sockets per deployment). 6.
inline constexpr int kMaxShips = 6;
/// netcode protocol id the local stack (scripts/run-local.sh) uses. 80085.
inline constexpr std::uint64_t kDefaultProtocolId = 80085;
/// Game name asked of the matchmaker.
inline constexpr const char* kGameName = "spaceships";
/// Game version asked of the matchmaker.
inline constexpr const char* kGameVersion = "1";

/// Turn rate while a turn key is held, radians per second (about half a turn a second).
inline constexpr float kTurnRadiansPerSecond = 3.5f;
/// Acceleration while thrusting, world units per second squared.
inline constexpr float kThrustUnitsPerSecond2 = 400.0f;
/// Fraction of speed kept after one second without thrust (exponential drag).
inline constexpr float kDragKeptPerSecond = 0.4f;
/// Top speed, world units per second.
inline constexpr float kMaxShipSpeed = 360.0f;
/// Ship collision radius, world units (two ships touch at twice this distance).
inline constexpr float kShipRadius = 16.0f;

/// Bullet speed, world units per second, added to the firing ship's velocity.
inline constexpr float kBulletSpeed = 600.0f;
/// Bullet lifetime in ticks (1.2 s).
inline constexpr int kBulletLifetimeTicks = 36;
/// Ticks between two shots of one ship (0.25 s).
inline constexpr int kFireCooldownTicks = 8;
/// Bullets one ship can have in flight; a shot beyond it is not fired. 6 (the lifetime over the
/// cooldown rounds up to 5).
inline constexpr int kMaxBulletsPerShip = 6;
/// Bullets in one world and in one snapshot: 36. The largest snapshot is 8 + 6*16 + 36*9 = 428
/// bytes, well inside one 1200-byte payload.
inline constexpr int kMaxBullets = kMaxShips * kMaxBulletsPerShip;

/// Ticks a hit ship stays dead before it respawns (1.5 s).
inline constexpr int kRespawnTicks = 45;
/// Ticks a respawned ship can neither be hit nor collide (1 s), so it is not shot on arrival.
inline constexpr int kSpawnShieldTicks = 30;

}  // namespace spaceships
