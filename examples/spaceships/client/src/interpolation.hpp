#pragma once

/// @file
/// What to draw between snapshots: the client renders the world a little in the past, between the
/// two snapshots that bracket the render time, so 30 Hz server snapshots look smooth at 60 fps.
///
/// Pure logic: no SDL, no clock, no I/O. One thread (the game loop) owns a `SnapshotBuffer`.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "spaceships/messages.hpp"

namespace spaceships::client {

/// How far behind the newest snapshot the client renders (seconds): three 30 Hz ticks, so one or
/// two lost snapshots still leave a pair to interpolate between.
inline constexpr double kInterpolationDelaySeconds = 0.1;

/// A ship that moves farther than this between two snapshots (world units per tick, after
/// wrap-around) jumped (respawn): it is drawn at the nearer snapshot, not slid across. Five times
/// the top speed's 12 units per tick.
inline constexpr float kMaxShipStepPerTick = 60.0f;
/// Bullets farther apart than this per tick are not the same bullet (they fly about 20-32 units
/// per tick; two shots of one ship are at least 8 ticks apart).
inline constexpr float kMaxBulletStepPerTick = 60.0f;

/// The world to draw at one instant.
struct Frame {
    std::uint32_t tick = 0;       ///< The newer snapshot's tick.
    std::uint8_t your_id = 0;     ///< The player's own ship id.
    std::vector<ShipView> ships;  ///< Positions in [0, kArenaWidth) x [0, kArenaHeight).
    std::vector<BulletView> bullets;
};

/// The last few snapshots with the local time each arrived.
///
/// The server's ticks are evenly spaced (1/kTickRateHz s) but arrive with jitter, and the client
/// only sees them once per frame. So the buffer places each snapshot on the server's timeline
/// (tick / kTickRateHz) and estimates the offset to local time as the smallest
/// `receive_seconds - tick time` over the buffer (the least delayed arrival). `Sample(t)` then
/// interpolates between the two snapshots whose server times bracket `t - offset`.
class SnapshotBuffer {
  public:
    /// How many snapshots are kept (about a quarter of a second at 30 Hz).
    static constexpr std::size_t kCapacity = 8;

    /// Adds a snapshot received at `receive_seconds` (the game loop's clock). A snapshot whose tick
    /// is not newer than the newest kept one (late, duplicated, reordered) is ignored: returns false.
    bool Push(Snapshot snapshot, double receive_seconds);

    /// The world at local time `render_seconds` (normally `now - kInterpolationDelaySeconds`).
    /// Before the oldest snapshot it shows the oldest; past the newest it holds the newest (no
    /// extrapolation). False when the buffer is empty.
    bool Sample(double render_seconds, Frame& frame) const;

    /// Drops every snapshot (a new connection starts over).
    void Clear();

    bool empty() const { return entries_.empty(); }
    /// The newest snapshot's receive time; 0 when empty.
    double newest_receive_seconds() const;

  private:
    struct Entry {
        Snapshot snapshot;
        double receive_seconds = 0;
    };
    double ServerToLocalOffset() const;

    std::deque<Entry> entries_;
};

/// Interpolates between `older` and `newer` at `alpha` in [0, 1] (0 = older). Ships are matched by
/// id; bullets by owner and nearest position. Positions move the short way around the wrapping
/// arena; angles the short way around the circle. Something present in only one of the two is
/// shown only while that snapshot is the nearer one (alpha < 0.5 for `older`).
Frame Interpolate(const Snapshot& older, const Snapshot& newer, double alpha);

}  // namespace spaceships::client
