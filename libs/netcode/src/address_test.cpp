#include "gapkit/netcode/address.hpp"

#include <gtest/gtest.h>

namespace gapkit::netcode {
namespace {

TEST(Address, ParsesIpv4WithOctetsInReadingOrder) {
    auto address = Address::Parse("10.20.30.40:6420");
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(*address, Address::Ipv4(10, 20, 30, 40, 6420));
    EXPECT_EQ(address->ToString(), "10.20.30.40:6420");
}

TEST(Address, ParsesIpv6GroupsAsNumbersLikeTheReference) {
    auto address = Address::Parse("[fe80::202:b3ff:fe1e:8329]:40000");
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(address->type, AddressType::kIpv6);
    const std::array<std::uint16_t, 8> groups = {0xfe80, 0, 0, 0, 0x0202, 0xb3ff, 0xfe1e, 0x8329};
    EXPECT_EQ(address->ipv6, groups);
    EXPECT_EQ(address->port, 40000);
    EXPECT_EQ(address->ToString(), "[fe80::202:b3ff:fe1e:8329]:40000");
    EXPECT_EQ(Address::Parse("[::1]:1")->ipv6[7], 1);
}

TEST(Address, RejectsMalformedText) {
    for (const char* text :
         {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:1x", "256.0.0.1:1",
          "localhost:80", "::1:80", "[::1]", "[::1]80", "[::g]:80", "[]:1", "1.2.3:4"}) {
        EXPECT_FALSE(Address::Parse(text).has_value()) << text;
    }
}

TEST(Address, BuildsFromABareIpAndAPort) {
    EXPECT_EQ(Address::FromIp("203.0.113.7", 30004), Address::Ipv4(203, 0, 113, 7, 30004));
    EXPECT_EQ(Address::FromIp("::1", 9)->ipv6[7], 1);
    EXPECT_FALSE(Address::FromIp("[::1]", 9).has_value());
    EXPECT_FALSE(Address::FromIp("example.com", 9).has_value());
    EXPECT_FALSE(Address::FromIp("1.2.3.4:5", 9).has_value());
}

TEST(Address, ComparesTypeIpAndPort) {
    EXPECT_EQ(*Address::Parse("127.0.0.1:5"), Address::Ipv4(127, 0, 0, 1, 5));
    EXPECT_NE(*Address::Parse("127.0.0.1:5"), Address::Ipv4(127, 0, 0, 1, 6));
    EXPECT_NE(*Address::Parse("[::ffff:127.0.0.1]:5"), Address::Ipv4(127, 0, 0, 1, 5));
}

}  // namespace
}  // namespace gapkit::netcode
