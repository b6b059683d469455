// The simulator over real loopback sockets, with real deployment processes
// (gapkit-sim-echo-server, built beside this test binary).
#include "gapkit/edgegap_sim/simulator.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using testing::Call;
using testing::EchoConfig;
using testing::TestResponse;
using testing::UdpRoundTrip;
using testing::WaitFor;
namespace json = boost::json;

class SimulatorTest : public ::testing::Test {
  protected:
    void Start(SimulatorConfig config = EchoConfig()) {
        auto sim = Simulator::Start(std::move(config));
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
    }
    TestResponse Get(const std::string& target) { return Call(sim_->port(), verb::get, target); }
    TestResponse Post(const std::string& target, const std::string& body) {
        return Call(sim_->port(), verb::post, target, body);
    }
    TestResponse Delete(const std::string& target) { return Call(sim_->port(), verb::delete_, target); }

    std::string CreateSession(const std::string& extra = "") {
        auto response =
            Post("/v1/session", R"({"app_name":"echo","version_name":"1","ip_list":["81.128.157.123"])" + extra + "}");
        EXPECT_EQ(response.status, 200u) << response.body;
        return json::value_to<std::string>(response.Json().at("session_id"));
    }
    // Polls the session until ready; returns its GET body.
    json::value WaitSessionReady(const std::string& session_id) {
        json::value session;
        EXPECT_TRUE(WaitFor([&] {
            session = Get("/v1/session/" + session_id).Json();
            return session.is_object() && session.as_object().contains("ready") && session.at("ready").as_bool();
        })) << json::serialize(session);
        return session;
    }
    std::string StatusOf(const std::string& request_id) {
        auto status = Get("/v1/status/" + request_id).Json();
        const auto* current = status.is_object() ? status.as_object().if_contains("current_status") : nullptr;
        return current != nullptr ? json::value_to<std::string>(*current) : "?";
    }
    std::string DeployReady() {
        auto response = Post("/v1/deploy", R"({"app_name":"echo","version_name":"1","ip_list":["1.2.3.4"]})");
        EXPECT_EQ(response.status, 200u) << response.body;
        const std::string id = json::value_to<std::string>(response.Json().at("request_id"));
        EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.READY"; }));
        return id;
    }
    std::uint16_t GamePort(const std::string& request_id) {
        auto status = Get("/v1/status/" + request_id).Json();
        return static_cast<std::uint16_t>(status.at("ports").at("gameport").at("external").to_number<int>());
    }

    std::unique_ptr<Simulator> sim_;
};

TEST_F(SimulatorTest, SessionBecomesReadyWithAReachableGameServer) {
    Start();
    const std::string session_id = CreateSession();
    json::value session = WaitSessionReady(session_id);
    EXPECT_EQ(session.at("status"), "Ready");
    EXPECT_EQ(session.at("linked"), true);
    EXPECT_EQ(session.at("kind"), "Seat");
    const auto& deployment = session.at("deployment");
    EXPECT_EQ(deployment.at("status"), "Status.READY");
    EXPECT_EQ(deployment.at("public_ip"), "127.0.0.1");
    const auto& port = deployment.at("ports").at("gameport");
    EXPECT_EQ(port.at("internal"), port.at("external"));
    EXPECT_EQ(port.at("protocol"), "UDP");
    const auto external = static_cast<std::uint16_t>(port.at("external").to_number<int>());
    EXPECT_EQ(UdpRoundTrip(external, "ping"), "ping");
    auto status = Get("/v1/status/" + json::value_to<std::string>(deployment.at("request_id"))).Json();
    EXPECT_EQ(status.at("sessions").at(0).at("session_id"), session_id.c_str());
    EXPECT_EQ(status.at("sockets_usage"), 1);
}

TEST_F(SimulatorTest, StopTerminatesTheProcess) {
    Start();
    const std::string id = DeployReady();
    const std::uint16_t port = GamePort(id);
    ASSERT_EQ(UdpRoundTrip(port, "ping"), "ping");
    auto stop = Delete("/v1/stop/" + id);
    EXPECT_EQ(stop.status, 200u) << stop.body;
    EXPECT_EQ(stop.Json().at("deployment_summary").at("request_id"), id.c_str());
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }));
    EXPECT_FALSE(UdpRoundTrip(port, "ping", 100ms).has_value());
    auto status = Get("/v1/status/" + id).Json();
    EXPECT_EQ(status.at("error"), false);
    EXPECT_EQ(Delete("/v1/stop/" + id).status, 410u);
}

