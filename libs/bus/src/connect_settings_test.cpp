#include "connect_settings.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::bus {
namespace {

using common::ErrorCode;
using gapkit::testing::ScopedEnv;

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

ScopedEnv CleanEnv(gapkit::testing::EnvOverrides extra = {}) {
    gapkit::testing::EnvOverrides env{{"NATS_HOST", "127.0.0.1:4222"}, {"NATS_USER", "u"},
                                      {"NATS_PASSWORD", "p"},          {"NATS_PASSWORD_FILE", std::nullopt},
                                      {"NATS_CA", std::nullopt},       {"NATS_CA_CONTENTS", std::nullopt},
                                      {"NATS_INSECURE", std::nullopt}, {"NATS_REPLICAS", std::nullopt}};
    for (auto& [name, value] : extra) env[name] = value;
    return ScopedEnv(env);
}

TEST(BusConnectSettings, MissingHostNamesTheVariable) {
    auto env = CleanEnv({{"NATS_HOST", std::nullopt}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_FALSE(settings.has_value());
    EXPECT_EQ(settings.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(settings.error().message().find("NATS_HOST"), std::string::npos);
}

TEST(BusConnectSettings, MissingPasswordNamesTheVariable) {
    auto env = CleanEnv({{"NATS_PASSWORD", ""}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_FALSE(settings.has_value());
    EXPECT_NE(settings.error().message().find("NATS_PASSWORD"), std::string::npos);
}

TEST(BusConnectSettings, PasswordComesFromItsFile) {
    auto file = common::WritePrivateTempFile("nats-password", "from-the-file\n");
    ASSERT_TRUE(file.has_value());
    auto env = CleanEnv({{"NATS_PASSWORD", std::nullopt}, {"NATS_PASSWORD_FILE", file->string()}});
    auto settings = ResolveConnectSettings("c", {});
    std::filesystem::remove(*file);
    ASSERT_TRUE(settings.has_value()) << settings.error().ToString();
    EXPECT_EQ(settings->password, "from-the-file");
}

TEST(BusConnectSettings, PasswordAndPasswordFileTogetherAreRefused) {
    auto env = CleanEnv({{"NATS_PASSWORD_FILE", "/nonexistent"}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_FALSE(settings.has_value());
    EXPECT_NE(settings.error().message().find("not both"), std::string::npos);
}

TEST(BusConnectSettings, UnreadablePasswordFileNamesTheVariable) {
    auto env = CleanEnv({{"NATS_PASSWORD", std::nullopt}, {"NATS_PASSWORD_FILE", "/nonexistent/password"}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_FALSE(settings.has_value());
    EXPECT_NE(settings.error().ToString().find("NATS_PASSWORD_FILE"), std::string::npos);
}

TEST(BusConnectSettings, InboxPrefixMustBeOneSubjectToken) {
    auto env = CleanEnv();
    for (const char* bad : {"", "_INBOX.x", "a b", "in*", "in>"}) {
        ConnectOptions options;
        options.inbox_prefix = bad;
        auto settings = ResolveConnectSettings("c", options);
        EXPECT_FALSE(settings.has_value()) << "'" << bad << "'";
    }
    ConnectOptions options;
    options.inbox_prefix = "_INBOX_httpd";
    auto settings = ResolveConnectSettings("c", options);
    ASSERT_TRUE(settings.has_value()) << settings.error().ToString();
    EXPECT_EQ(settings->inbox_prefix, "_INBOX_httpd");
}

TEST(BusConnectSettings, TlsIsOnByDefaultAndInsecureTurnsItOff) {
    {
        auto env = CleanEnv();
        auto settings = ResolveConnectSettings("c", {});
        ASSERT_TRUE(settings.has_value()) << settings.error().ToString();
        EXPECT_TRUE(settings->tls);
        EXPECT_EQ(settings->ca_source, "system trust store");
    }
    auto env = CleanEnv({{"NATS_INSECURE", ""}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_TRUE(settings.has_value());
    EXPECT_FALSE(settings->tls);
}

TEST(BusConnectSettings, HostFormsBecomeUrls) {
    EXPECT_EQ(*NormalizeServerUrl("nats.example.com"), "nats://nats.example.com:4222");
    EXPECT_EQ(*NormalizeServerUrl("10.0.0.1:4333"), "nats://10.0.0.1:4333");
    EXPECT_EQ(*NormalizeServerUrl("tls://nats.example.com:4443"), "tls://nats.example.com:4443");
    EXPECT_EQ(*NormalizeServerUrl("[::1]:4222"), "nats://[::1]:4222");
    EXPECT_FALSE(NormalizeServerUrl("host:99999").has_value());
    EXPECT_FALSE(NormalizeServerUrl("").has_value());
    EXPECT_FALSE(NormalizeServerUrl("::1").has_value());
    EXPECT_EQ(UrlHost("nats://[::1]:4222"), "::1");
    EXPECT_EQ(UrlHost("tls://nats.example.com:4443"), "nats.example.com");
}

TEST(BusConnectSettings, DnsHostsAreCheckedAgainstTheCertificateIpsAreNot) {
    auto env = CleanEnv({{"NATS_HOST", "nats.example.com,10.0.0.2:4223"}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_TRUE(settings.has_value());
    EXPECT_EQ(settings->urls.size(), 2u);
    EXPECT_EQ(settings->tls_host, "nats.example.com");
    auto env_ip = CleanEnv();
    EXPECT_EQ(ResolveConnectSettings("c", {})->tls_host, "");
}

TEST(BusConnectSettings, ReplicasAreAutoUnlessNatsReplicasNamesOneToFive) {
    auto env = CleanEnv();
    EXPECT_EQ(ResolveConnectSettings("c", {})->replicas, 0);
    auto env_auto = CleanEnv({{"NATS_REPLICAS", "AUTO"}});
    EXPECT_EQ(ResolveConnectSettings("c", {})->replicas, 0);
    auto env_three = CleanEnv({{"NATS_REPLICAS", "3"}});
    EXPECT_EQ(ResolveConnectSettings("c", {})->replicas, 3);
    EXPECT_EQ(ResolveConnectSettings("c", {.replicas = 1})->replicas, 1);
    EXPECT_EQ(ResolveConnectSettings("c", {.replicas = 0})->replicas, 0);
    EXPECT_FALSE(ResolveConnectSettings("c", {.replicas = 6}).has_value());
    for (const char* bad : {"0", "6", "three", "3 "}) {
        auto env_bad = CleanEnv({{"NATS_REPLICAS", bad}});
        auto settings = ResolveConnectSettings("c", {});
        ASSERT_FALSE(settings.has_value()) << bad;
        EXPECT_NE(settings.error().message().find("NATS_REPLICAS"), std::string::npos) << settings.error().ToString();
    }
}

TEST(BusConnectSettings, CaContentsGoToAPrivateTempFile) {
    auto env = CleanEnv({{"NATS_CA_CONTENTS", kPem}, {"NATS_CA", "/nonexistent/ignored.pem"}});
    auto settings = ResolveConnectSettings("gapkit client", {});
    ASSERT_TRUE(settings.has_value()) << settings.error().ToString();
    EXPECT_TRUE(settings->ca_file_is_temporary);
    EXPECT_EQ(settings->ca_source, "NATS_CA_CONTENTS");
    struct stat info {};
    ASSERT_EQ(::stat(settings->ca_file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(*common::ReadFile(settings->ca_file), kPem);
    std::filesystem::remove(settings->ca_file);
}

TEST(BusConnectSettings, UnreadableCaIsAnErrorNamingThePath) {
    auto env = CleanEnv({{"NATS_CA", "/nonexistent/gapkit-ca.pem"}});
    auto settings = ResolveConnectSettings("c", {});
    ASSERT_FALSE(settings.has_value());
    EXPECT_NE(settings.error().message().find("NATS_CA"), std::string::npos);
    EXPECT_NE(settings.error().message().find("/nonexistent/gapkit-ca.pem"), std::string::npos);
}

TEST(BusConnectSettings, ExplicitOptionsBeatTheEnvironment) {
    auto env = CleanEnv();
    ConnectOptions options;
    options.host = "other:5000";
    options.insecure = true;
    auto settings = ResolveConnectSettings("c", options);
    ASSERT_TRUE(settings.has_value());
    EXPECT_EQ(settings->urls.front(), "nats://other:5000");
    EXPECT_FALSE(settings->tls);
}

TEST(BusConnectSettings, NonsenseDurationsAreRefused) {
    auto env = CleanEnv();
    ConnectOptions zero_timeout;
    zero_timeout.connect_timeout = std::chrono::milliseconds(0);
    EXPECT_FALSE(ResolveConnectSettings("c", zero_timeout).has_value());
    ConnectOptions inverted;
    inverted.reconnect_initial_delay = std::chrono::seconds(10);
    inverted.reconnect_max_delay = std::chrono::seconds(1);
    auto settings = ResolveConnectSettings("c", inverted);
    ASSERT_FALSE(settings.has_value());
    EXPECT_NE(settings.error().message().find("reconnect"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::bus
