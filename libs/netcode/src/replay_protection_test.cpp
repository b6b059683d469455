#include "gapkit/netcode/replay_protection.hpp"

#include <gtest/gtest.h>

namespace gapkit::netcode {
namespace {

TEST(ReplayProtection, AcceptsEachSequenceOnce) {
    ReplayProtection replay;
    for (std::uint64_t s = 0; s < 1000; ++s) {
        ASSERT_FALSE(replay.AlreadyReceived(s));
        replay.Advance(s);
        ASSERT_TRUE(replay.AlreadyReceived(s));
    }
    EXPECT_TRUE(replay.AlreadyReceived(1000 - 256)) << "too old";
    EXPECT_FALSE(replay.AlreadyReceived(1000));
}

TEST(ReplayProtection, HandlesSequencesNearTheTopWithoutOverflow) {
    ReplayProtection replay;
    const std::uint64_t top = UINT64_MAX;
    EXPECT_FALSE(replay.AlreadyReceived(top - 1));
    replay.Advance(top - 1);
    EXPECT_TRUE(replay.AlreadyReceived(top - 1));
    EXPECT_FALSE(replay.AlreadyReceived(top));
    replay.Advance(top);
    // UINT64_MAX doubles as the reference's "empty" marker, so it never reads as received; harmless
    // because per-connection sequences start at 0 and cannot reach it.
    EXPECT_FALSE(replay.AlreadyReceived(top));
    EXPECT_TRUE(replay.AlreadyReceived(top - 256));
    EXPECT_TRUE(replay.AlreadyReceived(0));
    EXPECT_FALSE(replay.AlreadyReceived(top - 100));
}

TEST(ReplayProtection, ResetForgetsEverything) {
    ReplayProtection replay;
    replay.Advance(5000);
    replay.Reset();
    EXPECT_FALSE(replay.AlreadyReceived(5000));
    EXPECT_FALSE(replay.AlreadyReceived(0));
    EXPECT_EQ(replay.most_recent_sequence(), 0u);
}

}  // namespace
}  // namespace gapkit::netcode
