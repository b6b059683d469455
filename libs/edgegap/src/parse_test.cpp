#include "gapkit/edgegap/parse.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap::detail {
namespace {

TEST(ParseDeploymentStatus, ReadsTheDocumentedExample) {
    auto status = ParseDeploymentStatus(R"({
        "request_id": "93924761ccde", "fqdn": "93924761ccde.pr.edgegap.net", "app_name": "spaceships",
        "app_version": "1", "current_status": "Status.READY", "running": true, "whitelisting_active": false,
        "start_time": "2024-05-26 12:00:45.831041", "elapsed_time": 12, "error": false,
        "ports": {"gameport": {"external": 31669, "internal": 7777, "protocol": "UDP", "name": "gameport",
                               "tls_upgrade": false, "link": "example.com:31669", "proxy": 65002}},
        "public_ip": "100.10.0.85",
        "location": {"city": "Montreal", "country": "Canada", "latitude": 45.5, "longitude": -73.5},
        "tags": ["production"], "sockets": 5, "sockets_usage": 2})");
    ASSERT_TRUE(status.has_value()) << status.error().ToString();
    EXPECT_EQ(status->request_id, "93924761ccde");
    EXPECT_EQ(status->state, DeploymentState::kReady);
    EXPECT_EQ(status->current_status, "Status.READY");
    EXPECT_TRUE(status->running);
    EXPECT_EQ(status->public_ip, "100.10.0.85");
    ASSERT_EQ(status->ports.count("gameport"), 1u);
    EXPECT_EQ(status->ports.at("gameport").external, 31669);
    EXPECT_EQ(status->ports.at("gameport").internal, 7777);
    EXPECT_EQ(status->ports.at("gameport").protocol, "UDP");
    ASSERT_TRUE(status->location.has_value());
    EXPECT_EQ(status->location->city, "Montreal");
    EXPECT_DOUBLE_EQ(status->location->latitude, 45.5);
    EXPECT_EQ(status->tags, std::vector<std::string>{"production"});
    EXPECT_EQ(status->elapsed_seconds, 12);
    EXPECT_EQ(status->sockets, 5);
    EXPECT_EQ(status->sockets_usage, 2);
}

TEST(ParseDeploymentStatus, AcceptsNumbersAsStringsAndIgnoresUnknownFields) {
    auto status = ParseDeploymentStatus(R"({"request_id": "abc", "current_status": "Status.DEPLOYING",
        "running": "false", "elapsed_time": "7", "sockets": "5", "brand_new_field": {"x": [1, 2]},
        "ports": {"7777": {"external": "31000", "internal": "7777", "protocol": "UDP"}}, "location": null})");
    ASSERT_TRUE(status.has_value()) << status.error().ToString();
    EXPECT_EQ(status->state, DeploymentState::kDeploying);
    EXPECT_FALSE(status->running);
    EXPECT_EQ(status->elapsed_seconds, 7);
    EXPECT_EQ(status->sockets, 5);
    EXPECT_EQ(status->ports.at("7777").external, 31000);
    EXPECT_FALSE(status->location.has_value());
    EXPECT_FALSE(status->sockets_usage.has_value());
}

TEST(ParseDeploymentStatus, RequiresRequestIdAndStatus) {
    auto no_id = ParseDeploymentStatus(R"({"current_status": "Status.READY"})");
    ASSERT_FALSE(no_id.has_value());
    EXPECT_EQ(no_id.error().code(), common::ErrorCode::kProtocol);
    EXPECT_NE(no_id.error().message().find("request_id"), std::string::npos);
    auto no_status = ParseDeploymentStatus(R"({"request_id": "abc"})");
    ASSERT_FALSE(no_status.has_value());
    EXPECT_NE(no_status.error().message().find("current_status"), std::string::npos);
}

TEST(ParseDeploymentStatus, RefusesMalformedJsonAndNonObjects) {
    for (const char* body : {"", "{", R"({"request_id": "abc", "current_status": )", "[]", "42", "null"}) {
        auto status = ParseDeploymentStatus(body);
        ASSERT_FALSE(status.has_value()) << body;
        EXPECT_EQ(status.error().code(), common::ErrorCode::kProtocol) << body;
    }
}

TEST(ParseDeploymentState, AcceptsEverySpelling) {
    EXPECT_EQ(ParseDeploymentState("Status.READY"), DeploymentState::kReady);
    EXPECT_EQ(ParseDeploymentState("READY"), DeploymentState::kReady);
    EXPECT_EQ(ParseDeploymentState("Ready"), DeploymentState::kReady);
    EXPECT_EQ(ParseDeploymentState("status.terminated"), DeploymentState::kTerminated);
    EXPECT_EQ(ParseDeploymentState("Status.SEEKING"), DeploymentState::kSeeking);
    EXPECT_EQ(ParseDeploymentState("Status.SOMETHING_NEW"), DeploymentState::kUnknown);
    EXPECT_EQ(ParseDeploymentState(""), DeploymentState::kUnknown);
}

