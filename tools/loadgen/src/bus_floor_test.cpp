#include "bus_floor.hpp"

#include <gtest/gtest.h>

#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::loadgen {
namespace {

TEST(BusFloor, EveryRoundTripThroughARealServerIsOk) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = testing::NatsServer::Start({.jetstream = false});
    ASSERT_TRUE(server) << server.error().ToString();
    testing::ScopedEnv env((*server)->ClientEnv());
    auto floor = BusFloor::Start("gapkit.loadgen.test");
    ASSERT_TRUE(floor) << floor.error().ToString();

    const LevelRun run = (*floor)->Run(R"({"game":"echo","version":"1"})", {.concurrency = 4, .requests = 40});

    ASSERT_EQ(run.samples.size(), 40u);
    for (const Sample& sample : run.samples) EXPECT_EQ(sample.outcome, kOutcomeOk);
}

TEST(BusFloor, UnreachableServerFailsToStart) {
    testing::ScopedEnv env({{"NATS_HOST", "127.0.0.1:1"},
                            {"NATS_USER", "u"},
                            {"NATS_PASSWORD", "p"},
                            {"NATS_INSECURE", "1"},
                            {"NATS_CA", std::nullopt},
                            {"NATS_CA_CONTENTS", std::nullopt}});
    auto floor = BusFloor::Start("gapkit.loadgen.test");
    ASSERT_FALSE(floor);
    EXPECT_EQ(floor.error().code(), common::ErrorCode::kUnavailable) << floor.error().ToString();
}

}  // namespace
}  // namespace gapkit::loadgen