TEST_F(SimulatorTest, StopEscalatesToSigkillAfterTheGracePeriod) {
    auto config = EchoConfig();
    config.apps[0].versions[0].arguments = "--ignore-sigterm";
    config.apps[0].versions[0].termination_grace_period = 2s;
    Start(config);
    const std::string id = DeployReady();
    ASSERT_EQ(Delete("/v1/stop/" + id).status, 200u);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(StatusOf(id), "Status.TERMINATING");  // SIGTERM ignored, grace (2 s) not over.
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }));
}

TEST_F(SimulatorTest, DeploymentGetsTheArbitriumEnvironmentAndCanUseContextAndSelfStop) {
    Start();
    const std::string id = DeployReady();
    const std::uint16_t port = GamePort(id);
    EXPECT_EQ(UdpRoundTrip(port, "env:ARBITRIUM_REQUEST_ID"), id);
    EXPECT_EQ(UdpRoundTrip(port, "env:ECHO_GREETING"), "hello");
    const std::string prefix = sim_->base_url();
    const auto context_url = UdpRoundTrip(port, "env:ARBITRIUM_CONTEXT_URL").value_or("");
    const auto context_token = UdpRoundTrip(port, "env:ARBITRIUM_CONTEXT_TOKEN").value_or("");
    ASSERT_EQ(context_url.rfind(prefix, 0), 0u) << context_url;
    auto context = Call(sim_->port(), verb::get, context_url.substr(prefix.size()), "", context_token);
    ASSERT_EQ(context.status, 200u) << context.body;
    EXPECT_EQ(context.Json().at("request_id"), id.c_str());
    EXPECT_EQ(Call(sim_->port(), verb::get, context_url.substr(prefix.size()), "", "token devkey").status, 401u);
    const auto delete_url = UdpRoundTrip(port, "env:ARBITRIUM_DELETE_URL").value_or("");
    const auto delete_token = UdpRoundTrip(port, "env:ARBITRIUM_DELETE_TOKEN").value_or("");
    auto stop = Call(sim_->port(), verb::delete_, delete_url.substr(prefix.size()), "", delete_token);
    EXPECT_EQ(stop.status, 200u) << stop.body;
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }));
}

TEST_F(SimulatorTest, CrashedProcessIsReportedAsAnError) {
    Start();
    sim_->SetFaults(Faults{.crash_next_processes = 1});
    auto response = Post("/v1/deploy", R"({"app_name":"echo","version_name":"1"})");
    const std::string id = json::value_to<std::string>(response.Json().at("request_id"));
    ASSERT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }));
    auto status = Get("/v1/status/" + id).Json();
    EXPECT_EQ(status.at("error"), true);
    EXPECT_EQ(status.at("error_detail"), "process killed by signal 9");
    auto logs = Get("/v1/deployment/" + id + "/container-logs").Json();
    EXPECT_NE(logs.at("logs").as_string().find("listening on UDP"), std::string::npos);
    EXPECT_EQ(logs.at("crash_data").at("exit_code"), 137);
}

TEST_F(SimulatorTest, FailFaultDeploymentEndsInError) {
    Start();
    sim_->SetFaults(Faults{.fail_next_deployments = 1});
    auto response = Post("/v1/deploy", R"({"app_name":"echo","version_name":"1"})");
    const std::string id = json::value_to<std::string>(response.Json().at("request_id"));
    ASSERT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.ERROR"; }));
    auto status = Get("/v1/status/" + id).Json();
    EXPECT_EQ(status.at("running"), false);
    EXPECT_EQ(status.at("error"), true);
    EXPECT_EQ(Delete("/v1/stop/" + id).status, 200u);
}

TEST_F(SimulatorTest, EmptyTimeToLiveStopsAnUnusedDeployment) {
    auto config = EchoConfig();
    config.apps[0].versions[0].session.empty_ttl = 1s;
    Start(config);
    const std::string session_id = CreateSession();
    const std::string id = json::value_to<std::string>(WaitSessionReady(session_id).at("deployment").at("request_id"));
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(StatusOf(id), "Status.READY");  // A seat is taken: kept.
    auto deleted = Delete("/v1/session/" + session_id);
    EXPECT_EQ(deleted.status, 200u) << deleted.body;
    EXPECT_EQ(Get("/v1/session/" + session_id).status, 404u);
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }, 5s));
}

