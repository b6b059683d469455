#include "gapkit/common/assert.hpp"

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

int CheckedHalf(int even) {
    GAPKIT_ASSERT(even % 2 == 0, "callers pass even numbers");
    return even / 2;
}

TEST(GapkitAssert, PassesWhenTheInvariantHolds) { EXPECT_EQ(CheckedHalf(4), 2); }

// The tests build as RelWithDebInfo (NDEBUG set), so this also shows the check stays on there.
TEST(GapkitAssertDeathTest, LogsTheConditionAndWhyThenAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(CheckedHalf(3),
                 R"(assertion failed: even % 2 == 0 \(callers pass even numbers\) at .*assert_test\.cpp:9)");
}

}  // namespace
}  // namespace gapkit::common
