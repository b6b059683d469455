// Faults that perform the call and lose, cut or delay its answer, seen through gapkit's Edgegap
// client: the simulated account changes while the client reports a timeout or a network error.
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using edgegap::BlockingEdgegapClient;
using edgegap::ErrorCategory;

edgegap::SessionRequest EchoSession() { return {"echo", "1", {"81.128.157.123"}, {}, {}}; }

class AnswerFaultsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto sim = Simulator::Start(testing::EchoConfig());
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
        edgegap::ClientConfig config;
        config.base_url = sim_->base_url();
        config.api_key = "devkey";
        config.request_timeout = 500ms;
        config.retry.max_attempts = 1;  // Each test sees the one attempt the fault hit.
        config.jitter_seed = 7;
        auto client = BlockingEdgegapClient::Create(std::move(config));
        ASSERT_TRUE(client.has_value()) << client.error().ToString();
        client_ = std::move(*client);
    }

    std::unique_ptr<Simulator> sim_;
    std::unique_ptr<BlockingEdgegapClient> client_;
};

TEST_F(AnswerFaultsTest, LostSessionAnswerCreatesTheSessionAndTheClientTimesOut) {
    sim_->SetFaults(Faults{.lose_next_answers = {{"POST /v1/session", 1}}});
    auto lost = client_->Call(&edgegap::EdgegapApi::CreateSession, EchoSession());
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(edgegap::Details(lost.error()).category, ErrorCategory::kTimeout) << lost.error().ToString();
    const auto state = sim_->State();
    ASSERT_EQ(state.sessions.size(), 1u);  // Created, though nobody learnt its id.
    EXPECT_EQ(state.deployments.size(), 1u);
    EXPECT_EQ(state.sessions[0].deployment_id, state.deployments[0].request_id);
    auto listed = client_->Call(&edgegap::EdgegapApi::ListSessions, {});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].session_id, state.sessions[0].session_id);
    EXPECT_EQ(sim_->CountCalls("POST", "/v1/session", "lost"), 1u);
    auto answered = client_->Call(&edgegap::EdgegapApi::CreateSession, EchoSession());  // The countdown is spent.
    ASSERT_TRUE(answered.has_value()) << answered.error().ToString();
    EXPECT_EQ(sim_->CountCalls("POST", "/v1/session", "200"), 1u);
    EXPECT_EQ(sim_->State().sessions.size(), 2u);
}

TEST_F(AnswerFaultsTest, ResetDeleteAnswerStillDeletesTheSession) {
    auto created = client_->Call(&edgegap::EdgegapApi::CreateSession, EchoSession());
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    sim_->SetFaults(Faults{.reset_next_answers = {{"DELETE /v1/session/{id}", 1}}});
    auto deleted = client_->Call(&edgegap::EdgegapApi::DeleteSession, created->session_id);
    // The client sends an idempotent call again on a fresh connection; the session is then
    // already gone (404), which a delete counts as done.
    EXPECT_TRUE(deleted.has_value()) << deleted.error().ToString();
    EXPECT_TRUE(sim_->State().sessions.empty());
    EXPECT_EQ(sim_->CountCalls("DELETE", "/v1/session/{id}", "reset"), 1u);
    EXPECT_EQ(sim_->CountCalls("DELETE", "/v1/session/{id}", "404"), 1u);
}

TEST_F(AnswerFaultsTest, ResetSessionAnswerIsANetworkErrorAfterTheSessionExists) {
    sim_->SetFaults(Faults{.reset_next_answers = {{"POST /v1/session", 1}}});
    auto created = client_->Call(&edgegap::EdgegapApi::CreateSession, EchoSession());
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(edgegap::Details(created.error()).category, ErrorCategory::kNetwork) << created.error().ToString();
    EXPECT_EQ(sim_->State().sessions.size(), 1u);
    EXPECT_EQ(sim_->CountCalls("POST", "/v1/session"), 1u);  // A POST is never sent twice.
}

TEST_F(AnswerFaultsTest, StalledDeployIsPerformedAndOutlivesTheClientTimeout) {
    sim_->SetFaults(Faults{.stall_next_answers = {{"POST /v1/deploy", 1}}, .stall = 2s});
    auto deployed = client_->Call(&edgegap::EdgegapApi::Deploy, edgegap::DeployRequest{"echo", "1", {"1.2.3.4"}});
    ASSERT_FALSE(deployed.has_value());
    EXPECT_EQ(edgegap::Details(deployed.error()).category, ErrorCategory::kTimeout) << deployed.error().ToString();
    EXPECT_EQ(sim_->State().deployments.size(), 1u);
    const auto calls = sim_->Calls();
    const auto stalled =
        std::find_if(calls.begin(), calls.end(), [](const CallCount& c) { return c.fault == "stalled"; });
    ASSERT_NE(stalled, calls.end());
    EXPECT_EQ(stalled->method, "POST");
    EXPECT_EQ(stalled->route, "/v1/deploy");
    EXPECT_EQ(stalled->status, "200");
    EXPECT_TRUE(client_->Call(&edgegap::EdgegapApi::ListDeployments, {}).has_value());  // One stall only.
}

TEST_F(AnswerFaultsTest, StalledAnswerArrivesLateToAPatientClient) {
    sim_->SetFaults(Faults{.stall_next_answers = {{"*", 1}}, .stall = 300ms});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(testing::Call(sim_->port(), verb::get, "/v1/sessions").status, 200u);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);  // A lower bound, not a speed measurement.
}

TEST_F(AnswerFaultsTest, WildcardCountdownHitsAnyRoute) {
    sim_->SetFaults(Faults{.reset_next_answers = {{"*", 2}}});
    EXPECT_FALSE(testing::Call(sim_->port(), verb::get, "/v1/deployments").answered);
    EXPECT_FALSE(testing::Call(sim_->port(), verb::get, "/v1/nothing-here").answered);
    EXPECT_EQ(testing::Call(sim_->port(), verb::get, "/v1/deployments").status, 200u);
    EXPECT_EQ(sim_->CountCalls("GET", "(unmatched)", "reset"), 1u);
}

}  // namespace
}  // namespace gapkit::edgegap_sim
