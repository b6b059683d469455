#pragma once

/// @file
/// The authoritative spaceships simulation: deterministic for a seed, no I/O, no clock. The server
/// owns one `World`, feeds it inputs and calls `Step` once per tick; a client may run one to
/// predict, but the server's snapshots are the truth.
///
/// Rules (numbers in constants.hpp):
/// - A ship at `angle_radians` points along (cos a, -sin a) in world units: 0 is +x and, with y
///   growing downwards, positive angles turn counter-clockwise on screen. turn_left increases the
///   angle. Angles are kept in [-pi, pi].
/// - A ship turns while a turn key is held, accelerates along its nose while thrusting, slows by
///   exponential drag otherwise, never exceeds kMaxShipSpeed, and wraps around the arena edges.
/// - Fire shoots a bullet from the nose every kFireCooldownTicks at most, up to
///   kMaxBulletsPerShip in flight; a bullet flies straight, wraps, and vanishes after
///   kBulletLifetimeTicks or on a hit.
/// - A bullet touching another live, unshielded ship scores 1 for its owner; the hit ship dies and
///   respawns at a free spot after kRespawnTicks, shielded for kSpawnShieldTicks. Contact is
///   tested along both paths over the tick, so a fast bullet cannot jump over a ship.
/// - Two live, unshielded ships touching both die and respawn; nobody scores.
///
/// Threads: not thread-safe; one thread owns a World. Copyable (a copy is an independent world).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "spaceships/messages.hpp"

namespace spaceships {

class World {
  public:
    /// An empty world whose spawn spots follow `seed`: equal seeds and equal calls give equal
    /// worlds.
    explicit World(std::uint32_t seed);

    /// Spawns ship `id` (0..kMaxShips-1) at a free spot with score 0; ignored if present or out of
    /// range.
    void AddShip(std::uint8_t id);
    /// Removes ship `id` and its bullets; ignored if absent.
    void RemoveShip(std::uint8_t id);
    /// Sets what ship `id` holds down, kept until the next SetInput; ignored if absent.
    void SetInput(std::uint8_t id, const PlayerInput& input);
    /// Puts present ship `id` at (x, y) (wrapped into the arena) facing `angle_radians`, at rest,
    /// alive and unshielded; ignored if absent. For tests and scripted scenes, not for play.
    void PlaceShip(std::uint8_t id, float x, float y, float angle_radians);
    /// Advances one tick of 1/kTickRateHz seconds.
    void Step();
    /// The world as player `your_id` sees it now (ships ordered by id).
    Snapshot MakeSnapshot(std::uint8_t your_id) const;
    /// Like MakeSnapshot, reusing `out`'s storage (the server's per-tick path).
    void FillSnapshot(std::uint8_t your_id, Snapshot& out) const;

    /// Ships present (alive or respawning).
    std::size_t ship_count() const;
    /// True when ship `id` is present.
    bool HasShip(std::uint8_t id) const;
    /// Bullets in flight.
    std::size_t bullet_count() const { return bullets_.size(); }
    /// Ticks stepped so far.
    std::uint32_t tick() const { return tick_; }

  private:
    struct Ship {
        float x = 0, y = 0;
        float vx = 0, vy = 0;
        float angle_radians = 0;
        std::uint16_t score = 0;
        int cooldown_ticks = 0;  // until the next shot may leave
        int respawn_ticks = 0;   // > 0 while dead
        int shield_ticks = 0;    // > 0 while just respawned
        PlayerInput input;
    };
    struct Bullet {
        float x = 0, y = 0;
        float vx = 0, vy = 0;
        int ticks_left = 0;
        std::uint8_t owner = 0;
    };

    void Spawn(Ship& ship);
    void Kill(Ship& ship);
    void MoveShip(std::uint8_t id, Ship& ship);
    void MoveBullets();
    void HitShipsWithBullets();
    void CollideShips();
    int BulletsOf(std::uint8_t id) const;
    float NextRandom();  // uniform in [0, 1)

    std::array<std::optional<Ship>, kMaxShips> ships_;
    std::vector<Bullet> bullets_;
    std::uint32_t tick_ = 0;
    std::uint32_t rng_state_;
};

}  // namespace spaceships
