// GET, PUT and DELETE /v1/session/{id}/users over real loopback sockets: the answers, the
// refusals, the sockets a deployment reports, and the call counters.
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using boost::beast::http::verb;
using testing::Call;
using testing::EchoConfig;
using testing::TestResponse;
namespace json = boost::json;

class SessionUsersRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto sim = Simulator::Start(EchoConfig());  // Seat sessions, 4 sockets per deployment.
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
    }
    TestResponse Send(verb method, const std::string& target, const std::string& body = "",
                      const std::string& authorization = "token devkey") {
        return Call(sim_->port(), method, target, body, authorization);
    }
    std::string CreateSession(const std::string& ip_list) {
        auto created = Send(verb::post, "/v1/session", R"({"app_name":"echo","ip_list":)" + ip_list + "}");
        EXPECT_EQ(created.status, 200u) << created.body;
        return json::value_to<std::string>(created.Json().at("session_id"));
    }
    std::string Users(const std::string& session_id) { return "/v1/session/" + session_id + "/users"; }
    // The IPs of a `session_users` answer, in order.
    static std::vector<std::string> IpsOf(const TestResponse& response) {
        std::vector<std::string> ips;
        const json::value body = response.Json();
        for (const auto& user : body.at("session_users").as_array()) {
            ips.push_back(json::value_to<std::string>(user.at("ip")));
        }
        return ips;
    }
    std::int64_t SocketsUsage(const std::string& session_id) {
        auto session = Send(verb::get, "/v1/session/" + session_id).Json();
        const std::string deployment = json::value_to<std::string>(session.at("deployment_request_id"));
        return Send(verb::get, "/v1/status/" + deployment).Json().at("sockets_usage").to_number<std::int64_t>();
    }

    std::unique_ptr<Simulator> sim_;
};

using Ips = std::vector<std::string>;

TEST_F(SessionUsersRoutesTest, GetListsTheDistinctIpsTheSessionWasCreatedWith) {
    const std::string id = CreateSession(R"(["1.1.1.1","2.2.2.2","1.1.1.1"])");
    auto users = Send(verb::get, Users(id));
    ASSERT_EQ(users.status, 200u) << users.body;
    EXPECT_EQ(IpsOf(users), (Ips{"1.1.1.1", "2.2.2.2"}));
    EXPECT_EQ(users.Json().at("session_users").at(0).at("latitude"), 0.0);
    EXPECT_EQ(SocketsUsage(id), 2);
    EXPECT_EQ(Send(verb::get, Users("ffffffffffff-S")).status, 404u);
}

TEST_F(SessionUsersRoutesTest, PutAddsUsersAndAnswersThemAll) {
    const std::string id = CreateSession(R"(["1.1.1.1"])");
    auto added = Send(verb::put, Users(id), R"({"ip_list":["2.2.2.2","1.1.1.1","2001:db8::1"]})");
    ASSERT_EQ(added.status, 200u) << added.body;
    EXPECT_EQ(IpsOf(added), (Ips{"1.1.1.1", "2.2.2.2", "2001:db8::1"}));
    EXPECT_EQ(SocketsUsage(id), 3);
    auto session = Send(verb::get, "/v1/session/" + id).Json();
    EXPECT_EQ(session.at("user_count"), 3);
    EXPECT_EQ(session.at("session_ips").as_array().size(), 3u);
}

