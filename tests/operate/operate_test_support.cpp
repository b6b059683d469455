#include "operate_test_support.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace gapkit::operate {

common::Result<std::unique_ptr<chaos::LocalStack>> StartStack(chaos::StackOptions options) {
    options.bin_dir = GAPKIT_OPERATE_BIN_DIR;
    options.source_dir = GAPKIT_SOURCE_DIR;
    return chaos::LocalStack::Start(std::move(options));
}

std::string Program(const std::string& name) { return std::string(GAPKIT_OPERATE_BIN_DIR) + "/" + name; }

testing::ProcessResult RunGapctl(const chaos::LocalStack& stack, const std::string& nats_user,
                                 const std::vector<std::string>& args, const testing::EnvOverrides& env,
                                 std::chrono::milliseconds timeout) {
    testing::EnvOverrides all = stack.NatsEnv(nats_user);
    for (const auto& [name, value] : stack.EdgegapEnv()) all[name] = value;
    for (const auto& [name, value] : env) all[name] = value;
    std::vector<std::string> argv{Program("gapctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = testing::RunProcess(argv, all, timeout);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().ToString());
    if (!result) return {};
    EXPECT_FALSE(result->timed_out) << "gapctl timed out: " << result->stderr_text;
    return *result;
}

boost::json::value ParseJson(const testing::ProcessResult& result) {
    boost::system::error_code error;
    auto value = boost::json::parse(result.stdout_text, error);
    EXPECT_FALSE(error) << "not JSON: " << result.stdout_text << "\nstderr: " << result.stderr_text;
    return error ? boost::json::value() : value;
}

boost::json::object SimAppVersion(const chaos::LocalStack& stack, const std::string& version) {
    const std::string base_url = *stack.EdgegapEnv().at("EDGEGAP_BASE_URL");
    const auto port = static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
    auto answer = chaos::HttpCall(port, "GET", "/v1/app/spaceships/version/" + version, "",
                                  "token " + *stack.EdgegapEnv().at("EDGEGAP_API_KEY"));
    EXPECT_TRUE(answer.has_value()) << (answer ? "" : answer.error().ToString());
    if (!answer) return {};
    EXPECT_EQ(answer->status, 200u) << answer->body;
    boost::system::error_code error;
    auto value = boost::json::parse(answer->body, error);
    EXPECT_TRUE(!error && value.is_object()) << answer->body;
    return error || !value.is_object() ? boost::json::object() : value.as_object();
}

}  // namespace gapkit::operate
