#include "gapkit/common/result.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

Result<int> Half(int value) {
    if (value % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "odd value");
    return value / 2;
}

TEST(Result, CarriesValueOrError) {
    auto good = Half(4);
    ASSERT_TRUE(good.has_value());
    EXPECT_EQ(*good, 2);

    auto bad = Half(3);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().message(), "odd value");
}

TEST(Result, ErrorToStringNamesCodeAndMessage) {
    Error error(ErrorCode::kTimeout, "no reply within 5 s");
    EXPECT_EQ(error.ToString(), "timeout: no reply within 5 s");
}

TEST(Result, WithContextPrefixesMessageAndKeepsCode) {
    Error error = Error(ErrorCode::kTls, "certificate verify failed").WithContext("connecting to nats");
    EXPECT_EQ(error.code(), ErrorCode::kTls);
    EXPECT_EQ(error.message(), "connecting to nats: certificate verify failed");
}

TEST(Result, StatusOkAndFail) {
    Status ok = Ok();
    EXPECT_TRUE(ok.has_value());
    Status failed = Fail(Error(ErrorCode::kIo, "disk full"));
    EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
}

struct RetryHint {
    int after_seconds = 0;
};

TEST(Error, CarriesOneTypedDetailThroughCopiesAndContext) {
    const Error plain(ErrorCode::kUnavailable, "down");
    EXPECT_EQ(plain.detail<RetryHint>(), nullptr);

    const Error hinted(ErrorCode::kUnavailable, "down", RetryHint{30});
    const Error copy = hinted.WithContext("fetching");
    ASSERT_NE(copy.detail<RetryHint>(), nullptr);
    EXPECT_EQ(copy.detail<RetryHint>()->after_seconds, 30);
    EXPECT_EQ(copy.message(), "fetching: down");
    EXPECT_EQ(copy.detail<int>(), nullptr);  // Only the type it was given.
}

TEST(Result, EveryCodeHasAName) {
    for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
        EXPECT_NE(ToString(static_cast<ErrorCode>(i)), "unknown error") << i;
    }
}

TEST(CheckRange, AcceptsTheBoundsAndNamesTheFieldOtherwise) {
    EXPECT_TRUE(CheckRange("port", 1, 1, 65535));
    EXPECT_TRUE(CheckRange("port", 65535, 1, 65535));
    const auto low = CheckRange("--port", 0, 1, 65535);
    ASSERT_FALSE(low);
    EXPECT_EQ(low.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(low.error().message(), "--port must be 1..65535 (got 0)");
    EXPECT_EQ(CheckRange("ratio", 2.5, 0, 1).error().message(), "ratio must be 0..1 (got 2.5)");
    EXPECT_FALSE(CheckRange("seconds", std::nan(""), 0, 10));
}

}  // namespace
}  // namespace gapkit::common
