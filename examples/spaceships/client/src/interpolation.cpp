#include "interpolation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "spaceships/constants.hpp"

namespace spaceships::client {
namespace {

double TickSeconds(std::uint32_t tick) { return static_cast<double>(tick) / kTickRateHz; }

// The signed step from `from` to `to` along one wrapping axis of length `size`, the short way.
float WrappedDelta(float from, float to, float size) {
    float delta = to - from;
    if (delta > size / 2) delta -= size;
    if (delta < -size / 2) delta += size;
    return delta;
}

float WrapInto(float value, float size) {
    value = std::fmod(value, size);
    if (value < 0) value += size;
    // fmod of a tiny negative value plus size can round up to size itself.
    return value >= size ? 0.0f : value;
}

float Lerp(float from, float delta, double alpha) { return from + static_cast<float>(delta * alpha); }

float WrappedDistance(float x0, float y0, float x1, float y1) {
    return std::hypot(WrappedDelta(x0, x1, kArenaWidth), WrappedDelta(y0, y1, kArenaHeight));
}

struct Point {
    float x = 0;
    float y = 0;
};

Point LerpPosition(float x0, float y0, float x1, float y1, double alpha) {
    return {WrapInto(Lerp(x0, WrappedDelta(x0, x1, kArenaWidth), alpha), kArenaWidth),
            WrapInto(Lerp(y0, WrappedDelta(y0, y1, kArenaHeight), alpha), kArenaHeight)};
}

float LerpAngle(float from, float to, double alpha) {
    constexpr float kTwoPi = 2 * std::numbers::pi_v<float>;
    return Lerp(from, WrappedDelta(from, to, kTwoPi), alpha);
}

float MaxStep(const Snapshot& older, const Snapshot& newer, float per_tick) {
    return per_tick * static_cast<float>(std::max<std::uint32_t>(1, newer.tick - older.tick));
}

ShipView BlendShip(const ShipView& a, const ShipView& b, double alpha, float max_step) {
    ShipView ship = alpha < 0.5 ? a : b;
    if (a.alive != b.alive || WrappedDistance(a.x, a.y, b.x, b.y) > max_step) return ship;
    Point at = LerpPosition(a.x, a.y, b.x, b.y, alpha);
    ship.x = at.x;
    ship.y = at.y;
    ship.angle_radians = LerpAngle(a.angle_radians, b.angle_radians, alpha);
    return ship;
}

void AddShips(const Snapshot& older, const Snapshot& newer, double alpha, Frame& frame) {
    const float max_step = MaxStep(older, newer, kMaxShipStepPerTick);
    for (const auto& b : newer.ships) {
        const ShipView* a = older.FindShip(b.id);
        if (a != nullptr) {
            frame.ships.push_back(BlendShip(*a, b, alpha, max_step));
        } else if (alpha >= 0.5) {
            frame.ships.push_back(b);
        }
    }
    if (alpha >= 0.5) return;
    for (const auto& a : older.ships) {
        if (newer.FindShip(a.id) == nullptr) frame.ships.push_back(a);
    }
}

// Bullets carry no id: each newer bullet takes the nearest unused older bullet of the same owner
// within reach; the rest appear or vanish at the half-way point.
void AddBullets(const Snapshot& older, const Snapshot& newer, double alpha, Frame& frame) {
    const float max_step = MaxStep(older, newer, kMaxBulletStepPerTick);
    std::vector<bool> used(older.bullets.size(), false);
    for (const auto& b : newer.bullets) {
        std::size_t best = older.bullets.size();
        float best_distance = max_step;
        for (std::size_t i = 0; i < older.bullets.size(); ++i) {
            const auto& a = older.bullets[i];
            float distance = WrappedDistance(a.x, a.y, b.x, b.y);
            if (!used[i] && a.owner == b.owner && distance <= best_distance) {
                best = i;
                best_distance = distance;
            }
        }
        if (best == older.bullets.size()) {
            if (alpha >= 0.5) frame.bullets.push_back(b);
            continue;
        }
        used[best] = true;
        const auto& a = older.bullets[best];
        Point at = LerpPosition(a.x, a.y, b.x, b.y, alpha);
        frame.bullets.push_back({at.x, at.y, b.owner});
    }
    if (alpha >= 0.5) return;
    for (std::size_t i = 0; i < older.bullets.size(); ++i) {
        if (!used[i]) frame.bullets.push_back(older.bullets[i]);
    }
}

}  // namespace

Frame Interpolate(const Snapshot& older, const Snapshot& newer, double alpha) {
    alpha = std::clamp(alpha, 0.0, 1.0);
    Frame frame;
    frame.tick = newer.tick;
    frame.your_id = newer.your_id;
    AddShips(older, newer, alpha, frame);
    AddBullets(older, newer, alpha, frame);
    return frame;
}

bool SnapshotBuffer::Push(Snapshot snapshot, double receive_seconds) {
    if (!entries_.empty() && snapshot.tick <= entries_.back().snapshot.tick) return false;
    entries_.push_back({std::move(snapshot), receive_seconds});
    if (entries_.size() > kCapacity) entries_.pop_front();
    return true;
}

double SnapshotBuffer::ServerToLocalOffset() const {
    double offset = std::numeric_limits<double>::infinity();
    for (const auto& entry : entries_) {
        offset = std::min(offset, entry.receive_seconds - TickSeconds(entry.snapshot.tick));
    }
    return offset;
}

bool SnapshotBuffer::Sample(double render_seconds, Frame& frame) const {
    if (entries_.empty()) return false;
    const double server_seconds = render_seconds - ServerToLocalOffset();
    auto newer = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& entry) { return TickSeconds(entry.snapshot.tick) > server_seconds; });
    if (newer == entries_.begin()) {
        frame = Interpolate(newer->snapshot, newer->snapshot, 0);
        return true;
    }
    if (newer == entries_.end()) {
        frame = Interpolate(entries_.back().snapshot, entries_.back().snapshot, 1);
        return true;
    }
    const auto& older = *std::prev(newer);
    const double older_seconds = TickSeconds(older.snapshot.tick);
    const double alpha = (server_seconds - older_seconds) / (TickSeconds(newer->snapshot.tick) - older_seconds);
    frame = Interpolate(older.snapshot, newer->snapshot, alpha);
    return true;
}

void SnapshotBuffer::Clear() { entries_.clear(); }

double SnapshotBuffer::newest_receive_seconds() const { return entries_.empty() ? 0 : entries_.back().receive_seconds; }

}  // namespace spaceships::client
