// gapctl app-version, set-ca-argument, deploy and stop against the local stack (docs/operate.md):
// the operator puts the NATS CA on spaceships 1 without losing its other arguments, makes a new
// version from it with another tag (twice: the second run changes nothing), deploys that version
// by hand (edgegap-sim runs spaceships-server for it) and stops it; registry pull credentials
// reach the simulator from env or file and are never printed nor copied from another version.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "operate_test_support.hpp"

namespace gapkit::operate {
namespace {

namespace json = boost::json;

constexpr const char* kOtherArguments = "--seed 7";

class AppVersionTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto stack = StartStack();
        ASSERT_TRUE(stack.has_value()) << stack.error().ToString();
        stack_ = std::move(*stack).release();
    }
    static void TearDownTestSuite() {
        delete stack_;
        stack_ = nullptr;
    }
    void SetUp() override { ASSERT_NE(stack_, nullptr); }

    testing::ProcessResult Gapctl(const std::vector<std::string>& args, const testing::EnvOverrides& env = {}) {
        return RunGapctl(*stack_, "operator", args, env, std::chrono::seconds(90));
    }
    json::value GapctlJson(std::vector<std::string> args) {
        args.push_back("--json");
        auto result = Gapctl(args);
        EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
        return ParseJson(result);
    }
    // The stack's own CA (the one its nats-server's certificate is signed with), so that a server
    // started with it in --ca_contents still reaches the bus.
    static std::string CaFile() { return (stack_->dir() / "ca" / "rootCA.pem").string(); }
    static std::string ReadCa() {
        std::ifstream file(CaFile());
        return std::string(std::istreambuf_iterator<char>(file), {});
    }

    static chaos::LocalStack* stack_;
};

chaos::LocalStack* AppVersionTest::stack_ = nullptr;

std::string Text(const json::value& value, std::string_view key) {
    const auto* field = value.as_object().if_contains(key);
    return field != nullptr && field->is_string() ? std::string(field->as_string()) : std::string();
}

TEST_F(AppVersionTest, SetCaArgumentKeepsTheOtherArgumentsAndShowDisplaysIt) {
    ASSERT_TRUE(std::filesystem::exists(CaFile())) << CaFile();
    auto update = Gapctl({"app-version", "update", "spaceships", "1", "--arguments", kOtherArguments});
    ASSERT_EQ(update.exit_code, 0) << update.stderr_text;

    auto set = Gapctl({"set-ca-argument", "spaceships", "1", CaFile()});
    ASSERT_EQ(set.exit_code, 0) << set.stderr_text;
    EXPECT_NE(set.stdout_text.find("--ca_contents added (<CA: CN="), std::string::npos) << set.stdout_text;
    EXPECT_NE(set.stdout_text.find("2 other argument word(s) kept"), std::string::npos) << set.stdout_text;

    auto show = Gapctl({"app-version", "show", "spaceships", "1"});
    ASSERT_EQ(show.exit_code, 0) << show.stderr_text;
    EXPECT_NE(show.stdout_text.find(std::string(kOtherArguments) + " --ca_contents '<CA: CN="), std::string::npos)
        << show.stdout_text;
    EXPECT_EQ(show.stdout_text.find("BEGIN CERTIFICATE"), std::string::npos) << show.stdout_text;

    const json::value shown = GapctlJson({"app-version", "show", "spaceships", "1"});
    std::string pem = ReadCa();
    if (!pem.ends_with('\n')) pem += '\n';
    EXPECT_EQ(Text(shown.at("settings"), "arguments"), std::string(kOtherArguments) + " --ca_contents '" + pem + "'");

    auto again = Gapctl({"set-ca-argument", "spaceships", "1", CaFile()});
    ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
    EXPECT_NE(again.stdout_text.find("--ca_contents unchanged"), std::string::npos) << again.stdout_text;
}

