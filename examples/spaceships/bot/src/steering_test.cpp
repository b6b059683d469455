#include "steering.hpp"

#include <numbers>

#include <gtest/gtest.h>

namespace spaceships::bot {
namespace {

Snapshot Scene(ShipView me, std::vector<ShipView> others = {}) {
    Snapshot snapshot{.tick = 100, .your_id = me.id, .ships = {me}, .bullets = {}};
    snapshot.ships.insert(snapshot.ships.end(), others.begin(), others.end());
    return snapshot;
}

TEST(SteeringTest, FiresAtAShipDeadAhead) {
    const PlayerInput input = Steer(Scene({.id = 0, .x = 100, .y = 100}, {{.id = 1, .x = 300, .y = 100}}));
    EXPECT_TRUE(input.fire);
    EXPECT_TRUE(input.thrust);
    EXPECT_FALSE(input.turn_left);
    EXPECT_FALSE(input.turn_right);
}

TEST(SteeringTest, TurnsTowardsTheNearestLiveShip) {
    // Facing +x; the nearest live ship is above on screen (smaller y): a left, counter-clockwise turn.
    const ShipView above{.id = 1, .x = 100, .y = 50};
    const ShipView below_far{.id = 2, .x = 100, .y = 400};
    const ShipView below_dead{.id = 3, .x = 100, .y = 120, .alive = false};
    const PlayerInput input = Steer(Scene({.id = 0, .x = 100, .y = 100}, {above, below_far, below_dead}));
    EXPECT_TRUE(input.turn_left);
    EXPECT_FALSE(input.fire);
}

TEST(SteeringTest, AimsAcrossTheWrappedEdge) {
    // The other ship is 40 units away through the left edge, not 1200 units to the right.
    const PlayerInput input = Steer(Scene({.id = 0, .x = 20, .y = 100, .angle_radians = std::numbers::pi_v<float>},
                                          {{.id = 1, .x = kArenaWidth - 20, .y = 100}}));
    EXPECT_TRUE(input.fire);
}

TEST(SteeringTest, WandersAloneAndHoldsStillWhenDeadOrAbsent) {
    const PlayerInput alone = Steer(Scene({.id = 0, .x = 100, .y = 100}));
    EXPECT_FALSE(alone.fire);
    EXPECT_EQ(Steer(Scene({.id = 0, .x = 1, .y = 1, .alive = false})), PlayerInput{});
    Snapshot missing = Scene({.id = 0, .x = 1, .y = 1});
    missing.your_id = 4;
    EXPECT_EQ(Steer(missing), PlayerInput{});
}

}  // namespace
}  // namespace spaceships::bot
