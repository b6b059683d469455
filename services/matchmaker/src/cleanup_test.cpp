// Durable cleanup (issue 11): keys for any session id, a delete worker that parks instead of
// dropping, deletions kept in memory while the bus is down. Real nats-server; Edgegap is the
// in-process simulator or a FakeEdgegapApi.

#include "cleanup.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "edgegap_wait.hpp"
#include "gapkit/edgegap/fake_api.hpp"
#include "gapkit/edgegap/http_client.hpp"
#include "seat.hpp"
#include "service_test_support.hpp"

namespace gapkit::matchmaker {
namespace {

// Not NATS-key-safe in three ways: '.', ' ' and ':'.
constexpr const char* kOddSessionId = "odd.session id:1";

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// A Cleanup with its own book, bus connection, io_context thread and metrics, on the fixture's
// nats-server; Edgegap is `api`.
class CleanupTest : public MatchmakerServiceTest {
  protected:
    void SetUp() override {
        MatchmakerServiceTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        bus_ = Connect("cleanup-test");
        ASSERT_NE(bus_, nullptr);
        auto book = SessionBook::Open(*bus_, clock_);
        ASSERT_TRUE(book) << book.error().ToString();
        book_ = std::move(*book);
        io_thread_ = std::thread([this] { ioc_.run(); });
    }

    void TearDown() override {
        if (cleanup_) cleanup_->Stop();
        cleanup_.reset();
        work_.reset();
        ioc_.stop();
        if (io_thread_.joinable()) io_thread_.join();
        book_.reset();
        bus_.reset();
        MatchmakerServiceTest::TearDown();
    }

    void StartCleanup(edgegap::EdgegapApi& api) {
        cleanup_ = std::make_unique<Cleanup>(config_, *book_, api, ioc_.get_executor(), metrics_);
        auto started = cleanup_->Start();
        ASSERT_TRUE(started) << started.error().ToString();
    }

    edgegap::EdgegapApi& SimApi() {
        edgegap::ClientConfig client;
        client.base_url = sim_->base_url();
        client.api_key = "devkey";
        client.request_timeout = std::chrono::seconds(2);
        auto created = edgegap::HttpEdgegapClient::Create(ioc_.get_executor(), std::move(client));
        EXPECT_TRUE(created) << created.error().ToString();
        sim_api_ = std::move(*created);
        return *sim_api_;
    }

    std::string NewSimSession() {
        auto created = edgegap_->Call(&edgegap::EdgegapApi::CreateSession, {"echo", "1", {"127.0.0.1"}, {}, {}});
        EXPECT_TRUE(created) << created.error().ToString();
        return created ? created->session_id : "";
    }

    bool FakeDeleted(const edgegap::FakeEdgegapApi& fake, const std::string& session_id) {
        for (const auto& call : fake.calls()) {
            if (call.method == "DeleteSession" && call.argument == session_id) return true;
        }
        return false;
    }

    // A session shared by `ips` at the fake; returns its id.
    std::string NewSharedSession(edgegap::FakeEdgegapApi& fake, std::vector<std::string> ips) {
        auto created = WaitForEdgegap(ioc_.get_executor(), fake.CreateSession({"echo", "1", std::move(ips), {}, {}}));
        EXPECT_TRUE(created) << created.error().ToString();
        return created ? created->session_id : "";
    }

    int FakeCalls(const edgegap::FakeEdgegapApi& fake, const std::string& method) {
        const auto calls = fake.calls();
        return static_cast<int>(std::count_if(calls.begin(), calls.end(),
                                              [&](const edgegap::FakeCall& call) { return call.method == method; }));
    }

    std::uint64_t Deletes(const std::string& result) {
        return registry_
            .GetCounter("gapkit_matchmaker_sessions_deleted_total", "Delete-queue items handled by result",
                        {{"result", result}})
            .Value();
    }

    std::vector<std::string> Parked() {
        auto ids = book_->ParkedIds();
        EXPECT_TRUE(ids) << ids.error().ToString();
        return ids ? *ids : std::vector<std::string>();
    }

