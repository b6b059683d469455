#include "config.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "gapkit/netcode/private_key.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::matchmaker {
namespace {

using gapkit::testing::ScopedEnv;

const std::string kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// Parses `args` like main() does, with every matchmaker variable unset unless `env` sets it.
common::Status Parse(std::vector<std::string> args, MatchmakerConfig& config, testing::EnvOverrides env = {}) {
    for (const char* name : {"GAPKIT_PRIVATE_KEY", "EDGEGAP_API_KEY", "GAPKIT_MM_APP_NAME", "GAPKIT_MM_APP_VERSION",
                             "GAPKIT_MM_PROTOCOL_ID", "GAPKIT_MM_READINESS_TIMEOUT", "GAPKIT_MM_WEBHOOK_BASE_URL",
                             "GAPKIT_MM_WEBHOOK_SECRET", "GAPKIT_MM_WEBHOOK_SECRET_FILE", "GAPKIT_MM_RECONCILE_GRACE",
                             "GAPKIT_MM_EDGEGAP_LIMITS"}) {
        env.emplace(name, std::nullopt);
    }
    ScopedEnv scoped(env);
    CLI::App app;
    AddOptions(app, config);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& error) {
        return common::MakeError(common::ErrorCode::kInvalidArgument, error.what());
    }
    return Finish(config);
}

const std::vector<std::string> kRequired = {"--app-name", "spaceships", "--app-version", "1", "--lightyear-protocol-id",
                                            "42"};

TEST(MatchmakerConfig, ReadsFlagsAndSecretsFromEnvironment) {
    MatchmakerConfig config;
    auto ok = Parse(kRequired, config, {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "token abc"}});
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(config.app_name, "spaceships");
    EXPECT_EQ(config.protocol_id, 42u);
    EXPECT_EQ(netcode::KeyToHex(config.private_key), kKeyHex);
    EXPECT_EQ(config.edgegap_api_key, "token abc");
    EXPECT_EQ(config.metrics_port, 9100);
}

TEST(MatchmakerConfig, EnvironmentFillsAbsentFlags) {
    MatchmakerConfig config;
    auto ok = Parse({"--lightyear-protocol-id", "7"}, config,
                    {{"GAPKIT_PRIVATE_KEY", kKeyHex},
                     {"EDGEGAP_API_KEY", "k"},
                     {"GAPKIT_MM_APP_NAME", "game"},
                     {"GAPKIT_MM_APP_VERSION", "v2"},
                     {"GAPKIT_MM_READINESS_TIMEOUT", "5"}});
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(config.app_version, "v2");
    EXPECT_EQ(config.readiness_timeout_seconds, 5);
}

TEST(MatchmakerConfig, AcceptsTheCompatibilityKeyFlag) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--lightyear-private-key",
                             "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
                             "23,24,25,26,27,28,29,30,31,32]"});
    auto ok = Parse(args, config, {{"EDGEGAP_API_KEY", "k"}});
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(config.private_key[0], 1);
    EXPECT_EQ(config.private_key[31], 32);
    EXPECT_TRUE(config.private_key_argv.empty());  // Not kept around in text form.
}

TEST(MatchmakerConfig, RefusesMissingSecretsWithoutEchoingThem) {
    MatchmakerConfig config;
    auto no_key = Parse(kRequired, config, {{"EDGEGAP_API_KEY", "k"}});
    ASSERT_FALSE(no_key);
    EXPECT_NE(no_key.error().message().find("GAPKIT_PRIVATE_KEY"), std::string::npos);

    MatchmakerConfig bad;
    auto bad_key = Parse(kRequired, bad, {{"EDGEGAP_API_KEY", "k"}, {"GAPKIT_PRIVATE_KEY", "secret-bad-key"}});
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(bad_key.error().message().find("secret-bad-key"), std::string::npos);

    MatchmakerConfig no_api;
    auto no_api_key = Parse(kRequired, no_api, {{"GAPKIT_PRIVATE_KEY", kKeyHex}});
    ASSERT_FALSE(no_api_key);
    EXPECT_NE(no_api_key.error().message().find("EDGEGAP_API_KEY"), std::string::npos);
}

