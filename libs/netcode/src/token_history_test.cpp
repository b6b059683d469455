#include "token_history.hpp"

#include <gtest/gtest.h>

namespace gapkit::netcode::detail {
namespace {

Mac MacOf(std::uint32_t n) {
    Mac mac{};
    for (int i = 0; i < 4; ++i) mac[i] = static_cast<std::uint8_t>(n >> (8 * i));
    mac[15] = 1;
    return mac;
}

const Address kOwner = Address::Ipv4(10, 0, 0, 1, 5000);
const Address kThief = Address::Ipv4(10, 0, 0, 2, 5000);

TEST(TokenHistory, AllowsResendsFromTheSameAddressOnly) {
    TokenHistory history;
    EXPECT_TRUE(history.FindOrAdd(MacOf(1), kOwner, 1.0));
    EXPECT_TRUE(history.FindOrAdd(MacOf(1), kOwner, 1.1));
    EXPECT_FALSE(history.FindOrAdd(MacOf(1), kThief, 1.2));
    EXPECT_TRUE(history.FindOrAdd(MacOf(2), kThief, 1.3));
}

TEST(TokenHistory, ForgetsTheOldestWhenFullAndEverythingOnClear) {
    TokenHistory history;
    for (std::uint32_t i = 0; i < TokenHistory::kEntries; ++i) {
        ASSERT_TRUE(history.FindOrAdd(MacOf(i), kOwner, static_cast<double>(i)));
    }
    ASSERT_TRUE(history.FindOrAdd(MacOf(100000), kOwner, 1e6));  // evicts MacOf(0), the oldest
    EXPECT_TRUE(history.FindOrAdd(MacOf(0), kThief, 1e6 + 1));
    EXPECT_FALSE(history.FindOrAdd(MacOf(5), kThief, 1e6 + 2));
    history.Clear();
    EXPECT_TRUE(history.FindOrAdd(MacOf(5), kThief, 1e6 + 3));
}

}  // namespace
}  // namespace gapkit::netcode::detail
