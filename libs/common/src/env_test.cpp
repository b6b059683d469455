#include "gapkit/common/env.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

using std::chrono::milliseconds;

class EnvTest : public ::testing::Test {
  protected:
    void TearDown() override { ::unsetenv(kName); }
    static void Set(const char* value) { ::setenv(kName, value, 1); }
    static constexpr const char* kName = "GAPKIT_ENV_TEST_VARIABLE";
};

TEST_F(EnvTest, RequireEnvNamesMissingVariable) {
    auto missing = RequireEnv(kName);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(missing.error().message(), "environment variable GAPKIT_ENV_TEST_VARIABLE is required but not set");

    Set("");
    EXPECT_NE(RequireEnv(kName).error().message().find("empty"), std::string::npos);
    Set("nats.example.com");
    EXPECT_EQ(*RequireEnv(kName), "nats.example.com");
}

TEST_F(EnvTest, EnvIsSetCountsEmptyValues) {
    EXPECT_FALSE(EnvIsSet(kName));
    Set("");
    EXPECT_TRUE(EnvIsSet(kName));
}

TEST_F(EnvTest, EnvIntUsesDefaultAndValidatesRange) {
    EXPECT_EQ(*EnvInt(kName, 3000, 1, 65535), 3000);
    Set("8080");
    EXPECT_EQ(*EnvInt(kName, 3000, 1, 65535), 8080);
    Set("70000");
    auto bad = EnvInt(kName, 3000, 1, 65535);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message(), "environment variable GAPKIT_ENV_TEST_VARIABLE: '70000' is out of range 1..65535");
    Set("12abc");
    EXPECT_NE(EnvInt(kName, 0, 0, 100).error().message().find("not an integer"), std::string::npos);
}

TEST_F(EnvTest, EnvBoolAcceptsCommonSpellings) {
    EXPECT_TRUE(*EnvBool(kName, true));
    Set("off");
    EXPECT_FALSE(*EnvBool(kName, true));
    Set("Yes");
    EXPECT_TRUE(*EnvBool(kName, false));
    Set("maybe");
    EXPECT_FALSE(EnvBool(kName, false).has_value());
}

TEST(ParseDuration, AcceptsUnits) {
    EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
    EXPECT_EQ(*ParseDuration("30"), milliseconds(30000));
    EXPECT_EQ(*ParseDuration("30s"), milliseconds(30000));
    EXPECT_EQ(*ParseDuration("2m"), milliseconds(120000));
    EXPECT_EQ(*ParseDuration("1h"), milliseconds(3600000));
}

TEST(ParseDuration, RefusesGarbage) {
    for (const char* text : {"", "s", "-5s", "5 s", "5d", "1.5s", "99999999999999999999h"}) {
        EXPECT_FALSE(ParseDuration(text).has_value()) << text;
    }
}

TEST(ParseInt, RefusesTrailingTextAndOverflow) {
    EXPECT_FALSE(ParseInt("1 ", 0, 10).has_value());
    EXPECT_FALSE(ParseInt("99999999999999999999", 0, 10).has_value());
    EXPECT_EQ(*ParseInt("-3", -5, 5), -3);
}

}  // namespace
}  // namespace gapkit::common