TEST_F(SessionUsersRoutesTest, PutRefusesWhatItCannotSeatOrRead) {
    const std::string id = CreateSession(R"(["1.1.1.1","2.2.2.2","3.3.3.3"])");
    auto full = Send(verb::put, Users(id), R"({"ip_list":["4.4.4.4","5.5.5.5"]})");
    EXPECT_EQ(full.status, 422u) << full.body;
    EXPECT_NE(full.Json().at("message").as_string().find("free sockets"), json::string::npos);
    EXPECT_EQ(Send(verb::put, Users(id), R"({"ip_list":["not an ip"]})").status, 422u);
    EXPECT_EQ(Send(verb::put, Users(id), R"({"ip_list":[]})").status, 400u);
    EXPECT_EQ(Send(verb::put, Users(id), R"({})").status, 400u);
    EXPECT_EQ(Send(verb::put, Users(id), R"({"ip_list":"4.4.4.4"})").status, 400u);
    EXPECT_EQ(Send(verb::put, Users(id), "ip_list=4.4.4.4").status, 400u);
    EXPECT_EQ(Send(verb::put, Users(id), R"({"ip_list":["4.4.4.4"]})", "token nope").status, 401u);
    EXPECT_EQ(Send(verb::put, Users("ffffffffffff-S"), R"({"ip_list":["4.4.4.4"]})").status, 404u);
    EXPECT_EQ(IpsOf(Send(verb::get, Users(id))), (Ips{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));
}

TEST_F(SessionUsersRoutesTest, DeleteRemovesUsersAndTheSessionStaysUntilDeleted) {
    const std::string id = CreateSession(R"(["1.1.1.1","2.2.2.2"])");
    auto removed = Send(verb::delete_, Users(id), R"({"ip_list":["1.1.1.1","9.9.9.9"]})");
    ASSERT_EQ(removed.status, 200u) << removed.body;
    EXPECT_EQ(IpsOf(removed), (Ips{"2.2.2.2"}));
    auto again = Send(verb::delete_, Users(id), R"({"ip_list":["1.1.1.1"]})");  // A retry changes nothing.
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(IpsOf(again), (Ips{"2.2.2.2"}));
    EXPECT_TRUE(IpsOf(Send(verb::delete_, Users(id), R"({"ip_list":["2.2.2.2"]})")).empty());
    EXPECT_EQ(Send(verb::get, "/v1/session/" + id).status, 200u);
    EXPECT_EQ(SocketsUsage(id), 1);  // An empty seat session keeps one socket until deleted.
    EXPECT_EQ(Send(verb::delete_, Users(id), R"({"ip_list":[]})").status, 400u);
    EXPECT_EQ(Send(verb::delete_, "/v1/session/" + id).status, 200u);
    EXPECT_EQ(Send(verb::delete_, Users(id), R"({"ip_list":["2.2.2.2"]})").status, 404u);
}

TEST_F(SessionUsersRoutesTest, CallsAreCountedPerRoute) {
    const std::string id = CreateSession(R"(["1.1.1.1"])");
    Send(verb::get, Users(id));
    Send(verb::put, Users(id), R"({"ip_list":["2.2.2.2"]})");
    Send(verb::put, Users(id), R"({"ip_list":["bad"]})");
    Send(verb::delete_, Users(id), R"({"ip_list":["2.2.2.2"]})");
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/session/{id}/users", "200"), 1u);
    EXPECT_EQ(sim_->CountCalls("PUT", "/v1/session/{id}/users", "200"), 1u);
    EXPECT_EQ(sim_->CountCalls("PUT", "/v1/session/{id}/users", "422"), 1u);
    EXPECT_EQ(sim_->CountCalls("DELETE", "/v1/session/{id}/users"), 1u);
    EXPECT_EQ(sim_->CountCalls("GET", "/v1/session/{id}"), 0u);  // Not confused with the session route.
}

TEST_F(SessionUsersRoutesTest, AnswerFaultsCanTargetTheUsersRoutes) {
    const std::string id = CreateSession(R"(["1.1.1.1"])");
    sim_->SetFaults(Faults{.reset_next_answers = {{"DELETE /v1/session/{id}/users", 1}}});
    EXPECT_FALSE(Send(verb::delete_, Users(id), R"({"ip_list":["1.1.1.1"]})").answered);
    EXPECT_TRUE(IpsOf(Send(verb::get, Users(id))).empty());  // Performed, though unanswered.
}

}  // namespace
}  // namespace gapkit::edgegap_sim