TEST(ParseSession, ReadsTheDocsExampleWithStringNumbers) {
    auto session = ParseSession(R"({"session_id": "abc123-s", "custom_id": "custom-abc123", "status": "Ready",
        "ready": true, "linked": true, "kind": "Seat", "user_count": "10", "app_version": 1,
        "create_time": "2025-06-20 12:00:43.066217", "elapsed": 1, "error": "text",
        "session_users": [{"ip": "1.2.3.4", "latitude": 1, "longitude": 1}],
        "deployment": {"request_id": "abc123", "public_ip": "100.10.0.85", "status": "Status.READY", "ready": true,
          "fqdn": "abc123.test.edgegap.com",
          "ports": {"7777": {"external": 31669, "internal": 7777, "protocol": "UDP", "name": "7777"}},
          "sockets": "5", "sockets_usage": "2", "is_joinable_by_session": true},
        "webhook_url": "https://webhook.com"})");
    ASSERT_TRUE(session.has_value()) << session.error().ToString();
    EXPECT_EQ(session->session_id, "abc123-s");
    EXPECT_EQ(session->state, SessionState::kReady);
    EXPECT_TRUE(session->ready);
    EXPECT_TRUE(session->linked);
    EXPECT_EQ(session->kind_value, SessionKind::kSeat);
    EXPECT_EQ(session->user_count, 10);
    EXPECT_EQ(session->deployment_request_id, "abc123");
    ASSERT_TRUE(session->deployment.has_value());
    EXPECT_EQ(session->deployment->state, DeploymentState::kReady);
    EXPECT_TRUE(session->deployment->running);
    EXPECT_EQ(session->deployment->sockets, 5);
    EXPECT_EQ(session->deployment->ports.at("7777").external, 31669);
    EXPECT_EQ(session->deployment->is_joinable_by_session, true);
    EXPECT_EQ(session->user_ips, std::vector<std::string>{"1.2.3.4"});
}

TEST(ParseSession, ReadsSpecSpellingAndWebhookBody) {
    auto spec = ParseSession(R"({"session_id": "x-S", "status": "Status.READY", "kind": "SEATS", "ready": true})");
    ASSERT_TRUE(spec.has_value());
    EXPECT_EQ(spec->state, SessionState::kReady);
    EXPECT_EQ(spec->kind_value, SessionKind::kSeat);
    auto webhook = ParseSession(R"({"session_id": "950dd2eaff09-S", "status": "Waiting", "ready": false,
        "kind": "Seat", "user_count": 1, "linked": false, "deployment_request_id": "57f84a8e1298"})");
    ASSERT_TRUE(webhook.has_value());
    EXPECT_EQ(webhook->state, SessionState::kWaiting);
    EXPECT_EQ(webhook->deployment_request_id, "57f84a8e1298");
    EXPECT_FALSE(webhook->deployment.has_value());
}

TEST(ParseSession, RequiresSessionId) {
    auto session = ParseSession(R"({"status": "Ready", "ready": true})");
    ASSERT_FALSE(session.has_value());
    EXPECT_NE(session.error().message().find("session_id"), std::string::npos);
    EXPECT_FALSE(ParseSession(R"({"session_id": 12.5})").has_value());
}

TEST(ParseCreated, ReadsSessionAndDeploymentAnswers) {
    auto session = ParseCreatedSession(R"({"session_id": "abc123-s", "app": "demo", "version": "v1.0",
        "deployment_request_id": null, "selectors": []})");
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ(session->session_id, "abc123-s");
    EXPECT_EQ(session->app, "demo");
    EXPECT_TRUE(session->deployment_request_id.empty());
    auto deployment = ParseCreatedDeployment(R"({"request_id": "93924761ccde", "request_dns": "x.edgelab.io",
        "request_app": "supermario", "request_version": "v1.0", "request_user_count": "4"})");
    ASSERT_TRUE(deployment.has_value());
    EXPECT_EQ(deployment->request_id, "93924761ccde");
    EXPECT_EQ(deployment->request_user_count, 4);
    EXPECT_FALSE(ParseCreatedDeployment(R"({"request_dns": "x"})").has_value());
}

