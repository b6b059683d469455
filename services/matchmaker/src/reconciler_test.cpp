// The reconciler against a real nats-server and the in-process edgegap-sim: orphans created
// straight at the simulator (as a lost POST answer leaves them) are deleted, other apps' sessions
// and served sessions are not, stale records go, dry runs change nothing, one matchmaker leads.

#include "reconciler.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "gapkit/edgegap/http_client.hpp"
#include "seat.hpp"
#include "service_test_support.hpp"

namespace gapkit::matchmaker {
namespace {

class ReconcilerTest : public MatchmakerServiceTest {
  protected:
    // Passes by hand (RunOnce) unless a test sets a short interval; grace 2 s.
    MatchmakerConfig ReconcilerConfig() const {
        MatchmakerConfig config = Config();
        config.reconcile_interval_seconds = 3600;
        config.reconcile_grace_seconds = 2;
        return config;
    }

    // A session created at the simulator behind the matchmaker's back; waits until it is linked.
    std::string CreateAtEdgegap(const std::string& app = "echo", const std::string& version = "1",
                                std::vector<std::string> ips = {"127.0.0.1"}) {
        auto created = edgegap_->Call(&edgegap::EdgegapApi::CreateSession,
                                      {app, version, std::move(ips), std::nullopt, std::nullopt});
        EXPECT_TRUE(created) << created.error().ToString();
        if (!created) return {};
        const std::string id = created->session_id;
        EXPECT_TRUE(WaitFor([&] {
            auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, id);
            return session && session->deployment.has_value();
        }));
        return id;
    }

    std::uint64_t Calls(const std::string& endpoint) {
        return registry_
            ->GetCounter("gapkit_matchmaker_edgegap_calls_total", "Edgegap API calls by endpoint and HTTP status",
                         {{"endpoint", endpoint}, {"status", "200"}})
            .Value();
    }

    std::uint64_t Actions(const std::string& action) {
        return registry_
            ->GetCounter("gapkit_matchmaker_reconcile_total", "Reconciler decisions by action", {{"action", action}})
            .Value();
    }

    common::MetricsRegistry* registry_ = &NewRegistry();  // Outlives the services (stopped in TearDown).

    // The bus key of a seat id, as the session book writes it.
    static std::string KeyOf(const std::string& seat_id) { return bus::names::EncodeIdToken(seat_id).value_or(""); }