TEST_F(SimulatorTest, ProcessThatExitsOnItsOwnIsTerminated) {
    auto config = EchoConfig();
    config.apps[0].versions[0].arguments = "--exit-after-ms 500";
    Start(config);
    const std::string id = DeployReady();
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "Status.TERMINATED"; }));
    EXPECT_EQ(Get("/v1/status/" + id).Json().at("error"), false);
}

TEST_F(SimulatorTest, SessionWebhookIsPostedWhenReady) {
    Start();
    testing::WebhookReceiver receiver;
    const std::string session_id = CreateSession(R"(,"webhook_url":")" + receiver.url() + "\"");
    ASSERT_TRUE(WaitFor([&] { return !receiver.bodies().empty(); }));
    auto body = json::parse(receiver.bodies().front());
    EXPECT_EQ(body.at("session_id"), session_id.c_str());
    EXPECT_EQ(body.at("status"), "Ready");
    EXPECT_EQ(body.at("ready"), true);
}

TEST_F(SimulatorTest, DeploymentWebhookCarriesTheStatusBody) {
    Start();
    testing::WebhookReceiver receiver;
    auto response = Post("/v1/deploy", R"({"app_name":"echo","webhook_url":")" + receiver.url() + "\"}");
    ASSERT_EQ(response.status, 200u);
    ASSERT_TRUE(WaitFor([&] { return !receiver.bodies().empty(); }));
    EXPECT_EQ(json::parse(receiver.bodies().front()).at("current_status"), "Status.READY");
}

TEST_F(SimulatorTest, MissingOrWrongTokenIs401WithAMessage) {
    Start();
    for (const std::string auth : {"", "token wrong", "Bearer devkey"}) {
        auto response = Call(sim_->port(), verb::get, "/v1/sessions", "", auth);
        EXPECT_EQ(response.status, 401u) << auth;
        EXPECT_TRUE(response.Json().at("message").is_string());
    }
    EXPECT_EQ(Call(sim_->port(), verb::get, "/v1/sessions", "", "devkey").status, 200u);  // Raw key.
}

TEST_F(SimulatorTest, RateLimitAnswers429WithRetryAfter) {
    auto config = EchoConfig();
    config.rate_limits.status_per_second = 2;
    Start(config);
    std::vector<unsigned> codes;
    for (int i = 0; i < 8; ++i) codes.push_back(Get("/v1/status/000000000000").status);
    EXPECT_EQ(codes.front(), 400u);  // Unknown request id, as the live API answers.
    EXPECT_NE(std::find(codes.begin(), codes.end(), 429u), codes.end());
    EXPECT_EQ(Get("/v1/sessions").status, 200u);  // Other categories are not limited.
}

TEST_F(SimulatorTest, InjectedRateLimitAndServerErrors) {
    Start();
    sim_->SetFaults(Faults{.rate_limit_next_requests = 1, .retry_after_seconds = 7});
    auto limited = Get("/v1/sessions");
    EXPECT_EQ(limited.status, 429u);
    EXPECT_EQ(limited.retry_after, "7");
    EXPECT_EQ(Get("/v1/sessions").status, 200u);
    sim_->SetFaults(Faults{.server_error_fraction = 1.0});
    auto failed = Get("/v1/sessions");
    EXPECT_GE(failed.status, 500u);
    EXPECT_TRUE(failed.Json().at("message").is_string());
}

TEST_F(SimulatorTest, InjectedDroppedConnectionsAndMalformedJson) {
    Start();
    sim_->SetFaults(Faults{.drop_connection_fraction = 1.0});
    EXPECT_FALSE(Get("/v1/sessions").answered);
    sim_->SetFaults(Faults{.malformed_json_fraction = 1.0});
    auto malformed = Get("/v1/sessions");
    EXPECT_EQ(malformed.status, 200u);
    EXPECT_TRUE(malformed.Json().is_null());
}

