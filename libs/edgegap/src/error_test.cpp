#include "gapkit/edgegap/error.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap {
namespace {

TEST(ApiError, CategoryFollowsHttpStatus) {
    EXPECT_EQ(CategoryForStatus(401), ApiErrorCategory::kAuth);
    EXPECT_EQ(CategoryForStatus(403), ApiErrorCategory::kAuth);
    EXPECT_EQ(CategoryForStatus(404), ApiErrorCategory::kNotFound);
    EXPECT_EQ(CategoryForStatus(409), ApiErrorCategory::kConflict);
    EXPECT_EQ(CategoryForStatus(410), ApiErrorCategory::kGone);
    EXPECT_EQ(CategoryForStatus(429), ApiErrorCategory::kRateLimited);
    EXPECT_EQ(CategoryForStatus(500), ApiErrorCategory::kServerError);
    EXPECT_EQ(CategoryForStatus(503), ApiErrorCategory::kServerError);
    EXPECT_EQ(CategoryForStatus(400), ApiErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(422), ApiErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(424), ApiErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(302), ApiErrorCategory::kBadResponse);
}

TEST(ApiError, ConvertsToCommonError) {
    const ApiError error{ApiErrorCategory::kRateLimited, 429, "Too many requests", std::chrono::seconds(2)};
    EXPECT_EQ(error.ToString(), "rate_limited (HTTP 429): Too many requests");
    const common::Error common_error = error.ToError();
    EXPECT_EQ(common_error.code(), common::ErrorCode::kResourceExhausted);
    EXPECT_EQ(common_error.message(), "edgegap: rate_limited (HTTP 429): Too many requests");
    EXPECT_EQ((ApiError{ApiErrorCategory::kTimeout, 0, "slow", {}}.ToString()), "timeout: slow");
    EXPECT_EQ((ApiError{ApiErrorCategory::kAuth, 401, "", {}}.ToError().code()), common::ErrorCode::kUnauthenticated);
    EXPECT_EQ((ApiError{ApiErrorCategory::kGone, 410, "", {}}.ToError().code()), common::ErrorCode::kNotFound);
}

TEST(ApiError, TransientMeansRateLimitServerOrNetwork) {
    EXPECT_TRUE((ApiError{ApiErrorCategory::kRateLimited, 429, "", {}}.IsTransient()));
    EXPECT_TRUE((ApiError{ApiErrorCategory::kServerError, 502, "", {}}.IsTransient()));
    EXPECT_TRUE((ApiError{ApiErrorCategory::kNetwork, 0, "", {}}.IsTransient()));
    EXPECT_FALSE((ApiError{ApiErrorCategory::kTimeout, 0, "", {}}.IsTransient()));
    EXPECT_FALSE((ApiError{ApiErrorCategory::kNotFound, 404, "", {}}.IsTransient()));
}

}  // namespace
}  // namespace gapkit::edgegap
