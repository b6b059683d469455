#include "app_version_command.hpp"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "gapkit/common/files.hpp"

namespace gapkit::cli {
namespace {

TEST(ParsePortFlag, ReadsNamePortProtocolAndTls) {
    auto port = ParsePortFlag("gameport:6420/udp");
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    EXPECT_EQ(*port, (edgegap::AppVersionPort{6420, "UDP", "gameport", true, false}));
    auto tls = ParsePortFlag("web:443/WSS:tls");
    ASSERT_TRUE(tls.has_value());
    EXPECT_TRUE(tls->tls_upgrade);
    EXPECT_EQ(ParsePortFlag("both:7000/TCP/UDP")->protocol, "TCP/UDP");
    for (const char* bad : {"6420/UDP", ":6420/UDP", "g:6420", "g:70000/UDP", "g:x/UDP", "g:1/SCTP"}) {
        EXPECT_FALSE(ParsePortFlag(bad).has_value()) << bad;
    }
}

TEST(ParseEnvFlag, HidesSecretNamesAndRefusesBadKeys) {
    EXPECT_EQ(*ParseEnvFlag("MAP=forest=big"), (edgegap::EnvVar{"MAP", "forest=big", false}));
    EXPECT_TRUE(ParseEnvFlag("NATS_PASSWORD=x")->is_hidden);
    EXPECT_TRUE(ParseEnvFlag("GAPKIT_PRIVATE_KEY=x")->is_hidden);
    EXPECT_TRUE(ParseEnvFlag("webhook_secret=x")->is_hidden);
    EXPECT_TRUE(ParseEnvFlag("API_TOKEN=")->is_hidden);
    EXPECT_FALSE(ParseEnvFlag("KEYBOARD=x")->is_hidden);
    for (const char* bad : {"NOVALUE", "=x", "1A=x", "A-B=x"}) EXPECT_FALSE(ParseEnvFlag(bad).has_value()) << bad;
}

TEST(ApplyVersionFlags, ChangesOnlyWhatIsGivenAndMergesPortsAndEnvs) {
    edgegap::AppVersion version;
    version.docker_repository = "registry.edgegap.com";
    version.docker_tag = "v1";
    version.arguments = "--ca_contents 'x'";
    version.ports = {{6420, "UDP", "gameport", false, false}};
    version.envs = {{"MAP", "forest", false}, {"NATS_PASSWORD", "old", true}};
    VersionFlags flags;
    flags.tag = "v2";
    flags.ports = {"gameport:7000/UDP", "admin:8080/HTTP"};
    flags.envs = {"NATS_PASSWORD=new"};
    flags.empty_ttl_minutes = 5;
    ASSERT_TRUE(ApplyVersionFlags(flags, version));
    EXPECT_EQ(version.docker_repository, "registry.edgegap.com");
    EXPECT_EQ(version.docker_tag, "v2");
    EXPECT_EQ(version.arguments, "--ca_contents 'x'");
    ASSERT_EQ(version.ports.size(), 2u);
    EXPECT_EQ(version.ports[0].port, 7000);
    ASSERT_EQ(version.envs.size(), 2u);
    EXPECT_EQ(version.envs[1], (edgegap::EnvVar{"NATS_PASSWORD", "new", true}));
    ASSERT_TRUE(version.session_config.has_value());
    EXPECT_EQ(*version.session_config, (edgegap::SessionConfig{"Seat", 1, true, 5}));
    flags = {};
    flags.inactive = true;
    version.is_active = true;
    ASSERT_TRUE(ApplyVersionFlags(flags, version));
    EXPECT_FALSE(version.is_active);
    flags.ports = {"bad"};
    EXPECT_FALSE(ApplyVersionFlags(flags, version));
}

TEST(VersionOutput, HidesSecretEnvValuesAndShortensTheCa) {
    edgegap::AppVersion version;
    version.name = "1";
    version.arguments = "--debug";
    // The key is secret by its name even where Edgegap was not told so.
    version.envs = {{"MAP", "forest", false}, {"NATS_PASSWORD", "s3cret", true}, {"GAPKIT_PRIVATE_KEY", "k3y", false}};
    const std::string json = boost::json::serialize(VersionToJson(version));
    EXPECT_EQ(json.find("s3cret"), std::string::npos) << json;
    EXPECT_EQ(json.find("k3y"), std::string::npos) << json;
    EXPECT_NE(json.find("forest"), std::string::npos);
    const std::string table = VersionTable(version);
    EXPECT_EQ(table.find("s3cret"), std::string::npos) << table;
    EXPECT_EQ(table.find("k3y"), std::string::npos) << table;
    EXPECT_NE(table.find("env NATS_PASSWORD       (hidden)"), std::string::npos) << table;
    EXPECT_NE(table.find(" --debug\n"), std::string::npos) << table;
}

TEST(VersionOutput, ShowsTheRegistryUserAndHidesItsToken) {
    edgegap::AppVersion version;
    version.name = "1";
    version.private_username = "robot$org+pull";
    version.private_token = "pull-s3cret";
    const boost::json::value json = VersionToJson(version);
    EXPECT_EQ(boost::json::serialize(json).find("pull-s3cret"), std::string::npos) << json;
    EXPECT_EQ(json.at("private_username"), "robot$org+pull");
    EXPECT_EQ(json.at("private_token"), "(hidden)");
    const std::string table = VersionTable(version);
    EXPECT_EQ(table.find("pull-s3cret"), std::string::npos) << table;
    EXPECT_NE(table.find("registry_user   robot$org+pull\n"), std::string::npos) << table;
    EXPECT_NE(table.find("registry_token  (hidden)\n"), std::string::npos) << table;
    version.private_token.clear();
    EXPECT_EQ(VersionToJson(version).at("private_token"), "");
    EXPECT_NE(VersionTable(version).find("registry_token  (none)\n"), std::string::npos);
}

TEST(ApplyVersionFlags, SetsTheRegistryUserAndTokenOnlyWhenGiven) {
    edgegap::AppVersion version;
    version.private_username = "old";
    version.private_token = "old-token";
    ASSERT_TRUE(ApplyVersionFlags(VersionFlags{}, version));
    EXPECT_EQ(version.private_username, "old");
    EXPECT_EQ(version.private_token, "old-token");
    VersionFlags flags;
    flags.registry_username = "robot";
    flags.registry_token = "new-token";
    ASSERT_TRUE(ApplyVersionFlags(flags, version));
    EXPECT_EQ(version.private_username, "robot");
    EXPECT_EQ(version.private_token, "new-token");
}

TEST(ReadRegistryToken, TakesTheFileOverTheEnvAndNamesAnEmptyFileNotItsContents) {
    ::setenv("EDGEGAP_REGISTRY_TOKEN", "env-token", 1);
    VersionFlags flags;
    ASSERT_TRUE(ReadRegistryToken(flags));
    EXPECT_EQ(flags.registry_token, "env-token");
    auto file = common::WritePrivateTempFile("registry-token", "file-token\n");
    ASSERT_TRUE(file.has_value());
    flags = {};
    flags.registry_token_file = file->string();
    ASSERT_TRUE(ReadRegistryToken(flags));
    EXPECT_EQ(flags.registry_token, "file-token");
    auto empty = common::WritePrivateTempFile("registry-token", "");
    ASSERT_TRUE(empty.has_value());
    flags.registry_token_file = empty->string();
    auto refused = ReadRegistryToken(flags);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find(empty->string()), std::string::npos);
    ::unsetenv("EDGEGAP_REGISTRY_TOKEN");
    flags = {};
    ASSERT_TRUE(ReadRegistryToken(flags));
    EXPECT_FALSE(flags.registry_token.has_value());
    std::filesystem::remove(*file);
    std::filesystem::remove(*empty);
}

TEST(RegistryCredentialsWarning, NamesWhatAPullLacks) {
    edgegap::AppVersion version;
    EXPECT_NE(RegistryCredentialsWarning(version, false).find("no registry credentials"), std::string::npos);
    version.private_username = "robot";
    EXPECT_NE(RegistryCredentialsWarning(version, false).find("the token is missing"), std::string::npos);
    EXPECT_NE(RegistryCredentialsWarning(version, true).find("not copied"), std::string::npos);
    version.private_token = "t";
    EXPECT_EQ(RegistryCredentialsWarning(version, true), "");
}

}  // namespace
}  // namespace gapkit::cli
