#include "client_address.hpp"

#include <gtest/gtest.h>

namespace gapkit::httpd {
namespace {

namespace http = boost::beast::http;

ClientAddressPolicy Policy(std::vector<std::string> proxies, std::string header = "x-forwarded-for") {
    HttpdConfig config;
    config.trusted_proxies = std::move(proxies);
    config.forwarded_header = std::move(header);
    auto policy = ClientAddressPolicy::FromConfig(config);
    EXPECT_TRUE(policy.has_value()) << policy.error().ToString();
    return policy.value_or(ClientAddressPolicy{});
}

// The client seen from `peer` with these header lines (name, value), in order.
ClientAddress Resolve(const ClientAddressPolicy& policy, std::string_view peer,
                      std::vector<std::pair<std::string, std::string>> lines) {
    http::fields fields;
    for (const auto& [name, value] : lines) fields.insert(name, value);
    return ResolveClient(policy, peer, fields);
}

TEST(ClientAddress, UsesPeerAndIgnoresHeadersFromUntrustedPeers) {
    const auto policy = Policy({"10.0.0.2"});
    const auto client = Resolve(policy, "81.1.1.1", {{"X-Forwarded-For", "9.9.9.9"}});
    EXPECT_EQ(client.ip, "81.1.1.1");
    EXPECT_FALSE(client.via_proxy);
}

TEST(ClientAddress, WalksTheChainRightToLeftSkippingTrustedProxies) {
    const auto policy = Policy({"127.0.0.1", "10.0.0.0/8"});
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "1.1.1.1, 81.2.3.4, 10.1.2.3"}}).ip, "81.2.3.4");
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "81.2.3.4"}}).ip, "81.2.3.4");
    EXPECT_TRUE(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "81.2.3.4"}}).via_proxy);
    // Every entry trusted: the leftmost is the client.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "10.0.0.9, 10.0.0.8"}}).ip, "10.0.0.9");
    // No header at all: the proxy itself.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {}).ip, "127.0.0.1");
}

TEST(ClientAddress, JoinsEveryHeaderLineInOrder) {
    const auto policy = Policy({"127.0.0.1", "10.0.0.5"});
    const auto client =
        Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "7.7.7.7, 81.2.3.4"}, {"X-Forwarded-For", "10.0.0.5"}});
    EXPECT_EQ(client.ip, "81.2.3.4");
}

TEST(ClientAddress, AppendedHeadersCannotSpoofTheClient) {
    const auto policy = Policy({"127.0.0.1"});
    // HAProxy's `option forwardfor` adds a second line after the client's own.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "1.2.3.4"}, {"X-Forwarded-For", "81.9.9.9"}}).ip,
              "81.9.9.9");
    // nginx's $proxy_add_x_forwarded_for appends to the client's line.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "1.2.3.4, 81.9.9.9"}}).ip, "81.9.9.9");
    // The client claims to be a trusted proxy with a chain behind it: still its own address wins.
    EXPECT_EQ(
        Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "1.2.3.4, 127.0.0.1"}, {"X-Forwarded-For", "81.9.9.9"}}).ip,
        "81.9.9.9");
}

TEST(ClientAddress, TrustedProxiesMayBeCidrRanges) {
    const auto policy = Policy({"172.30.0.0/16", "fd00::/8"});
    EXPECT_EQ(Resolve(policy, "172.30.4.5", {{"X-Forwarded-For", "81.2.3.4"}}).ip, "81.2.3.4");
    EXPECT_EQ(Resolve(policy, "172.31.0.1", {{"X-Forwarded-For", "81.2.3.4"}}).ip, "172.31.0.1");
    EXPECT_EQ(Resolve(policy, "fd12::1", {{"X-Forwarded-For", "2001:db8::1"}}).ip, "2001:db8::1");
    EXPECT_EQ(Resolve(policy, "::ffff:172.30.0.1", {{"X-Forwarded-For", "81.2.3.4"}}).ip, "81.2.3.4");
}

TEST(ClientAddress, BadTrustedProxiesAreRefusedAtStartUp) {
    for (const char* bad : {"localhost", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "1.2.3.4/x", ""}) {
        auto list = ProxyList::Parse({bad});
        ASSERT_FALSE(list.has_value()) << bad;
        EXPECT_NE(list.error().message().find("trusted proxy"), std::string::npos);
    }
    HttpdConfig config;
    config.forwarded_header = "x-real-ip";
    EXPECT_FALSE(ClientAddressPolicy::FromConfig(config).has_value());
    config = HttpdConfig{};
    config.ipv6_limit_prefix_bits = 0;
    EXPECT_FALSE(ClientAddressPolicy::FromConfig(config).has_value());
}