TEST(ParsePages, ReadsItemsCountsAndPagination) {
    auto sessions = ParseSessionPage(R"({"data": [{"session_id": "a-S", "status": "Ready", "ready": true},
        {"session_id": "b-S", "status": "Waiting"}], "total_count": 3,
        "pagination": {"number": 1, "has_next": true}})");
    ASSERT_TRUE(sessions.has_value()) << sessions.error().ToString();
    ASSERT_EQ(sessions->items.size(), 2u);
    EXPECT_EQ(sessions->items[1].state, SessionState::kWaiting);
    EXPECT_EQ(sessions->total_count, 3);
    EXPECT_TRUE(sessions->has_next);
    auto deployments =
        ParseDeploymentPage(R"({"data": [{"request_id": "r1", "ready": true, "public_ip": "1.2.3.4"}]})");
    ASSERT_TRUE(deployments.has_value()) << deployments.error().ToString();
    EXPECT_EQ(deployments->items[0].request_id, "r1");
    EXPECT_TRUE(deployments->items[0].running);
    EXPECT_EQ(deployments->total_count, 1);
    EXPECT_FALSE(deployments->has_next);
    EXPECT_FALSE(ParseSessionPage(R"({"data": [{"status": "Ready"}]})").has_value());
    EXPECT_FALSE(ParseSessionPage(R"({"count": 0})").has_value());
}

TEST(ParseAppVersion, UnwrapsPatchAnswerAndReadsArguments) {
    auto patched = ParseAppVersion(R"({"success": true, "version": {"name": "1", "is_active": true,
        "arguments": "--ca_contents 'abc'", "command": null, "req_cpu": "256", "max_duration": 60,
        "session_config": {"kind": "Seat", "sockets": 6, "autodeploy": true, "empty_ttl": 10},
        "ports": [{"port": 7777, "protocol": "UDP", "name": "gameport", "to_check": false}],
        "envs": [{"key": "MAP", "value": "forest", "is_secret": true}]}})");
    ASSERT_TRUE(patched.has_value()) << patched.error().ToString();
    EXPECT_EQ(patched->name, "1");
    EXPECT_EQ(patched->arguments, "--ca_contents 'abc'");
    EXPECT_FALSE(patched->command.has_value());
    EXPECT_EQ(patched->req_cpu, 256);
    ASSERT_TRUE(patched->session_config.has_value());
    EXPECT_EQ(patched->session_config->sockets, 6);
    EXPECT_EQ(patched->session_config->empty_ttl_minutes, 10);
    ASSERT_EQ(patched->ports.size(), 1u);
    EXPECT_FALSE(patched->ports[0].to_check);
    ASSERT_EQ(patched->envs.size(), 1u);
    EXPECT_TRUE(patched->envs[0].is_hidden);
    auto plain = ParseAppVersion(R"({"name": "2", "docker_image": "game"})");
    ASSERT_TRUE(plain.has_value());
    EXPECT_EQ(plain->docker_image, "game");
    EXPECT_FALSE(plain->arguments.has_value());
}

TEST(ParseSessionUsers, ReadsTheSpecExampleAndToleratesMissingCoordinates) {
    auto users = ParseSessionUsers(R"({"session_users":[
        {"ip":"1.2.3.4","latitude":1.46581298050294517,"longitude":5.96213391668318},
        {"ip":"2001:db8::1","latitude":null,"extra":true}]})");
    ASSERT_TRUE(users.has_value()) << users.error().ToString();
    ASSERT_EQ(users->users.size(), 2u);
    EXPECT_EQ(users->users[0].ip, "1.2.3.4");
    EXPECT_DOUBLE_EQ(users->users[0].latitude, 1.46581298050294517);
    EXPECT_DOUBLE_EQ(users->users[0].longitude, 5.96213391668318);
    EXPECT_EQ(users->users[1].ip, "2001:db8::1");
    EXPECT_EQ(users->users[1].latitude, 0.0);
    EXPECT_FALSE(users->session_gone);
    EXPECT_TRUE(ParseSessionUsers(R"({"session_users":[]})")->users.empty());
}

TEST(ParseSessionUsers, RequiresTheListAndEachIp) {
    EXPECT_FALSE(ParseSessionUsers("{}").has_value());
    EXPECT_FALSE(ParseSessionUsers(R"({"session_users":{"ip":"1.2.3.4"}})").has_value());
    EXPECT_FALSE(ParseSessionUsers(R"({"session_users":[{"latitude":1}]})").has_value());
    EXPECT_FALSE(ParseSessionUsers(R"({"session_users":["1.2.3.4"]})").has_value());
    EXPECT_FALSE(ParseSessionUsers(R"({"session_users":[)").has_value());
    auto missing = ParseSessionUsers(R"({"session_users":[{"ip":"1.2.3.4"},{}]})");
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().message().find("ip"), std::string::npos) << missing.error().message();
}

