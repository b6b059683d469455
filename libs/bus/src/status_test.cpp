#include "status.hpp"

#include <gtest/gtest.h>

namespace gapkit::bus {
namespace {

using common::ErrorCode;

TEST(BusStatus, CertificateFailureIsTlsVerification) {
    auto error = MapNatsStatus(NATS_SSL_ERROR, "SSL handshake error: certificate verify failed", "connecting");
    EXPECT_EQ(error.code(), ErrorCode::kTls);
    EXPECT_NE(error.message().find("certificate verification failed"), std::string::npos) << error.message();
    EXPECT_EQ(error.message().rfind("connecting: ", 0), 0u);
}

TEST(BusStatus, AuthorizationViolationIsUnauthenticated) {
    EXPECT_EQ(MapNatsStatus(NATS_CONNECTION_AUTH_FAILED, "", "x").code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(MapNatsStatus(NATS_NOT_PERMITTED, "Authorization Violation", "x").code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(MapNatsStatus(NATS_ERR, "nats: Authorization Violation", "x").code(), ErrorCode::kUnauthenticated);
}

TEST(BusStatus, PermissionsViolationIsPermissionDenied) {
    auto error = MapNatsStatus(NATS_NOT_PERMITTED, "Permissions Violation for Publish to \"x\"", "publishing");
    EXPECT_EQ(error.code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(error.message().find("Publish to"), std::string::npos);
}

TEST(BusStatus, CommonStatusesMapToCanonicalCodes) {
    EXPECT_EQ(MapNatsStatus(NATS_TIMEOUT, "", "x").code(), ErrorCode::kTimeout);
    EXPECT_EQ(MapNatsStatus(NATS_NO_SERVER, "", "x").code(), ErrorCode::kUnavailable);
    EXPECT_EQ(MapNatsStatus(NATS_NOT_FOUND, "", "x").code(), ErrorCode::kNotFound);
    EXPECT_EQ(MapNatsStatus(NATS_INVALID_SUBJECT, "", "x").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(MapNatsStatus(NATS_MAX_PAYLOAD, "", "x").code(), ErrorCode::kResourceExhausted);
    auto no_responders = MapNatsStatus(NATS_NO_RESPONDERS, "", "request on a.b");
    EXPECT_EQ(no_responders.code(), ErrorCode::kUnavailable);
    EXPECT_NE(no_responders.message().find("no responders"), std::string::npos);
}

TEST(BusStatus, SecureMismatchNamesTheSetting) {
    auto error = MapNatsStatus(NATS_SECURE_CONNECTION_REQUIRED, "", "connecting");
    EXPECT_EQ(error.code(), ErrorCode::kTls);
    EXPECT_NE(error.message().find("NATS_INSECURE"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::bus
