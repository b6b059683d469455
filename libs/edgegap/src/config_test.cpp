#include "gapkit/edgegap/config.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

namespace gapkit::edgegap {
namespace {

using namespace std::chrono_literals;

class ClientConfigEnv : public ::testing::Test {
  protected:
    void SetUp() override { Clear(); }
    void TearDown() override { Clear(); }
    static void Clear() {
        for (const char* name :
             {"EDGEGAP_API_KEY", "EDGEGAP_BASE_URL", "EDGEGAP_REQUEST_TIMEOUT", "ARBITRIUM_CONTEXT_URL",
              "ARBITRIUM_CONTEXT_TOKEN", "ARBITRIUM_DELETE_URL", "ARBITRIUM_DELETE_TOKEN"}) {
            ::unsetenv(name);
        }
    }
};

TEST(NormalizeApiKey, AcceptsKeyWithOrWithoutPrefix) {
    EXPECT_EQ(NormalizeApiKey("token 3fa85f64-5717"), "3fa85f64-5717");
    EXPECT_EQ(NormalizeApiKey("Token 3fa85f64-5717"), "3fa85f64-5717");
    EXPECT_EQ(NormalizeApiKey("3fa85f64-5717"), "3fa85f64-5717");
    EXPECT_EQ(NormalizeApiKey("  token   abc \n"), "abc");
    EXPECT_EQ(NormalizeApiKey("tokenabc"), "tokenabc");
}

TEST_F(ClientConfigEnv, FromEnvNeedsTheKeyAndNamesIt) {
    auto config = ClientConfig::FromEnv();
    ASSERT_FALSE(config.has_value());
    EXPECT_NE(config.error().message().find("EDGEGAP_API_KEY"), std::string::npos);
}

TEST_F(ClientConfigEnv, FromEnvReadsKeyUrlAndTimeout) {
    ::setenv("EDGEGAP_API_KEY", "token s3cret", 1);
    ::setenv("EDGEGAP_BASE_URL", "http://127.0.0.1:8090", 1);
    ::setenv("EDGEGAP_REQUEST_TIMEOUT", "2500ms", 1);
    auto config = ClientConfig::FromEnv();
    ASSERT_TRUE(config.has_value()) << config.error().ToString();
    EXPECT_EQ(config->api_key, "token s3cret");
    EXPECT_EQ(config->base_url, "http://127.0.0.1:8090");
    EXPECT_EQ(config->request_timeout, 2500ms);
}

TEST_F(ClientConfigEnv, FromEnvWithKeyTakesTheKeyGivenAndTheRestFromTheEnvironment) {
    ::setenv("EDGEGAP_API_KEY", "from-env", 1);
    ::setenv("EDGEGAP_BASE_URL", "http://127.0.0.1:8090", 1);
    ::setenv("EDGEGAP_REQUEST_TIMEOUT", "2500ms", 1);
    auto config = ClientConfig::FromEnvWithKey("from-file");
    ASSERT_TRUE(config.has_value()) << config.error().ToString();
    EXPECT_EQ(config->api_key, "from-file");
    EXPECT_EQ(config->base_url, "http://127.0.0.1:8090");
    EXPECT_EQ(config->request_timeout, 2500ms);
}

TEST_F(ClientConfigEnv, FromEnvRefusesBadUrlWithoutEchoingTheKey) {
    ::setenv("EDGEGAP_API_KEY", "s3cret", 1);
    ::setenv("EDGEGAP_BASE_URL", "ftp://example.com", 1);
    auto config = ClientConfig::FromEnv();
    ASSERT_FALSE(config.has_value());
    EXPECT_NE(config.error().message().find("base_url"), std::string::npos);
    EXPECT_EQ(config.error().message().find("s3cret"), std::string::npos);
}

TEST(ClientConfig, ValidateNamesTheBadField) {
    ClientConfig config;
    EXPECT_TRUE(config.Validate().has_value());
    config.request_timeout = 0ms;
    EXPECT_NE(config.Validate().error().message().find("request_timeout"), std::string::npos);
    config = ClientConfig{};
    config.retry.max_attempts = 0;
    EXPECT_NE(config.Validate().error().message().find("retry"), std::string::npos);
    config = ClientConfig{};
    config.rate_limits.status.requests_per_second = 0;
    EXPECT_NE(config.Validate().error().message().find("rate_limits.status"), std::string::npos);
    config = ClientConfig{};
    config.api_key = "abc\r\nX-Evil: 1";
    EXPECT_FALSE(config.Validate().has_value());
}

TEST_F(ClientConfigEnv, ContainerEndpointsComeFromArbitriumVariables) {
    EXPECT_NE(ContainerEndpoint::ContextFromEnv().error().message().find("ARBITRIUM_CONTEXT_URL"), std::string::npos);
    ::setenv("ARBITRIUM_CONTEXT_URL", "https://api.edgegap.com/v1/context/9170f5211e17/17", 1);
    EXPECT_NE(ContainerEndpoint::ContextFromEnv().error().message().find("ARBITRIUM_CONTEXT_TOKEN"), std::string::npos);
    ::setenv("ARBITRIUM_CONTEXT_TOKEN", "dfaf50b9333b9ee07b22ed247e4a17e6", 1);
    auto context = ContainerEndpoint::ContextFromEnv();
    ASSERT_TRUE(context.has_value());
    EXPECT_EQ(context->token, "dfaf50b9333b9ee07b22ed247e4a17e6");
    ::setenv("ARBITRIUM_DELETE_URL", "not a url", 1);
    ::setenv("ARBITRIUM_DELETE_TOKEN", "t", 1);
    EXPECT_NE(ContainerEndpoint::SelfStopFromEnv().error().message().find("ARBITRIUM_DELETE_URL"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::edgegap