TEST(ClientAddress, MalformedEntryStopsAtTheNearestTrustedHop) {
    const auto policy = Policy({"127.0.0.1", "10.0.0.5"});
    // Right after the peer: the peer is the client (a client cannot pick an address with garbage).
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "81.2.3.4, garbage"}}).ip, "127.0.0.1");
    // Behind a trusted hop: that hop.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "81.2.3.4, unknown, 10.0.0.5"}}).ip, "10.0.0.5");
    // Garbage left of the client does not matter.
    EXPECT_EQ(Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "garbage, 81.2.3.4"}}).ip, "81.2.3.4");
}

TEST(ClientAddress, XForwardedForEntriesMayCarryPorts) {
    EXPECT_EQ(ParseXForwardedFor("1.2.3.4:5678, [2001:db8::1]:443, [2001:db8::2], 2001:db8::3").size(), 4u);
    for (const auto& entry : ParseXForwardedFor("1.2.3.4:5678, [2001:db8::1]:443, [2001:db8::2], 2001:db8::3")) {
        EXPECT_TRUE(entry.has_value());
    }
    for (const auto& entry : ParseXForwardedFor("1.2.3.4:99999, [1.2.3.4], [::1, ::1]:x, 1.2.3")) {
        EXPECT_FALSE(entry.has_value());
    }
}

TEST(ClientAddress, ParsesRfc7239Forwarded) {
    const auto entries = ParseForwarded(
        R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", for="198.51.100.17:80", )"
        R"(for=unknown, for=_hidden, proto=https, for="_x;y")");
    ASSERT_EQ(entries.size(), 7u);
    EXPECT_EQ(entries[0]->to_string(), "192.0.2.60");
    EXPECT_EQ(entries[1]->to_string(), "2001:db8:cafe::17");
    EXPECT_EQ(entries[2]->to_string(), "198.51.100.17");
    for (std::size_t i = 3; i < entries.size(); ++i) EXPECT_FALSE(entries[i].has_value()) << i;
}

TEST(ClientAddress, ForwardedIsBelievedOnlyWhenConfigured) {
    const auto forwarded = Policy({"127.0.0.1"}, "forwarded");
    const std::vector<std::pair<std::string, std::string>> lines = {{"Forwarded", "for=81.1.1.1"},
                                                                    {"X-Forwarded-For", "81.2.2.2"}};
    EXPECT_EQ(Resolve(forwarded, "127.0.0.1", lines).ip, "81.1.1.1");
    EXPECT_EQ(Resolve(Policy({"127.0.0.1"}), "127.0.0.1", lines).ip, "81.2.2.2");
    EXPECT_EQ(
        Resolve(forwarded, "127.0.0.1", {{"Forwarded", "for=1.2.3.4"}, {"Forwarded", R"(for="[2001:db8::9]")"}}).ip,
        "2001:db8::9");
    EXPECT_EQ(Resolve(forwarded, "127.0.0.1", {{"Forwarded", "for=unknown"}}).ip, "127.0.0.1");
}

TEST(ClientAddress, Ipv6ClientsAreLimitedPerPrefixButReportedInFull) {
    const auto policy = Policy({"127.0.0.1"});
    const auto a = Resolve(policy, "127.0.0.1", {{"X-Forwarded-For", "2001:db8:1:2:aaaa::1"}});
    const auto b = Resolve(policy, "2001:db8:1:2:bbbb::7", {});
    EXPECT_EQ(a.ip, "2001:db8:1:2:aaaa::1");
    EXPECT_EQ(a.limit_key, "2001:db8:1:2::/64");
    EXPECT_EQ(b.limit_key, a.limit_key);
    EXPECT_NE(Resolve(policy, "2001:db8:1:3::1", {}).limit_key, a.limit_key);
    EXPECT_EQ(LimitKey(boost::asio::ip::make_address("2001:db8:1:2:3::1"), 48), "2001:db8:1::/48");
    EXPECT_EQ(LimitKey(boost::asio::ip::make_address("81.2.3.4"), 64), "81.2.3.4");
    EXPECT_EQ(LimitKey(boost::asio::ip::make_address("::ffff:81.2.3.4"), 64), "81.2.3.4");
}

TEST(ClientAddress, OverrideOnlyWhenAllowed) {
    HttpdConfig config;
    EXPECT_EQ(MatchmakerClientIp(config, "81.1.1.1", std::string("8.8.8.8")), "81.1.1.1");
    config.allow_client_ip_override = true;
    EXPECT_EQ(MatchmakerClientIp(config, "127.0.0.1", std::string("81.128.157.123")), "81.128.157.123");
    EXPECT_EQ(MatchmakerClientIp(config, "127.0.0.1", std::nullopt), "127.0.0.1");
}

TEST(ClientAddress, FakeIpReplacesPrivateAddresses) {
    HttpdConfig config;
    config.fake_ip = "81.128.157.100";
    EXPECT_EQ(MatchmakerClientIp(config, "127.0.0.1", std::nullopt), "81.128.157.100");
    EXPECT_EQ(MatchmakerClientIp(config, "192.168.1.4", std::nullopt), "81.128.157.100");
    EXPECT_EQ(MatchmakerClientIp(config, "81.2.3.4", std::nullopt), "81.2.3.4");
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
