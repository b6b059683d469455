#include "token_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/netcode/server.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::cli {
namespace {

// The example game's development key, in the Rust system's text form.
constexpr const char* kDevKey =
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1";

testing::ProcessResult RunGapctl(std::vector<std::string> args, const testing::EnvOverrides& env = {}) {
    args.insert(args.begin(), GAPKIT_GAPCTL_PATH);
    auto result = testing::RunProcess(args, env);
    EXPECT_TRUE(result.has_value());
    return result.value_or(testing::ProcessResult{});
}

std::string Trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

TEST(GapctlToken, PrintsOnlyABase64TokenOnStdout) {
    auto run = RunGapctl({"token", "--protocol-id", "80085", "--private-key", kDevKey, "--server", "127.0.0.1:6420",
                          "--client-id", "42", "--expire-seconds", "60", "--timeout-seconds", "5"});
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    const std::string text = Trimmed(run.stdout_text);
    ASSERT_EQ(text.size(), netcode::kConnectTokenBase64Chars);
    EXPECT_EQ(run.stdout_text, text + "\n");
    EXPECT_NE(run.stderr_text.find("visible"), std::string::npos) << "argv key must warn";
    EXPECT_EQ(run.stderr_text.find(kDevKey), std::string::npos) << "the key must not be echoed";

    auto bytes = netcode::DecodeConnectTokenBase64(text);
    ASSERT_TRUE(bytes.has_value());
    auto token = netcode::ReadConnectToken(*bytes);
    ASSERT_TRUE(token.has_value());
    EXPECT_EQ(token->protocol_id, 80085u);
    EXPECT_EQ(token->expire_timestamp - token->create_timestamp, 60u);
    EXPECT_EQ(token->timeout_seconds, 5);
    ASSERT_EQ(token->server_addresses.size(), 1u);
    EXPECT_EQ(token->server_addresses[0], netcode::Address::Ipv4(127, 0, 0, 1, 6420));

    auto private_token = token->private_token;
    const auto key = netcode::ParsePrivateKey(kDevKey);
    ASSERT_TRUE(netcode::DecryptPrivateConnectToken(private_token, 80085, token->expire_timestamp, token->nonce, *key));
    EXPECT_EQ(netcode::ReadPrivateConnectToken(private_token)->client_id, 42u);
}

TEST(GapctlToken, MintedTokenConnectsToAServer) {
    netcode::ServerConfig config;
    config.protocol_id = 80085;
    config.private_key = *netcode::ParsePrivateKey(kDevKey);
    config.bind_address = netcode::Address::Ipv4(127, 0, 0, 1, 0);
    netcode::Server server(config);
    ASSERT_TRUE(server.Start());
    auto run = RunGapctl({"token", "--protocol-id", "80085", "--private-key", kDevKey, "--server",
                          server.bound_address().ToString(), "--client-id", "4242"});
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    auto token = netcode::DecodeConnectTokenBase64(run.stdout_text);
    ASSERT_TRUE(token.has_value());

    netcode::Client client;
    double now = 0;
    ASSERT_TRUE(client.Connect(*token, now));
    for (int tick = 0; tick < 20 && client.state() != netcode::ClientState::kConnected; ++tick) {
        now += 0.1;
        server.Update(now, common::SystemClock::Instance().UnixSeconds());
        client.Update(now);
    }
    EXPECT_EQ(client.state(), netcode::ClientState::kConnected);
    EXPECT_EQ(server.ClientId(client.client_index()), 4242u);
}

TEST(GapctlToken, TakesTheKeyFromTheEnvironmentWithoutWarning) {
    auto run = RunGapctl({"token", "--protocol-id", "80085", "--server", "[::1]:6420"},
                         {{"GAPKIT_PRIVATE_KEY", netcode::KeyToHex(*netcode::ParsePrivateKey(kDevKey))}});
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    EXPECT_EQ(Trimmed(run.stdout_text).size(), netcode::kConnectTokenBase64Chars);
    EXPECT_EQ(run.stderr_text.find("visible"), std::string::npos);
}

TEST(GapctlToken, FailsWithAnEmptyStdoutOnBadInput) {
    const testing::EnvOverrides no_key = {{"GAPKIT_PRIVATE_KEY", std::nullopt}};
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"token", "--protocol-id", "1", "--server", "127.0.0.1:6420"},
             {"token", "--protocol-id", "1", "--private-key", "1, 2, 3", "--server", "127.0.0.1:6420"},
             {"token", "--protocol-id", "1", "--private-key", kDevKey, "--server", "127.0.0.1"},
             {"token", "--protocol-id", "1", "--private-key-file", "/nonexistent/key", "--server", "127.0.0.1:1"},
         }) {
        auto run = RunGapctl(args, no_key);
        EXPECT_NE(run.exit_code, 0) << args[4];
        EXPECT_TRUE(run.stdout_text.empty()) << args[4];
    }
}

TEST(MintToken, PrefersTheKeyFileToTheEnvironment) {
    auto key_file = common::WritePrivateTempFile("netcode_key", std::string(kDevKey) + "\n");
    ASSERT_TRUE(key_file.has_value());
    testing::ScopedEnv env(testing::EnvOverrides{{"GAPKIT_PRIVATE_KEY", "not a key"}});
    TokenOptions options;
    options.protocol_id = 7;
    options.servers = {"10.0.0.1:30004"};
    options.private_key_file = key_file->string();
    auto token = MintToken(options, 1'700'000'000);
    std::filesystem::remove(*key_file);
    ASSERT_TRUE(token.has_value()) << token.error().ToString();
    EXPECT_EQ(token->size(), netcode::kConnectTokenBase64Chars);
}

}  // namespace
}  // namespace gapkit::cli
