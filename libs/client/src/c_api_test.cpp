#include "gapkit/client.h"

#include <gtest/gtest.h>

#include "gapkit/common/clock.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/netcode/server.hpp"

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

TEST(ClientCApi, NullHandleIsHarmless) {
    gapkit_client_update(nullptr, 1.0);
    gapkit_client_destroy(nullptr);
    gapkit_client_event event;
    EXPECT_EQ(gapkit_client_poll(nullptr, &event), 0);
    EXPECT_EQ(gapkit_client_send(nullptr, nullptr, 0), -1);
}

}  // namespace
}  // namespace gapkit::client