    MatchmakerConfig config_ = [] {
        MatchmakerConfig config = SimTestConfig("http://127.0.0.1:1", kProtocolId, 7);
        config.delete_retry_seconds = 1;
        config.delete_retry_max_seconds = 1;
        config.delete_park_after_seconds = 2;
        config.reaper_interval_seconds = 3600;  // Tests reap by hand.
        return config;
    }();
    common::ManualClock clock_;
    common::MetricsRegistry registry_;
    Metrics metrics_{registry_};
    std::unique_ptr<bus::Connection> bus_;
    std::unique_ptr<SessionBook> book_;
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(ioc_);
    std::thread io_thread_;
    std::unique_ptr<edgegap::HttpEdgegapClient> sim_api_;
    std::unique_ptr<Cleanup> cleanup_;
};

TEST(DeleteRetryDelay, DoublesPerDeliveryUpToTheMax) {
    MatchmakerConfig config;
    config.delete_retry_seconds = 5;
    config.delete_retry_max_seconds = 300;
    EXPECT_EQ(DeleteRetryDelay(config, 1).count(), 5);
    EXPECT_EQ(DeleteRetryDelay(config, 2).count(), 10);
    EXPECT_EQ(DeleteRetryDelay(config, 6).count(), 160);
    EXPECT_EQ(DeleteRetryDelay(config, 7).count(), 300);
    EXPECT_EQ(DeleteRetryDelay(config, 1'000'000'000).count(), 300);
}

TEST(ShouldParkDelete, OnlyAfterTheRetriesAddUpToTheParkLimit) {
    MatchmakerConfig config;  // 5 s doubling to 300 s; park after 1800 s.
    // Delays 5+10+20+40+80+160 = 315 s, then 300 s each: 315 + 5 * 300 = 1815 s before try 12.
    EXPECT_FALSE(ShouldParkDelete(config, 1));
    EXPECT_FALSE(ShouldParkDelete(config, 11));
    EXPECT_TRUE(ShouldParkDelete(config, 12));
    EXPECT_TRUE(ShouldParkDelete(config, 1'000'000'000));
}

TEST_F(CleanupTest, OddSessionAndDeploymentIdsWorkInEveryBucket) {
    const std::string id = kOddSessionId;
    ASSERT_TRUE(book_->RecordUnclaimed(id));
    ASSERT_TRUE(book_->RecordMapping(id, 42, "deploy.1"));
    auto deployment = book_->DeploymentOf(id);
    ASSERT_TRUE(deployment);
    EXPECT_EQ(deployment->value_or(""), "deploy.1");  // Values stay plain.
    auto session = book_->SessionOfClient(42);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->value_or(""), id);
    ASSERT_TRUE(book_->RecordConnection(id, 42));
    auto client = book_->ConnectedClient(id);
    ASSERT_TRUE(client);
    EXPECT_EQ(client->value_or(""), "42");
    ASSERT_TRUE(book_->RecordCertDigest("deploy.1", "digest"));
    auto digest = book_->CertDigest("deploy.1");
    ASSERT_TRUE(digest);
    EXPECT_EQ(*digest, "digest");
    auto keys = book_->unclaimed_sessions().Keys();
    ASSERT_TRUE(keys);
    EXPECT_EQ(*keys, std::vector<std::string>{"odd=2Esession=20id=3A1"});
}

TEST_F(CleanupTest, OddSessionIdGoesFromPlayerLeaveToItsDelete) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    const std::string id = kOddSessionId;
    ASSERT_TRUE(book_->RecordUnclaimed(id));
    ASSERT_TRUE(book_->RecordConnection(id, 42));
    // The watcher decodes the key: the player arrived, so the unclaimed record goes.
    EXPECT_TRUE(WaitFor([&] {
        auto keys = book_->unclaimed_sessions().Keys();
        return keys && keys->empty();
    }));
    ASSERT_TRUE(book_->ClearConnection(id));
    EXPECT_TRUE(WaitFor([&] { return FakeDeleted(*fake, id); }));
}

TEST_F(CleanupTest, ReaperFindsAnOddSessionIdAndTheWorkerDeletesIt) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    const std::string id = "reaped.odd id";
    ASSERT_TRUE(book_->RecordUnclaimed(id));
    clock_.Advance(std::chrono::seconds(config_.UnclaimedMaxAgeSeconds() + 1));
    auto reaped = cleanup_->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, 1);
    EXPECT_TRUE(WaitFor([&] { return FakeDeleted(*fake, id); }));
}

TEST_F(CleanupTest, DeleteFailingPastTheParkLimitIsParkedThenDeletedOnRetry) {
    StartCleanup(SimApi());
    const std::string id = NewSimSession();
    ASSERT_FALSE(id.empty());
    sim_->SetFaults(edgegap_sim::Faults{.server_error_fraction = 1.0});
    auto queued = book_->EnqueueDelete(id, "test");
    ASSERT_TRUE(queued && *queued);
    EXPECT_TRUE(WaitFor([&] { return Contains(Parked(), id); }, std::chrono::seconds(30)));
    // The worker writes the bucket first and counts afterwards: the gauge may trail by a moment.
    EXPECT_TRUE(WaitFor([&] {
        return registry_.RenderText().find("gapkit_matchmaker_parked_deletions 1") != std::string::npos;
    })) << registry_.RenderText();
    EXPECT_NE(registry_.RenderText().find("result=\"parked\""), std::string::npos);

    sim_->SetFaults({});
    EXPECT_FALSE(SessionGone(id));  // Parked, not dropped, and not deleted behind our back.
    auto retried = cleanup_->RetryParkedOnce();
    ASSERT_TRUE(retried) << retried.error().ToString();
    EXPECT_EQ(*retried, 1);
    EXPECT_TRUE(SessionGone(id));
    EXPECT_TRUE(Parked().empty());
    EXPECT_NE(registry_.RenderText().find("gapkit_matchmaker_parked_deletions 0"), std::string::npos);
}

TEST_F(CleanupTest, ParkedSessionStaysParkedWhileEdgegapStillFails) {
    StartCleanup(SimApi());
    ASSERT_TRUE(book_->Park(kOddSessionId, std::string(1000, 'x')));  // The reason is cut, not refused.
    sim_->SetFaults(edgegap_sim::Faults{.server_error_fraction = 1.0});
    auto retried = cleanup_->RetryParkedOnce();
    ASSERT_TRUE(retried);
    EXPECT_EQ(*retried, 0);
    EXPECT_EQ(Parked(), std::vector<std::string>{kOddSessionId});
    ASSERT_TRUE(book_->Unpark(kOddSessionId));
    EXPECT_TRUE(Parked().empty());
}

// Issue 16 item 4: each player of a shared session leaves on their own; the session goes with the last.
TEST_F(CleanupTest, SharedSessionLosesItsSeatsOneByOneAndIsDeletedAfterTheLast) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    const std::string session = NewSharedSession(*fake, {"203.0.113.7", "2001:db8::1"});
    ASSERT_FALSE(session.empty());
    const std::string first = SeatId(session, "203.0.113.7");
    const std::string second = SeatId(session, "2001:db8::1");
    for (const auto& [seat, client] : {std::pair{first, 41}, {second, 42}}) {
        ASSERT_TRUE(book_->RecordUnclaimed(seat));
        ASSERT_TRUE(book_->RecordConnection(seat, client));
    }
    ASSERT_TRUE(book_->ClearConnection(first));
    ASSERT_TRUE(WaitFor([&] { return Deletes("seat_removed") == 1; }));
    EXPECT_EQ(FakeCalls(*fake, "RemoveSessionUsers"), 1);
    EXPECT_EQ(FakeCalls(*fake, "DeleteSession"), 0);
    EXPECT_EQ(fake->live_session_ids(), std::vector<std::string>{session});  // The other player still plays.
    auto users = WaitForEdgegap(ioc_.get_executor(), fake->GetSessionUsers(session));
    ASSERT_TRUE(users);
    ASSERT_EQ(users->users.size(), 1u);
    EXPECT_EQ(users->users[0].ip, "2001:db8::1");

