#include "gapkit/common/token_bucket.hpp"

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, AllowsBurstThenRate) {
    ManualClock clock;
    TokenBucket bucket(2.0, 3.0, clock.Now());
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.TryTake(clock.Now()));
    clock.Advance(500ms);
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucket, ReserveQueuesCallersInOrder) {
    ManualClock clock;
    TokenBucket bucket(10.0, 1.0, clock.Now());
    EXPECT_EQ(bucket.Reserve(clock.Now()), 0ns);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 100ms);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 200ms);
}

TEST(TokenBucket, TellsWhenTheNextTokenComesWithoutTakingIt) {
    ManualClock clock;
    TokenBucket bucket(10.0, 1.0, clock.Now());
    EXPECT_EQ(bucket.TimeUntilToken(clock.Now()), 0ns);
    EXPECT_EQ(bucket.TimeUntilToken(clock.Now()), 0ns);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 0ns);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 100ms);
    // Two taken, one of them promised 100 ms from now: the next is free in 200 ms.
    EXPECT_EQ(bucket.TimeUntilToken(clock.Now()), 200ms);
    clock.Advance(200ms);
    EXPECT_EQ(bucket.TimeUntilToken(clock.Now()), 0ns);
}

TEST(TokenBucket, RefillsOnlyUpToBurst) {
    ManualClock clock;
    TokenBucket bucket(1.0, 2.0, clock.Now());
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.IsFull(clock.Now()));
    clock.Advance(1h);
    EXPECT_TRUE(bucket.IsFull(clock.Now()));
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucket, EarlierTimeAddsNothing) {
    ManualClock clock;
    clock.Advance(10s);
    TokenBucket bucket(1.0, 1.0, clock.Now());
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.TryTake(clock.Now() - 5s));
}

TEST(TokenBucket, SetRateKeepsPromisedWaitsAndQueuesLaterCallersAtTheNewRate) {
    ManualClock clock;
    TokenBucket bucket(10.0, 2.0, clock.Now());
    EXPECT_EQ(bucket.Reserve(clock.Now()), 0ns);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 0ns);
    EXPECT_EQ(bucket.Reserve(clock.Now()), 100ms);  // Promised before the change: kept.
    bucket.SetRate(5.0, 1.0, clock.Now());
    EXPECT_EQ(bucket.Reserve(clock.Now()), 400ms);  // -1 token owed, then 1 more at 5/s.
    clock.Advance(10s);
    EXPECT_TRUE(bucket.TryTake(clock.Now()));
    EXPECT_FALSE(bucket.TryTake(clock.Now()));  // Refilled only up to the new burst.
}

}  // namespace
}  // namespace gapkit::common
