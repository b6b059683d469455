#include "gapkit/testing/nats_server.hpp"

#include <gtest/gtest.h>

#include "gapkit/testing/certificates.hpp"

namespace gapkit::testing {
namespace {

TEST(TestingCertificates, AreGeneratedOnceAndDiffer) {
    const auto& shared = SharedTestCertificates();
    ASSERT_TRUE(shared.has_value()) << shared.error().ToString();
    EXPECT_EQ(&shared, &SharedTestCertificates());
    EXPECT_NE(shared->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
    const auto& other = OtherTestCertificates();
    ASSERT_TRUE(other.has_value()) << other.error().ToString();
    EXPECT_NE(shared->ca_pem, other->ca_pem);
}

TEST(TestingNatsServer, StartsStopsAndRestartsOnSamePort) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = NatsServer::Start();
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    const int port = (*server)->port();
    EXPECT_EQ((*server)->HostPort(), "127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(std::filesystem::exists((*server)->CaFile()));
    auto restarted = (*server)->Restart();
    ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
    EXPECT_EQ((*server)->port(), port);
}

TEST(TestingNatsServer, ClientEnvSelectsTlsOrInsecure) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = NatsServer::Start({.tls = false, .jetstream = false});
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    const auto env = (*server)->ClientEnv();
    EXPECT_EQ(env.at("NATS_INSECURE"), "1");
    EXPECT_FALSE(env.at("NATS_CA").has_value());
    EXPECT_EQ(env.at("NATS_USER"), "gapkit");
}

TEST(TestingNatsServer, AcceptsUsersWithPermissions) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    NatsServerOptions options;
    options.users = {{"gameserver", "pw1", {"gameserver.contexts", "$JS.API.>"}, {"_INBOX.>"}},
                     {"matchmaker", "pw2", {}, {}}};
    auto server = NatsServer::Start(options);
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    EXPECT_EQ((*server)->ClientEnv().at("NATS_USER"), "gameserver");
}

}  // namespace
}  // namespace gapkit::testing
