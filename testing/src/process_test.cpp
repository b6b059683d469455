#include "gapkit/testing/process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "gapkit/common/env.hpp"
#include "gapkit/testing/temp_dir.hpp"

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

TEST(TestingChildProcess, KillIsSigkillAndIdempotent) {
    const auto log = std::filesystem::temp_directory_path() / "gapkit_child_process_kill_test.log";
    auto child = ChildProcess::Spawn({"sleep", "30"}, log);
    ASSERT_TRUE(child.has_value()) << child.error().ToString();
    EXPECT_EQ(child->Kill(), 128 + 9);
    EXPECT_FALSE(child->Running());
    EXPECT_EQ(child->Kill(), 128 + 9);
    std::filesystem::remove(log);
}

// Helper run by DiesWithItsParent in a second copy of this binary: spawns a child, records its
// pid and exits at once without running destructors, as a crashing test would.
TEST(TestingChildProcess, HelperSpawnsAndVanishes) {
    const auto pid_file = common::GetEnv("GAPKIT_TEST_CHILD_PID_FILE");
    if (!pid_file) GTEST_SKIP() << "helper for DiesWithItsParent";
    auto child = ChildProcess::Spawn({"sleep", "30"}, *pid_file + ".log");
    ASSERT_TRUE(child.has_value());
    std::ofstream(*pid_file) << child->pid() << "\n";
    std::_Exit(0);
}

bool ProcessGone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_text, name, state;
    return !(stat >> pid_text >> name >> state) || state == "Z";
}

TEST(TestingChildProcess, DiesWithItsParent) {
    auto dir = TempDir::Create("gapkit-orphan-test");
    ASSERT_TRUE(dir.has_value());
    const auto pid_file = (dir->path() / "child.pid").string();
    auto helper = RunProcess({"/proc/self/exe", "--gtest_filter=TestingChildProcess.HelperSpawnsAndVanishes"},
                             {{"GAPKIT_TEST_CHILD_PID_FILE", pid_file}});
    ASSERT_TRUE(helper.has_value());
    pid_t child_pid = -1;
    std::ifstream(pid_file) >> child_pid;
    ASSERT_GT(child_pid, 0) << helper->stdout_text;
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
        gone = ProcessGone(child_pid);
        if (!gone) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(gone) << "the child outlived its parent";
}

}  // namespace
}  // namespace gapkit::testing
