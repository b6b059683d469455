#include "gapkit/server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "c_api_test_support.h"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace {

std::uint16_t FreeUdpPort() {
    auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
    EXPECT_TRUE(port.has_value());
    return port.value_or(0);
}
const gapkit::testing::EnvOverrides kLocalMode{{"ARBITRIUM_REQUEST_ID", std::nullopt}};
// Local mode with no key or protocol id in the environment: the development key, with its warning.
const gapkit::testing::EnvOverrides kLocalModeWithoutKey{{"ARBITRIUM_REQUEST_ID", std::nullopt},
                                                         {"GAPKIT_PRIVATE_KEY", std::nullopt},
                                                         {"GAPKIT_PRIVATE_KEY_FILE", std::nullopt},
                                                         {"GAPKIT_PROTOCOL_ID", std::nullopt}};

TEST(ServerCApi, SessionGateAdmitsFromC) {
    gapkit::testing::ScopedEnv env(kLocalModeWithoutKey);
    const std::uint16_t port = FreeUdpPort();
    gapkit::netcode::ConnectTokenParams params;
    params.protocol_id = 80085;
    params.private_key = gapkit::netcode::DevPrivateKey();
    params.client_id = 31;
    params.public_server_addresses = {gapkit::netcode::Address::Ipv4(127, 0, 0, 1, port)};
    auto token = gapkit::netcode::GenerateConnectToken(
        params, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()));
    ASSERT_TRUE(token) << token.error().ToString();
    auto request = gapkit::netcode::MakeConnectionRequest(*token);
    ASSERT_TRUE(request) << request.error().ToString();
    char error[256] = "";
    EXPECT_EQ(gapkit_gate_c_admits(port, request->data(), request->size(), error, sizeof(error)), 0) << error;
}

TEST(ServerCApi, UsableFromC) {
    gapkit::testing::ScopedEnv env(kLocalMode);
    char error[256] = "";
    EXPECT_EQ(gapkit_server_c_smoke(FreeUdpPort(), error, sizeof(error)), 0) << error;
}

TEST(ServerCApi, AdvertisesAddressAndWebTransportPortAndLogsThroughTheCallbackFromC) {
    gapkit::testing::ScopedEnv env(kLocalModeWithoutKey);
    char error[256] = "";
    EXPECT_EQ(gapkit_server_c_parity(FreeUdpPort(), FreeUdpPort(), error, sizeof(error)), 0) << error;
    EXPECT_EQ(gapkit_server_c_enum_names(), 0);
}

TEST(ServerCApi, DevKeyEqualsTheCppOne) {
    std::uint8_t key[32] = {};
    gapkit_dev_private_key(key);
    const auto expected = gapkit::netcode::DevPrivateKey();
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), key));
}

TEST(ServerCApi, LogLevelIsClampedToTheKnownLevels) {
    gapkit_set_log_level(static_cast<gapkit_log_level>(7));  // The largest value C++ allows the enum.
    EXPECT_EQ(gapkit::common::GetLogLevel(), gapkit::common::LogLevel::kTrace);
    gapkit_set_log_level(GAPKIT_LOG_ERROR);
    EXPECT_EQ(gapkit::common::GetLogLevel(), gapkit::common::LogLevel::kError);
    gapkit_set_log_level(GAPKIT_LOG_INFO);
}

TEST(ServerCApi, CreateReportsWhyItFailed) {
    char error[256] = "";
    EXPECT_EQ(gapkit_server_c_bad_config(error, sizeof(error)), 0);
    EXPECT_NE(std::string(error).find("max_clients"), std::string::npos) << error;
    char tiny[8];
    EXPECT_EQ(gapkit_server_create(nullptr, 0, nullptr, tiny, sizeof(tiny)), nullptr);
    EXPECT_EQ(std::string(tiny).size(), 7u);
}

TEST(ServerCApi, PlayerJoinsAndSendsThroughTheCEvents) {
    gapkit::testing::ScopedEnv env(kLocalMode);
    gapkit_server_config config;
    gapkit_server_config_init(&config);
    config.protocol_id = 80085;
    config.local_port = FreeUdpPort();
    config.use_bus = 0;
    char error[256] = "";
    gapkit_server* server = gapkit_server_create(&config, 0, nullptr, error, sizeof(error));
    ASSERT_NE(server, nullptr) << error;

    gapkit::netcode::ConnectTokenParams params;
    params.protocol_id = 80085;
    params.private_key = gapkit::netcode::DevPrivateKey();
    params.client_id = 31;
    params.public_server_addresses = {gapkit::netcode::Address::Ipv4(127, 0, 0, 1, config.local_port)};
    params.user_data[3] = 9;
    const auto now_unix = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    auto token = gapkit::netcode::GenerateConnectToken(params, now_unix);
    ASSERT_TRUE(token);
    gapkit::netcode::Client client;
    ASSERT_TRUE(client.Connect(*token, 0.0));

    bool joined = false;
    bool got_payload = false;
    const std::uint8_t hello[] = {7, 8};
    for (int i = 1; i < 500 && !got_payload; ++i) {
        client.Update(i * 0.02);
        gapkit_server_update(server, i * 0.02);
        gapkit_server_event event;
        while (gapkit_server_poll(server, &event) == 1) {
            if (event.type == GAPKIT_SERVER_EVENT_PLAYER_JOINED) {
                joined = true;
                EXPECT_EQ(event.client_id, 31u);
                EXPECT_EQ(event.user_data[3], 9);
                EXPECT_STREQ(event.session_id, "");
            }
            if (event.type == GAPKIT_SERVER_EVENT_PAYLOAD) {
                got_payload = true;
                ASSERT_EQ(event.payload_bytes, 2u);
                EXPECT_EQ(event.payload[0], 7);
            }
        }
        if (joined && client.state() == gapkit::netcode::ClientState::kConnected) (void)client.SendPayload(hello);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(joined);
    EXPECT_TRUE(got_payload);
    EXPECT_EQ(gapkit_server_num_players(server), 1);
    gapkit_server_destroy(server);
}

}  // namespace
