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
