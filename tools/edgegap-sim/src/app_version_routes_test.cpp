// POST, PATCH and GET of /v1/app/{app}/version... over real loopback sockets: what a version
// created or changed through the API holds, the refusals Edgegap's spec lists, and that a created
// version deploys (it runs the command of the app's first configured version).
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using boost::beast::http::verb;
using testing::Call;
using testing::EchoConfig;
using testing::TestResponse;
using testing::WaitFor;
namespace json = boost::json;

constexpr const char* kCreateBody = R"({"name":"2","docker_repository":"registry.edgegap.com",
    "docker_image":"org/echo","docker_tag":"v2","req_cpu":256,"req_memory":512,"max_duration":30,
    "is_active":true,"arguments":"--exit-after-ms '60000'",
    "ports":[{"name":"gameport","port":7777,"protocol":"UDP","to_check":false}],
    "envs":[{"key":"ECHO_TOKEN","value":"t","is_secret":true}],
    "session_config":{"kind":"Seat","sockets":2,"autodeploy":true,"empty_ttl":5}})";

class AppVersionRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto sim = Simulator::Start(EchoConfig());
        ASSERT_TRUE(sim.has_value()) << sim.error().ToString();
        sim_ = std::move(*sim);
    }
    TestResponse Send(verb method, const std::string& target, const std::string& body = "",
                      const std::string& authorization = "token devkey") {
        return Call(sim_->port(), method, target, body, authorization);
    }

    std::unique_ptr<Simulator> sim_;
};

TEST_F(AppVersionRoutesTest, CreateAnswersAndStoresEveryField) {
    auto created = Send(verb::post, "/v1/app/echo/version", kCreateBody);
    ASSERT_EQ(created.status, 200u) << created.body;
    EXPECT_EQ(created.Json().at("success"), true);
    const json::value shown = Send(verb::get, "/v1/app/echo/version/2").Json();
    EXPECT_EQ(created.Json().at("version"), shown);
    EXPECT_EQ(shown.at("docker_repository"), "registry.edgegap.com");
    EXPECT_EQ(shown.at("docker_image"), "org/echo");
    EXPECT_EQ(shown.at("docker_tag"), "v2");
    EXPECT_EQ(shown.at("req_memory"), 512);
    EXPECT_EQ(shown.at("max_duration"), 30);
    EXPECT_EQ(shown.at("arguments"), "--exit-after-ms '60000'");
    EXPECT_EQ(shown.at("envs").at(0).at("is_secret"), true);
    EXPECT_EQ(shown.at("session_config").at("sockets"), 2);
    EXPECT_EQ(shown.at("session_config").at("empty_ttl"), 5);
    // The simulator runs what its config names: the command of the app's first version.
    EXPECT_EQ(shown.at("command"), Send(verb::get, "/v1/app/echo/version/1").Json().at("command"));
}

TEST_F(AppVersionRoutesTest, CreateRefusesDuplicatesUnknownAppsMissingFieldsAndStrangers) {
    ASSERT_EQ(Send(verb::post, "/v1/app/echo/version", kCreateBody).status, 200u);
    EXPECT_EQ(Send(verb::post, "/v1/app/echo/version", kCreateBody).status, 409u);
    EXPECT_EQ(Send(verb::post, "/v1/app/nope/version", kCreateBody).status, 404u);
    auto missing = Send(verb::post, "/v1/app/echo/version", R"({"name":"3","docker_image":"x"})");
    EXPECT_EQ(missing.status, 400u);
    EXPECT_EQ(missing.Json().at("message"), "docker_repository is required");
    auto small = Send(verb::post, "/v1/app/echo/version",
                      R"({"name":"3","docker_repository":"r","docker_image":"i","docker_tag":"t","req_cpu":10,)"
                      R"("req_memory":256})");
    EXPECT_EQ(small.status, 400u);
    auto wrong_type = Send(verb::post, "/v1/app/echo/version",
                           R"({"name":"3","docker_repository":"r","docker_image":"i","docker_tag":"t","req_cpu":256,)"
                           R"("req_memory":256,"ports":"gameport"})");
    EXPECT_EQ(wrong_type.status, 400u);
    auto foreign_command = Send(verb::post, "/v1/app/echo/version",
                                R"({"name":"3","docker_repository":"r","docker_image":"i","docker_tag":"t",)"
                                R"("req_cpu":256,"req_memory":256,"command":"/bin/sh"})");
    EXPECT_EQ(foreign_command.status, 400u) << foreign_command.body;
    EXPECT_EQ(Send(verb::post, "/v1/app/echo/version", kCreateBody, "token nope").status, 401u);
    EXPECT_EQ(Send(verb::get, "/v1/app/echo/version/3").status, 404u);
}

