#pragma once

/// @file
/// The spaceships wire format, both directions. Little-endian; every message starts with a type
/// byte that also versions it. Decoders face the network (and a fuzzer): they validate size,
/// counts, ranges and NaN, and return an error naming the problem, never assert or throw.
///
/// Input (client -> server), 2 bytes:
///   u8 type = kInputType | u8 flags: bit0 thrust, bit1 turn_left, bit2 turn_right, bit3 fire;
///   bits 4..7 must be zero.
///
/// Snapshot (server -> client), 8 + 16 * ships + 9 * bullets bytes:
///   u8 type = kSnapshotType | u32 tick | u8 your_id | u8 ship_count (<= kMaxShips)
///   | u8 bullet_count (<= kMaxBullets)
///   then per ship:   u8 id (< kMaxShips, unique) | f32 x | f32 y | f32 angle_radians
///                    | u16 score | u8 flags: bit0 alive, bit1 thrusting (bits 2..7 zero)
///   then per bullet: f32 x | f32 y | u8 owner (< kMaxShips)
/// Floats are IEEE-754 binary32; x in [0, kArenaWidth), y in [0, kArenaHeight), angle in
/// [-2pi, 2pi]. `your_id` must be < kMaxShips (it need not be among the ships).
///
/// Thread-safe free functions; results own their bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gapkit/common/result.hpp"
#include "spaceships/constants.hpp"

namespace spaceships {

/// First byte of an input message.
inline constexpr std::uint8_t kInputType = 0x01;
/// First byte of a snapshot message.
inline constexpr std::uint8_t kSnapshotType = 0x02;
/// Size of an encoded input.
inline constexpr std::size_t kInputBytes = 2;
/// Size of the snapshot header, of one ship and of one bullet.
inline constexpr std::size_t kSnapshotHeaderBytes = 8;
inline constexpr std::size_t kShipViewBytes = 16;
inline constexpr std::size_t kBulletViewBytes = 9;
/// Size of the largest valid snapshot (kMaxShips ships, kMaxBullets bullets).
inline constexpr std::size_t kMaxSnapshotBytes =
    kSnapshotHeaderBytes + kMaxShips * kShipViewBytes + kMaxBullets * kBulletViewBytes;
static_assert(kMaxSnapshotBytes <= 1200, "a snapshot must fit one netcode payload");

/// What a player holds down this frame. The server keeps it until the next input arrives.
struct PlayerInput {
    bool thrust = false;
    bool turn_left = false;
    bool turn_right = false;
    bool fire = false;

    friend bool operator==(const PlayerInput&, const PlayerInput&) = default;
};

/// Encodes `input` into kInputBytes bytes.
std::vector<std::uint8_t> EncodeInput(const PlayerInput& input);
/// Decodes an input; errors (kProtocol) on a wrong size, type byte or unknown flag bits.
gapkit::common::Result<PlayerInput> DecodeInput(std::span<const std::uint8_t> bytes);

/// One ship as players see it.
struct ShipView {
    std::uint8_t id = 0;      ///< The player's netcode client index, 0..kMaxShips-1 (colour on the client).
    float x = 0, y = 0;       ///< World units, 0 <= x < kArenaWidth, 0 <= y < kArenaHeight.
    float angle_radians = 0;  ///< 0 = pointing +x, counter-clockwise positive; y grows downwards on screen.
    std::uint16_t score = 0;  ///< Hits scored.
    bool alive = true;        ///< False while respawning (draw nothing or a ghost).
    bool thrusting = false;   ///< For a flame.

    friend bool operator==(const ShipView&, const ShipView&) = default;
};

/// One bullet in flight.
struct BulletView {
    float x = 0, y = 0;      ///< World units, same ranges as ShipView.
    std::uint8_t owner = 0;  ///< Id of the ship that fired it.

    friend bool operator==(const BulletView&, const BulletView&) = default;
};

/// The world as one player sees it after one tick.
struct Snapshot {
    std::uint32_t tick = 0;           ///< Server tick number, +1 every 1/kTickRateHz s.
    std::uint8_t your_id = 0;         ///< The receiving player's own ship id.
    std::vector<ShipView> ships;      ///< <= kMaxShips, ordered by id.
    std::vector<BulletView> bullets;  ///< <= kMaxBullets.

    /// The ship with `id`, or nullptr.
    const ShipView* FindShip(std::uint8_t id) const;

    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// Encodes `snapshot`. The caller keeps within the caps (World always does); extra ships or
/// bullets beyond kMaxShips / kMaxBullets are left out so the result always decodes.
std::vector<std::uint8_t> EncodeSnapshot(const Snapshot& snapshot);
/// Appends the encoding of `snapshot` to `out` (reuses its capacity on the server's hot path).
void EncodeSnapshotInto(const Snapshot& snapshot, std::vector<std::uint8_t>& out);
/// Decodes a snapshot; errors (kProtocol) name the first problem: size, type byte, counts over
/// the caps, a bad or duplicate id, a NaN or out-of-range float, trailing bytes.
gapkit::common::Result<Snapshot> DecodeSnapshot(std::span<const std::uint8_t> bytes);

}  // namespace spaceships
