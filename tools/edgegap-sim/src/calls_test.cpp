// Call counters, the state snapshot, and their admin JSON and Prometheus forms.
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "faults.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using testing::Call;
using testing::TestResponse;
namespace json = boost::json;

class CallsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto config = testing::EchoConfig();
        config.apps[0].versions[0].session.empty_ttl = 0s;  // Kept while empty, so its empty time grows.
        auto sim = Simulator::Start(std::move(config));
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
    }
    TestResponse Get(const std::string& target) { return Call(sim_->port(), verb::get, target); }
    std::string CreateSession() {
        auto created = Call(sim_->port(), verb::post, "/v1/session", R"({"app_name":"echo","ip_list":["1.2.3.4"]})");
        EXPECT_EQ(created.status, 200u) << created.body;
        return json::value_to<std::string>(created.Json().at("session_id"));
    }

    std::unique_ptr<Simulator> sim_;
};

TEST_F(CallsTest, EachRouteIsCountedWithItsStatus) {
    const std::string id = CreateSession();
    Get("/v1/session/" + id);
    Get("/v1/session/nope-S");
    Get("/v1/sessions");
    Get("/v1/status/000000000000");
    Call(sim_->port(), verb::delete_, "/v1/session/" + id);
    Call(sim_->port(), verb::get, "/v1/sessions", "", "token wrong");
    EXPECT_EQ(sim_->CountCalls("POST", "/v1/session", "200"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/session/{id}", "200"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/session/{id}", "404"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/session/{id}"), 2u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/sessions", "200"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/sessions", "401"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/status/{id}", "400"), 1u);
    EXPECT_EQ(sim_->CountCalls("DELETE", "/v1/session/{id}", "200"), 1u);
    Get("/admin/faults");
    Call(sim_->port(), verb::get, "/metrics", "", "");
    std::uint64_t total = 0;
    for (const auto& call : sim_->Calls()) total += call.count;
    EXPECT_EQ(total, 7u);  // Only /v1 calls count.
    sim_->ResetCalls();
    EXPECT_TRUE(sim_->Calls().empty());
}

TEST_F(CallsTest, FaultsAreCountedWithTheirKind) {
    sim_->SetFaults(Faults{.rate_limit_next_requests = 1});
    Get("/v1/sessions");
    sim_->SetFaults(Faults{.server_error_fraction = 1.0});
    Get("/v1/sessions");
    sim_->SetFaults(Faults{.drop_connection_fraction = 1.0});
    Get("/v1/sessions");
    sim_->SetFaults(Faults{.malformed_json_fraction = 1.0});
    Get("/v1/sessions");
    sim_->SetFaults({});
    std::map<std::string, std::string> fault_to_status;
    for (const auto& call : sim_->Calls()) fault_to_status[call.fault] = call.status;
    EXPECT_EQ(fault_to_status["injected_429"], "429");
    EXPECT_EQ(fault_to_status["injected_5xx"].front(), '5');
    EXPECT_EQ(fault_to_status["dropped"], "dropped");
    EXPECT_EQ(fault_to_status["malformed"], "200");
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/sessions"), 4u);
}

TEST_F(CallsTest, AdminCallsJsonNeedsTheKeyAndCanBeReset) {
    CreateSession();
    EXPECT_EQ(Call(sim_->port(), verb::get, "/admin/calls", "", "").status, 401u);
    auto calls = Get("/admin/calls").Json();
    ASSERT_TRUE(calls.is_object()) << calls;
    EXPECT_EQ(calls.at("total"), 1);
    const auto& call = calls.at("calls").at(0);
    EXPECT_EQ(call.at("method"), "POST");
    EXPECT_EQ(call.at("route"), "/v1/session");
    EXPECT_EQ(call.at("status"), "200");
    EXPECT_EQ(call.at("fault"), "none");
    EXPECT_EQ(call.at("count"), 1);
    EXPECT_EQ(Call(sim_->port(), verb::delete_, "/admin/calls").Json().at("total"), 0);
    EXPECT_EQ(Call(sim_->port(), verb::put, "/admin/calls").status, 405u);
}

