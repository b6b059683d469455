#include "client_address.hpp"

#include <gtest/gtest.h>

namespace gapkit::httpd {
namespace {

TEST(ClientAddress, UsesPeerByDefaultAndIgnoresUntrustedHeaders) {
    HttpdConfig config;
    EXPECT_EQ(ResolveClientIp(config, "81.1.1.1", "9.9.9.9", std::string("8.8.8.8")), "81.1.1.1");
}

TEST(ClientAddress, TrustsLastForwardedEntryFromTrustedProxy) {
    HttpdConfig config;
    config.trusted_proxies = {"10.0.0.2"};
    EXPECT_EQ(ResolveClientIp(config, "10.0.0.2", "1.1.1.1, 81.2.3.4", std::nullopt), "81.2.3.4");
    EXPECT_EQ(ResolveClientIp(config, "10.0.0.2", "garbage", std::nullopt), "10.0.0.2");
    EXPECT_EQ(ResolveClientIp(config, "10.0.0.3", "81.2.3.4", std::nullopt), "10.0.0.3");
}

TEST(ClientAddress, OverrideOnlyWhenAllowed) {
    HttpdConfig config;
    config.allow_client_ip_override = true;
    EXPECT_EQ(ResolveClientIp(config, "127.0.0.1", "", std::string("81.128.157.123")), "81.128.157.123");
    EXPECT_EQ(ResolveClientIp(config, "127.0.0.1", "", std::nullopt), "127.0.0.1");
}

TEST(ClientAddress, FakeIpReplacesPrivateAddresses) {
    HttpdConfig config;
    config.fake_ip = "81.128.157.100";
    EXPECT_EQ(ResolveClientIp(config, "127.0.0.1", "", std::nullopt), "81.128.157.100");
    EXPECT_EQ(ResolveClientIp(config, "192.168.1.4", "", std::nullopt), "81.128.157.100");
    EXPECT_EQ(ResolveClientIp(config, "81.2.3.4", "", std::nullopt), "81.2.3.4");
}

TEST(ClientAddress, KnowsPrivateRanges) {
    for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.1", "192.168.0.1", "169.254.1.1", "::1",
                           "fd00::1", "fe80::1", "::ffff:10.0.0.1"}) {
        EXPECT_TRUE(IsPrivateAddress(ip)) << ip;
    }
    for (const char* ip : {"81.128.157.123", "172.32.0.1", "2001:db8::1", "not an ip"}) {
        EXPECT_FALSE(IsPrivateAddress(ip)) << ip;
    }
}

}  // namespace
}  // namespace gapkit::httpd