TEST(MatchmakerConfig, ValidateNamesTheBadField) {
    MatchmakerConfig config;
    config.app_name = "game";
    config.app_version = "1";
    config.protocol_id = 1;
    config.edgegap_api_key = "k";
    ASSERT_TRUE(config.Validate());
    config.app_name = "bad name";
    EXPECT_NE(config.Validate().error().message().find("app_name"), std::string::npos);
    config.app_name = "game";
    config.poll_max_ms = 10;
    EXPECT_NE(config.Validate().error().message().find("poll_max_ms"), std::string::npos);
    config.poll_max_ms = 2000;
    config.protocol_id = 0;
    EXPECT_FALSE(config.Validate());
}

TEST(MatchmakerConfig, WebhookUrlIsTheBaseUrlPlusTheSecretFromTheEnvironment) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--webhook-base-url", "https://play.example.com/edgegap/webhook/"});
    const testing::EnvOverrides secrets = {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}};
    testing::EnvOverrides env = secrets;
    env.emplace("GAPKIT_MM_WEBHOOK_SECRET", "0123456789abcdef0123");
    auto ok = Parse(args, config, env);
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(config.webhook_url, "https://play.example.com/edgegap/webhook/0123456789abcdef0123");

    MatchmakerConfig no_secret;
    auto refused = Parse(args, no_secret, secrets);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("GAPKIT_MM_WEBHOOK_SECRET"), std::string::npos);

    MatchmakerConfig short_secret;
    env["GAPKIT_MM_WEBHOOK_SECRET"] = "short";
    auto too_short = Parse(args, short_secret, env);
    ASSERT_FALSE(too_short);
    EXPECT_EQ(too_short.error().message().find("short"), std::string::npos);  // The secret is not echoed.
    EXPECT_NE(too_short.error().message().find("16 characters"), std::string::npos);

    MatchmakerConfig polling;
    ASSERT_TRUE(Parse(kRequired, polling, secrets));
    EXPECT_TRUE(polling.webhook_url.empty());
}

TEST(MatchmakerConfig, TokenTimeoutThatNeverExpiresIsRefused) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--token-timeout", "-1"});
    auto refused = Parse(args, config, {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("token_timeout"), std::string::npos);
}

TEST(MatchmakerConfig, ReconcilerOptionsHaveDefaultsFlagsAndEnvironment) {
    const testing::EnvOverrides secrets = {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}};
    MatchmakerConfig defaults;
    ASSERT_TRUE(Parse(kRequired, defaults, secrets));
    EXPECT_EQ(defaults.reconcile_interval_seconds, 60);
    EXPECT_EQ(defaults.reconcile_grace_seconds, 120);
    EXPECT_FALSE(defaults.reconcile_dry_run);
    EXPECT_EQ(defaults.reconcile_max_lookups, 50);

    MatchmakerConfig set;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--reconcile-interval", "0", "--reconcile-dry-run", "--reconcile-max-lookups", "5"});
    testing::EnvOverrides env = secrets;
    env.emplace("GAPKIT_MM_RECONCILE_GRACE", "30");
    auto ok = Parse(args, set, env);
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(set.reconcile_interval_seconds, 0);
    EXPECT_EQ(set.reconcile_grace_seconds, 30);
    EXPECT_TRUE(set.reconcile_dry_run);
    EXPECT_EQ(set.reconcile_max_lookups, 5);
}

TEST(MatchmakerConfig, ReconcileGraceShorterThanAnEdgegapCallIsRefused) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--edgegap-timeout", "20", "--reconcile-grace", "10"});
    auto refused = Parse(args, config, {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("reconcile_grace"), std::string::npos);
}

TEST(MatchmakerConfig, AliveTtlDefaultsToThreeAliveIntervalsAndZeroTurnsItOff) {
    const testing::EnvOverrides secrets = {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}};
    MatchmakerConfig defaults;
    ASSERT_TRUE(Parse(kRequired, defaults, secrets));
    EXPECT_EQ(defaults.alive_ttl_seconds, 3 * protocol::kAliveIntervalSeconds);

    MatchmakerConfig off;
    testing::EnvOverrides env = secrets;
    env.emplace("GAPKIT_MM_ALIVE_TTL", "0");
    ASSERT_TRUE(Parse(kRequired, off, env));
    EXPECT_EQ(off.alive_ttl_seconds, 0);

    MatchmakerConfig bad;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--alive-ttl", "-1"});
    auto refused = Parse(args, bad, secrets);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("alive_ttl"), std::string::npos);
}