    bool HasKey(bus::KeyValue& bucket, const std::string& key) {
        auto entry = bucket.Get(key);
        EXPECT_TRUE(entry) << entry.error().ToString();
        return entry && entry->has_value();
    }
};

TEST_F(ReconcilerTest, DeletesASessionNobodyRecordedWithinPeriodPlusGrace) {
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_interval_seconds = 1;
    Service* service = StartService(config, nullptr, registry_);
    ASSERT_NE(service, nullptr);
    const auto created = std::chrono::steady_clock::now();
    const std::string orphan = CreateAtEdgegap();
    ASSERT_FALSE(orphan.empty());
    ASSERT_TRUE(WaitFor([&] { return SessionGone(orphan); }, 20s));
    // The promise, in test scale: period (1 s) + grace (2 s) + one pass and the delete worker.
    EXPECT_LE(std::chrono::steady_clock::now() - created, 6s);
    EXPECT_EQ(Actions("delete_orphan"), 1u);
    // One lookup for the orphan (its app and age are kept), then nothing more per pass but the list.
    const std::uint64_t lookups = Calls("get_session");
    const std::uint64_t lists = Calls("list_sessions");
    EXPECT_LE(lookups, 2u);
    auto pass = service->ReconcileOnce();
    ASSERT_TRUE(pass) << pass.error().ToString();
    EXPECT_EQ(pass->lookups, 0);
    EXPECT_EQ(Calls("get_session"), lookups);
    EXPECT_EQ(Calls("list_sessions"), lists + 1);
}

// Leak path (a): Edgegap creates the session but its answer to POST /v1/session is lost, cut or
// too late. The request fails (its id never learnt, nothing to delete) and the reconciler finds
// the orphan within period + grace. The simulator's own state is what counts.
TEST_F(ReconcilerTest, SessionsWhosePostAnswerWasLostAreDeletedWithinPeriodPlusGrace) {
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_interval_seconds = 1;
    ASSERT_NE(StartService(config, nullptr, registry_), nullptr);
    const std::map<std::string, edgegap_sim::Faults> faults = {
        {"lost", {.lose_next_answers = {{"POST /v1/session", 1}}}},
        {"reset", {.reset_next_answers = {{"POST /v1/session", 1}}}},
        {"stalled", {.stall_next_answers = {{"POST /v1/session", 1}}, .stall = 4s}}};
    for (const auto& [kind, fault] : faults) {
        SCOPED_TRACE(kind);
        sim_->SetFaults(fault);
        const auto asked = std::chrono::steady_clock::now();
        auto replies = Request();
        const auto* error = ErrorOf(replies);
        ASSERT_NE(error, nullptr);
        EXPECT_EQ(error->code, 502) << error->message;  // The player is answered, not left waiting.
        ASSERT_TRUE(WaitFor([&] { return sim_->State().sessions.size() == 1; }, 10s));
        // Period (1 s) + grace (2 s) + a pass and the delete worker, after the 2 s client timeout.
        ASSERT_TRUE(WaitFor([&] { return sim_->State().sessions.empty(); }, 20s));
        EXPECT_LE(std::chrono::steady_clock::now() - asked, 10s);
    }
    EXPECT_EQ(Actions("delete_orphan"), 3u);
}

// The Edgegap organization also holds another version of the game and another game.
class ReconcilerSharedOrgTest : public ReconcilerTest {
  protected:
    void AdjustSimulator(edgegap_sim::SimulatorConfig& config) override {
        edgegap_sim::VersionConfig other_version = config.apps[0].versions[0];
        other_version.name = "2";
        config.apps[0].versions.push_back(other_version);
        config.apps.push_back({"other", {config.apps[0].versions[0]}});
    }
};

TEST_F(ReconcilerSharedOrgTest, NeverTouchesSessionsOfAnotherAppOrVersion) {
    Service* service = StartService(ReconcilerConfig(), nullptr, registry_);
    ASSERT_NE(service, nullptr);
    const std::string other_version_session = CreateAtEdgegap("echo", "2");
    const std::string other_app_session = CreateAtEdgegap("other", "1");
    std::this_thread::sleep_for(2500ms);  // Both older than the grace.
    auto first = service->ReconcileOnce();
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_TRUE(first->leader);
    EXPECT_EQ(first->unaccounted, 2);
    EXPECT_EQ(first->orphans, 0);
    EXPECT_EQ(Actions("foreign"), 2u);
    auto second = service->ReconcileOnce();
    ASSERT_TRUE(second) << second.error().ToString();
    EXPECT_EQ(second->orphans, 0);
    EXPECT_EQ(second->lookups, 0);  // Remembered as foreign: no Edgegap call spent on them again.
    EXPECT_FALSE(SessionGone(other_version_session));
    EXPECT_FALSE(SessionGone(other_app_session));
}

TEST_F(ReconcilerTest, LeavesServedSessionsAlone) {
    Service* service = StartService(ReconcilerConfig());
    ASSERT_NE(service, nullptr);
    const std::string waiting = SessionIdOf(Request("10.0.0.1"));  // Unclaimed, within its age.
    const std::string playing = SessionIdOf(Request("10.0.0.2"));
    ASSERT_FALSE(waiting.empty());
    ASSERT_FALSE(playing.empty());
    auto active = Bucket(bus::names::ActiveConnectionsConfig());
    ASSERT_TRUE(active->Put(playing, "42"));  // The player arrived (the watcher marks it claimed).
    std::this_thread::sleep_for(2500ms);      // Both older than the grace.
    for (int pass = 0; pass < 2; ++pass) {
        auto report = service->ReconcileOnce();
        ASSERT_TRUE(report) << report.error().ToString();
        EXPECT_EQ(report->listed, 2);
        EXPECT_EQ(report->unaccounted, 0);
        EXPECT_EQ(report->orphans, 0);
        EXPECT_EQ(report->lookups, 0);
    }
    EXPECT_FALSE(SessionGone(waiting));
    EXPECT_FALSE(SessionGone(playing));
}

// Issue 16 item 4: one live seat accounts for the whole shared session; with none left, it is an orphan.
TEST_F(ReconcilerTest, SharedSessionWithOneLiveSeatIsNoOrphan) {
    Service* service = StartService(ReconcilerConfig(), nullptr, registry_);
    ASSERT_NE(service, nullptr);
    const std::string shared = CreateAtEdgegap("echo", "1", {"198.51.100.1", "198.51.100.2"});
    ASSERT_FALSE(shared.empty());
    auto active = Bucket(bus::names::ActiveConnectionsConfig());
    const std::string seat_key = KeyOf(SeatId(shared, "198.51.100.2"));
    ASSERT_TRUE(active->Put(seat_key, "42"));  // One player plays; the other seat has no record left.
    std::this_thread::sleep_for(2500ms);       // Older than the grace.
    auto kept = service->ReconcileOnce();
    ASSERT_TRUE(kept) << kept.error().ToString();
    EXPECT_EQ(kept->unaccounted, 0);
    EXPECT_EQ(kept->orphans, 0);
    EXPECT_FALSE(SessionGone(shared));

    ASSERT_TRUE(active->Delete(seat_key));
    // The other seat's delete claim removes one user, not the session: it accounts for nothing.
    auto unclaimed = Bucket(bus::names::UnclaimedSessionsConfig());
    const std::string now = std::to_string(common::SystemClock::Instance().UnixSeconds());
    ASSERT_TRUE(unclaimed->Put(KeyOf(SeatId(shared, "198.51.100.1")) + std::string(kClaimSuffix), now));
    auto orphaned = service->ReconcileOnce();
    ASSERT_TRUE(orphaned) << orphaned.error().ToString();
    EXPECT_EQ(orphaned->orphans, 1);
    EXPECT_TRUE(WaitFor([&] { return SessionGone(shared); }, 10s));
}

TEST_F(ReconcilerTest, RemovesRecordsWhoseSessionIsGoneAfterTheGrace) {
    Service* service = StartService(ReconcilerConfig());
    ASSERT_NE(service, nullptr);
    auto unclaimed = Bucket(bus::names::UnclaimedSessionsConfig());
    auto active = Bucket(bus::names::ActiveConnectionsConfig());
    const std::string now = std::to_string(common::SystemClock::Instance().UnixSeconds());
    ASSERT_TRUE(unclaimed->Put("vanished1-S", now));
    ASSERT_TRUE(active->Put("vanished2-S", "7"));
    const std::string seat_key = KeyOf(SeatId("vanished3-S", "2001:db8::7"));  // A seat of a shared session.
    ASSERT_TRUE(active->Put(seat_key, "8"));
    auto first = service->ReconcileOnce();
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_EQ(first->records_removed, 0);  // Unlisted for less than the grace.
    EXPECT_TRUE(HasKey(*unclaimed, "vanished1-S"));
    std::this_thread::sleep_for(2100ms);
    auto second = service->ReconcileOnce();
    ASSERT_TRUE(second) << second.error().ToString();
    EXPECT_EQ(second->records_removed, 3);
    EXPECT_FALSE(HasKey(*unclaimed, "vanished1-S"));
    EXPECT_FALSE(HasKey(*active, "vanished2-S"));
    EXPECT_FALSE(HasKey(*active, seat_key));
}

TEST_F(ReconcilerTest, DryRunReportsButChangesNothing) {
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_dry_run = true;
    Service* service = StartService(config, nullptr, registry_);
    ASSERT_NE(service, nullptr);
    auto unclaimed = Bucket(bus::names::UnclaimedSessionsConfig());
    ASSERT_TRUE(unclaimed->Put("vanished-S", std::to_string(common::SystemClock::Instance().UnixSeconds())));
    const std::string orphan = CreateAtEdgegap();
    ASSERT_TRUE(service->ReconcileOnce());
    std::this_thread::sleep_for(2500ms);
    auto report = service->ReconcileOnce();
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->orphans, 1);
    EXPECT_EQ(report->records_removed, 1);
    EXPECT_EQ(Actions("would_delete_orphan"), 1u);
    EXPECT_EQ(Actions("would_remove_record"), 1u);
    EXPECT_EQ(Actions("delete_orphan"), 0u);
    std::this_thread::sleep_for(500ms);  // Room for a delete that must not happen.
    EXPECT_FALSE(SessionGone(orphan));
    EXPECT_TRUE(HasKey(*unclaimed, "vanished-S"));
}

