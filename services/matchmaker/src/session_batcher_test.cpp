// Batching under a surge (session_batcher.hpp), end to end: the matchmaker's own Edgegap client
// against the simulator, with a sessions budget of one call per second so that players queue.

#include "service_test_support.hpp"

#include <set>
#include <thread>

#include "gapkit/bus/names.hpp"
#include "seat.hpp"

namespace gapkit::matchmaker {
namespace {

class SessionBatcherTest : public MatchmakerServiceTest {
  protected:
    // One session call per second by default, so that players asking together wait for the budget.
    MatchmakerConfig SlowBudgetConfig(int max_players, const std::string& sessions = "1+1") const {
        MatchmakerConfig config = Config();
        config.edgegap_limits = "sessions=" + sessions;
        config.max_players_per_session = max_players;
        return config;
    }

    // Starts one request per IP at once; returns each one's replies, in the order of `ips`.
    std::vector<std::vector<MatchReply>> RequestTogether(const std::vector<std::string>& ips) {
        std::vector<std::vector<MatchReply>> replies(ips.size());
        std::vector<std::thread> players;
        for (std::size_t i = 0; i < ips.size(); ++i) {
            players.emplace_back([&, i] { replies[i] = Request(ips[i]); });
        }
        for (std::thread& player : players) player.join();
        return replies;
    }

    std::uint64_t Count(common::MetricsRegistry& registry, const std::string& name,
                        const common::MetricLabels& labels = {}) {
        return registry.GetCounter(name, "", labels).Value();
    }

    std::vector<std::string> UserIps(const std::string& session_id) {
        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
        EXPECT_TRUE(session) << session.error().ToString();
        return session ? session->user_ips : std::vector<std::string>{};
    }
};

TEST_F(SessionBatcherTest, PlayersWaitingForTheBudgetShareSessionsOfTheVersionsSeats) {
    common::MetricsRegistry& registry = NewRegistry();
    ASSERT_NE(StartService(SlowBudgetConfig(0), nullptr, &registry), nullptr);
    // The batch size comes from the app version (echo/1: 4 seats per deployment).
    ASSERT_TRUE(WaitFor([&] {
        return Count(registry, "gapkit_matchmaker_edgegap_calls_total",
                     {{"endpoint", "get_app_version"}, {"status", "200"}}) == 1;
    }));
    const std::vector<std::string> ips = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"};
    auto replies = RequestTogether(ips);

    std::map<std::string, std::vector<std::string>> players_by_session;
    std::set<std::string> tokens;
    for (std::size_t i = 0; i < ips.size(); ++i) {
        ASSERT_FALSE(replies[i].empty());
        const auto* ready = std::get_if<protocol::SessionReady>(&replies[i].back());
        ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies[i].back());
        tokens.insert(ready->token);
        players_by_session[SessionIdOf(replies[i])].push_back(ips[i]);
    }
    EXPECT_EQ(tokens.size(), ips.size()) << "every player has a token of its own";
    // The first player finds the budget's one token; the other five queue and go out as batches of
    // at most 4: three sessions in all, never six.
    EXPECT_EQ(players_by_session.size(), 3u);
    std::size_t largest = 0;
    for (const auto& [session_id, players] : players_by_session) {
        largest = std::max(largest, players.size());
        auto users = UserIps(session_id);
        std::sort(users.begin(), users.end());
        auto expected = players;
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(users, expected) << session_id;
    }
    EXPECT_EQ(largest, 4u);
    EXPECT_EQ(Count(registry, "gapkit_matchmaker_shared_sessions_total"), 1u);
    EXPECT_EQ(Count(registry, "gapkit_matchmaker_batched_players_total"), 4u);

    // Each player of a shared session is known to the bus by its own seat.
    auto unclaimed = Bucket(bus::names::UnclaimedSessionsConfig());
    ASSERT_NE(unclaimed, nullptr);
    for (const auto& [session_id, players] : players_by_session) {
        for (const std::string& ip : players) {
            const std::string seat = SeatId(session_id, players.size() > 1 ? ip : "");
            auto key = bus::names::EncodeIdToken(seat);
            ASSERT_TRUE(key);
            auto entry = unclaimed->Get(*key);
            ASSERT_TRUE(entry) << entry.error().ToString();
            EXPECT_TRUE(entry->has_value()) << seat;
        }
    }
}

TEST_F(SessionBatcherTest, SeatsNobodyClaimedAreRemovedAndTheirSharedSessionDeleted) {
    common::MetricsRegistry& registry = NewRegistry();
    // The hand-moved clock never refills the budget, so each call waits longer than the one before
    // it: a faster rate keeps the cleanup's calls quick.
    Service* service = StartService(SlowBudgetConfig(4, "8+1"), &manual_clock_, &registry);
    ASSERT_NE(service, nullptr);
    auto replies = RequestTogether({"10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.4", "10.0.2.5"});
    for (const auto& player : replies) {
        ASSERT_FALSE(player.empty());
        ASSERT_NE(std::get_if<protocol::SessionReady>(&player.back()), nullptr);
    }
    ASSERT_GE(Count(registry, "gapkit_matchmaker_shared_sessions_total"), 1u);
    // Nobody connects: every seat is reaped, each shared seat leaves its session's users, and the
    // last one out deletes the session.
    manual_clock_.Advance(1h);
    auto reaped = service->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, 5);
    EXPECT_TRUE(WaitFor([&] { return LiveSessions() == 0; }, 20s));
    EXPECT_GE(Count(registry, "gapkit_matchmaker_edgegap_calls_total",
                    {{"endpoint", "remove_session_users"}, {"status", "200"}}),
              2u);
}

TEST_F(SessionBatcherTest, PlayersWithTheSameIpNeverShareASession) {
    common::MetricsRegistry& registry = NewRegistry();
    ASSERT_NE(StartService(SlowBudgetConfig(4), nullptr, &registry), nullptr);
    auto replies = RequestTogether({"10.0.0.7", "10.0.0.7", "10.0.0.7"});
    std::set<std::string> sessions;
    for (const auto& player : replies) {
        ASSERT_FALSE(player.empty());
        ASSERT_NE(std::get_if<protocol::SessionReady>(&player.back()), nullptr)
            << protocol::SerializeMatchReply(player.back());
        sessions.insert(SessionIdOf(player));
    }
    EXPECT_EQ(sessions.size(), 3u);
    EXPECT_EQ(Count(registry, "gapkit_matchmaker_shared_sessions_total"), 0u);
}

TEST_F(SessionBatcherTest, OneMaxPlayerTurnsBatchingOff) {
    common::MetricsRegistry& registry = NewRegistry();
    ASSERT_NE(StartService(SlowBudgetConfig(1), nullptr, &registry), nullptr);
    auto replies = RequestTogether({"10.0.1.1", "10.0.1.2", "10.0.1.3"});
    std::set<std::string> sessions;
    for (const auto& player : replies) sessions.insert(SessionIdOf(player));
    EXPECT_EQ(sessions.size(), 3u);
    EXPECT_EQ(Count(registry, "gapkit_matchmaker_shared_sessions_total"), 0u);
    EXPECT_EQ(
        Count(registry, "gapkit_matchmaker_edgegap_calls_total", {{"endpoint", "get_app_version"}, {"status", "200"}}),
        0u);
}

}  // namespace
}  // namespace gapkit::matchmaker
