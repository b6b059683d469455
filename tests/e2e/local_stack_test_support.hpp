#pragma once

// The fixture of the end-to-end tests: they run under scripts/with-local-stack.sh, which starts
// the stack and exports MATCHMAKER_URL, GAPKIT_SIM_URL, GAPKIT_SIM_API_KEY and GAPKIT_STATE_DIR;
// GAPKIT_BIN_DIR names the binaries. The fixture skips without the stack, reads the simulator's
// sessions and deployments, and runs player programs with their logs beside the stack's (so
// with-local-stack.sh shows them when a test fails).

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit {

inline std::string Env(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? "" : value;
}

class LocalStackTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (Env("MATCHMAKER_URL").empty() || Env("GAPKIT_SIM_URL").empty()) {
            GTEST_SKIP() << "run through scripts/with-local-stack.sh (ctest -L e2e does)";
        }
        edgegap::ClientConfig config;
        config.base_url = Env("GAPKIT_SIM_URL");
        config.api_key = Env("GAPKIT_SIM_API_KEY");
        auto client = edgegap::BlockingEdgegapClient::Create(config);
        ASSERT_TRUE(client) << client.error().message();
        sim_ = std::move(*client);
        ASSERT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 0 && Deployments() == 0; }))
            << "the simulator is not empty at the start";
    }

    edgegap::Page<edgegap::Session> Sessions() {
        auto page = sim_->Call(&edgegap::EdgegapApi::ListSessions, {});
        EXPECT_TRUE(page) << page.error().message();
        return page ? *page : edgegap::Page<edgegap::Session>{};
    }

    std::int64_t Deployments() {
        auto page = sim_->Call(&edgegap::EdgegapApi::ListDeployments, {});
        EXPECT_TRUE(page) << page.error().message();
        return page ? page->total_count : -1;
    }

    static std::filesystem::path LogFile(const std::string& name) {
        return std::filesystem::path(Env("GAPKIT_STATE_DIR")) / "logs" / (name + ".log");
    }

    // `program` from GAPKIT_BIN_DIR with `arguments`, in the background, its output in `log_name`.
    testing::ChildProcess Start(const std::string& program, const std::vector<std::string>& arguments,
                                const std::string& log_name) {
        std::vector<std::string> argv{(std::filesystem::path(Env("GAPKIT_BIN_DIR")) / program).string()};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        auto child = testing::ChildProcess::Spawn(argv, LogFile(log_name));
        EXPECT_TRUE(child) << child.error().message();
        return std::move(*child);
    }

    // Waits for a program to finish by itself and returns its exit code (-1 if it had to be stopped).
    int Finish(testing::ChildProcess& child, std::chrono::seconds timeout) {
        if (!testing::WaitFor([&] { return !child.Running(); }, timeout)) {
            child.Stop();
            return -1;
        }
        return child.Stop();
    }

    std::string Log(const std::string& log_name) {
        auto text = common::ReadFile(LogFile(log_name));
        return text ? *text : "";
    }

    std::unique_ptr<edgegap::BlockingEdgegapClient> sim_;
};

}  // namespace gapkit
