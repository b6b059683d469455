#include "spaceships/world.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace spaceships {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;
constexpr int kSpawnAttempts = 16;
constexpr float kSpawnClearance = 6.0f * kShipRadius;

float Wrap(float value, float limit) {
    value = std::fmod(value, limit);
    if (value < 0.0f) value += limit;
    return value >= limit ? 0.0f : value;  // -tiny + limit can round up to limit
}

float WrapAngle(float angle) {
    if (angle > kPi) return angle - 2.0f * kPi;
    if (angle < -kPi) return angle + 2.0f * kPi;
    return angle;
}

// The shortest signed step from `from` to `to` on an axis that wraps at `limit`.
float WrappedDelta(float from, float to, float limit) {
    const float delta = to - from;
    if (delta > limit / 2) return delta - limit;
    if (delta < -limit / 2) return delta + limit;
    return delta;
}

// Distance on the torus the arena wraps into, squared.
float DistanceSquared(float ax, float ay, float bx, float by) {
    const float dx = WrappedDelta(ax, bx, kArenaWidth);
    const float dy = WrappedDelta(ay, by, kArenaHeight);
    return dx * dx + dy * dy;
}

// Closest approach, squared, during the last tick of a bullet to a ship, from their end positions
// and their displacements over the tick. Sampling only the end positions would let a fast bullet
// jump over a ship (a bullet moves up to 32 units a tick, a ship is 32 across).
float ClosestApproachSquared(float bullet_x, float bullet_y, float bullet_dx, float bullet_dy, float ship_x,
                             float ship_y, float ship_dx, float ship_dy) {
    const float dx = WrappedDelta(bullet_x, ship_x, kArenaWidth);  // ship relative to bullet, at the end
    const float dy = WrappedDelta(bullet_y, ship_y, kArenaHeight);
    const float mx = bullet_dx - ship_dx;  // going back in time adds the relative displacement
    const float my = bullet_dy - ship_dy;
    const float length_squared = mx * mx + my * my;
    const float s = length_squared > 0 ? std::clamp(-(dx * mx + dy * my) / length_squared, 0.0f, 1.0f) : 0.0f;
    const float cx = dx + s * mx;
    const float cy = dy + s * my;
    return cx * cx + cy * cy;
}

float DragPerTick() {
    static const float drag = std::pow(kDragKeptPerSecond, kTickSeconds);
    return drag;
}

}  // namespace

World::World(std::uint32_t seed) : rng_state_(seed == 0 ? 0x9e3779b9u : seed) {}

float World::NextRandom() {
    // xorshift32: small, fast and the same on every platform, which keeps replays deterministic.
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 17;
    rng_state_ ^= rng_state_ << 5;
    return static_cast<float>(rng_state_ >> 8) * (1.0f / 16777216.0f);
}

void World::AddShip(std::uint8_t id) {
    if (id >= kMaxShips || ships_[id]) return;
    ships_[id] = Ship{};
    Spawn(*ships_[id]);
}

void World::RemoveShip(std::uint8_t id) {
    if (id >= kMaxShips || !ships_[id]) return;
    ships_[id].reset();
    std::erase_if(bullets_, [id](const Bullet& bullet) { return bullet.owner == id; });
}

void World::SetInput(std::uint8_t id, const PlayerInput& input) {
    if (id < kMaxShips && ships_[id]) ships_[id]->input = input;
}

void World::PlaceShip(std::uint8_t id, float x, float y, float angle_radians) {
    if (!HasShip(id)) return;
    Ship& ship = *ships_[id];
    ship.x = Wrap(x, kArenaWidth);
    ship.y = Wrap(y, kArenaHeight);
    ship.angle_radians = WrapAngle(angle_radians);
    ship.vx = ship.vy = 0.0f;
    ship.respawn_ticks = ship.shield_ticks = 0;
}

bool World::HasShip(std::uint8_t id) const { return id < kMaxShips && ships_[id].has_value(); }

std::size_t World::ship_count() const {
    return static_cast<std::size_t>(
        std::count_if(ships_.begin(), ships_.end(), [](const auto& s) { return s.has_value(); }));
}

void World::Spawn(Ship& ship) {
    // Pick the first random spot clear of every live ship; a crowded arena takes the last try.
    for (int attempt = 0; attempt < kSpawnAttempts; ++attempt) {
        ship.x = NextRandom() * kArenaWidth;
        ship.y = NextRandom() * kArenaHeight;
        const bool clear = std::none_of(ships_.begin(), ships_.end(), [&](const auto& other) {
            return other && &*other != &ship && other->respawn_ticks == 0 &&
                   DistanceSquared(ship.x, ship.y, other->x, other->y) < kSpawnClearance * kSpawnClearance;
        });
        if (clear) break;
    }
    ship.angle_radians = WrapAngle((NextRandom() * 2.0f - 1.0f) * kPi);
    ship.vx = ship.vy = 0.0f;
    ship.cooldown_ticks = 0;
    ship.respawn_ticks = 0;
    ship.shield_ticks = kSpawnShieldTicks;
}

void World::Kill(Ship& ship) {
    ship.respawn_ticks = kRespawnTicks;
    ship.vx = ship.vy = 0.0f;
}

void World::Step() {
    ++tick_;
    for (std::uint8_t id = 0; id < kMaxShips; ++id) {
        if (!ships_[id]) continue;
        Ship& ship = *ships_[id];
        if (ship.respawn_ticks > 0) {
            if (--ship.respawn_ticks == 0) Spawn(ship);
            continue;
        }
        MoveShip(id, ship);
    }
    MoveBullets();
    HitShipsWithBullets();
    CollideShips();
}

