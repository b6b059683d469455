// Checks the simulator's responses against the response schemas of Edgegap's published Swagger
// spec (testdata/edgegap-swagger.yaml, MIT). testdata/extract_swagger_shapes.py turned the YAML
// into swagger_shapes.json, since no YAML parser is among the C++ dependencies. For every
// response: each field the spec marks required is present and not null, and each field the spec
// describes has the spec's JSON type (recursively). Extra fields are allowed, as in the spec.
#include <gtest/gtest.h>

#include "edgegap_sim_test_support.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using testing::Call;
namespace json = boost::json;

bool HasType(const json::value& value, std::string_view type) {
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_int64() || value.is_uint64();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_bool();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    return true;
}

void CheckShape(const json::value& value, const json::object& schema, const std::string& where,
                std::vector<std::string>& problems) {
    if (value.is_null()) return;  // Optional fields may be null (e.g. previous_page_number).
    if (const auto* type = schema.if_contains("type"); type != nullptr && !HasType(value, type->as_string())) {
        problems.push_back(where + ": expected " + std::string(type->as_string()) + ", got " + json::serialize(value));
        return;
    }
    if (const auto* items = schema.if_contains("items"); items != nullptr && value.is_array()) {
        for (std::size_t i = 0; i < value.as_array().size(); ++i) {
            CheckShape(value.as_array()[i], items->as_object(), where + "[" + std::to_string(i) + "]", problems);
        }
    }
    if (!value.is_object()) return;
    const json::object& object = value.as_object();
    if (const auto* required = schema.if_contains("required")) {
        for (const auto& name : required->as_array()) {
            const auto* field = object.if_contains(name.as_string());
            if (field == nullptr || field->is_null())
                problems.push_back(where + "." + std::string(name.as_string()) + ": missing");
        }
    }
    if (const auto* properties = schema.if_contains("properties")) {
        for (const auto& [name, property] : properties->as_object()) {
            if (const auto* field = object.if_contains(name)) {
                CheckShape(*field, property.as_object(), where + "." + std::string(name), problems);
            }
        }
    }
    if (const auto* additional = schema.if_contains("additionalProperties")) {
        for (const auto& [name, field] : object) {
            CheckShape(field, additional->as_object(), where + "." + std::string(name), problems);
        }
    }
}

class SwaggerShapeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto text = common::ReadFile(GAPKIT_SIM_TESTDATA_DIR "/swagger_shapes.json");
        ASSERT_TRUE(text.has_value()) << text.error().ToString();
        shapes_ = json::parse(*text).as_object();
        auto config = LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
        ASSERT_TRUE(config.has_value());
        config->delays = {50ms, 100ms};
        config->tick_interval = 20ms;
        config->rate_limits = {0, 0, 0};
        auto sim = Simulator::Start(std::move(*config));
        ASSERT_TRUE(sim.has_value());
        sim_ = std::move(*sim);
    }

    // Calls the simulator and checks the answer against the spec's schema for `operation`
    // ("GET /v1/status/{request_id}") and the status code received.
    json::value Check(const std::string& operation, verb method, const std::string& target,
                      const std::string& body = "", const std::string& authorization = "token devkey") {
        auto response = Call(sim_->port(), method, target, body, authorization);
        const std::string key = operation + " " + std::to_string(response.status);
        const auto* schema = shapes_.if_contains(key);
        EXPECT_NE(schema, nullptr) << "the spec has no response " << key << " (body " << response.body << ")";
        if (schema == nullptr) return nullptr;
        std::vector<std::string> problems;
        CheckShape(response.Json(), schema->as_object(), key, problems);
        for (const auto& problem : problems) ADD_FAILURE() << problem;
        ++checked_;
        return response.Json();
    }
    std::string ReadyDeployment() {
        auto deployed = Check("POST /v1/deploy", verb::post, "/v1/deploy", R"({"app_name":"echo","version_name":"1"})");
        const std::string id = json::value_to<std::string>(deployed.at("request_id"));
        EXPECT_TRUE(testing::WaitFor([&] {
            auto status = Call(sim_->port(), verb::get, "/v1/status/" + id).Json();
            return status.is_object() && status.at("current_status") == "Status.READY";
        }));
        return id;
    }

    json::object shapes_;
    std::unique_ptr<Simulator> sim_;
    int checked_ = 0;
};

