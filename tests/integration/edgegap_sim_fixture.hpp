#pragma once

// A fixture that runs edgegap-sim in-process for the Edgegap client's integration tests.
//
// The simulator's deployments are `/bin/sh` processes that dump their environment to a file (so a
// test learns the injected ARBITRIUM_* context and self-stop URLs the way a game server would) and
// then sleep until stopped. Retry log lines of the client are counted.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap/http_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap::integration {

using namespace std::chrono_literals;
namespace sim = gapkit::edgegap_sim;

inline constexpr const char* kApp = "envdump";
inline constexpr const char* kVersion = "1";
inline constexpr auto kReadyDeadline = 15s;

class EdgegapClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir_template[] = "/tmp/gapkit-edgegap-it-XXXXXX";
        ASSERT_NE(::mkdtemp(dir_template), nullptr);
        env_dir_ = dir_template;
        auto started = sim::Simulator::Start(SimulatorConfig());
        ASSERT_TRUE(started.has_value()) << started.error().ToString();
        sim_ = std::move(*started);
        common::SetLogSink([this](common::LogLevel, std::string_view component, std::string_view message) {
            if (component != "edgegap" || message.find("; attempt ") == std::string_view::npos) return;
            std::lock_guard lock(log_mutex_);
            retry_lines_.emplace_back(message);
        });
    }

    void TearDown() override {
        common::SetLogSink({});
        if (sim_) sim_->Stop();
        std::error_code ignored;
        std::filesystem::remove_all(env_dir_, ignored);
    }

    // Restarts the simulator with longer starting states, for tests that act while a deployment starts.
    void RestartWithSlowStarts() {
        sim_->Stop();
        auto config = SimulatorConfig();
        config.delays = {1500ms, 500ms};
        auto started = sim::Simulator::Start(std::move(config));
        ASSERT_TRUE(started.has_value()) << started.error().ToString();
        sim_ = std::move(*started);
    }

    sim::SimulatorConfig SimulatorConfig() const {
        sim::VersionConfig version;
        version.name = kVersion;
        version.command = "/bin/sh";
        version.arguments = fmt::format("-c 'env > {}/$ARBITRIUM_REQUEST_ID.env; exec sleep 120'", env_dir_.string());
        version.ports = {sim::PortConfig{"gameport", 7777, "UDP", false}};
        version.session.kind = sim::SessionKind::kSeat;
        version.session.sockets = 4;
        version.termination_grace_period = 1s;
        sim::SimulatorConfig config;
        config.apps = {sim::AppConfig{kApp, {version}}};
        config.delays = {50ms, 50ms};
        config.rate_limits.status_per_second = 10;
        config.rate_limits.context_per_second = 10;
        config.log_dir = env_dir_ / "logs";
        return config;
    }

    ClientConfig Config() const {
        ClientConfig config;
        config.base_url = sim_->base_url();
        config.api_key = "token devkey";
        config.request_timeout = 3s;
        config.retry.backoff_base = 20ms;
        config.retry.backoff_cap = 100ms;
        config.jitter_seed = 7;
        return config;
    }

    static std::unique_ptr<BlockingEdgegapClient> Client(ClientConfig config) {
        auto client = BlockingEdgegapClient::Create(std::move(config));
        EXPECT_TRUE(client.has_value()) << client.error().ToString();
        return client ? std::move(*client) : nullptr;
    }

    std::size_t RetryCount() {
        std::lock_guard lock(log_mutex_);
        return retry_lines_.size();
    }

    // Deploys and waits for READY.
    static DeploymentStatus DeployReady(BlockingEdgegapClient& client) {
        DeployRequest request{kApp, kVersion, {"1.2.3.4"}};
        auto created = client.Call(&EdgegapApi::Deploy, request);
        EXPECT_TRUE(created.has_value()) << created.error().ToString();
        if (!created) return {};
        return WaitForState(client, created->request_id, DeploymentState::kReady);
    }

    static DeploymentStatus WaitForState(BlockingEdgegapClient& client, const std::string& request_id,
                                         DeploymentState wanted) {
        return WaitUntil(client, request_id, ToString(wanted),
                         [wanted](const DeploymentStatus& status) { return status.state == wanted; });
    }

    // Polls the deployment's status until `done` holds or the deadline passes; returns the last status.
    template <typename Done>
    static DeploymentStatus WaitUntil(BlockingEdgegapClient& client, const std::string& request_id,
                                      std::string_view what, Done done) {
        const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
        DeploymentStatus last;
        while (std::chrono::steady_clock::now() < deadline) {
            auto status = client.Call(&EdgegapApi::GetDeploymentStatus, request_id);
            EXPECT_TRUE(status.has_value()) << status.error().ToString();
            if (!status) return last;
            last = *status;
            if (done(last)) return last;
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << request_id << " never reached " << what << "; last " << last.current_status;
        return last;
    }

    // The environment the simulator gave a deployment's process.
    std::map<std::string, std::string> DeploymentEnv(const std::string& request_id) const {
        std::map<std::string, std::string> env;
        std::ifstream in(env_dir_ / (request_id + ".env"));
        for (std::string line; std::getline(in, line);) {
            const auto equals = line.find('=');
            if (equals != std::string::npos) env[line.substr(0, equals)] = line.substr(equals + 1);
        }
        return env;
    }

    // Clears the faults from another thread after `delay`, while a blocking call is retrying.
    std::jthread ClearFaultsAfter(std::chrono::milliseconds delay) {
        return std::jthread([this, delay] {
            std::this_thread::sleep_for(delay);
            sim_->SetFaults({});
        });
    }

    std::filesystem::path env_dir_;
    std::unique_ptr<sim::Simulator> sim_;
    std::mutex log_mutex_;
    std::vector<std::string> retry_lines_;
};

}  // namespace gapkit::edgegap::integration
