#include "spaceships/world.hpp"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

namespace spaceships {
namespace {

constexpr PlayerInput kThrust{.thrust = true};
constexpr PlayerInput kFire{.fire = true};

ShipView ShipOf(const World& world, std::uint8_t id) {
    const Snapshot snapshot = world.MakeSnapshot(id);
    const ShipView* ship = snapshot.FindShip(id);
    EXPECT_NE(ship, nullptr) << "ship " << int{id};
    return ship ? *ship : ShipView{};
}

void StepTimes(World& world, int ticks) {
    for (int i = 0; i < ticks; ++i) world.Step();
}

// A world with ship 0 alone at the centre, facing +x, unshielded.
World LoneShip() {
    World world(1);
    world.AddShip(0);
    world.PlaceShip(0, 640.0f, 360.0f, 0.0f);
    return world;
}

TEST(WorldTest, ThrustMovesAlongTheNoseAndTurningTurns) {
    World world = LoneShip();
    world.SetInput(0, kThrust);
    StepTimes(world, 10);
    EXPECT_GT(ShipOf(world, 0).x, 650.0f);
    EXPECT_FLOAT_EQ(ShipOf(world, 0).y, 360.0f);
    EXPECT_TRUE(ShipOf(world, 0).thrusting);

    world.PlaceShip(0, 640.0f, 360.0f, std::numbers::pi_v<float> / 2);  // nose up the screen
    StepTimes(world, 10);
    EXPECT_LT(ShipOf(world, 0).y, 350.0f);

    world.SetInput(0, PlayerInput{.turn_left = true});
    const float before = ShipOf(world, 0).angle_radians;
    world.Step();
    EXPECT_NEAR(ShipOf(world, 0).angle_radians - before, kTurnRadiansPerSecond * kTickSeconds, 1e-4);
    world.SetInput(0, PlayerInput{.turn_right = true});
    world.Step();
    EXPECT_NEAR(ShipOf(world, 0).angle_radians, before, 1e-4);
}

TEST(WorldTest, DragSlowsAndSpeedIsCapped) {
    World world = LoneShip();
    world.SetInput(0, kThrust);
    float last_x = ShipOf(world, 0).x;
    for (int i = 0; i < 300; ++i) {  // long enough to reach the cap, wrapping several times
        world.Step();
        const float x = ShipOf(world, 0).x;
        const float moved = std::fmod(x - last_x + kArenaWidth, kArenaWidth);
        EXPECT_LE(moved, kMaxShipSpeed * kTickSeconds + 1e-3f);
        last_x = x;
    }
    world.SetInput(0, PlayerInput{});
    world.Step();
    const float coasting = std::fmod(ShipOf(world, 0).x - last_x + kArenaWidth, kArenaWidth);
    last_x = ShipOf(world, 0).x;
    StepTimes(world, 30);
    const float after_a_second = std::fmod(ShipOf(world, 0).x - last_x + kArenaWidth, kArenaWidth) / 30.0f;
    EXPECT_LT(after_a_second, coasting);
}

TEST(WorldTest, ShipsAndBulletsWrapAroundTheEdges) {
    World world = LoneShip();
    world.PlaceShip(0, kArenaWidth - 1.0f, 5.0f, 0.0f);
    world.SetInput(0, PlayerInput{.thrust = true, .fire = true});
    StepTimes(world, 5);
    const Snapshot snapshot = world.MakeSnapshot(0);
    EXPECT_LT(snapshot.ships[0].x, 100.0f);
    for (const BulletView& bullet : snapshot.bullets) {
        EXPECT_GE(bullet.x, 0.0f);
        EXPECT_LT(bullet.x, kArenaWidth);
    }
    world.PlaceShip(0, -10.0f, -10.0f, 0.0f);
    EXPECT_FLOAT_EQ(ShipOf(world, 0).x, kArenaWidth - 10.0f);
    EXPECT_FLOAT_EQ(ShipOf(world, 0).y, kArenaHeight - 10.0f);
}

TEST(WorldTest, FireHonoursTheCooldown) {
    World world = LoneShip();
    world.SetInput(0, kFire);
    StepTimes(world, 3 * kFireCooldownTicks);
    EXPECT_EQ(world.bullet_count(), 3u);
}

TEST(WorldTest, BulletsExpireAfterTheirLifetime) {
    World world = LoneShip();
    world.SetInput(0, kFire);
    world.Step();
    world.SetInput(0, PlayerInput{});
    EXPECT_EQ(world.bullet_count(), 1u);
    StepTimes(world, kBulletLifetimeTicks - 2);
    EXPECT_EQ(world.bullet_count(), 1u);
    world.Step();
    EXPECT_EQ(world.bullet_count(), 0u);
}

TEST(WorldTest, AHitScoresForTheOwnerAndRespawnsTheTarget) {
    World world(3);
    world.AddShip(0);
    world.AddShip(4);
    world.PlaceShip(0, 100.0f, 100.0f, 0.0f);
    world.PlaceShip(4, 200.0f, 100.0f, 0.0f);
    world.SetInput(0, kFire);
    world.Step();
    world.SetInput(0, PlayerInput{});
    StepTimes(world, 5);
    EXPECT_EQ(ShipOf(world, 0).score, 1);
    EXPECT_FALSE(ShipOf(world, 4).alive);
    EXPECT_EQ(world.bullet_count(), 0u);
    StepTimes(world, kRespawnTicks);
    EXPECT_TRUE(ShipOf(world, 4).alive);
    EXPECT_EQ(ShipOf(world, 4).score, 0);
}

TEST(WorldTest, ABulletHitsWhatItPassesBetweenTicks) {
    // At rest, a bullet ends its ticks 20 units apart at x = 136, 156, 176...; a ship midway
    // between two of them and 15 units off the line is never 16 units from a tick's end position,
    // but the bullet passes 15 units from its centre.
    World world(3);
    world.AddShip(0);
    world.AddShip(4);
    world.PlaceShip(0, 100.0f, 100.0f, 0.0f);
    world.PlaceShip(4, 166.0f, 115.0f, 0.0f);
    world.SetInput(0, kFire);
    world.Step();
    world.SetInput(0, PlayerInput{});
    StepTimes(world, 3);
    EXPECT_EQ(ShipOf(world, 0).score, 1);
    EXPECT_FALSE(ShipOf(world, 4).alive);
}

TEST(WorldTest, ANewShipIsShieldedFromBullets) {
    World world(3);
    world.AddShip(0);
    world.AddShip(4);
    world.PlaceShip(0, 100.0f, 100.0f, 0.0f);
    world.RemoveShip(4);
    world.AddShip(4);  // shielded again, wherever it spawned
    const ShipView target = ShipOf(world, 4);
    world.PlaceShip(0, target.x - 60.0f, target.y, 0.0f);
    world.SetInput(0, kFire);
    world.Step();
    world.SetInput(0, PlayerInput{});
    StepTimes(world, 4);
    EXPECT_EQ(ShipOf(world, 0).score, 0);
    EXPECT_TRUE(ShipOf(world, 4).alive);
}

TEST(WorldTest, CollidingShipsBothRespawnAndNobodyScores) {
    World world(5);
    world.AddShip(1);
    world.AddShip(2);
    world.PlaceShip(1, 300.0f, 300.0f, 0.0f);
    world.PlaceShip(2, 300.0f + kShipRadius, 300.0f, 0.0f);
    world.Step();
    EXPECT_FALSE(ShipOf(world, 1).alive);
    EXPECT_FALSE(ShipOf(world, 2).alive);
    StepTimes(world, kRespawnTicks);
    EXPECT_TRUE(ShipOf(world, 1).alive);
    EXPECT_TRUE(ShipOf(world, 2).alive);
    EXPECT_EQ(ShipOf(world, 1).score + ShipOf(world, 2).score, 0);
}

// The same seed and the same inputs give the same game, tick for tick.
Snapshot PlayScript(std::uint32_t seed) {
    World world(seed);
    for (std::uint8_t id = 0; id < kMaxShips; ++id) world.AddShip(id);
    for (int tick = 0; tick < 600; ++tick) {
        for (std::uint8_t id = 0; id < kMaxShips; ++id) {
            const int phase = (tick / 15 + id) % 4;
            world.SetInput(
                id, PlayerInput{
                        .thrust = phase != 3, .turn_left = phase == 1, .turn_right = phase == 2, .fire = phase != 0});
        }
        world.Step();
    }
    return world.MakeSnapshot(0);
}

TEST(WorldTest, DeterministicForASeed) {
    const Snapshot a = PlayScript(42);
    EXPECT_EQ(a, PlayScript(42));
    EXPECT_NE(a, PlayScript(43));
    EXPECT_EQ(a.tick, 600u);
    EXPECT_LE(a.bullets.size(), static_cast<std::size_t>(kMaxBullets));
}

TEST(WorldTest, AddAndRemoveShips) {
    World world(9);
    world.AddShip(2);
    world.AddShip(2);
    world.AddShip(kMaxShips);  // out of range
    EXPECT_EQ(world.ship_count(), 1u);
    EXPECT_TRUE(world.HasShip(2));
    EXPECT_FALSE(world.HasShip(kMaxShips));
    world.AddShip(0);
    world.PlaceShip(0, 100.0f, 100.0f, std::numbers::pi_v<float>);
    world.SetInput(0, kFire);
    world.Step();
    EXPECT_EQ(world.bullet_count(), 1u);
    world.RemoveShip(0);
    world.RemoveShip(0);
    EXPECT_EQ(world.ship_count(), 1u);
    EXPECT_EQ(world.bullet_count(), 0u);
    world.SetInput(0, kFire);  // ignored: ship 0 is gone
    world.Step();
    EXPECT_EQ(world.MakeSnapshot(2).ships.size(), 1u);
    EXPECT_EQ(world.MakeSnapshot(2).your_id, 2);
}

TEST(WorldTest, SnapshotsOfAFullWorldAlwaysDecode) {
    World world(77);
    for (std::uint8_t id = 0; id < kMaxShips; ++id) {
        world.AddShip(id);
        world.SetInput(id, PlayerInput{.thrust = true, .turn_left = id % 2 == 0, .fire = true});
    }
    for (int tick = 0; tick < 900; ++tick) {
        world.Step();
        auto decoded = DecodeSnapshot(EncodeSnapshot(world.MakeSnapshot(tick % kMaxShips)));
        ASSERT_TRUE(decoded) << "tick " << tick << ": " << decoded.error().ToString();
    }
}

}  // namespace
}  // namespace spaceships
