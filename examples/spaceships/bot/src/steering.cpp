#include "steering.hpp"

#include <cmath>
#include <numbers>
#include <optional>

namespace spaceships::bot {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;
constexpr float kDeadZoneRadians = 0.05f;

// The shortest way from `from` to `to` on an axis that wraps at `limit`.
float WrappedDelta(float from, float to, float limit) {
    float delta = std::fmod(to - from, limit);
    if (delta > limit / 2) delta -= limit;
    if (delta < -limit / 2) delta += limit;
    return delta;
}

float WrapAngle(float angle) {
    angle = std::fmod(angle, 2 * kPi);
    if (angle > kPi) angle -= 2 * kPi;
    if (angle < -kPi) angle += 2 * kPi;
    return angle;
}

// The angle (world convention: forward = (cos a, -sin a)) towards the nearest other live ship.
std::optional<float> BearingToNearest(const Snapshot& snapshot, const ShipView& me) {
    std::optional<float> bearing;
    float best = 0;
    for (const ShipView& other : snapshot.ships) {
        if (other.id == me.id || !other.alive) continue;
        const float dx = WrappedDelta(me.x, other.x, kArenaWidth);
        const float dy = WrappedDelta(me.y, other.y, kArenaHeight);
        const float distance = dx * dx + dy * dy;
        if (!bearing || distance < best) {
            best = distance;
            bearing = std::atan2(-dy, dx);
        }
    }
    return bearing;
}

}  // namespace

PlayerInput Steer(const Snapshot& snapshot) {
    const ShipView* me = snapshot.FindShip(snapshot.your_id);
    if (me == nullptr || !me->alive) return {};
    const std::optional<float> bearing = BearingToNearest(snapshot, *me);
    if (!bearing) {
        // Alone: wander in slow arcs that change every second and a half.
        const bool left = (snapshot.tick / 45 + me->id) % 3 == 0;
        return PlayerInput{.thrust = snapshot.tick % 3 != 0, .turn_left = left, .turn_right = false, .fire = false};
    }
    const float off = WrapAngle(*bearing - me->angle_radians);
    return PlayerInput{.thrust = std::fabs(off) < kPi / 2,
                       .turn_left = off > kDeadZoneRadians,
                       .turn_right = off < -kDeadZoneRadians,
                       .fire = std::fabs(off) < kFireConeRadians};
}

}  // namespace spaceships::bot
