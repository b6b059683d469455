#include "nats_check.hpp"

#include <gtest/gtest.h>

#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/process.hpp"

namespace gapkit::cli {
namespace {

using gapkit::testing::NatsServer;

gapkit::testing::ProcessResult RunNatsCheck(const gapkit::testing::EnvOverrides& env,
                                            std::vector<std::string> extra_args = {}) {
    std::vector<std::string> argv{GAPKIT_GAPCTL_PATH, "nats-check"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    auto result = gapkit::testing::RunProcess(argv, env, std::chrono::seconds(30));
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_FALSE(result->timed_out) << "gapctl nats-check hung";
    return result.value_or(gapkit::testing::ProcessResult{});
}

TEST(GapctlNatsCheck, ConnectsOverTlsWithASelfSignedCa) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = NatsServer::Start();
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    auto run = RunNatsCheck((*server)->ClientEnv());
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    EXPECT_EQ(run.stdout_text, "NATS connected OK!\n");
    EXPECT_NE(run.stderr_text.find("gapkit_nats_check"), std::string::npos) << run.stderr_text;
    EXPECT_NE(run.stderr_text.find("TLS on"), std::string::npos) << run.stderr_text;
    EXPECT_NE(run.stderr_text.find((*server)->CaFile().string()), std::string::npos) << run.stderr_text;
    EXPECT_EQ(run.stderr_text.find("gapkit-test-password"), std::string::npos) << "password leaked";
}

TEST(GapctlNatsCheck, WrongPasswordFailsWithAnAuthorizationError) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = NatsServer::Start();
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    auto env = (*server)->ClientEnv();
    env["NATS_PASSWORD"] = "wrong-password";
    auto run = RunNatsCheck(env);
    EXPECT_NE(run.exit_code, 0);
    EXPECT_EQ(run.stdout_text.find("NATS connected OK!"), std::string::npos);
    EXPECT_NE(run.stderr_text.find("authorization violation"), std::string::npos) << run.stderr_text;
    EXPECT_EQ(run.stderr_text.find("wrong-password"), std::string::npos) << "password leaked";
}

TEST(GapctlNatsCheck, MissingHostFailsNamingTheVariable) {
    auto run = RunNatsCheck({{"NATS_HOST", std::nullopt}, {"NATS_USER", "u"}, {"NATS_PASSWORD", "p"}});
    EXPECT_NE(run.exit_code, 0);
    EXPECT_NE(run.stderr_text.find("NATS_HOST"), std::string::npos) << run.stderr_text;
}

TEST(GapctlNatsCheck, UnreachableServerFailsWithinTheTimeout) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = NatsServer::Start({.tls = false, .jetstream = false});
    ASSERT_TRUE(server.has_value());
    auto env = (*server)->ClientEnv();
    (*server)->Stop();
    auto run = RunNatsCheck(env, {"--timeout-seconds", "2"});
    EXPECT_NE(run.exit_code, 0);
    EXPECT_NE(run.stderr_text.find("no server reachable"), std::string::npos) << run.stderr_text;
}

TEST(GapctlNatsCheck, HelpListsTheEnvironment) {
    auto run = gapkit::testing::RunProcess({GAPKIT_GAPCTL_PATH, "nats-check", "--help"});
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->exit_code, 0);
    for (const char* name :
         {"NATS_HOST", "NATS_USER", "NATS_PASSWORD", "NATS_CA", "NATS_CA_CONTENTS", "NATS_INSECURE"}) {
        EXPECT_NE(run->stdout_text.find(name), std::string::npos) << name;
    }
    auto top = gapkit::testing::RunProcess({GAPKIT_GAPCTL_PATH, "--help"});
    ASSERT_TRUE(top.has_value());
    EXPECT_NE(top->stdout_text.find("nats-check"), std::string::npos) << top->stdout_text;
}

}  // namespace
}  // namespace gapkit::cli
