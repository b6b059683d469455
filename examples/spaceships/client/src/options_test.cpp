#include "options.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gapkit/netcode/private_key.hpp"
#include "gapkit/testing/scoped_env.hpp"
#include "spaceships/constants.hpp"

namespace spaceships::client {
namespace {

using gapkit::testing::ScopedEnv;

// The environment of each case starts without the variables the client reads.
ScopedEnv CleanEnv(gapkit::testing::EnvOverrides overrides = {}) {
    for (const char* name : {"MATCHMAKER_URL", "GAPKIT_PRIVATE_KEY", "SPACESHIPS_FONT", "GAPKIT_LOG_LEVEL"}) {
        overrides.try_emplace(name, std::nullopt);
    }
    return ScopedEnv(overrides);
}

std::variant<Options, int> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "spaceships-client");
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(SpaceshipsClientOptionsTest, Defaults) {
    auto env = CleanEnv();
    auto parsed = Parse({});
    ASSERT_TRUE(std::holds_alternative<Options>(parsed));
    const auto& options = std::get<Options>(parsed);
    EXPECT_EQ(options.matchmaker_url, "ws://127.0.0.1:3000/matchmaker/ws");
    EXPECT_EQ(options.game, kGameName);
    EXPECT_EQ(options.version, kGameVersion);
    EXPECT_EQ(options.protocol_id, kDefaultProtocolId);
    EXPECT_EQ(options.width_pixels, 1280);
    EXPECT_EQ(options.height_pixels, 720);
    EXPECT_EQ(options.font_path, kDefaultFont);
    EXPECT_FALSE(options.autoplay);
    EXPECT_TRUE(options.direct_address.empty());
}

TEST(SpaceshipsClientOptionsTest, TheMatchmakerFlagWinsOverTheVariable) {
    auto env = CleanEnv({{"MATCHMAKER_URL", "ws://10.0.0.1:3000/matchmaker/ws"}});
    EXPECT_EQ(std::get<Options>(Parse({})).matchmaker_url, "ws://10.0.0.1:3000/matchmaker/ws");
    EXPECT_EQ(std::get<Options>(Parse({"--matchmaker", "wss://play.example.com/mm"})).matchmaker_url,
              "wss://play.example.com/mm");
}

TEST(SpaceshipsClientOptionsTest, DirectUsesTheDevKeyUnlessAKeyIsGiven) {
    {
        auto env = CleanEnv();
        auto parsed = Parse({"--direct", "127.0.0.1:6420"});
        EXPECT_EQ(std::get<Options>(parsed).direct_key, gapkit::netcode::DevPrivateKey());
    }
    gapkit::netcode::Key key{};
    key.fill(0xab);
    auto env = CleanEnv({{"GAPKIT_PRIVATE_KEY", gapkit::netcode::KeyToHex(key)}});
    EXPECT_EQ(std::get<Options>(Parse({"--direct", "127.0.0.1:6420"})).direct_key, key);
}

TEST(SpaceshipsClientOptionsTest, BadUsageExitsWithTwoAndHelpWithZero) {
    auto env = CleanEnv();
    EXPECT_EQ(std::get<int>(Parse({"--direct", "localhost"})), kExitUsage);
    EXPECT_EQ(std::get<int>(Parse({"--width", "10"})), kExitUsage);
    EXPECT_EQ(std::get<int>(Parse({"--log-level", "loud"})), kExitUsage);
    EXPECT_EQ(std::get<int>(Parse({"--no-such-flag"})), kExitUsage);
    EXPECT_EQ(std::get<int>(Parse({"--help"})), kExitOk);
}

TEST(SpaceshipsClientOptionsTest, ABadKeyIsBadUsage) {
    auto env = CleanEnv({{"GAPKIT_PRIVATE_KEY", "not a key"}});
    EXPECT_EQ(std::get<int>(Parse({"--direct", "127.0.0.1:6420"})), kExitUsage);
}

}  // namespace
}  // namespace spaceships::client
