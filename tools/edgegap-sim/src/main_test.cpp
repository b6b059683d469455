// The gapkit-edgegap-sim program itself: serves the API from its config and, on SIGTERM, stops
// every deployment and exits 0.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/testing/free_port.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
namespace json = boost::json;

std::uint16_t FreeTcpPort() {
    auto port = gapkit::testing::FreeLoopbackPort();
    EXPECT_TRUE(port.has_value());
    return port.value_or(0);
}

std::string ProgramPath() {
    return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "gapkit-edgegap-sim").string();
}

pid_t Spawn(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    return pid;
}

// Stops the program on every test exit path, so a failed assertion leaves no simulator behind.
struct ReapOnExit {
    pid_t pid;
    ~ReapOnExit() {
        if (::waitpid(pid, nullptr, WNOHANG) == 0) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

int WaitExit(pid_t pid) {
    int status = 0;
    for (int i = 0; i < 1000 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(20ms);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SimulatorProgram, ServesSessionsAndStopsDeploymentsOnSigterm) {
    const std::uint16_t port = FreeTcpPort();
    const pid_t pid = Spawn({ProgramPath(), "--config", GAPKIT_SIM_EXAMPLES_DIR "/echo.json", "--port",
                             std::to_string(port), "--api-key", "testkey", "--log-level", "warn"});
    ReapOnExit reap{pid};
    ASSERT_TRUE(testing::WaitFor([&] { return testing::Call(port, verb::get, "/", "", "").answered; }));
    auto created =
        testing::Call(port, verb::post, "/v1/session",
                      R"({"app_name":"echo","version_name":"1","ip_list":["81.128.157.123"]})", "token testkey");
    ASSERT_EQ(created.status, 200u) << created.body;
    const std::string target = "/v1/session/" + json::value_to<std::string>(created.Json().at("session_id"));
    json::value session;
    ASSERT_TRUE(testing::WaitFor([&] {
        session = testing::Call(port, verb::get, target, "", "token testkey").Json();
        return session.is_object() && session.at("ready") == true;
    }));
    const auto game_port =
        static_cast<std::uint16_t>(session.at("deployment").at("ports").at("gameport").at("external").to_number<int>());
    EXPECT_EQ(testing::UdpRoundTrip(game_port, "ping"), "ping");
    ::kill(pid, SIGTERM);
    EXPECT_EQ(WaitExit(pid), 0);
    EXPECT_FALSE(testing::UdpRoundTrip(game_port, "ping", 100ms).has_value());
}

TEST(SimulatorProgram, RefusesABadConfigWithExitCode2) {
    const std::string bad = (std::filesystem::temp_directory_path() / "edgegap-sim-bad-config.json").string();
    {
        std::FILE* file = std::fopen(bad.c_str(), "w");
        std::fputs(R"({"apps":[{"name":"x","versions":[{"name":"1"}]}]})", file);
        std::fclose(file);
    }
    EXPECT_EQ(WaitExit(Spawn({ProgramPath(), "--config", bad, "--port", "0"})), 2);
    std::filesystem::remove(bad);
}

}  // namespace
}  // namespace gapkit::edgegap_sim
