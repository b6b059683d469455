#include "gapkit/testing/nats_server.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "gapkit/testing/bus_options.hpp"
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

// The placeholders of deploy/local/nats.conf.in, in a template of the same shape.
constexpr const char* kTemplate = R"(listen: 127.0.0.1:@NATS_PORT@
tls { cert_file: "@STATE@/nats/server.pem", key_file: "@STATE@/nats/server-key.pem" }
jetstream { store_dir: "@STATE@/nats/jetstream" }
authorization { users: [
  { user: alpha, password: "@ALPHA_PASSWORD@", permissions: { publish: ["a.>"] } },
  { user: beta, password: "@BETA_PASSWORD@" }
] }
)";

std::filesystem::path WriteTemplate(const TempDir& dir, std::string_view text) {
    const auto path = dir.path() / "nats.conf.in";
    std::ofstream(path) << text;
    return path;
}

TEST(TestingNatsServer, StartsFromAConfigTemplateWithAPasswordPerUser) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto dir = TempDir::Create("gapkit-template");
    ASSERT_TRUE(dir.has_value()) << dir.error().ToString();
    auto server = NatsServer::Start({.config_template = WriteTemplate(*dir, kTemplate)});
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    ASSERT_EQ((*server)->users().size(), 2u);
    EXPECT_EQ((*server)->users()[0].name, "alpha");
    EXPECT_EQ((*server)->users()[1].name, "beta");
    EXPECT_NE((*server)->users()[0].password, (*server)->users()[1].password);
    EXPECT_EQ((*server)->User("gamma"), nullptr);
    auto beta = bus::Connection::Connect("gapkit_testing_template", BusOptionsFor(**server, "beta"));
    ASSERT_TRUE(beta.has_value()) << beta.error().ToString();
    auto stranger = bus::Connection::Connect("gapkit_testing_template", BusOptionsFor(**server, "gamma"));
    ASSERT_FALSE(stranger.has_value());
    EXPECT_EQ(stranger.error().code(), common::ErrorCode::kUnauthenticated);
}

TEST(TestingNatsServer, RefusesATemplateWithAnUnknownPlaceholder) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto dir = TempDir::Create("gapkit-template");
    ASSERT_TRUE(dir.has_value()) << dir.error().ToString();
    auto server = NatsServer::Start({.config_template = WriteTemplate(*dir, std::string(kTemplate) + "# @HOST@\n")});
    ASSERT_FALSE(server.has_value());
    EXPECT_NE(server.error().message().find("@HOST@"), std::string::npos) << server.error().ToString();
}

}  // namespace
}  // namespace gapkit::testing