TEST_F(SwaggerShapeTest, DeploymentResponsesMatchTheSpec) {
    const std::string id = ReadyDeployment();
    Check("GET /v1/status/{request_id}", verb::get, "/v1/status/" + id);
    Check("GET /v1/status/{request_id}", verb::get, "/v1/status/ffffffffffff");
    Check("GET /v1/status/{request_id}", verb::get, "/v1/status/" + id, "", "token nope");
    Check("GET /v1/deployments", verb::get, "/v1/deployments");
    Check("GET /v1/deployment/{request_id}/container-logs", verb::get, "/v1/deployment/" + id + "/container-logs");
    Check("POST /v1/deploy", verb::post, "/v1/deploy", R"({"version_name":"1"})");
    auto starting = Call(sim_->port(), verb::post, "/v1/deploy", R"({"app_name":"echo"})").Json();
    Check("DELETE /v1/stop/{request_id}", verb::delete_,
          "/v1/stop/" + json::value_to<std::string>(starting.at("request_id")));
    Check("DELETE /v1/stop/{request_id}", verb::delete_, "/v1/stop/" + id);
    ASSERT_TRUE(testing::WaitFor([&] {
        return Call(sim_->port(), verb::get, "/v1/status/" + id).Json().at("current_status") == "Status.TERMINATED";
    }));
    Check("GET /v1/status/{request_id}", verb::get, "/v1/status/" + id);
    Check("DELETE /v1/stop/{request_id}", verb::delete_, "/v1/stop/" + id);
    EXPECT_EQ(checked_, 11);
}