TEST_F(SimulatorTest, InjectedLatencyDelaysTheAnswer) {
    Start();
    sim_->SetFaults(Faults{.added_latency = 300ms});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Get("/v1/sessions").status, 200u);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);  // A lower bound, not a speed measurement.
}

TEST_F(SimulatorTest, AdminEndpointSetsFaults) {
    Start();
    EXPECT_EQ(Call(sim_->port(), verb::post, "/admin/faults", R"({"rate_limit_next_requests":1})", "").status, 401u);
    auto set = Post("/admin/faults", R"({"rate_limit_next_requests":1,"retry_after_seconds":3})");
    ASSERT_EQ(set.status, 200u) << set.body;
    EXPECT_EQ(Get("/v1/sessions").retry_after, "3");
    EXPECT_EQ(Get("/admin/faults").Json().at("rate_limit_next_requests"), 0);
    EXPECT_EQ(Post("/admin/faults", R"({"server_error_fraction":2})").status, 400u);
}

TEST_F(SimulatorTest, PatchedArgumentsApplyToLaterDeployments) {
    Start();
    auto patch = Call(sim_->port(), verb::patch, "/v1/app/echo/version/1", R"({"arguments":"--exit-after-ms 60000"})");
    ASSERT_EQ(patch.status, 200u) << patch.body;
    EXPECT_EQ(patch.Json().at("success"), true);
    EXPECT_EQ(patch.Json().at("version").at("arguments"), "--exit-after-ms 60000");
    EXPECT_EQ(Get("/v1/app/echo/version/1").Json().at("arguments"), "--exit-after-ms 60000");
    const std::string id = DeployReady();
    EXPECT_EQ(Get("/v1/status/" + id).Json().at("arguments"), "--exit-after-ms 60000");
    EXPECT_EQ(Get("/v1/app/echo/version/9").status, 404u);
}

TEST_F(SimulatorTest, ListsArePaginated) {
    Start();
    CreateSession();
    CreateSession();
    auto page = Get("/v1/sessions?page=2&limit=1").Json();
    EXPECT_EQ(page.at("total_count"), 2);
    EXPECT_EQ(page.at("data").as_array().size(), 1u);
    EXPECT_EQ(page.at("pagination").at("has_previous"), true);
    EXPECT_EQ(page.at("pagination").at("has_next"), false);
    EXPECT_EQ(Get("/v1/deployments").Json().at("total_count"), 1);  // Both seats on one deployment.
    EXPECT_EQ(Get("/v1/sessions?page=0").status, 400u);
}

TEST_F(SimulatorTest, StatusPageShowsDeploymentsAndSessions) {
    Start();
    const std::string session_id = CreateSession();
    auto page = Call(sim_->port(), verb::get, "/", "", "");
    EXPECT_EQ(page.status, 200u);
    EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
    EXPECT_NE(page.body.find(session_id), std::string::npos);
    EXPECT_NE(page.body.find("http-equiv=\"refresh\""), std::string::npos);
}

TEST_F(SimulatorTest, BadRequestsGetEdgegapErrorBodies) {
    auto config = EchoConfig();
    config.max_body_bytes = 1024;
    Start(config);
    EXPECT_EQ(Post("/v1/session", "{not json").status, 400u);
    EXPECT_EQ(Post("/v1/session", R"({"app_name":"nope"})").status, 404u);
    EXPECT_EQ(Post("/v1/deploy", R"({"version_name":"1"})").status, 400u);
    EXPECT_EQ(Get("/v1/nothing-here").status, 404u);
    auto too_big = Post("/v1/deploy", std::string(2000, 'x'));
    EXPECT_EQ(too_big.status, 413u);
}

TEST_F(SimulatorTest, StopEndsEveryDeploymentProcess) {
    Start();
    const std::string id = DeployReady();
    const std::uint16_t port = GamePort(id);
    sim_->Stop();
    EXPECT_FALSE(UdpRoundTrip(port, "ping", 100ms).has_value());
}

TEST(SimulatorStart, RefusesAnInvalidConfig) {
    SimulatorConfig config;
    config.api_key = "";
    EXPECT_FALSE(Simulator::Start(config));
    config.api_key = "k";
    config.bind_address = "not-an-address";
    EXPECT_FALSE(Simulator::Start(config));
}

}  // namespace
}  // namespace gapkit::edgegap_sim
