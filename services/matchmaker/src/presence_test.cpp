#include "presence.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include <boost/json/parse.hpp>

#include "gapkit/bus/names.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::matchmaker {
namespace {

using namespace std::chrono_literals;

class PresenceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto nats = testing::NatsServer::Start();
        ASSERT_TRUE(nats) << nats.error().ToString();
        nats_ = std::move(*nats);
        auto connection = bus::Connection::Connect("presence-test", testing::BusOptionsFor(*nats_));
        ASSERT_TRUE(connection) << connection.error().ToString();
        connection_ = std::move(*connection);
    }

    std::vector<bus::BucketEntry> Live() {
        auto entries = connection_->ReadBucket(bus::names::kMatchmakersBucket);
        EXPECT_TRUE(entries) << entries.error().ToString();
        return entries ? *entries : std::vector<bus::BucketEntry>{};
    }

    static PresenceInfo Info(std::string id) {
        return WithThisProcess({.id = std::move(id), .app = "spaceships", .version = "1", .started_unix = 1700000000});
    }

    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<bus::Connection> connection_;
};

TEST(PresenceValue, NamesTheInstanceItsAppAndItsProcess) {
    const auto info = WithThisProcess({.id = "mm-1", .app = "spaceships", .version = "1", .started_unix = 42});
    const auto value = boost::json::parse(SerializePresence(info)).as_object();
    EXPECT_EQ(value.at("id").as_string(), "mm-1");
    EXPECT_EQ(value.at("app").as_string(), "spaceships");
    EXPECT_EQ(value.at("version").as_string(), "1");
    EXPECT_EQ(value.at("pid").as_int64(), static_cast<std::int64_t>(getpid()));
    EXPECT_FALSE(value.at("host").as_string().empty());
    EXPECT_EQ(value.at("started_unix").as_int64(), 42);
}

TEST_F(PresenceTest, PutsItsKeyAtStartAndDeletesItOnStop) {
    auto presence = Presence::Start(*connection_, Info("host.example-7-ab12"), 50ms);
    ASSERT_TRUE(presence) << presence.error().ToString();
    EXPECT_EQ((*presence)->key(), "host=2Eexample-7-ab12");  // Dots would split the key into tokens.
    auto live = Live();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].key, "host=2Eexample-7-ab12");
    EXPECT_EQ(boost::json::parse(live[0].value).at("id").as_string(), "host.example-7-ab12");

    (*presence)->Stop();
    EXPECT_TRUE(Live().empty());
}

TEST_F(PresenceTest, BeatsRefreshTheKey) {
    auto presence = Presence::Start(*connection_, Info("mm-beats"), 50ms);
    ASSERT_TRUE(presence) << presence.error().ToString();
    const std::uint64_t first = Live().at(0).revision;
    EXPECT_TRUE(testing::WaitFor(
        [&] {
            auto live = Live();
            return !live.empty() && live[0].revision >= first + 2;
        },
        5s));
}

TEST_F(PresenceTest, EachMatchmakerHasItsOwnKey) {
    auto one = Presence::Start(*connection_, Info("mm-one"), 1s);
    auto two = Presence::Start(*connection_, Info("mm-two"), 1s);
    ASSERT_TRUE(one && two);
    EXPECT_EQ(Live().size(), 2u);
    (*one)->Stop();
    auto live = Live();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].key, "mm-two");
}

TEST_F(PresenceTest, EachBeatCountsTheLiveMatchmakersItselfIncluded) {
    std::atomic<int> one_counted{0};
    auto one = Presence::Start(*connection_, Info("mm-one"), 50ms, [&](int live) { one_counted = live; });
    ASSERT_TRUE(one) << one.error().ToString();
    EXPECT_EQ(one_counted.load(), 1);  // The first beat, inside Start, already counts.
    auto two = Presence::Start(*connection_, Info("mm-two"), 50ms);
    ASSERT_TRUE(two) << two.error().ToString();
    EXPECT_EQ((*two)->live_matchmakers(), 2);
    EXPECT_TRUE(testing::WaitFor([&] { return one_counted.load() == 2; }, 5s));
    (*two)->Stop();
    EXPECT_TRUE(testing::WaitFor([&] { return one_counted.load() == 1 && (*one)->live_matchmakers() == 1; }, 5s));
}

}  // namespace
}  // namespace gapkit::matchmaker
