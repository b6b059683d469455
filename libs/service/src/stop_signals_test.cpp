#include "gapkit/service/stop_signals.hpp"

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

namespace gapkit::service {
namespace {

using namespace std::chrono_literals;

TEST(ServiceStopSignals, RequestedIsFalseUntilASignalArrivesThenStaysTrue) {
    StopSignals signals;
    EXPECT_FALSE(signals.Requested());
    ASSERT_EQ(::raise(SIGTERM), 0);  // Blocked: stays pending instead of killing the test.
    EXPECT_TRUE(signals.Requested());
    EXPECT_TRUE(signals.Requested());
}

TEST(ServiceStopSignals, WaitReturnsTheSignalSentToTheProcess) {
    StopSignals signals;
    std::thread sender([] {
        std::this_thread::sleep_for(50ms);
        ::kill(::getpid(), SIGINT);
    });
    EXPECT_EQ(signals.Wait(), SIGINT);
    sender.join();
}

TEST(ServiceStopWithin, AShutdownThatFinishesReturnsNormally) {
    bool stopped = false;
    StopWithin({"gapkit-test", "test"}, 0s, [&] { stopped = true; });
    EXPECT_TRUE(stopped);
}

TEST(ServiceWaitThenStop, RunsTheStopOnceASignalArrives) {
    StopSignals signals;
    ASSERT_EQ(::raise(SIGTERM), 0);
    bool stopped = false;
    WaitThenStop(signals, {"gapkit-test", "test"}, 0s, [&] { stopped = true; });
    EXPECT_TRUE(stopped);
    EXPECT_TRUE(signals.Requested());
}

TEST(ServiceStopWithinDeathTest, AShutdownThatHangsEndsTheProcessWithFailure) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(StopWithin({"gapkit-test", "test"}, 0s, [] { std::this_thread::sleep_for(60s); }),
                ::testing::ExitedWithCode(ToInt(ExitCode::kFailure)), "did not finish");
}

}  // namespace
}  // namespace gapkit::service