TEST_F(ReconcilerTest, OneMatchmakerLeadsAndAnotherTakesOverWhenItStops) {
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_interval_seconds = 1;
    Service* first = StartService(config);
    Service* second = StartService(config);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    auto leads = [](Service* service) {
        auto report = service->ReconcileOnce();
        EXPECT_TRUE(report) << report.error().ToString();
        return report && report->leader;
    };
    ASSERT_TRUE(WaitFor([&] { return leads(first) || leads(second); }));
    const bool first_leads = leads(first);
    EXPECT_NE(first_leads, leads(second));  // Exactly one.
    Service* follower = first_leads ? second : first;
    services_.erase(services_.begin() + (first_leads ? 0 : 1));  // The leader stops (and releases).
    EXPECT_TRUE(WaitFor([&] { return leads(follower); }, 5s));
}

TEST_F(ReconcilerTest, TakesOverALeaseItsHolderStoppedRefreshing) {
    // A matchmaker that died holding the lease: its key stays until the bucket's TTL (3 x 1 s).
    auto dead = Lease::Open(*requester_, kReconcilerLeaseBucket, kReconcilerLeaseKey, 3s, "dead-matchmaker");
    ASSERT_TRUE(dead) << dead.error().ToString();
    ASSERT_TRUE(*(*dead)->Acquire());
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_interval_seconds = 1;
    Service* service = StartService(config);
    ASSERT_NE(service, nullptr);
    auto early = service->ReconcileOnce();
    ASSERT_TRUE(early) << early.error().ToString();
    EXPECT_FALSE(early->leader);
    EXPECT_TRUE(WaitFor([&] {
        auto report = service->ReconcileOnce();
        return report && report->leader;
    }));
    // The dead holder's late refresh fails: it cannot write over the new leader.
    EXPECT_FALSE(*(*dead)->Acquire());
}

