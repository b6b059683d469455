#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;

TEST(SimulatorConfig, ExampleConfigLoads) {
    auto config = LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
    ASSERT_TRUE(config.has_value()) << config.error().ToString();
    ASSERT_EQ(config->apps.size(), 1u);
    const VersionConfig& version = config->apps[0].versions[0];
    EXPECT_EQ(version.command, "gapkit-sim-echo-server");
    EXPECT_EQ(version.session.kind, SessionKind::kSeat);
    EXPECT_EQ(version.session.sockets, 4);
    EXPECT_EQ(version.session.empty_ttl, 10min);
    EXPECT_EQ(version.max_duration, 60min);
    ASSERT_EQ(version.ports.size(), 1u);
    EXPECT_EQ(version.ports[0].name, "gameport");
}

TEST(SimulatorConfig, TomlExampleMatchesTheJsonOne) {
    auto json = LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
    auto toml = LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.toml");
    ASSERT_TRUE(toml.has_value()) << toml.error().ToString();
    ASSERT_EQ(toml->apps.size(), 1u);
    const VersionConfig& a = json->apps[0].versions[0];
    const VersionConfig& b = toml->apps[0].versions[0];
    EXPECT_EQ(a.command, b.command);
    EXPECT_EQ(a.ports[0].name, b.ports[0].name);
    EXPECT_EQ(a.envs, b.envs);
    EXPECT_EQ(a.session.kind, b.session.kind);
    EXPECT_EQ(a.session.sockets, b.session.sockets);
    EXPECT_EQ(a.session.empty_ttl, b.session.empty_ttl);
    EXPECT_EQ(a.max_duration, b.max_duration);
    EXPECT_EQ(json->delays.deploying, toml->delays.deploying);
}

TEST(SimulatorConfig, TomlSyntaxErrorNamesTheLine) {
    const auto path = std::filesystem::temp_directory_path() / "edgegap-sim-config-test.toml";
    {
        std::ofstream out(path);
        out << "public_ip = \"127.0.0.1\"\n[apps\n";
    }
    auto config = LoadSimulatorConfig(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message().find("invalid TOML at line 2"), std::string::npos) << config.error().message();
}

TEST(SimulatorConfig, SecondsOverridesWinOverMinutes) {
    auto config = ParseSimulatorConfig(R"({"apps":[{"name":"g","versions":[{"name":"1","command":"x",
        "max_duration": 5, "max_duration_seconds": 7,
        "session_config":{"kind":"Match","sockets":2,"empty_ttl":3,"empty_ttl_seconds":4}}]}]})");
    ASSERT_TRUE(config.has_value()) << config.error().ToString();
    EXPECT_EQ(config->apps[0].versions[0].max_duration, 7s);
    EXPECT_EQ(config->apps[0].versions[0].session.empty_ttl, 4s);
    EXPECT_EQ(config->apps[0].versions[0].session.kind, SessionKind::kMatch);
}

TEST(SimulatorConfig, ErrorsNameTheBadField) {
    auto bad_kind = ParseSimulatorConfig(
        R"({"apps":[{"name":"g","versions":[{"name":"1","command":"x","session_config":{"kind":"Seats"}}]}]})");
    ASSERT_FALSE(bad_kind);
    EXPECT_EQ(bad_kind.error().message(),
              "apps[0].versions[0].session_config.kind: 'Seats' is not Default, Seat or Match");
    auto bad_port = ParseSimulatorConfig(R"({"apps":[{"name":"g","versions":[{"name":"1","command":"x",
        "ports":[{"name":"p","port":70000}]}]}]})");
    ASSERT_FALSE(bad_port);
    EXPECT_NE(bad_port.error().message().find("apps[0].versions[0].ports[0].port"), std::string::npos);
    EXPECT_FALSE(ParseSimulatorConfig(R"({"apps":[{"name":"g","versions":[]}]})"));
    EXPECT_FALSE(ParseSimulatorConfig(R"({"apps":[{"name":"g","versions":[{"name":"1"}]}]})"));
    EXPECT_FALSE(ParseSimulatorConfig("not json"));
    EXPECT_FALSE(ParseSimulatorConfig(R"({"apps":[{"name":"g","versions":[{"name":"1","command":"x",
        "arguments":"'unterminated"}]}]})"));
}

TEST(SimulatorConfig, MissingFileIsNotFound) {
    auto config = LoadSimulatorConfig("/nonexistent/edgegap-sim.json");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code(), common::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace gapkit::edgegap_sim
