#include "gapkit/testing/process.hpp"

#include <gtest/gtest.h>

namespace gapkit::testing {
namespace {

using namespace std::chrono_literals;

TEST(TestingRunProcess, CapturesOutputAndExitCode) {
    auto result = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"});
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_EQ(result->exit_code, 3);
    EXPECT_EQ(result->stdout_text, "out\n");
    EXPECT_EQ(result->stderr_text, "err\n");
    EXPECT_FALSE(result->timed_out);
}

TEST(TestingRunProcess, AppliesEnvOverrides) {
    SetEnv("GAPKIT_PROCESS_UNSET_ME", "present");
    auto result = RunProcess({"sh", "-c", "echo \"$GAPKIT_PROCESS_SET|${GAPKIT_PROCESS_UNSET_ME-gone}\""},
                             {{"GAPKIT_PROCESS_SET", "yes"}, {"GAPKIT_PROCESS_UNSET_ME", std::nullopt}});
    SetEnv("GAPKIT_PROCESS_UNSET_ME", std::nullopt);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->stdout_text, "yes|gone\n");
}

TEST(TestingRunProcess, KillsAtTimeout) {
    auto result = RunProcess({"sleep", "30"}, {}, 200ms);
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->exit_code, 128 + 9);
}

TEST(TestingRunProcess, MissingProgramIsAnError) { EXPECT_FALSE(RunProcess({"gapkit-no-such-program"}).has_value()); }

TEST(TestingChildProcess, StopsWithSigterm) {
    const auto log = std::filesystem::temp_directory_path() / "gapkit_child_process_test.log";
    auto child = ChildProcess::Spawn({"sleep", "30"}, log);
    ASSERT_TRUE(child.has_value()) << child.error().ToString();
    EXPECT_TRUE(child->Running());
    EXPECT_EQ(child->Stop(), 128 + 15);
    EXPECT_FALSE(child->Running());
    std::filesystem::remove(log);
}

}  // namespace
}  // namespace gapkit::testing
