#include "gapkit/testing/scoped_env.hpp"

#include <gtest/gtest.h>

#include "gapkit/common/env.hpp"

namespace gapkit::testing {
namespace {

TEST(TestingScopedEnv, SetsAndRestores) {
    SetEnv("GAPKIT_SCOPED_A", "before");
    SetEnv("GAPKIT_SCOPED_B", std::nullopt);
    {
        ScopedEnv env({{"GAPKIT_SCOPED_A", std::nullopt}, {"GAPKIT_SCOPED_B", "inside"}});
        EXPECT_FALSE(common::GetEnv("GAPKIT_SCOPED_A").has_value());
        EXPECT_EQ(common::GetEnv("GAPKIT_SCOPED_B"), "inside");
    }
    EXPECT_EQ(common::GetEnv("GAPKIT_SCOPED_A"), "before");
    EXPECT_FALSE(common::GetEnv("GAPKIT_SCOPED_B").has_value());
    SetEnv("GAPKIT_SCOPED_A", std::nullopt);
}

}  // namespace
}  // namespace gapkit::testing
