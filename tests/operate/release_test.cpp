// The release pipeline's steps (deploy/release/release.sh, which .github/workflows/release.yml runs)
// against the local stack's edgegap-sim: a tag becomes an app version copied from the base version,
// with the new image tag and the NATS CA in its arguments. There is no registry here, so the image
// steps are skipped (--skip-image) and the script must say so. What the version holds is read from
// the simulator's own API, not from gapctl; the simulator answers the registry token as stored.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gapkit/testing/temp_dir.hpp"
#include "operate_test_support.hpp"

namespace gapkit::operate {
namespace {

constexpr const char* kRegistry = "registry.edgegap.com";
constexpr const char* kImage = "gapkit-test/spaceships-server";
// Fields of a version that a release sets itself; every other one is the base version's.
const std::vector<std::string> kSetByRelease = {"name",    "docker_repository", "docker_image",     "docker_tag",
                                                "command", "arguments",         "private_username", "private_token"};
constexpr const char* kPullUser = "robot$gapkit-test+app-version-pull";
constexpr const char* kPullToken = "a-pull-token-0815";

std::string ReleaseScript() { return std::string(GAPKIT_SOURCE_DIR) + "/deploy/release/release.sh"; }

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every release setting unset, so the test's outcome never depends on the caller's environment;
// gapctl from this build first on PATH.
testing::EnvOverrides CleanReleaseEnv() {
    const char* path = std::getenv("PATH");
    return {{"PATH", std::string(GAPKIT_OPERATE_BIN_DIR) + ":" + (path == nullptr ? "/usr/bin:/bin" : path)},
            {"EDGEGAP_API_KEY", std::nullopt},
            {"EDGEGAP_BASE_URL", std::nullopt},
            {"EDGEGAP_DOCKER_REGISTRY", std::nullopt},
            {"EDGEGAP_IMAGE_NAME", std::nullopt},
            {"EDGEGAP_DOCKER_USERNAME", std::nullopt},
            {"EDGEGAP_DOCKER_PASSWORD", std::nullopt},
            {"EDGEGAP_REGISTRY_USERNAME", std::nullopt},
            {"EDGEGAP_REGISTRY_TOKEN", std::nullopt},
            {"EDGEGAP_BASE_VERSION", std::nullopt},
            {"GAPKIT_MM_APP_NAME", std::nullopt},
            {"NATS_CA", std::nullopt},
            {"NATS_CA_PEM", std::nullopt},
            {"GAPCTL", std::nullopt},
            {"GAPKIT_CONTAINER_TOOL", std::nullopt}};
}

// The settings CI gives the version job, pointed at the stack's simulator and CA.
testing::EnvOverrides StackReleaseEnv(chaos::LocalStack& stack, const std::string& base_version) {
    testing::EnvOverrides env = CleanReleaseEnv();
    for (const auto& [name, value] : stack.EdgegapEnv()) env[name] = value;
    env["EDGEGAP_DOCKER_REGISTRY"] = kRegistry;
    env["EDGEGAP_IMAGE_NAME"] = kImage;
    env["EDGEGAP_BASE_VERSION"] = base_version;
    env["NATS_CA"] = stack.nats().CaFile().string();
    return env;
}

testing::ProcessResult RunRelease(const std::vector<std::string>& args, const testing::EnvOverrides& env) {
    std::vector<std::string> argv{ReleaseScript()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = testing::RunProcess(argv, env, std::chrono::seconds(90));
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().ToString());
    if (!result) return {};
    EXPECT_FALSE(result->timed_out) << "release.sh timed out: " << result->stderr_text;
    return *result;
}

// A field as text: a string as is, anything else as JSON (so a wrong type shows in the failure).
std::string Text(const boost::json::object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    if (value == nullptr) return "<missing>";
    return value->is_string() ? std::string(value->get_string()) : boost::json::serialize(*value);
}

std::size_t Count(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
    return count;
}

// `release` is base with the image of the tag and the CA argument, every other setting copied.
void ExpectReleaseOfBase(const boost::json::object& release, const boost::json::object& base, const std::string& tag,
                         const std::string& ca_pem) {
    EXPECT_EQ(Text(release, "name"), tag);
    EXPECT_EQ(Text(release, "docker_repository"), kRegistry);
    EXPECT_EQ(Text(release, "docker_image"), kImage);
    EXPECT_EQ(Text(release, "docker_tag"), tag);
    EXPECT_EQ(Text(release, "ports"), Text(base, "ports"));
    EXPECT_EQ(Text(release, "session_config"), Text(base, "session_config"));
    for (const auto& entry : base) {
        const std::string_view field = entry.key();
        if (std::find(kSetByRelease.begin(), kSetByRelease.end(), field) != kSetByRelease.end()) continue;
        EXPECT_EQ(Text(release, field), Text(base, field)) << "field " << field << " not copied";
    }
    const std::string arguments = Text(release, "arguments");
    const std::string pem = ca_pem.substr(0, ca_pem.find_last_not_of('\n') + 1);
    EXPECT_EQ(Count(arguments, "--ca_contents"), 1u) << arguments;
    EXPECT_NE(arguments.find(pem), std::string::npos) << "the CA is not in the arguments: " << arguments;
}

TEST(Release, MakesTheTagAVersionOfTheBaseWithTheCaAndPullCredentialsAndARerunKeepsIt) {
    auto stack = StartStack();
    ASSERT_TRUE(stack.has_value()) << stack.error().ToString();
    auto env = StackReleaseEnv(**stack, "1");
    env["EDGEGAP_REGISTRY_USERNAME"] = kPullUser;
    env["EDGEGAP_REGISTRY_TOKEN"] = kPullToken;
    const std::string ca_pem = ReadFile((*stack)->nats().CaFile());
    // The base version holds these unmarked (is_secret false): the release's log must hide them anyway.
    const std::vector<std::string> secrets = {*(*stack)->EdgegapEnv().at("EDGEGAP_API_KEY"),
                                              *(*stack)->NatsEnv("gameserver").at("NATS_PASSWORD"),
                                              (*stack)->private_key_hex(), kPullToken};

    for (int run = 1; run <= 2; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        const auto released = RunRelease({"--skip-image", "--json", "v9.9.9"}, env);
        ASSERT_EQ(released.exit_code, 0) << released.stderr_text;
        EXPECT_NE(released.stderr_text.find("skipped (--skip-image): no image built or pushed"), std::string::npos)
            << released.stderr_text;
        const auto shown = ParseJson(released);  // gapctl app-version show --json: {..., "settings": {...}}
        const auto* settings = shown.is_object() ? shown.as_object().if_contains("settings") : nullptr;
        EXPECT_EQ(settings != nullptr && settings->is_object() ? Text(settings->as_object(), "docker_tag") : "",
                  "v9.9.9")
            << released.stdout_text;
        for (const auto& secret : secrets) {
            EXPECT_EQ((released.stdout_text + released.stderr_text).find(secret), std::string::npos)
                << "a secret in the output:\n"
                << released.stdout_text << released.stderr_text;
        }
        const auto version = SimAppVersion(**stack, "v9.9.9");
        ExpectReleaseOfBase(version, SimAppVersion(**stack, "1"), "v9.9.9", ca_pem);
        EXPECT_EQ(Text(version, "private_username"), kPullUser);
        EXPECT_EQ(Text(version, "private_token"), kPullToken);
        EXPECT_NE(released.stderr_text.find("pulled as EDGEGAP_REGISTRY_USERNAME"), std::string::npos)
            << released.stderr_text;
    }
}

TEST(Release, WithoutPullCredentialsTheVersionPullsWithThePushCredentials) {
    auto stack = StartStack();
    ASSERT_TRUE(stack.has_value()) << stack.error().ToString();
    auto env = StackReleaseEnv(**stack, "1");
    env["EDGEGAP_DOCKER_USERNAME"] = "robot$gapkit-test+push";
    env["EDGEGAP_DOCKER_PASSWORD"] = "a-push-password-4711";
    const auto released = RunRelease({"--skip-image", "v9.9.9"}, env);
    ASSERT_EQ(released.exit_code, 0) << released.stderr_text;
    const auto version = SimAppVersion(**stack, "v9.9.9");
    EXPECT_EQ(Text(version, "private_username"), "robot$gapkit-test+push");
    EXPECT_EQ(Text(version, "private_token"), "a-push-password-4711");
    EXPECT_EQ((released.stdout_text + released.stderr_text).find("a-push-password-4711"), std::string::npos)
        << released.stdout_text << released.stderr_text;
}

// A stand-in for the docker CLI (there is no Docker engine or registry here): it records each call's
// arguments, DOCKER_CONFIG and, for `login`, what it reads on stdin.
constexpr const char* kFakeDocker = R"sh(#!/usr/bin/env bash
{
    echo "call: $*"
    echo "config: ${DOCKER_CONFIG:-}"
    if [[ $1 == login ]]; then echo "stdin: $(cat)";
fi
} >>"$FAKE_DOCKER_LOG"
)sh";

TEST(Release, ImageStepsBuildLogInWithThePasswordOnStdinOnlyAndPush) {
    auto dir = testing::TempDir::Create("gapkit-release-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().ToString();
    const auto docker = dir->path() / "docker";
    std::ofstream(docker) << kFakeDocker;
    ::chmod(docker.c_str(), 0700);
    const auto log = dir->path() / "calls.log";
    const std::string password = "a-registry-password-4711";
    auto env = CleanReleaseEnv();
    env["PATH"] = dir->path().string() + ":" + env["PATH"].value();
    env["FAKE_DOCKER_LOG"] = log.string();
    env["EDGEGAP_DOCKER_REGISTRY"] = kRegistry;
    env["EDGEGAP_IMAGE_NAME"] = kImage;
    env["EDGEGAP_DOCKER_USERNAME"] = "robot";
    env["EDGEGAP_DOCKER_PASSWORD"] = password;

    const auto released = RunRelease({"--image-only", "--container-tool", "docker", "v9.9.9"}, env);
    ASSERT_EQ(released.exit_code, 0) << released.stderr_text;
    EXPECT_NE(released.stderr_text.find("3/5 to 5/5 skipped (--image-only)"), std::string::npos);
    const std::string calls = ReadFile(log);
    const std::string image = std::string(kRegistry) + "/" + kImage + ":v9.9.9";
    const std::string source(GAPKIT_SOURCE_DIR);
    EXPECT_NE(calls.find("call: build -f " + source + "/deploy/docker/Dockerfile --target spaceships-server"),
              std::string::npos)
        << calls;
    EXPECT_NE(calls.find("-t " + image + " " + source + "\n"), std::string::npos) << calls;
    EXPECT_NE(calls.find("call: login --username robot --password-stdin registry.edgegap.com\n"), std::string::npos)
        << calls;
    EXPECT_NE(calls.find("stdin: " + password + "\n"), std::string::npos) << calls;
    EXPECT_NE(calls.find("call: push " + image + "\n"), std::string::npos) << calls;
    EXPECT_EQ(Count(calls, password), 1u) << "the password only on stdin: " << calls;
    EXPECT_EQ((released.stdout_text + released.stderr_text).find(password), std::string::npos);
    // The login's config folder (DOCKER_CONFIG of the push) is gone: no credentials stay behind.
    const auto push_config = calls.substr(calls.rfind("config: ") + 8);
    const std::string config_dir = push_config.substr(0, push_config.find('\n'));
    EXPECT_FALSE(config_dir.empty()) << calls;
    EXPECT_FALSE(std::filesystem::exists(config_dir)) << config_dir;
}

TEST(Release, FailsWithAHintWhenTheBaseVersionDoesNotExist) {
    auto stack = StartStack();
    ASSERT_TRUE(stack.has_value()) << stack.error().ToString();
    const auto failed = RunRelease({"--skip-image", "v9.9.10"}, StackReleaseEnv(**stack, "no-such-version"));
    EXPECT_EQ(failed.exit_code, 1) << failed.stderr_text;
    EXPECT_NE(failed.stderr_text.find("EDGEGAP_BASE_VERSION"), std::string::npos) << failed.stderr_text;
}

TEST(Release, NamesEveryMissingSettingAtOnceAndNoSecret) {
    auto env = CleanReleaseEnv();
    env["EDGEGAP_DOCKER_PASSWORD"] = "a-registry-password-4711";
    env["EDGEGAP_REGISTRY_USERNAME"] = kPullUser;  // without its token
    const auto failed = RunRelease({"v9.9.9"}, env);
    EXPECT_EQ(failed.exit_code, 2) << failed.stderr_text;
    for (const char* name :
         {"EDGEGAP_DOCKER_REGISTRY", "EDGEGAP_IMAGE_NAME", "EDGEGAP_DOCKER_USERNAME", "EDGEGAP_API_KEY",
          "GAPKIT_MM_APP_NAME", "EDGEGAP_BASE_VERSION", "NATS_CA", "EDGEGAP_REGISTRY_TOKEN"}) {
        EXPECT_NE(failed.stderr_text.find(name), std::string::npos) << name << " not named:\n" << failed.stderr_text;
    }
    EXPECT_EQ(failed.stderr_text.find("EDGEGAP_DOCKER_PASSWORD ("), std::string::npos) << "it was given";
    EXPECT_EQ(failed.stderr_text.find("a-registry-password-4711"), std::string::npos);
    EXPECT_EQ(failed.stdout_text, "");
}

TEST(Release, SkippingTheImageNeedsNoRegistryCredentials) {
    auto env = CleanReleaseEnv();
    const auto failed = RunRelease({"--skip-image", "v9.9.9"}, env);
    EXPECT_EQ(failed.exit_code, 2) << failed.stderr_text;
    EXPECT_EQ(failed.stderr_text.find("EDGEGAP_DOCKER_USERNAME"), std::string::npos) << failed.stderr_text;
    EXPECT_EQ(failed.stderr_text.find("EDGEGAP_DOCKER_PASSWORD"), std::string::npos) << failed.stderr_text;
}

TEST(Release, RefusesATagThatIsNoImageTag) {
    auto env = CleanReleaseEnv();
    env["EDGEGAP_DOCKER_REGISTRY"] = kRegistry;
    env["EDGEGAP_IMAGE_NAME"] = kImage;
    env["EDGEGAP_DOCKER_USERNAME"] = "user";
    env["EDGEGAP_DOCKER_PASSWORD"] = "password";
    const auto failed = RunRelease({"--image-only", "v1;touch x"}, env);
    EXPECT_EQ(failed.exit_code, 2) << failed.stderr_text;
    EXPECT_NE(failed.stderr_text.find("is not a valid image tag"), std::string::npos) << failed.stderr_text;
}

}  // namespace
}  // namespace gapkit::operate
