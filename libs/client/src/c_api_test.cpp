#include "gapkit/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "gapkit/common/clock.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/netcode/server.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "script_server_test_support.hpp"

extern "C" int gapkit_client_c_api_round_trip(const char* address, uint64_t protocol_id, const uint8_t key[32],
                                              void (*tick)(void*, double), void* context);
extern "C" int gapkit_client_c_api_dev_key_round_trip(const char* address, uint64_t protocol_id,
                                                      void (*tick)(void*, double), void* context);

namespace gapkit::client {
namespace {

constexpr std::uint64_t kProtocolId = 99;

// Ticks the server from the C loop and answers every payload with "ok".
void TickServer(void* context, double now_seconds) {
    auto& server = *static_cast<netcode::Server*>(context);
    server.Update(now_seconds, common::SystemClock::Instance().UnixSeconds());
    netcode::ServerEvent event;
    while (server.Poll(event)) {
        if (event.type != netcode::ServerEventType::kPayload) continue;
        const std::uint8_t ok[2] = {'o', 'k'};
        EXPECT_TRUE(server.SendPayload(event.client_index, ok));
    }
}

netcode::ServerConfig LoopbackServerConfig(const netcode::Key& key) {
    netcode::ServerConfig config;
    config.protocol_id = kProtocolId;
    config.private_key = key;
    config.bind_address = netcode::Address::Ipv4(127, 0, 0, 1, 0);
    return config;
}

TEST(ClientCApi, DirectConnectRoundTripFromC) {
    const netcode::Key key = netcode::GenerateKey();
    netcode::Server server(LoopbackServerConfig(key));
    ASSERT_TRUE(server.Start());
    const std::string address = server.bound_address().ToString();
    EXPECT_EQ(gapkit_client_c_api_round_trip(address.c_str(), kProtocolId, key.data(), TickServer, &server), 0);
}

TEST(ClientCApi, ConnectsWithTheDevKeyAndLogsThroughTheCallbackFromC) {
    netcode::Server server(LoopbackServerConfig(netcode::DevPrivateKey()));
    ASSERT_TRUE(server.Start());
    const std::string address = server.bound_address().ToString();
    EXPECT_EQ(gapkit_client_c_api_dev_key_round_trip(address.c_str(), kProtocolId, TickServer, &server), 0);
}

TEST(ClientCApi, CreateReportsBadConfig) {
    gapkit_client_config config;
    gapkit_client_config_init(&config);
    config.matchmaker_url = "ftp://nowhere";
    char error[128] = {0};
    EXPECT_EQ(gapkit_client_create(&config, error, sizeof error), nullptr);
    EXPECT_NE(std::string(error).find("matchmaker_url"), std::string::npos) << error;
}

TEST(ClientCApi, OwnTransportHandsOutTheConnectionRequest) {
    const netcode::Key key = netcode::GenerateKey();
    const auto server = netcode::Address::Ipv4(127, 0, 0, 1, 7777);
    netcode::ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.private_key = key;
    params.client_id = 5;
    params.public_server_addresses = {server};
    auto token = netcode::GenerateConnectToken(params, common::SystemClock::Instance().UnixSeconds());
    ASSERT_TRUE(token);
    testing::ScriptServer matchmaker({protocol::SerializeMatchReply(protocol::SessionReady{
                                         netcode::EncodeConnectTokenBase64(*token), "127.0.0.1", 7777, ""})},
                                     testing::ScriptEnding::kClose);
    gapkit_client_config config;
    gapkit_client_config_init(&config);
    EXPECT_EQ(config.own_transport, 0);
    config.own_transport = 1;
    const std::string url = matchmaker.Url();
    config.matchmaker_url = url.c_str();
    gapkit_client* client = gapkit_client_create(&config, nullptr, 0);
    ASSERT_NE(client, nullptr);
    std::uint8_t request[1078];
    EXPECT_EQ(gapkit_client_connection_request(client, request, sizeof request), -1) << "no token yet";
    ASSERT_EQ(gapkit_client_find_server(client, "chat", "1"), 0);
    for (double now = 1; now < 10 && gapkit_client_get_state(client) == GAPKIT_CLIENT_MATCHMAKING; now += 0.01) {
        gapkit_client_update(client, now);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(gapkit_client_get_state(client), GAPKIT_CLIENT_SERVER_FOUND);
    EXPECT_STREQ(gapkit_client_state_name(GAPKIT_CLIENT_SERVER_FOUND), "server_found");
    char address[64];
    EXPECT_EQ(gapkit_client_server_address(client, address, sizeof address), 14);
    EXPECT_STREQ(address, "127.0.0.1:7777");
    EXPECT_EQ(gapkit_client_connection_request(client, request, 1077), -1);
    ASSERT_EQ(gapkit_client_connection_request(client, request, sizeof request), 0);
    const netcode::Address own[] = {server};
    auto opened =
        netcode::OpenConnectionRequest(request, kProtocolId, key, common::SystemClock::Instance().UnixSeconds(), own);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->token.client_id, 5u);
    gapkit_client_destroy(client);
}

TEST(ClientCApi, NullHandleIsHarmless) {
    gapkit_client_update(nullptr, 1.0);
    gapkit_client_destroy(nullptr);
    gapkit_client_event event;
    EXPECT_EQ(gapkit_client_poll(nullptr, &event), 0);
    EXPECT_EQ(gapkit_client_send(nullptr, nullptr, 0), -1);
}

}  // namespace
}  // namespace gapkit::client