    ASSERT_TRUE(book_->ClearConnection(second));
    ASSERT_TRUE(WaitFor([&] { return Deletes("deleted") == 1; }));
    EXPECT_EQ(FakeCalls(*fake, "RemoveSessionUsers"), 2);
    EXPECT_TRUE(FakeDeleted(*fake, session));
    EXPECT_TRUE(fake->live_session_ids().empty());
    const std::string metrics = registry_.RenderText();
    EXPECT_NE(metrics.find(R"(endpoint="remove_session_users",status="200")"), std::string::npos) << metrics;
}

TEST_F(CleanupTest, ReaperRemovesASharedSeatNobodyClaimedAndKeepsTheSession) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    const std::string session = NewSharedSession(*fake, {"198.51.100.1", "198.51.100.2"});
    ASSERT_TRUE(book_->RecordUnclaimed(SeatId(session, "198.51.100.1")));
    ASSERT_TRUE(book_->RecordConnection(SeatId(session, "198.51.100.2"), 7));
    clock_.Advance(std::chrono::seconds(config_.UnclaimedMaxAgeSeconds() + 1));
    ASSERT_TRUE(book_->RecordSeen(SeatId(session, "198.51.100.2")));  // Its server still states it.
    auto reaped = cleanup_->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, 1);  // The claimed seat is not the reaper's.
    ASSERT_TRUE(WaitFor([&] { return Deletes("seat_removed") == 1; }));
    EXPECT_EQ(fake->live_session_ids(), std::vector<std::string>{session});
}

