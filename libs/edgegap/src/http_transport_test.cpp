#include "http_transport.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap::detail {
namespace {

TEST(ParseTarget, SplitsHttpAndHttpsUrls) {
    auto https = ParseTarget("https://api.edgegap.com/v1/context/9170f5211e17/17");
    ASSERT_TRUE(https.has_value());
    EXPECT_TRUE(https->tls);
    EXPECT_EQ(https->host, "api.edgegap.com");
    EXPECT_EQ(https->port, "443");
    EXPECT_EQ(https->path_and_query, "/v1/context/9170f5211e17/17");

    auto http = ParseTarget("http://127.0.0.1:8090/v1/sessions?page=2&limit=10");
    ASSERT_TRUE(http.has_value());
    EXPECT_FALSE(http->tls);
    EXPECT_EQ(http->host, "127.0.0.1");
    EXPECT_EQ(http->port, "8090");
    EXPECT_EQ(http->path_and_query, "/v1/sessions?page=2&limit=10");

    auto ipv6 = ParseTarget("http://[::1]:9000");
    ASSERT_TRUE(ipv6.has_value());
    EXPECT_EQ(ipv6->host, "::1");
    EXPECT_EQ(ipv6->path_and_query, "/");
}

TEST(ParseTarget, RefusesWhatIsNotAnHttpUrl) {
    for (const char* url : {"", "api.edgegap.com", "ftp://example.com/x", "https://", "http:///path"}) {
        auto target = ParseTarget(url);
        ASSERT_FALSE(target.has_value()) << url;
        EXPECT_EQ(target.error().code(), common::ErrorCode::kInvalidArgument);
    }
}

TEST(ParseRetryAfter, ReadsDeltaSecondsOnly) {
    EXPECT_EQ(ParseRetryAfter("3"), std::chrono::seconds(3));
    EXPECT_EQ(ParseRetryAfter("0"), std::chrono::seconds(0));
    EXPECT_FALSE(ParseRetryAfter("").has_value());
    EXPECT_FALSE(ParseRetryAfter("-1").has_value());
    EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
    EXPECT_EQ(ParseRetryAfter("999999999"), std::chrono::seconds(86400));
}

}  // namespace
}  // namespace gapkit::edgegap::detail
