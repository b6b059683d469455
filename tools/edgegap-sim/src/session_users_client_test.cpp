// gapkit's Edgegap client against the simulator on the session-users calls: what each call
// returns, how refusals map to error categories, and that a lost answer is retried safely.
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using edgegap::BlockingEdgegapClient;
using edgegap::EdgegapApi;
using edgegap::ErrorCategory;
using Ips = std::vector<std::string>;

Ips IpsOf(const edgegap::SessionUsers& users) {
    Ips ips;
    for (const auto& user : users.users) ips.push_back(user.ip);
    return ips;
}

class SessionUsersClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto sim = Simulator::Start(testing::EchoConfig());  // Seat sessions, 4 sockets per deployment.
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
        edgegap::ClientConfig config;
        config.base_url = sim_->base_url();
        config.api_key = "devkey";
        config.request_timeout = 2s;
        config.retry.max_attempts = 2;
        config.jitter_seed = 7;
        auto client = BlockingEdgegapClient::Create(std::move(config));
        ASSERT_TRUE(client.has_value()) << client.error().ToString();
        client_ = std::move(*client);
    }
    std::string CreateSession(Ips ips) {
        auto created = client_->Call(&EdgegapApi::CreateSession, {"echo", "1", std::move(ips), {}, {}});
        EXPECT_TRUE(created.has_value()) << created.error().ToString();
        return created ? created->session_id : "";
    }

    std::unique_ptr<Simulator> sim_;
    std::unique_ptr<BlockingEdgegapClient> client_;
};

TEST_F(SessionUsersClientTest, AddsListsAndRemovesUsers) {
    const std::string id = CreateSession({"1.1.1.1", "2.2.2.2"});
    auto listed = client_->Call(&EdgegapApi::GetSessionUsers, id);
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_EQ(IpsOf(*listed), (Ips{"1.1.1.1", "2.2.2.2"}));
    auto added = client_->Call(&EdgegapApi::AddSessionUsers, id, {"3.3.3.3"});
    ASSERT_TRUE(added.has_value()) << added.error().ToString();
    EXPECT_EQ(IpsOf(*added), (Ips{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));
    auto removed = client_->Call(&EdgegapApi::RemoveSessionUsers, id, {"1.1.1.1", "3.3.3.3"});
    ASSERT_TRUE(removed.has_value()) << removed.error().ToString();
    EXPECT_EQ(IpsOf(*removed), (Ips{"2.2.2.2"}));
    EXPECT_FALSE(removed->session_gone);
    auto session = client_->Call(&EdgegapApi::GetSession, id);
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ(session->user_ips, (Ips{"2.2.2.2"}));
}

TEST_F(SessionUsersClientTest, RefusalsMapToErrorCategories) {
    const std::string id = CreateSession({"1.1.1.1", "2.2.2.2", "3.3.3.3"});
    auto full = client_->Call(&EdgegapApi::AddSessionUsers, id, {"4.4.4.4", "5.5.5.5"});
    ASSERT_FALSE(full.has_value());
    EXPECT_EQ(edgegap::Details(full.error()).category, ErrorCategory::kBadRequest);
    EXPECT_EQ(edgegap::Details(full.error()).http_status, 422);
    auto unknown = client_->Call(&EdgegapApi::GetSessionUsers, "ffffffffffff-S");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(edgegap::Details(unknown.error()).category, ErrorCategory::kNotFound);
    auto add_unknown = client_->Call(&EdgegapApi::AddSessionUsers, "ffffffffffff-S", {"4.4.4.4"});
    ASSERT_FALSE(add_unknown.has_value());
    EXPECT_EQ(edgegap::Details(add_unknown.error()).category, ErrorCategory::kNotFound);
}

TEST_F(SessionUsersClientTest, RemovingFromAGoneSessionReportsItGone) {
    const std::string id = CreateSession({"1.1.1.1"});
    ASSERT_TRUE(client_->Call(&EdgegapApi::DeleteSession, id));
    auto removed = client_->Call(&EdgegapApi::RemoveSessionUsers, id, {"1.1.1.1"});
    ASSERT_TRUE(removed.has_value()) << removed.error().ToString();
    EXPECT_TRUE(removed->session_gone);
    EXPECT_TRUE(removed->users.empty());
}

TEST_F(SessionUsersClientTest, EmptyArgumentsAreRefusedWithoutACall) {
    const std::string id = CreateSession({"1.1.1.1"});
    EXPECT_FALSE(client_->Call(&EdgegapApi::AddSessionUsers, id, {}).has_value());
    EXPECT_FALSE(client_->Call(&EdgegapApi::RemoveSessionUsers, "", {"1.1.1.1"}).has_value());
    EXPECT_FALSE(client_->Call(&EdgegapApi::GetSessionUsers, "").has_value());
    EXPECT_EQ(sim_->CountCalls("PUT", "/v1/session/{id}/users") + sim_->CountCalls("DELETE", "/v1/session/{id}/users") +
                  sim_->CountCalls("GET", "/v1/session/{id}/users"),
              0u);
}

TEST_F(SessionUsersClientTest, ARemoveWhoseAnswerIsLostIsRetriedAndSucceeds) {
    const std::string id = CreateSession({"1.1.1.1", "2.2.2.2"});
    sim_->SetFaults(Faults{.reset_next_answers = {{"DELETE /v1/session/{id}/users", 1}}});
    auto removed = client_->Call(&EdgegapApi::RemoveSessionUsers, id, {"1.1.1.1"});
    ASSERT_TRUE(removed.has_value()) << removed.error().ToString();
    EXPECT_EQ(IpsOf(*removed), (Ips{"2.2.2.2"}));
    EXPECT_EQ(sim_->CountCalls("DELETE", "/v1/session/{id}/users"), 2u);
}

}  // namespace
}  // namespace gapkit::edgegap_sim
