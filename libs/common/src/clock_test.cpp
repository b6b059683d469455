#include "gapkit/common/clock.hpp"

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenAdvanced) {
    ManualClock clock;
    const auto start = clock.Now();
    const auto wall_start = clock.WallNow();
    EXPECT_EQ(clock.Now(), start);
    clock.Advance(1500ms);
    EXPECT_EQ(clock.Now() - start, 1500ms);
    EXPECT_EQ(clock.WallNow() - wall_start, 1500ms);
}

TEST(ManualClock, UnixSecondsStartsAtConfiguredWallTime) {
    ManualClock clock(Clock::WallTime(std::chrono::seconds(1000)));
    EXPECT_EQ(clock.UnixSeconds(), 1000u);
    clock.Advance(2s);
    EXPECT_EQ(clock.UnixSeconds(), 1002u);
}

TEST(ManualClock, IgnoresNegativeSteps) {
    ManualClock clock;
    const auto start = clock.Now();
    clock.Advance(-5s);
    EXPECT_EQ(clock.Now(), start);
}

TEST(SystemClock, IsMonotonicAndNearWallTime) {
    const Clock& clock = SystemClock::Instance();
    const auto first = clock.Now();
    EXPECT_LE(first, clock.Now());
    EXPECT_GT(clock.UnixSeconds(), 1700000000u);
}

}  // namespace
}  // namespace gapkit::common
