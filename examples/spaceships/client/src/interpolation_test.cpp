#include "interpolation.hpp"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "spaceships/constants.hpp"

namespace spaceships::client {
namespace {

constexpr double kTick = 1.0 / kTickRateHz;

ShipView Ship(std::uint8_t id, float x, float y, float angle = 0) {
    ShipView ship;
    ship.id = id;
    ship.x = x;
    ship.y = y;
    ship.angle_radians = angle;
    return ship;
}

Snapshot At(std::uint32_t tick, std::vector<ShipView> ships, std::vector<BulletView> bullets = {}) {
    Snapshot snapshot;
    snapshot.tick = tick;
    snapshot.your_id = 1;
    snapshot.ships = std::move(ships);
    snapshot.bullets = std::move(bullets);
    return snapshot;
}

const ShipView* Find(const Frame& frame, std::uint8_t id) {
    for (const auto& ship : frame.ships) {
        if (ship.id == id) return &ship;
    }
    return nullptr;
}

TEST(SpaceshipsClientInterpolateTest, HalfWayBetweenTwoSnapshots) {
    Frame frame = Interpolate(At(10, {Ship(1, 100, 200, 0)}), At(11, {Ship(1, 110, 220, 0.2f)}), 0.5);
    ASSERT_EQ(frame.ships.size(), 1u);
    EXPECT_FLOAT_EQ(frame.ships[0].x, 105);
    EXPECT_FLOAT_EQ(frame.ships[0].y, 210);
    EXPECT_FLOAT_EQ(frame.ships[0].angle_radians, 0.1f);
    EXPECT_EQ(frame.tick, 11u);
    EXPECT_EQ(frame.your_id, 1);
}

TEST(SpaceshipsClientInterpolateTest, EndsAreTheSnapshotsAndAlphaIsClamped) {
    Snapshot older = At(10, {Ship(1, 100, 200)});
    Snapshot newer = At(11, {Ship(1, 110, 220)});
    EXPECT_FLOAT_EQ(Interpolate(older, newer, 0).ships[0].x, 100);
    EXPECT_FLOAT_EQ(Interpolate(older, newer, 1).ships[0].x, 110);
    EXPECT_FLOAT_EQ(Interpolate(older, newer, -3).ships[0].x, 100);
    EXPECT_FLOAT_EQ(Interpolate(older, newer, 7).ships[0].x, 110);
}

TEST(SpaceshipsClientInterpolateTest, LeavingRightEntersLeftWithoutSlidingAcross) {
    Frame frame = Interpolate(At(1, {Ship(0, kArenaWidth - 4, 10)}), At(2, {Ship(0, 6, 10)}), 0.5);
    ASSERT_EQ(frame.ships.size(), 1u);
    EXPECT_FLOAT_EQ(frame.ships[0].x, 1);  // 4 units to the edge, then 1 more
    frame = Interpolate(At(1, {Ship(0, kArenaWidth - 4, 10)}), At(2, {Ship(0, 6, 10)}), 0.2);
    EXPECT_FLOAT_EQ(frame.ships[0].x, kArenaWidth - 2);
}

TEST(SpaceshipsClientInterpolateTest, WrapsVerticallyAndAroundTheCircle) {
    const float pi = std::numbers::pi_v<float>;
    Frame frame =
        Interpolate(At(1, {Ship(0, 10, 2, pi - 0.1f)}), At(2, {Ship(0, 10, kArenaHeight - 2, -pi + 0.1f)}), 0.5);
    EXPECT_NEAR(frame.ships[0].y, 0, 1e-3);
    EXPECT_NEAR(std::abs(std::remainder(frame.ships[0].angle_radians, 2 * pi)), pi, 1e-4);
}

TEST(SpaceshipsClientInterpolateTest, AJumpIsNotSlid) {
    Frame frame = Interpolate(At(1, {Ship(0, 100, 100)}), At(2, {Ship(0, 600, 400)}), 0.3);
    EXPECT_FLOAT_EQ(frame.ships[0].x, 100);
    frame = Interpolate(At(1, {Ship(0, 100, 100)}), At(2, {Ship(0, 600, 400)}), 0.7);
    EXPECT_FLOAT_EQ(frame.ships[0].x, 600);
}

TEST(SpaceshipsClientInterpolateTest, ShipsAppearAndDisappearAtTheHalfWayPoint) {
    Snapshot older = At(1, {Ship(0, 10, 10), Ship(2, 50, 50)});
    Snapshot newer = At(2, {Ship(0, 12, 10), Ship(3, 90, 90)});
    Frame early = Interpolate(older, newer, 0.4);
    EXPECT_NE(Find(early, 2), nullptr);
    EXPECT_EQ(Find(early, 3), nullptr);
    Frame late = Interpolate(older, newer, 0.6);
    EXPECT_EQ(Find(late, 2), nullptr);
    ASSERT_NE(Find(late, 3), nullptr);
    EXPECT_FLOAT_EQ(Find(late, 3)->x, 90);
    EXPECT_NE(Find(late, 0), nullptr);
}

TEST(SpaceshipsClientInterpolateTest, RespawnStateComesFromTheNearerSnapshot) {
    ShipView dead = Ship(0, 10, 10);
    dead.alive = false;
    Frame frame = Interpolate(At(1, {Ship(0, 10, 10)}), At(2, {dead}), 0.6);
    EXPECT_FALSE(frame.ships[0].alive);
}

TEST(SpaceshipsClientInterpolateTest, BulletsMatchByOwnerAndNearestPosition) {
    Snapshot older = At(1, {}, {{100, 100, 0}, {500, 500, 1}});
    Snapshot newer = At(2, {}, {{110, 100, 0}, {510, 500, 1}, {300, 300, 1}});
    Frame early = Interpolate(older, newer, 0.25);
    ASSERT_EQ(early.bullets.size(), 2u);  // the new bullet at (300, 300) is not there yet
    EXPECT_FLOAT_EQ(early.bullets[0].x, 102.5f);
    EXPECT_FLOAT_EQ(early.bullets[1].x, 502.5f);
    EXPECT_EQ(Interpolate(older, newer, 0.75).bullets.size(), 3u);
}

TEST(SpaceshipsClientInterpolateTest, AVanishedBulletStaysUntilHalfWay) {
    Snapshot older = At(1, {}, {{100, 100, 0}});
    Snapshot newer = At(2, {}, {});
    EXPECT_EQ(Interpolate(older, newer, 0.4).bullets.size(), 1u);
    EXPECT_EQ(Interpolate(older, newer, 0.6).bullets.size(), 0u);
}

class SpaceshipsClientSnapshotBufferTest : public ::testing::Test {
  protected:
    // Snapshot `tick` with ship 0 at x = 10 * tick, received `delay` after its server time (+5 s).
    void Receive(std::uint32_t tick, double delay = 0) {
        buffer_.Push(At(tick, {Ship(0, 10.0f * tick, 100)}), 5 + tick * kTick + delay);
    }
    float XAt(double local_seconds) {
        Frame frame;
        EXPECT_TRUE(buffer_.Sample(local_seconds, frame));
        return frame.ships.empty() ? -1 : frame.ships[0].x;
    }
    SnapshotBuffer buffer_;
};

TEST_F(SpaceshipsClientSnapshotBufferTest, EmptyHasNothingToDraw) {
    Frame frame;
    EXPECT_FALSE(buffer_.Sample(1, frame));
    EXPECT_TRUE(buffer_.empty());
}

TEST_F(SpaceshipsClientSnapshotBufferTest, InterpolatesOnTheServerTimeline) {
    for (std::uint32_t tick = 10; tick <= 14; ++tick) Receive(tick);
    EXPECT_FLOAT_EQ(XAt(5 + 12.5 * kTick), 125);
    EXPECT_FLOAT_EQ(XAt(5 + 11 * kTick), 110);
}

TEST_F(SpaceshipsClientSnapshotBufferTest, ArrivalJitterDoesNotShakeTheShips) {
    Receive(10, 0.0);
    Receive(11, 0.015);  // a frame late
    Receive(12, 0.002);
    Receive(13, 0.016);
    EXPECT_FLOAT_EQ(XAt(5 + 11.5 * kTick), 115);
    EXPECT_FLOAT_EQ(XAt(5 + 12.25 * kTick), 122.5f);
}

TEST_F(SpaceshipsClientSnapshotBufferTest, BeforeTheOldestShowsTheOldestAndPastTheNewestHoldsIt) {
    Receive(10);
    Receive(11);
    EXPECT_FLOAT_EQ(XAt(5 + 2 * kTick), 100);
    EXPECT_FLOAT_EQ(XAt(5 + 30 * kTick), 110);  // no extrapolation
}

TEST_F(SpaceshipsClientSnapshotBufferTest, AMissingSnapshotInterpolatesAcrossTheGap) {
    Receive(10);
    Receive(13);  // 11 and 12 were lost
    EXPECT_FLOAT_EQ(XAt(5 + 11 * kTick), 110);
    EXPECT_FLOAT_EQ(XAt(5 + 12 * kTick), 120);
}

TEST_F(SpaceshipsClientSnapshotBufferTest, LateAndDuplicateSnapshotsAreIgnored) {
    Receive(10);
    Receive(12);
    EXPECT_FALSE(buffer_.Push(At(11, {Ship(0, 9999, 100)}), 5 + 12.5 * kTick));
    EXPECT_FALSE(buffer_.Push(At(12, {Ship(0, 9999, 100)}), 5 + 12.5 * kTick));
    EXPECT_FLOAT_EQ(XAt(5 + 11 * kTick), 110);
}

TEST_F(SpaceshipsClientSnapshotBufferTest, KeepsOnlyTheNewestAndClears) {
    for (std::uint32_t tick = 1; tick <= 3 * SnapshotBuffer::kCapacity; ++tick) Receive(tick);
    const auto oldest_kept = 2 * SnapshotBuffer::kCapacity + 1;
    EXPECT_FLOAT_EQ(XAt(5), 10.0f * oldest_kept);
    EXPECT_DOUBLE_EQ(buffer_.newest_receive_seconds(), 5 + 3 * SnapshotBuffer::kCapacity * kTick);
    buffer_.Clear();
    EXPECT_TRUE(buffer_.empty());
}

}  // namespace
}  // namespace spaceships::client