// gapctl reconcile's entry point: a pass of its own, without the lease, while a running matchmaker
// leads; its actions are listed and the leader's delete worker carries the delete out.
TEST_F(ReconcilerTest, AnUnleasedPassRunsWhileAnotherMatchmakerLeads) {
    Service* leader = StartService(ReconcilerConfig(), nullptr, registry_);
    ASSERT_NE(leader, nullptr);
    auto led = leader->ReconcileOnce();
    ASSERT_TRUE(led && led->leader);
    const std::string orphan = CreateAtEdgegap();
    ASSERT_FALSE(orphan.empty());

    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_grace_seconds = 0;
    auto bus = Connect("on-demand");
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    std::thread loop([&io] { io.run(); });
    auto api =
        edgegap::HttpEdgegapClient::Create(io.get_executor(), {.base_url = sim_->base_url(), .api_key = "devkey"});
    ASSERT_TRUE(api) << api.error().ToString();
    auto book = SessionBook::Open(*bus, common::SystemClock::Instance(), 0s);
    ASSERT_TRUE(book) << book.error().ToString();
    common::MetricsRegistry registry;
    Metrics metrics(registry);
    Cleanup cleanup(config, **book, **api, io.get_executor(), metrics);
    Reconciler on_demand(config, **book, cleanup, **api, io.get_executor(), common::SystemClock::Instance(), metrics);
    auto pass = on_demand.RunOnceUnleased();
    work.reset();
    io.stop();
    loop.join();
    ASSERT_TRUE(pass) << pass.error().ToString();
    EXPECT_EQ(pass->orphans, 1);
    ASSERT_EQ(pass->actions.size(), 1u);
    EXPECT_EQ(pass->actions[0].action, "delete_orphan");
    EXPECT_EQ(pass->actions[0].session_id, orphan);
    EXPECT_TRUE(WaitFor([&] { return SessionGone(orphan); }, 10s));
}

TEST_F(ReconcilerTest, IntervalZeroTurnsItOff) {
    MatchmakerConfig config = ReconcilerConfig();
    config.reconcile_interval_seconds = 0;
    Service* service = StartService(config);
    ASSERT_NE(service, nullptr);
    auto pass = service->ReconcileOnce();
    ASSERT_FALSE(pass);
    EXPECT_EQ(pass.error().code(), common::ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace gapkit::matchmaker
