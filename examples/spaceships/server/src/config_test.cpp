#include "config.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace spaceships::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

// Every variable the config reads, unset, so the machine's environment cannot leak in.
gapkit::testing::EnvOverrides CleanEnv(gapkit::testing::EnvOverrides overrides = {}) {
    for (const char* name : {"SPACESHIPS_PORT", "GAPKIT_PROTOCOL_ID", "GAPKIT_PRIVATE_KEY", "GAPKIT_PRIVATE_KEY_FILE",
                             "SPACESHIPS_SELF_STOP_AFTER_EMPTY_SECONDS", "SPACESHIPS_ALLOW_UNKNOWN_SESSIONS",
                             "SPACESHIPS_MAX_PLAYERS", "SPACESHIPS_SEED", "GAPKIT_LOG_LEVEL", "ARBITRIUM_REQUEST_ID"}) {
        overrides.try_emplace(name, std::nullopt);
    }
    return overrides;
}

// Parses `args` as main does, CLI11's exceptions turned into errors.
gapkit::common::Result<ServerConfig> Parse(std::vector<std::string> args) {
    CLI::App app;
    ServerConfig config;
    AddOptions(app, config);
    std::vector<const char*> argv{"spaceships-server"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& error) {
        return gapkit::common::MakeError(gapkit::common::ErrorCode::kInvalidArgument, error.what());
    }
    if (auto ok = Finish(config); !ok) return gapkit::common::Fail(ok.error());
    return config;
}

TEST(ServerConfigTest, DefaultsNeedNoKey) {
    gapkit::testing::ScopedEnv env(CleanEnv());
    auto config = Parse({});
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_EQ(config->port, 6420);
    EXPECT_EQ(config->protocol_id, kDefaultProtocolId);
    EXPECT_EQ(config->max_players, kMaxShips);
    EXPECT_EQ(config->private_key, gapkit::netcode::Key{});
    EXPECT_TRUE(config->ToGameServerConfig().require_session);
}

TEST(ServerConfigTest, EnvironmentThenCommandLine) {
    gapkit::testing::ScopedEnv env(CleanEnv({{"SPACESHIPS_PORT", "7001"},
                                             {"GAPKIT_PROTOCOL_ID", "12"},
                                             {"GAPKIT_PRIVATE_KEY", kKeyHex},
                                             {"SPACESHIPS_SELF_STOP_AFTER_EMPTY_SECONDS", "30"},
                                             {"SPACESHIPS_ALLOW_UNKNOWN_SESSIONS", "1"},
                                             {"SPACESHIPS_MAX_PLAYERS", "4"}}));
    auto from_env = Parse({});
    ASSERT_TRUE(from_env) << from_env.error().ToString();
    EXPECT_EQ(from_env->port, 7001);
    EXPECT_EQ(from_env->protocol_id, 12u);
    EXPECT_EQ(gapkit::netcode::KeyToHex(from_env->private_key), kKeyHex);
    const auto library = from_env->ToGameServerConfig();
    EXPECT_EQ(library.max_clients, 4);
    EXPECT_FALSE(library.require_session);
    EXPECT_EQ(library.self_stop_after_empty_seconds, 30);

    auto from_cli = Parse({"--port", "7002", "--protocol-id", "13", "--max-players", "2", "--seed", "99"});
    ASSERT_TRUE(from_cli) << from_cli.error().ToString();
    EXPECT_EQ(from_cli->port, 7002);
    EXPECT_EQ(from_cli->protocol_id, 13u);
    EXPECT_EQ(from_cli->max_players, 2);
    EXPECT_EQ(from_cli->seed, 99u);
}

TEST(ServerConfigTest, CaContentsIsAcceptedInBothForms) {
    gapkit::testing::ScopedEnv env(CleanEnv());
    const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    auto separate = Parse({"--ca_contents", pem});
    ASSERT_TRUE(separate) << separate.error().ToString();
    EXPECT_EQ(separate->ca_contents, pem);
    auto joined = Parse({"--ca_contents=" + pem});
    ASSERT_TRUE(joined) << joined.error().ToString();
    EXPECT_EQ(joined->ca_contents, pem);
}

TEST(ServerConfigTest, BadValuesAreNamed) {
    gapkit::testing::ScopedEnv env(CleanEnv());
    EXPECT_THAT(Parse({"--max-players", "7"}).error().message(), HasSubstr("max_players must be 1..6 (got 7)"));
    EXPECT_THAT(Parse({"--port", "0"}).error().message(), HasSubstr("port must be 1..65535 (got 0)"));
    EXPECT_THAT(Parse({"--protocol-id", "0"}).error().message(), HasSubstr("protocol_id must be non-zero"));
    EXPECT_THAT(Parse({"--self-stop-after-empty-seconds", "-1"}).error().message(),
                HasSubstr("self_stop_after_empty_seconds"));
    EXPECT_THAT(Parse({"--log-level", "loud"}).error().message(), HasSubstr("loud"));
    EXPECT_THAT(Parse({"--port", "http"}).error().message(), HasSubstr("--port"));
    EXPECT_THAT(Parse({"--private-key-file", "/nonexistent/key"}).error().message(), HasSubstr("--private-key-file"));
}

TEST(ServerConfigTest, ABadKeyIsRefusedWithoutEchoingIt) {
    gapkit::testing::ScopedEnv env(CleanEnv({{"GAPKIT_PRIVATE_KEY", "secret-but-not-a-key"}}));
    auto config = Parse({});
    ASSERT_FALSE(config);
    EXPECT_THAT(config.error().message(), HasSubstr("private key"));
    EXPECT_THAT(config.error().message(), Not(HasSubstr("secret-but-not-a-key")));
}

TEST(ServerConfigTest, PrivateKeyFileFlagWinsOverTheVariables) {
    auto file = gapkit::common::WritePrivateTempFile("spaceships-key", std::string(kKeyHex) + "\n");
    ASSERT_TRUE(file) << file.error().ToString();
    gapkit::testing::ScopedEnv env(
        CleanEnv({{"GAPKIT_PRIVATE_KEY", "not read"}, {"GAPKIT_PRIVATE_KEY_FILE", "/nonexistent/key"}}));
    auto config = Parse({"--private-key-file", file->string()});
    std::filesystem::remove(*file);
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_EQ(gapkit::netcode::KeyToHex(config->private_key), kKeyHex);
}

TEST(ServerConfigTest, EdgegapNeedsAKey) {
    gapkit::testing::ScopedEnv env(CleanEnv({{"ARBITRIUM_REQUEST_ID", "f0000000000f"}}));
    EXPECT_THAT(Parse({}).error().message(), HasSubstr("no netcode private key on Edgegap"));
}

}  // namespace
}  // namespace spaceships::server
