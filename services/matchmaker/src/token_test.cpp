#include "token.hpp"

#include <gtest/gtest.h>

#include <set>

#include "gapkit/netcode/connect_token.hpp"

namespace gapkit::matchmaker {
namespace {

edgegap::DeploymentStatus Deployment(std::vector<std::pair<std::string, int>> ports) {
    edgegap::DeploymentStatus deployment;
    deployment.request_id = "abc123";
    deployment.public_ip = "203.0.113.7";
    for (auto& [name, external] : ports) {
        deployment.ports[name] = edgegap::PortMapping{name, external, 7777, "UDP", "", false};
    }
    return deployment;
}

TEST(PickGameEndpoint, TakesTheOnlyPortWhenNoNameIsGiven) {
    auto endpoint = PickGameEndpoint(Deployment({{"gameport", 31000}}), "");
    ASSERT_TRUE(endpoint) << endpoint.error().ToString();
    EXPECT_EQ(endpoint->ip, "203.0.113.7");
    EXPECT_EQ(endpoint->port, 31000);
}

TEST(PickGameEndpoint, TakesTheNamedPort) {
    auto endpoint = PickGameEndpoint(Deployment({{"admin", 31001}, {"game", 31002}}), "game");
    ASSERT_TRUE(endpoint);
    EXPECT_EQ(endpoint->port, 31002);
}

TEST(PickGameEndpoint, RefusesMissingPortsAndAddresses) {
    EXPECT_FALSE(PickGameEndpoint(Deployment({{"game", 31002}}), "other"));
    EXPECT_FALSE(PickGameEndpoint(Deployment({}), ""));
    EXPECT_FALSE(PickGameEndpoint(Deployment({{"game", 0}}), "game"));
    auto no_ip = Deployment({{"game", 31002}});
    no_ip.public_ip.clear();
    EXPECT_FALSE(PickGameEndpoint(no_ip, ""));
}

TEST(MintToken, DecryptsWithTheAppKeyAndNamesTheServer) {
    TokenSettings settings;
    settings.protocol_id = 0x1122334455667788ull;
    settings.private_key.fill(9);
    auto text = MintToken(settings, GameEndpoint{"203.0.113.7", 31000}, 77, 1767225600);
    ASSERT_TRUE(text) << text.error().ToString();
    EXPECT_EQ(text->size(), netcode::kConnectTokenBase64Chars);
    auto bytes = netcode::DecodeConnectTokenBase64(*text);
    ASSERT_TRUE(bytes);
    auto token = netcode::ReadConnectToken(*bytes);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->expire_timestamp, 1767225600u + 30u);
    EXPECT_EQ(token->timeout_seconds, 15);
    ASSERT_EQ(token->server_addresses.size(), 1u);
    EXPECT_EQ(token->server_addresses[0].ToString(), "203.0.113.7:31000");
    auto sealed = token->private_token;
    ASSERT_TRUE(netcode::DecryptPrivateConnectToken(sealed, settings.protocol_id, token->expire_timestamp, token->nonce,
                                                    settings.private_key));
    auto inner = netcode::ReadPrivateConnectToken(sealed);
    ASSERT_TRUE(inner);
    EXPECT_EQ(inner->client_id, 77u);
}

TEST(MintToken, HandlesIpv6AndRefusesHostNames) {
    TokenSettings settings;
    settings.protocol_id = 1;
    EXPECT_TRUE(MintToken(settings, GameEndpoint{"2001:db8::1", 31000}, 1, 1767225600));
    EXPECT_FALSE(MintToken(settings, GameEndpoint{"example.com", 31000}, 1, 1767225600));
}

TEST(NewClientId, IsNonZeroAndDoesNotRepeat) {
    std::set<std::uint64_t> ids;
    for (int i = 0; i < 1000; ++i) ids.insert(NewClientId());
    EXPECT_EQ(ids.size(), 1000u);
    EXPECT_EQ(ids.count(0), 0u);
}

}  // namespace
}  // namespace gapkit::matchmaker