TEST_F(AppVersionRoutesTest, PatchChangesOnlyTheFieldsItGives) {
    auto patched = Send(verb::patch, "/v1/app/echo/version/1",
                        R"({"docker_tag":"v9","session_config":{"empty_ttl":7},"envs":[{"key":"A","value":"b"}]})");
    ASSERT_EQ(patched.status, 200u) << patched.body;
    const json::value version = Send(verb::get, "/v1/app/echo/version/1").Json();
    EXPECT_EQ(version.at("docker_tag"), "v9");
    EXPECT_EQ(version.at("session_config").at("empty_ttl"), 7);
    EXPECT_EQ(version.at("session_config").at("kind"), "Seat");  // Kept.
    EXPECT_EQ(version.at("session_config").at("sockets"), 4);    // Kept.
    EXPECT_EQ(version.at("envs"), json::parse(R"([{"key":"A","value":"b","is_secret":false}])"));
    EXPECT_EQ(version.at("ports").as_array().size(), 1u);  // Kept.
    EXPECT_EQ(Send(verb::patch, "/v1/app/echo/version/1", R"({"name":"other"})").status, 400u);
    EXPECT_EQ(Send(verb::patch, "/v1/app/echo/version/1", R"({"req_cpu":"many"})").status, 400u);
    EXPECT_EQ(Send(verb::patch, "/v1/app/echo/version/9", R"({"docker_tag":"x"})").status, 404u);
    EXPECT_EQ(Send(verb::patch, "/v1/app/echo/version/1", R"({"docker_tag":"x"})", "").status, 401u);
}

TEST_F(AppVersionRoutesTest, KeepsRegistryCredentialsAndAnswersThemAsGiven) {
    json::object body = json::parse(kCreateBody).as_object();
    body["private_username"] = "robot$org+pull";
    body["private_token"] = "pull-token-1";
    ASSERT_EQ(Send(verb::post, "/v1/app/echo/version", json::serialize(body)).status, 200u);
    json::value version = Send(verb::get, "/v1/app/echo/version/2").Json();
    EXPECT_EQ(version.at("private_username"), "robot$org+pull");
    EXPECT_EQ(version.at("private_token"), "pull-token-1");
    ASSERT_EQ(Send(verb::patch, "/v1/app/echo/version/2", R"({"private_token":"pull-token-2"})").status, 200u);
    version = Send(verb::get, "/v1/app/echo/version/2").Json();
    EXPECT_EQ(version.at("private_username"), "robot$org+pull");  // Kept.
    EXPECT_EQ(version.at("private_token"), "pull-token-2");
    auto wrong_type = Send(verb::patch, "/v1/app/echo/version/2", R"({"private_token":12345678})");
    EXPECT_EQ(wrong_type.status, 400u);
    EXPECT_EQ(wrong_type.body.find("12345678"), std::string::npos) << wrong_type.body;
    EXPECT_EQ(Send(verb::get, "/v1/app/echo/version/1").Json().at("private_token"), "");
}

TEST_F(AppVersionRoutesTest, CreatedVersionDeploys) {
    ASSERT_EQ(Send(verb::post, "/v1/app/echo/version", kCreateBody).status, 200u);
    auto deployed = Send(verb::post, "/v1/deploy", R"({"app_name":"echo","version_name":"2","ip_list":["1.2.3.4"]})");
    ASSERT_EQ(deployed.status, 200u) << deployed.body;
    const std::string id = json::value_to<std::string>(deployed.Json().at("request_id"));
    EXPECT_TRUE(
        WaitFor([&] { return Send(verb::get, "/v1/status/" + id).Json().at("current_status") == "Status.READY"; }));
    EXPECT_EQ(Send(verb::get, "/v1/status/" + id).Json().at("app_version"), "2");
}

}  // namespace
}  // namespace gapkit::edgegap_sim