TEST_F(SwaggerShapeTest, SessionResponsesMatchTheSpec) {
    auto created = Check("POST /v1/session", verb::post, "/v1/session",
                         R"({"app_name":"echo","version_name":"1","ip_list":["1.2.3.4"],"webhook_url":"http://x/"})");
    const std::string id = json::value_to<std::string>(created.at("session_id"));
    Check("GET /v1/session/{session_id}", verb::get, "/v1/session/" + id);  // Waiting, maybe without deployment.
    ASSERT_TRUE(testing::WaitFor(
        [&] { return Call(sim_->port(), verb::get, "/v1/session/" + id).Json().at("ready") == true; }));
    Check("GET /v1/session/{session_id}", verb::get, "/v1/session/" + id);
    Check("GET /v1/sessions", verb::get, "/v1/sessions");
    Check("POST /v1/session", verb::post, "/v1/session", "[]");
    Check("DELETE /v1/session/{session_id}", verb::delete_, "/v1/session/" + id);
    Check("DELETE /v1/session/{session_id}", verb::delete_, "/v1/session/" + id, "", "");
    EXPECT_EQ(checked_, 7);
}

// The spec lists no 404 for these routes; the simulator's 404 for an unknown session is not checked.
TEST_F(SwaggerShapeTest, SessionUsersResponsesMatchTheSpec) {
    auto created = Call(sim_->port(), verb::post, "/v1/session", R"({"app_name":"echo","ip_list":["1.2.3.4"]})");
    const std::string users = "/v1/session/" + json::value_to<std::string>(created.Json().at("session_id")) + "/users";
    Check("GET /v1/session/{session_id}/users", verb::get, users);
    Check("GET /v1/session/{session_id}/users", verb::get, users, "", "token nope");
    const std::string put = "PUT /v1/session/{session_id}/users";
    Check(put, verb::put, users, R"({"ip_list":["5.6.7.8"]})");
    Check(put, verb::put, users, R"({"ip_list":["1.0.0.1","1.0.0.2","1.0.0.3"]})");  // 2 free sockets: 422.
    Check(put, verb::put, users, R"({"ip_list":[]})");
    Check(put, verb::put, users, R"({"ip_list":["5.6.7.8"]})", "token nope");
    const std::string remove = "DELETE /v1/session/{session_id}/users";
    Check(remove, verb::delete_, users, R"({"ip_list":["5.6.7.8"]})");
    Check(remove, verb::delete_, users, "{}");
    Check(remove, verb::delete_, users, R"({"ip_list":["5.6.7.8"]})", "token nope");
    EXPECT_EQ(checked_, 9);
}

TEST_F(SwaggerShapeTest, ContainerAndAppVersionResponsesMatchTheSpec) {
    const std::string id = ReadyDeployment();
    auto status = Call(sim_->port(), verb::get, "/v1/status/" + id).Json();
    const auto port = static_cast<std::uint16_t>(status.at("ports").at("gameport").at("external").to_number<int>());
    const std::string base = sim_->base_url();
    const auto context_url = testing::UdpRoundTrip(port, "env:ARBITRIUM_CONTEXT_URL").value_or(base);
    const auto context_token = testing::UdpRoundTrip(port, "env:ARBITRIUM_CONTEXT_TOKEN").value_or("");
    const auto delete_url = testing::UdpRoundTrip(port, "env:ARBITRIUM_DELETE_URL").value_or(base);
    const auto delete_token = testing::UdpRoundTrip(port, "env:ARBITRIUM_DELETE_TOKEN").value_or("");
    const std::string context_op = "GET /v1/context/{request_id}/{security_number}";
    Check(context_op, verb::get, context_url.substr(base.size()), "", context_token);
    Check(context_op, verb::get, context_url.substr(base.size()), "", "wrong");
    Check(context_op, verb::get, "/v1/context/" + id + "/0000000", "", context_token);
    const std::string stop_op = "DELETE /v1/self/stop/{request_id}/{access_point_id}";
    Check(stop_op, verb::delete_, delete_url.substr(base.size()), "", delete_token);
    const std::string version_op = "/v1/app/{app_name}/version/{version_name}";
    Check("GET " + version_op, verb::get, "/v1/app/echo/version/1");
    Check("GET " + version_op, verb::get, "/v1/app/echo/version/2");
    Check("PATCH " + version_op, verb::patch, "/v1/app/echo/version/1", R"({"arguments":"--a 'b c'"})");
    Check("PATCH " + version_op, verb::patch, "/v1/app/echo/version/1", R"({"arguments":"'open"})");
    const std::string create_op = "POST /v1/app/{app_name}/version";
    const std::string create_body = R"({"name":"2","docker_repository":"r","docker_image":"i","docker_tag":"t",)"
                                    R"("req_cpu":256,"req_memory":256})";
    Check(create_op, verb::post, "/v1/app/echo/version", create_body);
    Check(create_op, verb::post, "/v1/app/echo/version", create_body);
    Check(create_op, verb::post, "/v1/app/nope/version", create_body);
    Check(create_op, verb::post, "/v1/app/echo/version", R"({"name":"3"})");
    Check(create_op, verb::post, "/v1/app/echo/version", create_body, "token nope");
    EXPECT_EQ(checked_, 14);
}

TEST(SwaggerShapeChecker, ReportsMissingRequiredFieldsAndWrongTypes) {
    const auto schema = json::parse(R"({"type":"object","required":["a"],
        "properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"integer"}}}})")
                            .as_object();
    std::vector<std::string> problems;
    CheckShape(json::parse(R"({"b":[1,"x"]})"), schema, "r", problems);
    EXPECT_EQ(problems, (std::vector<std::string>{"r.a: missing", R"(r.b[1]: expected integer, got "x")"}));
}

}  // namespace
}  // namespace gapkit::edgegap_sim