TEST_F(AppVersionTest, RefusalsNameTheProblemAndChangeNothing) {
    const std::string before = Text(GapctlJson({"app-version", "show", "spaceships", "1"}).at("settings"), "arguments");
    const auto bad_pem = stack_->dir() / "bad.pem";
    std::ofstream(bad_pem) << "-----BEGIN CERTIFICATE-----\nit's not base64\n";
    auto not_pem = Gapctl({"set-ca-argument", "spaceships", "1", bad_pem.string()});
    EXPECT_EQ(not_pem.exit_code, 1);
    EXPECT_NE(not_pem.stderr_text.find("characters other than PEM text"), std::string::npos) << not_pem.stderr_text;

    auto wrong_key = Gapctl({"set-ca-argument", "spaceships", "1", CaFile()}, {{"EDGEGAP_API_KEY", "wrong"}});
    EXPECT_EQ(wrong_key.exit_code, 1);
    EXPECT_NE(wrong_key.stderr_text.find("401"), std::string::npos) << wrong_key.stderr_text;

    auto missing = Gapctl({"app-version", "show", "spaceships", "no-such-version"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.stderr_text.find("404"), std::string::npos) << missing.stderr_text;

    auto usage = Gapctl({"app-version", "create", "spaceships", "x", "--from-version", "1", "--port", "gameport"});
    EXPECT_EQ(usage.exit_code, 2) << usage.stderr_text;
    EXPECT_EQ(Text(GapctlJson({"app-version", "show", "spaceships", "1"}).at("settings"), "arguments"), before);
}

TEST_F(AppVersionTest, CreateFromAVersionThenDeployAndStopIt) {
    ASSERT_EQ(Gapctl({"set-ca-argument", "spaceships", "1", CaFile()}).exit_code, 0);
    const std::vector<std::string> create{"app-version", "create", "spaceships", "v2",          "--from-version",
                                          "1",           "--tag",  "v2.0.0",     "--if-exists", "update"};
    const json::value created = GapctlJson(create);
    EXPECT_EQ(Text(created, "outcome"), "created");
    EXPECT_EQ(Text(GapctlJson(create), "outcome"), "unchanged");  // A rerun of the same release.

    auto exists = Gapctl({"app-version", "create", "spaceships", "v2", "--from-version", "1"});
    EXPECT_EQ(exists.exit_code, 1);
    EXPECT_NE(exists.stderr_text.find("409"), std::string::npos) << exists.stderr_text;

    const json::value one = GapctlJson({"app-version", "show", "spaceships", "1"}).at("settings");
    const json::value two = GapctlJson({"app-version", "show", "spaceships", "v2"}).at("settings");
    EXPECT_EQ(Text(two, "docker_tag"), "v2.0.0");
    EXPECT_EQ(Text(two, "arguments"), Text(one, "arguments"));
    EXPECT_EQ(two.at("envs"), one.at("envs"));
    EXPECT_EQ(two.at("ports"), one.at("ports"));
    EXPECT_EQ(two.at("session_config"), one.at("session_config"));

    const json::value deployed = GapctlJson({"deploy", "spaceships", "v2", "--ip", "1.2.3.4", "--wait-seconds", "60"});
    EXPECT_EQ(Text(deployed, "status"), "Status.READY");
    EXPECT_EQ(Text(deployed, "public_ip"), "127.0.0.1");
    ASSERT_TRUE(deployed.at("ports").is_array());
    EXPECT_EQ(deployed.at("ports").as_array().size(), one.at("ports").as_array().size());  // gameport, webtransport
    const std::string request_id = Text(deployed, "request_id");
    ASSERT_FALSE(request_id.empty());

    auto stop = Gapctl({"stop", request_id});
    ASSERT_EQ(stop.exit_code, 0) << stop.stderr_text;
    EXPECT_EQ(stop.stdout_text, "deployment " + request_id + ": stopped\n");
    auto unknown = Gapctl({"stop", "ffffffffffff", "--json"});
    EXPECT_EQ(unknown.exit_code, 0) << unknown.stderr_text;
    EXPECT_EQ(Text(ParseJson(unknown), "outcome"), "already gone");
}

TEST_F(AppVersionTest, RegistryCredentialsReachEdgegapHiddenAndTheTokenIsNeverCopied) {
    const std::string user = "robot$gapkit-test+app-version-pull";
    const std::string env_token = "a-pull-token-from-env-31";
    const std::vector<std::string> create{"app-version", "create", "spaceships",          "reg1", "--from-version", "1",
                                          "--tag",       "r1",     "--registry-username", user};
    auto created = Gapctl(create, {{"EDGEGAP_REGISTRY_TOKEN", env_token}});
    ASSERT_EQ(created.exit_code, 0) << created.stderr_text;
    EXPECT_EQ((created.stdout_text + created.stderr_text).find(env_token), std::string::npos) << created.stdout_text;
    const std::size_t token_row = created.stdout_text.find("\nregistry_token ");
    ASSERT_NE(token_row, std::string::npos) << created.stdout_text;
    const std::string row =
        created.stdout_text.substr(token_row + 1, created.stdout_text.find('\n', token_row + 1) - token_row - 1);
    EXPECT_TRUE(row.ends_with(" (hidden)")) << row;
    EXPECT_EQ(Text(SimAppVersion(*stack_, "reg1"), "private_username"), user);
    EXPECT_EQ(Text(SimAppVersion(*stack_, "reg1"), "private_token"), env_token);

    const auto token_file = stack_->dir() / "registry-token";
    std::ofstream(token_file) << "a-pull-token-from-file-47\n";
    auto updated =
        Gapctl({"app-version", "update", "spaceships", "reg1", "--registry-token-file", token_file.string(), "--json"},
               {{"EDGEGAP_REGISTRY_TOKEN", env_token}});
    ASSERT_EQ(updated.exit_code, 0) << updated.stderr_text;
    EXPECT_EQ(updated.stdout_text.find("a-pull-token-from-file-47"), std::string::npos) << updated.stdout_text;
    const json::value settings = ParseJson(updated).at("settings");
    EXPECT_EQ(Text(settings, "private_username"), user);
    EXPECT_EQ(Text(settings, "private_token"), "(hidden)");
    EXPECT_EQ(Text(SimAppVersion(*stack_, "reg1"), "private_token"), "a-pull-token-from-file-47");

    // From a version with a token, without one: the user is copied, the token (maybe a mask) is not.
    auto copied = Gapctl({"app-version", "create", "spaceships", "reg2", "--from-version", "reg1", "--tag", "r2"});
    ASSERT_EQ(copied.exit_code, 0) << copied.stderr_text;
    EXPECT_NE(copied.stderr_text.find("registry token of --from-version is not copied"), std::string::npos)
        << copied.stderr_text;
    EXPECT_EQ(Text(SimAppVersion(*stack_, "reg2"), "private_username"), user);
    EXPECT_EQ(Text(SimAppVersion(*stack_, "reg2"), "private_token"), "");

    // Without --from-version and without credentials: a warning, not an error.
    auto bare = Gapctl({"app-version", "create", "spaceships", "reg3", "--registry", "registry.edgegap.com", "--image",
                        "org/spaceships", "--tag", "r3"});
    ASSERT_EQ(bare.exit_code, 0) << bare.stderr_text;
    EXPECT_NE(bare.stderr_text.find("no registry credentials"), std::string::npos) << bare.stderr_text;
}

}  // namespace
}  // namespace gapkit::operate