void World::MoveShip(std::uint8_t id, Ship& ship) {
    const PlayerInput& input = ship.input;
    const float turn = (input.turn_left ? 1.0f : 0.0f) - (input.turn_right ? 1.0f : 0.0f);
    ship.angle_radians = WrapAngle(ship.angle_radians + turn * kTurnRadiansPerSecond * kTickSeconds);
    const float forward_x = std::cos(ship.angle_radians);
    const float forward_y = -std::sin(ship.angle_radians);
    if (input.thrust) {
        ship.vx += forward_x * kThrustUnitsPerSecond2 * kTickSeconds;
        ship.vy += forward_y * kThrustUnitsPerSecond2 * kTickSeconds;
    } else {
        ship.vx *= DragPerTick();
        ship.vy *= DragPerTick();
    }
    const float speed = std::hypot(ship.vx, ship.vy);
    if (speed > kMaxShipSpeed) {
        ship.vx *= kMaxShipSpeed / speed;
        ship.vy *= kMaxShipSpeed / speed;
    }
    ship.x = Wrap(ship.x + ship.vx * kTickSeconds, kArenaWidth);
    ship.y = Wrap(ship.y + ship.vy * kTickSeconds, kArenaHeight);
    if (ship.shield_ticks > 0) --ship.shield_ticks;
    if (ship.cooldown_ticks > 0) --ship.cooldown_ticks;
    if (input.fire && ship.cooldown_ticks == 0 && BulletsOf(id) < kMaxBulletsPerShip) {
        bullets_.push_back(Bullet{.x = Wrap(ship.x + forward_x * kShipRadius, kArenaWidth),
                                  .y = Wrap(ship.y + forward_y * kShipRadius, kArenaHeight),
                                  .vx = ship.vx + forward_x * kBulletSpeed,
                                  .vy = ship.vy + forward_y * kBulletSpeed,
                                  .ticks_left = kBulletLifetimeTicks,
                                  .owner = id});
        ship.cooldown_ticks = kFireCooldownTicks;
    }
}

int World::BulletsOf(std::uint8_t id) const {
    return static_cast<int>(
        std::count_if(bullets_.begin(), bullets_.end(), [id](const Bullet& b) { return b.owner == id; }));
}

void World::MoveBullets() {
    for (Bullet& bullet : bullets_) {
        bullet.x = Wrap(bullet.x + bullet.vx * kTickSeconds, kArenaWidth);
        bullet.y = Wrap(bullet.y + bullet.vy * kTickSeconds, kArenaHeight);
        --bullet.ticks_left;
    }
    std::erase_if(bullets_, [](const Bullet& bullet) { return bullet.ticks_left <= 0; });
}

void World::HitShipsWithBullets() {
    std::erase_if(bullets_, [this](const Bullet& bullet) {
        for (std::uint8_t id = 0; id < kMaxShips; ++id) {
            auto& target = ships_[id];
            if (id == bullet.owner || !target || target->respawn_ticks > 0 || target->shield_ticks > 0) continue;
            const float approach =
                ClosestApproachSquared(bullet.x, bullet.y, bullet.vx * kTickSeconds, bullet.vy * kTickSeconds,
                                       target->x, target->y, target->vx * kTickSeconds, target->vy * kTickSeconds);
            if (approach >= kShipRadius * kShipRadius) continue;
            Ship& owner = *ships_[bullet.owner];  // RemoveShip takes a ship's bullets with it
            if (owner.score < UINT16_MAX) ++owner.score;
            Kill(*target);
            return true;
        }
        return false;
    });
}

void World::CollideShips() {
    auto solid = [](const std::optional<Ship>& ship) {
        return ship && ship->respawn_ticks == 0 && ship->shield_ticks == 0;
    };
    for (int a = 0; a < kMaxShips; ++a) {
        for (int b = a + 1; b < kMaxShips && solid(ships_[a]); ++b) {
            if (!solid(ships_[b])) continue;
            const float touch = 2.0f * kShipRadius;
            if (DistanceSquared(ships_[a]->x, ships_[a]->y, ships_[b]->x, ships_[b]->y) < touch * touch) {
                Kill(*ships_[a]);
                Kill(*ships_[b]);
            }
        }
    }
}

Snapshot World::MakeSnapshot(std::uint8_t your_id) const {
    Snapshot snapshot;
    FillSnapshot(your_id, snapshot);
    return snapshot;
}

void World::FillSnapshot(std::uint8_t your_id, Snapshot& out) const {
    out.tick = tick_;
    out.your_id = your_id;
    out.ships.clear();
    out.bullets.clear();
    for (std::uint8_t id = 0; id < kMaxShips; ++id) {
        if (!ships_[id]) continue;
        const Ship& ship = *ships_[id];
        const bool alive = ship.respawn_ticks == 0;
        out.ships.push_back(ShipView{.id = id,
                                     .x = ship.x,
                                     .y = ship.y,
                                     .angle_radians = ship.angle_radians,
                                     .score = ship.score,
                                     .alive = alive,
                                     .thrusting = alive && ship.input.thrust});
    }
    for (const Bullet& bullet : bullets_)
        out.bullets.push_back(BulletView{.x = bullet.x, .y = bullet.y, .owner = bullet.owner});
}

}  // namespace spaceships