TEST_F(CleanupTest, DeletingASeatOfAGoneSessionIsDoneAndAParkedSeatIsRetriedTheSameWay) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    auto gone = cleanup_->DeleteSeat(SeatId("never-S", "10.0.0.1"));
    ASSERT_TRUE(gone) << gone.error().ToString();
    EXPECT_EQ(*gone, SeatDeletion::kAlreadyGone);
    EXPECT_FALSE(cleanup_->DeleteSeat("/10.0.0.1"));  // No session to name.

    const std::string session = NewSharedSession(*fake, {"10.0.0.2"});
    const std::string seat = SeatId(session, "10.0.0.2");
    ASSERT_TRUE(book_->Park(seat, "HTTP 503"));
    auto retried = cleanup_->RetryParkedOnce();
    ASSERT_TRUE(retried) << retried.error().ToString();
    EXPECT_EQ(*retried, 1);
    EXPECT_TRUE(Parked().empty());
    EXPECT_TRUE(FakeDeleted(*fake, session));  // Its last player: the session goes too.
}

TEST_F(CleanupTest, SharedSeatWhoseRemovalFailsIsRetried) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    StartCleanup(*fake);
    const std::string session = NewSharedSession(*fake, {"10.0.0.3", "10.0.0.4"});
    fake->FailNext("RemoveSessionUsers",
                   edgegap::NewError({edgegap::ErrorCategory::kServerError, 503, std::nullopt}, "unavailable"));
    auto queued = book_->EnqueueDelete(SeatId(session, "10.0.0.3"), "test");
    ASSERT_TRUE(queued && *queued);
    ASSERT_TRUE(WaitFor([&] { return Deletes("seat_removed") == 1; }, std::chrono::seconds(10)));
    EXPECT_EQ(Deletes("retried"), 1u);
    EXPECT_EQ(FakeCalls(*fake, "RemoveSessionUsers"), 2);
}

// Leak paths (c) and (e): the enqueue fails because the bus is down; the session is kept and
// the reaper pass enqueues it once the bus is back.
TEST_F(CleanupTest, DeleteThatTheBusRefusesIsKeptAndEnqueuedOnceItIsBack) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    nats_->Stop();
    EXPECT_FALSE(book_->EnqueueDeleteOrKeep(kOddSessionId, "player left"));
    EXPECT_EQ(book_->kept_deletes(), 1u);
    ASSERT_TRUE(nats_->Restart());
    EXPECT_TRUE(WaitFor([&] { return book_->RetryKeptDeletes() == 0; }, std::chrono::seconds(30)));
    StartCleanup(*fake);
    EXPECT_TRUE(WaitFor([&] { return FakeDeleted(*fake, kOddSessionId); }, std::chrono::seconds(30)));
}

}  // namespace
}  // namespace gapkit::matchmaker