TEST_F(CallsTest, AdminStateListsLiveSessionsAndDeployments) {
    EXPECT_EQ(Call(sim_->port(), verb::get, "/admin/state", "", "").status, 401u);
    const std::string id = CreateSession();
    std::string deployment_id;
    ASSERT_TRUE(testing::WaitFor([&] {
        auto state = sim_->State();
        if (state.deployments.empty() || state.deployments[0].status != "Status.READY") return false;
        deployment_id = state.deployments[0].request_id;
        return true;
    }));
    auto state = Get("/admin/state").Json();
    ASSERT_TRUE(state.is_object()) << state;
    const auto& session = state.at("sessions").at(0);
    EXPECT_EQ(session.at("session_id"), id.c_str());
    EXPECT_EQ(session.at("status"), "Ready");
    EXPECT_EQ(session.at("deployment_id"), deployment_id.c_str());
    EXPECT_GE(session.at("age_seconds").to_number<double>(), 0.0);
    const auto& deployment = state.at("deployments").at(0);
    EXPECT_EQ(deployment.at("status"), "Status.READY");
    EXPECT_EQ(deployment.at("sessions"), 1);
    EXPECT_EQ(deployment.at("sockets_used"), 1);
    EXPECT_EQ(deployment.at("empty_seconds").to_number<double>(), 0.0);
    ASSERT_EQ(Call(sim_->port(), verb::delete_, "/v1/session/" + id).status, 200u);
    ASSERT_TRUE(testing::WaitFor([&] { return sim_->State().deployments.at(0).empty_seconds > 0.1; }));
    const auto after = sim_->State();
    EXPECT_TRUE(after.sessions.empty());
    EXPECT_EQ(after.deployments.at(0).past_empty_ttl_seconds, 0.0);  // The TTL is off.
}

TEST_F(CallsTest, MetricsTextHasCountersAndGauges) {
    CreateSession();
    sim_->SetFaults(Faults{.drop_connection_fraction = 1.0});
    Get("/v1/sessions");
    auto metrics = Call(sim_->port(), verb::get, "/metrics", "", "");  // No key, like a scrape.
    ASSERT_EQ(metrics.status, 200u);
    EXPECT_NE(metrics.content_type.find("text/plain"), std::string::npos);
    EXPECT_NE(metrics.body.find("# TYPE gapkit_edgegap_sim_calls_total counter"), std::string::npos);
    EXPECT_NE(metrics.body.find(
                  R"(gapkit_edgegap_sim_calls_total{fault="none",method="POST",route="/v1/session",status="200"} 1)"),
              std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find(R"(route="/v1/sessions",status="dropped"} 1)"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("gapkit_edgegap_sim_live_sessions 1"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("gapkit_edgegap_sim_live_deployments{status="), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("gapkit_edgegap_sim_deployments_past_empty_ttl 0"), std::string::npos);
}

TEST_F(CallsTest, AdminFaultsTakeRouteCountdowns) {
    auto set = Call(sim_->port(), verb::post, "/admin/faults",
                    R"({"lose_next_answers":{"POST /v1/session":2},"stall_next_answers":{"*":1},"stall_ms":50})");
    ASSERT_EQ(set.status, 200u) << set.body;
    EXPECT_EQ(set.Json().at("lose_next_answers").at("POST /v1/session"), 2);
    EXPECT_EQ(set.Json().at("stall_ms"), 50);
    EXPECT_EQ(set.Json().at("reset_next_answers").as_object().size(), 0u);
    EXPECT_EQ(Get("/v1/sessions").status, 200u);  // Stalled 50 ms, then answered.
    EXPECT_EQ(Get("/admin/faults").Json().at("stall_next_answers").at("*"), 0);
    for (const char* bad : {R"({"lose_next_answers":{"POST /v1/sessions":1}})", R"({"lose_next_answers":[1]})",
                            R"({"reset_next_answers":{"*":-1}})", R"({"stall_ms":600001})"}) {
        EXPECT_EQ(Call(sim_->port(), verb::post, "/admin/faults", bad).status, 400u) << bad;
    }
}

TEST(FaultState, ExactRouteCountsDownBeforeTheWildcard) {
    FaultState state(Faults{.lose_next_answers = {{"POST /v1/session", 1}, {"*", 1}}});
    EXPECT_TRUE(state.TakeRouted(&Faults::lose_next_answers, "POST /v1/session"));
    EXPECT_EQ(state.Get().lose_next_answers.at("*"), 1);
    EXPECT_TRUE(state.TakeRouted(&Faults::lose_next_answers, "POST /v1/session"));  // Now from "*".
    EXPECT_FALSE(state.TakeRouted(&Faults::lose_next_answers, "GET /v1/sessions"));
    EXPECT_FALSE(state.TakeRouted(&Faults::reset_next_answers, "POST /v1/session"));
}

}  // namespace
}  // namespace gapkit::edgegap_sim
