#include "gapkit/client/config.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "matchmaker_link.hpp"

namespace gapkit::client {
namespace {

TEST(GameClientConfig, DefaultsAreValid) {
    auto status = GameClientConfig{}.Validate();
    EXPECT_TRUE(status) << status.error().ToString();
}

TEST(GameClientConfig, ValidateNamesTheField) {
    GameClientConfig config;
    config.matchmaker_url = "http://127.0.0.1:3000/";
    ASSERT_FALSE(config.Validate());
    EXPECT_NE(config.Validate().error().message().find("matchmaker_url"), std::string::npos);

    config = {};
    config.matchmaking_timeout_seconds = std::numeric_limits<double>::quiet_NaN();
    ASSERT_FALSE(config.Validate());
    EXPECT_NE(config.Validate().error().message().find("matchmaking_timeout_seconds"), std::string::npos);

    config = {};
    config.connect_timeout_seconds = 0;
    EXPECT_FALSE(config.Validate());

    config = {};
    config.max_message_bytes = 100;
    EXPECT_FALSE(config.Validate());
}

TEST(WebSocketUrl, ParsesPlainAndTlsForms) {
    auto plain = detail::ParseWebSocketUrl("ws://127.0.0.1:3000/matchmaker/ws");
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->tls);
    EXPECT_EQ(plain->host, "127.0.0.1");
    EXPECT_EQ(plain->port, "3000");
    EXPECT_EQ(plain->target, "/matchmaker/ws");

    auto secure = detail::ParseWebSocketUrl("wss://mm.example.com/matchmaker/ws?region=eu");
    ASSERT_TRUE(secure);
    EXPECT_TRUE(secure->tls);
    EXPECT_EQ(secure->port, "443");
    EXPECT_EQ(secure->target, "/matchmaker/ws?region=eu");

    auto v6 = detail::ParseWebSocketUrl("ws://[::1]");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, "80");
    EXPECT_EQ(v6->target, "/");
}

TEST(WebSocketUrl, RefusesOtherForms) {
    for (const char* url : {"", "matchmaker", "https://mm.example.com/", "ws:///nohost", "ws//x"}) {
        EXPECT_FALSE(detail::ParseWebSocketUrl(url)) << url;
    }
}

}  // namespace
}  // namespace gapkit::client
