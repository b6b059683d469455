#include "gapkit/common/log.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

struct Captured {
    LogLevel level;
    std::string component;
    std::string message;
};

class LogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        SetLogSink([this](LogLevel level, std::string_view component, std::string_view message) {
            captured_.push_back({level, std::string(component), std::string(message)});
        });
        SetLogLevel(LogLevel::kInfo);
    }
    void TearDown() override {
        SetLogSink(nullptr);
        SetLogLevel(LogLevel::kInfo);
    }
    std::vector<Captured> captured_;
};

TEST_F(LogTest, FormatsAndRoutesToSink) {
    GAPKIT_LOG_INFO("bus", "connected to {} in {} ms", "tls://127.0.0.1:4222", 12);
    ASSERT_EQ(captured_.size(), 1u);
    EXPECT_EQ(captured_[0].level, LogLevel::kInfo);
    EXPECT_EQ(captured_[0].component, "bus");
    EXPECT_EQ(captured_[0].message, "connected to tls://127.0.0.1:4222 in 12 ms");
}

TEST_F(LogTest, DisabledLevelIsNotFormatted) {
    int evaluated = 0;
    auto count = [&evaluated] { return ++evaluated; };
    GAPKIT_LOG_DEBUG("bus", "value {}", count());
    EXPECT_EQ(evaluated, 0);
    EXPECT_TRUE(captured_.empty());

    SetLogLevel(LogLevel::kDebug);
    GAPKIT_LOG_DEBUG("bus", "value {}", count());
    EXPECT_EQ(evaluated, 1);
    EXPECT_EQ(captured_.size(), 1u);
}

TEST_F(LogTest, ParsesLevelNames) {
    EXPECT_EQ(*ParseLogLevel("WARNING"), LogLevel::kWarn);
    EXPECT_EQ(*ParseLogLevel("trace"), LogLevel::kTrace);
    auto bad = ParseLogLevel("loud");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message().find("loud"), std::string::npos);
}

TEST(LogDefaultSink, WritesWithoutCrashing) {
    SetLogSink(nullptr);
    GAPKIT_LOG_WARN("test", "default sink smoke line");
}

}  // namespace
}  // namespace gapkit::common
