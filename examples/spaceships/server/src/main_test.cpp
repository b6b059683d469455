// spaceships-server as a process: what edgegap-sim and Edgegap rely on.
#include <filesystem>
#include <string>

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"

namespace spaceships::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const gapkit::testing::EnvOverrides kLocalMode{
    {"NATS_HOST", std::nullopt}, {"ARBITRIUM_REQUEST_ID", std::nullopt}, {"GAPKIT_PRIVATE_KEY", std::nullopt}};

TEST(ServerProgramTest, StartsInLocalModeAndExitsZeroOnSigterm) {
    auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
    ASSERT_TRUE(port);
    auto dir = gapkit::testing::TempDir::Create("spaceships-server");
    ASSERT_TRUE(dir) << dir.error().ToString();
    const std::filesystem::path log = dir->path() / "server.log";
    auto env = kLocalMode;
    env["GAPKIT_PRIVATE_KEY"] = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    auto server =
        gapkit::testing::ChildProcess::Spawn({SPACESHIPS_SERVER_PATH, "--port", std::to_string(*port), "--ca_contents",
                                              "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
                                             log, env);
    ASSERT_TRUE(server) << server.error().ToString();
    auto text = [&] { return gapkit::common::ReadFile(log).value_or(""); };
    ASSERT_TRUE(gapkit::testing::WaitFor([&] { return text().find("serving in") != std::string::npos; })) << text();
    EXPECT_EQ(server->Stop(), 0) << text();
    EXPECT_THAT(text(), HasSubstr(fmt::format("local mode, UDP port {}, advertised as 127.0.0.1:{}", *port, *port)));
    EXPECT_THAT(text(), Not(HasSubstr("0102030405060708090a")));
}

TEST(ServerProgramTest, BadConfigurationExitsTwoNamingIt) {
    auto result = gapkit::testing::RunProcess({SPACESHIPS_SERVER_PATH, "--max-players", "0"}, kLocalMode);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exit_code, 2);
    EXPECT_THAT(result->stderr_text, HasSubstr("max_players must be 1..6 (got 0)"));
}

}  // namespace
}  // namespace spaceships::server