TEST(MatchmakerConfig, DeleteBackOffHasDefaultsAndAMaxNoShorterThanTheFirstDelay) {
    const testing::EnvOverrides secrets = {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}};
    MatchmakerConfig defaults;
    ASSERT_TRUE(Parse(kRequired, defaults, secrets));
    EXPECT_EQ(defaults.delete_retry_seconds, 5);
    EXPECT_EQ(defaults.delete_retry_max_seconds, 300);
    EXPECT_EQ(defaults.delete_park_after_seconds, 1800);

    MatchmakerConfig set;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--delete-retry-max", "60"});
    testing::EnvOverrides env = secrets;
    env.emplace("GAPKIT_MM_DELETE_PARK_AFTER", "600");
    ASSERT_TRUE(Parse(args, set, env));
    EXPECT_EQ(set.delete_retry_max_seconds, 60);
    EXPECT_EQ(set.delete_park_after_seconds, 600);

    MatchmakerConfig bad;
    args = kRequired;
    args.insert(args.end(), {"--delete-retry", "10", "--delete-retry-max", "5"});
    auto refused = Parse(args, bad, secrets);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("delete_retry_max"), std::string::npos);
}

TEST(MatchmakerConfig, UnclaimedAgeCoversReadinessAndTokenLifetime) {
    MatchmakerConfig config;
    EXPECT_EQ(config.UnclaimedMaxAgeSeconds(), 90);  // max(60, 30) + 30
    config.readiness_timeout_seconds = 10;
    EXPECT_EQ(config.UnclaimedMaxAgeSeconds(), 60);  // max(10, 30) + 30
}

TEST(MatchmakerConfig, EdgegapLimitsDefaultToEdgegapsDocumentedBudget) {
    MatchmakerConfig config;
    ASSERT_TRUE(Parse(kRequired, config, {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}}));
    auto limits = config.EdgegapRateLimits();
    ASSERT_TRUE(limits) << limits.error().ToString();
    EXPECT_EQ(edgegap::FormatRateLimits(*limits), edgegap::FormatRateLimits(edgegap::RateLimits{}));
    EXPECT_EQ(config.edgegap_limits, "deployments=36+4,status=9+1,context=9+1,sessions=36+4,apps=9+1");
}

TEST(MatchmakerConfig, EdgegapLimitsFromEnvironmentChangeOnlyTheNamedClasses) {
    MatchmakerConfig config;
    auto ok = Parse(
        kRequired, config,
        {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}, {"GAPKIT_MM_EDGEGAP_LIMITS", "sessions=off"}});
    ASSERT_TRUE(ok) << ok.error().ToString();
    auto limits = config.EdgegapRateLimits();
    ASSERT_TRUE(limits) << limits.error().ToString();
    EXPECT_TRUE(limits->sessions.unlimited);
    EXPECT_DOUBLE_EQ(limits->deployments.requests_per_second, 36.0);
    EXPECT_DOUBLE_EQ(limits->status.burst, 1.0);
}

TEST(MatchmakerConfig, EdgegapLimitsFlagBeatsEnvironment) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--edgegap-limits", "status=20+2"});
    auto ok = Parse(
        args, config,
        {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}, {"GAPKIT_MM_EDGEGAP_LIMITS", "sessions=off"}});
    ASSERT_TRUE(ok) << ok.error().ToString();
    auto limits = config.EdgegapRateLimits();
    ASSERT_TRUE(limits) << limits.error().ToString();
    EXPECT_DOUBLE_EQ(limits->status.requests_per_second, 20.0);
    EXPECT_FALSE(limits->sessions.unlimited);
}

TEST(MatchmakerConfig, BadEdgegapLimitIsAUsageErrorNamingTheClassAndTheForm) {
    MatchmakerConfig config;
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), {"--edgegap-limits", "sessions=fast"});
    auto refused = Parse(args, config, {{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"EDGEGAP_API_KEY", "k"}});
    ASSERT_FALSE(refused);
    const std::string message = refused.error().message();
    EXPECT_NE(message.find("--edgegap-limits"), std::string::npos) << message;
    EXPECT_NE(message.find("sessions=fast"), std::string::npos) << message;
    EXPECT_NE(message.find("<class>=<per_second>+<burst> or <class>=off"), std::string::npos) << message;
}

TEST(MatchmakerConfig, HelpShowsTheEdgegapLimitsVariableAndDefaults) {
    MatchmakerConfig config;
    CLI::App app;
    AddOptions(app, config);
    const std::string help = app.help();
    EXPECT_NE(help.find("GAPKIT_MM_EDGEGAP_LIMITS"), std::string::npos);
    EXPECT_NE(help.find("deployments=36+4,status=9+1,context=9+1,sessions=36+4,apps=9+1"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::matchmaker