TEST(ParseErrorMessage, ReadsMessageOrNothing) {
    EXPECT_EQ(ParseErrorMessage(R"({"message": "Instance Already terminated"})"), "Instance Already terminated");
    EXPECT_EQ(ParseErrorMessage(R"({"message": "x", "details": {}})"), "x");
    EXPECT_EQ(ParseErrorMessage("<html>Bad Gateway</html>"), "");
    EXPECT_EQ(ParseErrorMessage(R"(["message"])"), "");
}

TEST(Serialize, WritesOnlySetFields) {
    SessionRequest session;
    session.app_name = "spaceships";
    session.ip_list = {"1.2.3.4"};
    session.webhook_url = "https://mm.example.com/hook/s3cret";
    EXPECT_EQ(SerializeSessionRequest(session),
              R"({"app_name":"spaceships","ip_list":["1.2.3.4"],"webhook_url":"https://mm.example.com/hook/s3cret"})");
    session.version_name = "1";
    EXPECT_NE(SerializeSessionRequest(session).find(R"("version_name":"1")"), std::string::npos);

    DeployRequest deploy;
    deploy.app_name = "spaceships";
    deploy.ip_list = {"1.2.3.4"};
    deploy.env_vars = {{"KEY", "value", true}};
    EXPECT_EQ(
        SerializeDeployRequest(deploy),
        R"({"app_name":"spaceships","ip_list":["1.2.3.4"],"env_vars":[{"key":"KEY","value":"value","is_hidden":true}]})");

    EXPECT_EQ(SerializeIpList({"1.2.3.4", "2001:db8::1"}), R"({"ip_list":["1.2.3.4","2001:db8::1"]})");

    AppVersionPatch patch;
    patch.arguments = "--ca_contents 'x\"y'";
    EXPECT_EQ(SerializeAppVersionPatch(patch), R"({"arguments":"--ca_contents 'x\"y'"})");
    EXPECT_EQ(SerializeAppVersionPatch(AppVersionPatch{}), "{}");
}

TEST(Serialize, AppVersionPatchWritesSessionConfigPortsAndSecretEnvs) {
    AppVersionPatch patch;
    patch.docker_tag = "v1.2.3";
    patch.session_config = SessionConfigPatch{std::nullopt, std::nullopt, std::nullopt, 5};
    patch.ports = std::vector<AppVersionPort>{{6420, "UDP", "gameport", true, false}};
    patch.envs = std::vector<EnvVar>{{"NATS_PASSWORD", "pw", true}};
    EXPECT_EQ(SerializeAppVersionPatch(patch),
              R"({"docker_tag":"v1.2.3","session_config":{"empty_ttl":5},)"
              R"("ports":[{"port":6420,"protocol":"UDP","to_check":true,"tls_upgrade":false,"name":"gameport"}],)"
              R"("envs":[{"key":"NATS_PASSWORD","value":"pw","is_secret":true}]})");
}

TEST(Serialize, AppVersionSpecAlwaysSendsTheRequiredFields) {
    AppVersionSpec spec;
    spec.name = "v1.2.3";
    spec.docker_repository = "registry.edgegap.com";
    spec.docker_image = "org/spaceships";
    spec.docker_tag = "v1.2.3";
    spec.req_cpu = 256;
    spec.req_memory = 256;
    spec.arguments = "--ca_contents 'x'";
    EXPECT_EQ(SerializeAppVersionSpec(spec),
              R"({"name":"v1.2.3","is_active":false,"docker_repository":"registry.edgegap.com",)"
              R"("docker_image":"org/spaceships","docker_tag":"v1.2.3","req_cpu":256,"req_memory":256,)"
              R"("arguments":"--ca_contents 'x'","ports":[],"envs":[]})");
    spec.session_config = SessionConfig{"Seat", 6, true, 10};
    spec.max_duration_minutes = 60;
    const auto parsed = ParseAppVersion(SerializeAppVersionSpec(spec));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, spec);
}

TEST(Serialize, AppVersionRegistryCredentialsUseTheSwaggerNamesAndOnlyWhenSet) {
    AppVersionSpec spec;
    spec.name = "v1";
    spec.private_username = "robot$org+pull";
    spec.private_token = "pull-token";
    const std::string body = SerializeAppVersionSpec(spec);
    EXPECT_NE(body.find(R"("private_username":"robot$org+pull","private_token":"pull-token")"), std::string::npos);
    const auto parsed = ParseAppVersion(body);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, spec);
    spec.private_username.clear();
    spec.private_token.clear();
    EXPECT_EQ(SerializeAppVersionSpec(spec).find("private_"), std::string::npos);

    AppVersionPatch patch;
    patch.private_username = "robot";
    patch.private_token = "t";
    EXPECT_EQ(SerializeAppVersionPatch(patch), R"({"private_username":"robot","private_token":"t"})");
}

}  // namespace
}  // namespace gapkit::edgegap::detail
