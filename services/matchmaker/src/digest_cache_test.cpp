#include "digest_cache.hpp"

#include <gtest/gtest.h>

namespace gapkit::matchmaker {
namespace {

using namespace std::chrono_literals;
const common::Clock::SteadyTime kStart{};

TEST(DigestCache, KeepsADigestForItsDeploymentAndAddressUntilItsTimeIsUp) {
    DigestCache cache(30s);
    EXPECT_FALSE(cache.Find("d1", "1.2.3.4", kStart));
    cache.Remember("d1", "1.2.3.4", "ab:cd", kStart);
    EXPECT_EQ(cache.Find("d1", "1.2.3.4", kStart + 29s), "ab:cd");
    EXPECT_FALSE(cache.Find("d2", "1.2.3.4", kStart)) << "another deployment on a reused address";
    EXPECT_FALSE(cache.Find("d1", "1.2.3.5", kStart));
    EXPECT_FALSE(cache.Find("d1", "1.2.3.4", kStart + 30s));
    EXPECT_FALSE(cache.Find("d1", "1.2.3.4", kStart + 1s)) << "an expired entry is gone";
}

TEST(DigestCache, KeepsNoEmptyDigest) {
    DigestCache cache;
    cache.Remember("d1", "1.2.3.4", "", kStart);
    EXPECT_FALSE(cache.Find("d1", "1.2.3.4", kStart));
}

TEST(DigestCache, StartsOverWhenFull) {
    DigestCache cache(30s, 2);
    cache.Remember("d1", "ip", "x", kStart);
    cache.Remember("d2", "ip", "y", kStart);
    cache.Remember("d3", "ip", "z", kStart);
    EXPECT_FALSE(cache.Find("d1", "ip", kStart));
    EXPECT_EQ(cache.Find("d3", "ip", kStart), "z");
}

}  // namespace
}  // namespace gapkit::matchmaker
