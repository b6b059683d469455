#include "client_ip_range.hpp"

#include <gtest/gtest.h>

namespace gapkit::loadgen {
namespace {

TEST(ClientIpRange, HandsOutHostAddressesInOrder) {
    auto range = ClientIpRange::Parse("198.18.0.0/15");
    ASSERT_TRUE(range.has_value()) << range.error().ToString();
    EXPECT_EQ(range->size(), 131070u);
    EXPECT_EQ(range->At(0), "198.18.0.1");
    EXPECT_EQ(range->At(1), "198.18.0.2");
    EXPECT_EQ(range->At(255), "198.18.1.0");
    EXPECT_EQ(range->At(131069), "198.19.255.254");
}

TEST(ClientIpRange, WrapsAroundPastTheLastAddress) {
    auto range = ClientIpRange::Parse("10.0.0.0/30");
    ASSERT_TRUE(range.has_value());
    EXPECT_EQ(range->size(), 2u);
    EXPECT_EQ(range->At(0), "10.0.0.1");
    EXPECT_EQ(range->At(1), "10.0.0.2");
    EXPECT_EQ(range->At(2), "10.0.0.1");
}

TEST(ClientIpRange, IgnoresHostBitsBelowThePrefix) {
    auto range = ClientIpRange::Parse("10.1.2.3/24");
    ASSERT_TRUE(range.has_value());
    EXPECT_EQ(range->At(0), "10.1.2.1");
}

TEST(ClientIpRange, KeepsEveryAddressOfATinyRange) {
    auto single = ClientIpRange::Parse("203.0.113.7/32");
    ASSERT_TRUE(single.has_value());
    EXPECT_EQ(single->size(), 1u);
    EXPECT_EQ(single->At(5), "203.0.113.7");
    auto pair = ClientIpRange::Parse("203.0.113.6/31");
    ASSERT_TRUE(pair.has_value());
    EXPECT_EQ(pair->At(1), "203.0.113.7");
}

TEST(ClientIpRange, RefusesWhatIsNotAnIpv4Range) {
    for (const char* bad : {"", "198.18.0.0", "198.18.0.0/33", "fd00::/8", "example.com/8", "1.2.3.4/"}) {
        auto range = ClientIpRange::Parse(bad);
        ASSERT_FALSE(range.has_value()) << bad;
        EXPECT_EQ(range.error().code(), common::ErrorCode::kInvalidArgument) << bad;
    }
}

}  // namespace
}  // namespace gapkit::loadgen
