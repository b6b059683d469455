#include "gapkit/edgegap/error.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap {
namespace {

TEST(EdgegapError, CategoryFollowsHttpStatus) {
    EXPECT_EQ(CategoryForStatus(401), ErrorCategory::kAuth);
    EXPECT_EQ(CategoryForStatus(403), ErrorCategory::kAuth);
    EXPECT_EQ(CategoryForStatus(404), ErrorCategory::kNotFound);
    EXPECT_EQ(CategoryForStatus(409), ErrorCategory::kConflict);
    EXPECT_EQ(CategoryForStatus(410), ErrorCategory::kGone);
    EXPECT_EQ(CategoryForStatus(429), ErrorCategory::kRateLimited);
    EXPECT_EQ(CategoryForStatus(500), ErrorCategory::kServerError);
    EXPECT_EQ(CategoryForStatus(503), ErrorCategory::kServerError);
    EXPECT_EQ(CategoryForStatus(400), ErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(422), ErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(424), ErrorCategory::kBadRequest);
    EXPECT_EQ(CategoryForStatus(302), ErrorCategory::kBadResponse);
}

TEST(EdgegapError, IsACommonErrorCarryingItsDetails) {
    const common::Error error =
        NewError(ErrorDetails{ErrorCategory::kRateLimited, 429, std::chrono::seconds(2)}, "Too many requests");
    EXPECT_EQ(error.code(), common::ErrorCode::kResourceExhausted);
    EXPECT_EQ(error.message(), "rate_limited (HTTP 429): Too many requests");
    const ErrorDetails details = Details(error.WithContext("listing"));
    EXPECT_EQ(details.category, ErrorCategory::kRateLimited);
    EXPECT_EQ(details.http_status, 429);
    EXPECT_EQ(details.retry_after, std::chrono::seconds(2));

    EXPECT_EQ(MakeError(ErrorCategory::kTimeout, 0, "slow").value().message(), "timeout: slow");
    EXPECT_EQ(MakeError(ErrorCategory::kAuth, 401, "").value().code(), common::ErrorCode::kUnauthenticated);
    EXPECT_EQ(MakeError(ErrorCategory::kGone, 410, "").value().code(), common::ErrorCode::kNotFound);
}

TEST(EdgegapError, AnErrorMadeElsewhereGetsTheCategoryOfItsCode) {
    const ErrorDetails not_found = Details(common::Error(common::ErrorCode::kNotFound, "no such row"));
    EXPECT_EQ(not_found.category, ErrorCategory::kNotFound);
    EXPECT_EQ(not_found.http_status, 0);
    EXPECT_EQ(Details(common::Error(common::ErrorCode::kInternal, "boom")).category, ErrorCategory::kNetwork);
}

TEST(EdgegapError, TransientMeansRateLimitServerOrNetwork) {
    EXPECT_TRUE((ErrorDetails{ErrorCategory::kRateLimited, 429, {}}.IsTransient()));
    EXPECT_TRUE((ErrorDetails{ErrorCategory::kServerError, 502, {}}.IsTransient()));
    EXPECT_TRUE((ErrorDetails{ErrorCategory::kNetwork, 0, {}}.IsTransient()));
    EXPECT_FALSE((ErrorDetails{ErrorCategory::kTimeout, 0, {}}.IsTransient()));
    EXPECT_FALSE((ErrorDetails{ErrorCategory::kNotFound, 404, {}}.IsTransient()));
}

}  // namespace
}  // namespace gapkit::edgegap
