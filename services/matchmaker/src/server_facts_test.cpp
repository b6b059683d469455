// Game servers' facts as the matchmaker checks them: a real nats-server, the Edgegap simulator, a
// real Service, and a test connection that plays a game server sending the facts by hand.

#include "service_test_support.hpp"

#include <map>

#include <nats/nats.h>

#include "gapkit/protocol/server_facts.hpp"
#include "seat.hpp"
#include "session_book.hpp"

namespace gapkit::matchmaker {
namespace {

using Outcome = protocol::FactReply::Outcome;

const std::string kDigest(
    "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89");

class ServerFactsTest : public MatchmakerServiceTest {
  protected:
    void SetUp() override {
        MatchmakerServiceTest::SetUp();
        if (IsSkipped() || HasFailure()) return;
        ASSERT_NE(StartService(ServiceConfig(), nullptr, &registry_), nullptr);
        active_ = Bucket(bus::names::ActiveConnectionsConfig());
        digests_ = Bucket(bus::names::CertDigestsConfig());
    }

    virtual MatchmakerConfig ServiceConfig() const { return Config(); }

    // A matched player: its session, client id and the deployment its token was issued for.
    struct Player {
        std::string session_id;
        std::uint64_t client_id = 0;
        std::string deployment;
        std::string public_ip;
        std::string cert_digest;  // As its SessionReady carried it.
    };

    Player Match() {
        auto replies = Request();
        const auto* ready = replies.empty() ? nullptr : std::get_if<protocol::SessionReady>(&replies.back());
        EXPECT_NE(ready, nullptr);
        if (ready == nullptr) return {};
        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, SessionIdOf(replies));
        EXPECT_TRUE(session && session->deployment);
        if (!session || !session->deployment) return {};
        return {SessionIdOf(replies), ClientIdOf(*ready), session->deployment_request_id, ready->ip,
                ready->cert_digest};
    }

    protocol::FactReply Fact(const std::string& deployment, std::string_view fact, const std::string& payload) {
        auto subject = bus::names::GameServerSubject(deployment, fact);
        EXPECT_TRUE(subject);
        auto answer = requester_->Request(*subject, payload, 10s);
        EXPECT_TRUE(answer) << answer.error().ToString();
        if (!answer) return {};
        auto reply = protocol::ParseFactReply(answer->data);
        EXPECT_TRUE(reply) << answer->data;
        return reply ? *reply : protocol::FactReply{};
    }

    // `id` is a session id or a deployment: the book keys both through EncodeIdToken.
    std::optional<std::string> Value(bus::KeyValue& bucket, const std::string& id) {
        auto entry = bucket.Get(bus::names::EncodeIdToken(id).value());
        if (!entry || !entry->has_value() || (*entry)->value.empty()) return std::nullopt;
        return (*entry)->value;
    }

    std::uint64_t Counted(std::string_view fact, std::string_view outcome) {
        return registry_
            .GetCounter("gapkit_matchmaker_server_facts_total", "",
                        {{"fact", std::string(fact)}, {"outcome", std::string(outcome)}})
            .Value();
    }

    std::uint64_t Ignored() { return Counted("join", "ignored"); }

    void Join(const Player& player) {
        auto joined = Fact(player.deployment, bus::names::kJoinFact, protocol::SerializeJoinFact({player.client_id}));
        EXPECT_EQ(joined.outcome, Outcome::kAccepted) << joined.reason;
    }

    void SendAlive(const std::string& deployment, std::vector<protocol::AliveEntry> entries) {
        auto subject = bus::names::GameServerSubject(deployment, bus::names::kAliveFact);
        ASSERT_TRUE(subject);
        ASSERT_TRUE(requester_->Publish(*subject, protocol::SerializeAliveFact({std::move(entries)})));
        ASSERT_TRUE(requester_->Flush());
    }

    common::MetricsRegistry registry_;
    std::unique_ptr<bus::KeyValue> active_;
    std::unique_ptr<bus::KeyValue> digests_;
};

// Liveness with short times: records live 2 s, the reaper runs every second.
class AliveFactTest : public ServerFactsTest {
  protected:
    MatchmakerConfig ServiceConfig() const override {
        MatchmakerConfig config = Config();
        config.alive_ttl_seconds = 2;
        config.reaper_interval_seconds = 1;
        return config;
    }

    // Both matched before either joins: the records live 2 s, less than a match may take.
    std::pair<Player, Player> TwoJoined() {
        std::pair<Player, Player> players{Match(), Match()};
        Join(players.first);
        Join(players.second);
        return players;
    }

    // Sends `alive` for `kept` every 500 ms for `duration` (several TTLs).
    void KeepAlive(const Player& kept, std::vector<protocol::AliveEntry> entries, std::chrono::milliseconds duration) {
        entries.push_back({kept.session_id, kept.client_id});
        for (auto end = std::chrono::steady_clock::now() + duration; std::chrono::steady_clock::now() < end;) {
            SendAlive(kept.deployment, entries);
            std::this_thread::sleep_for(500ms);
        }
    }
};

using NatsOptionsPtr = std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)>;
using NatsConnectionPtr = std::unique_ptr<natsConnection, decltype(&natsConnection_Destroy)>;

TEST_F(ServerFactsTest, GoodJoinLeftAndDigestAreWritten) {
    const Player player = Match();
    ASSERT_FALSE(player.deployment.empty());
    auto joined = Fact(player.deployment, bus::names::kJoinFact, protocol::SerializeJoinFact({player.client_id}));
    EXPECT_EQ(joined.outcome, Outcome::kAccepted) << joined.reason;
    EXPECT_EQ(joined.session_id, player.session_id);
    EXPECT_EQ(Value(*active_, player.session_id), std::to_string(player.client_id));

    const std::string left = protocol::SerializeLeftFact({player.session_id, player.client_id});
    EXPECT_EQ(Fact(player.deployment, bus::names::kLeftFact, left).outcome, Outcome::kAccepted);
    EXPECT_FALSE(Value(*active_, player.session_id));
    EXPECT_TRUE(WaitFor([&] { return SessionGone(player.session_id); }));  // The watcher freed the seat.
    EXPECT_EQ(Fact(player.deployment, bus::names::kLeftFact, left).outcome, Outcome::kAccepted);  // Idempotent.

    auto digest = Fact(player.deployment, bus::names::kCertDigestFact,
                       protocol::SerializeCertDigestFact({player.public_ip, kDigest}));
    EXPECT_EQ(digest.outcome, Outcome::kAccepted) << digest.reason;
    EXPECT_EQ(Value(*digests_, player.deployment), kDigest);
    EXPECT_FALSE(Value(*digests_, player.public_ip));  // Keyed by deployment, never by address.
}

// Issue 16 item 4: a player of a shared session is known to its game server by their seat id
// (`<session>/<ip>`), which passes every fact; their leaving removes them from the session only.
TEST_F(ServerFactsTest, SharedSessionSeatJoinsStatesAliveAndLeavesAlone) {
    auto created = edgegap_->Call(&edgegap::EdgegapApi::CreateSession,
                                  {"echo", "1", {"198.51.100.1", "2001:db8::1"}, std::nullopt, std::nullopt});
    ASSERT_TRUE(created) << created.error().ToString();
    const std::string session_id = created->session_id;
    std::string deployment;
    ASSERT_TRUE(WaitFor([&] {
        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
        if (session) deployment = session->deployment_request_id;
        return !deployment.empty();
    }));
    auto bus = Connect("seat-writer");
    ASSERT_NE(bus, nullptr);
    auto book = SessionBook::Open(*bus, common::SystemClock::Instance());
    ASSERT_TRUE(book) << book.error().ToString();
    const std::string seat = SeatId(session_id, "2001:db8::1");
    constexpr std::uint64_t kClient = 4242;
    ASSERT_TRUE((*book)->RecordMapping(seat, kClient, deployment));  // What the request path writes.

    auto joined = Fact(deployment, bus::names::kJoinFact, protocol::SerializeJoinFact({kClient}));
    ASSERT_EQ(joined.outcome, Outcome::kAccepted) << joined.reason;
    EXPECT_EQ(joined.session_id, seat);
    EXPECT_EQ(Value(*active_, seat), std::to_string(kClient));
    SendAlive(deployment, {{seat, kClient}});
    EXPECT_TRUE(WaitFor([&] { return Counted("alive", "accepted") == 1; }));

    auto left = Fact(deployment, bus::names::kLeftFact, protocol::SerializeLeftFact({seat, kClient}));
    EXPECT_EQ(left.outcome, Outcome::kAccepted) << left.reason;
    EXPECT_FALSE(Value(*active_, seat));
    EXPECT_TRUE(WaitFor([&] {
        auto users = edgegap_->Call(&edgegap::EdgegapApi::GetSessionUsers, session_id);
        return users && users->users.size() == 1 && users->users[0].ip == "198.51.100.1";
    }));
    EXPECT_FALSE(SessionGone(session_id));  // The other player keeps it.
}

TEST_F(ServerFactsTest, JoinForAClientIssuedOnAnotherDeploymentIsRefused) {
    const Player player = Match();
    ASSERT_FALSE(player.deployment.empty());
    for (const std::string other : {"0123456789ab", "local"}) {
        auto joined = Fact(other, bus::names::kJoinFact, protocol::SerializeJoinFact({player.client_id}));
        EXPECT_EQ(joined.outcome, Outcome::kRefused) << other;
        EXPECT_EQ(joined.session_id, "");
    }
    auto unknown = Fact(player.deployment, bus::names::kJoinFact, protocol::SerializeJoinFact({player.client_id ^ 1}));
    EXPECT_EQ(unknown.outcome, Outcome::kRefused);
    EXPECT_FALSE(Value(*active_, player.session_id));
}

TEST_F(ServerFactsTest, LeftWithTheWrongClientIdIsRefusedAndChangesNothing) {
    const Player player = Match();
    ASSERT_EQ(Fact(player.deployment, bus::names::kJoinFact, protocol::SerializeJoinFact({player.client_id})).outcome,
              Outcome::kAccepted);
    auto wrong = Fact(player.deployment, bus::names::kLeftFact,
                      protocol::SerializeLeftFact({player.session_id, player.client_id + 1}));
    EXPECT_EQ(wrong.outcome, Outcome::kRefused);
    auto elsewhere =
        Fact("0123456789ab", bus::names::kLeftFact, protocol::SerializeLeftFact({player.session_id, player.client_id}));
    EXPECT_EQ(elsewhere.outcome, Outcome::kRefused);  // The deployment is still recorded (under 30 s).
    EXPECT_EQ(Value(*active_, player.session_id), std::to_string(player.client_id));
    std::this_thread::sleep_for(300ms);  // Room for a wrongly queued delete to show up, were there one.
    EXPECT_FALSE(SessionGone(player.session_id));
}

TEST_F(ServerFactsTest, CertDigestForAnIpThatIsNotTheDeploymentsIsRefused) {
    const Player player = Match();
    ASSERT_FALSE(player.deployment.empty());
    auto wrong_ip = Fact(player.deployment, bus::names::kCertDigestFact,
                         protocol::SerializeCertDigestFact({"203.0.113.9", kDigest}));
    EXPECT_EQ(wrong_ip.outcome, Outcome::kRefused);
    auto no_deployment = Fact("0123456789ab", bus::names::kCertDigestFact,
                              protocol::SerializeCertDigestFact({player.public_ip, kDigest}));
    EXPECT_EQ(no_deployment.outcome, Outcome::kRefused);
    EXPECT_FALSE(Value(*digests_, player.deployment));
    EXPECT_FALSE(Value(*digests_, "0123456789ab"));
}

// One player per deployment, so that two requests land on two deployments made beforehand.
class SharedIpDigestTest : public ServerFactsTest {
  protected:
    void AdjustSimulator(edgegap_sim::SimulatorConfig& config) override {
        config.apps[0].versions[0].session.sockets = 1;
    }

    // A ready deployment of echo 1 with no session on it: its request id and public ip.
    std::pair<std::string, std::string> Deploy() {
        auto created = edgegap_->Call(&edgegap::EdgegapApi::Deploy, edgegap::DeployRequest{"echo", "1", {"127.0.0.1"}});
        EXPECT_TRUE(created) << created.error().ToString();
        if (!created) return {};
        std::string public_ip;
        EXPECT_TRUE(WaitFor([&] {
            auto status = edgegap_->Call(&edgegap::EdgegapApi::GetDeploymentStatus, created->request_id);
            if (status && status->state == edgegap::DeploymentState::kReady) public_ip = status->public_ip;
            return !public_ip.empty();
        }));
        return {created->request_id, public_ip};
    }
};

// Issue 14: every deployment of the local stack is 127.0.0.1, and an Edgegap host runs several
// behind one ip. Keyed by ip, the second digest would overwrite the first, and the first
// deployment's players would pin the wrong certificate.
TEST_F(SharedIpDigestTest, EachDeploymentOnOneIpGetsItsOwnDigest) {
    const auto [first, first_ip] = Deploy();
    const auto [second, second_ip] = Deploy();
    ASSERT_FALSE(first_ip.empty() || second_ip.empty());
    ASSERT_EQ(first_ip, second_ip);
    std::map<std::string, std::string> digest_of = {{first, kDigest},
                                                    {second, std::string(kDigest).replace(0, 2, "01")}};
    for (const auto& [deployment, digest] : digest_of) {
        auto stated =
            Fact(deployment, bus::names::kCertDigestFact, protocol::SerializeCertDigestFact({first_ip, digest}));
        ASSERT_EQ(stated.outcome, Outcome::kAccepted) << stated.reason;
    }
    for (int player_count = 0; player_count < 2; ++player_count) {
        const Player player = Match();
        ASSERT_TRUE(digest_of.contains(player.deployment)) << "'" << player.deployment << "' is not a free one";
        EXPECT_EQ(player.public_ip, first_ip);
        EXPECT_EQ(player.cert_digest, digest_of.at(player.deployment)) << player.deployment;
        digest_of.erase(player.deployment);
    }
}

TEST_F(ServerFactsTest, MalformedFactsAreRefusedWithAReason) {
    for (const char* payload : {"", "not json", R"({"client_id":0})", R"({"client_id":"12"})"}) {
        auto reply = Fact("0123456789ab", bus::names::kJoinFact, payload);
        EXPECT_EQ(reply.outcome, Outcome::kRefused) << payload;
        EXPECT_FALSE(reply.reason.empty()) << payload;
    }
    auto left = Fact("0123456789ab", bus::names::kLeftFact, R"({"session_id":"a.b","client_id":1})");
    EXPECT_EQ(left.outcome, Outcome::kRefused);
    auto digest = Fact("0123456789ab", bus::names::kCertDigestFact, R"({"public_ip":"1.2.3.4","digest":"x"})");
    EXPECT_EQ(digest.outcome, Outcome::kRefused);
}

// nats-server never checks a request's reply subject, and the matchmaker answers with its own
// rights: answering these would write a KV value or delete a bucket. The bus library always picks
// an inbox, so the test sends through nats.c directly.
TEST_F(ServerFactsTest, FactsWhoseReplySubjectIsNotAGameServerInboxAreIgnored) {
    const Player player = Match();
    ASSERT_FALSE(player.deployment.empty());
    natsOptions* raw_options = nullptr;
    ASSERT_EQ(natsOptions_Create(&raw_options), NATS_OK);
    NatsOptionsPtr options(raw_options, natsOptions_Destroy);
    const bus::ConnectOptions bus_options = testing::BusOptionsFor(*nats_);
    const std::string url = fmt::format("tls://{}", nats_->HostPort());
    ASSERT_EQ(natsOptions_SetURL(raw_options, url.c_str()), NATS_OK);
    ASSERT_EQ(natsOptions_SetUserInfo(raw_options, bus_options.user->c_str(), bus_options.password->c_str()), NATS_OK);
    ASSERT_EQ(natsOptions_SetSecure(raw_options, true), NATS_OK);
    ASSERT_EQ(natsOptions_LoadCATrustedCertificates(raw_options, nats_->CaFile().c_str()), NATS_OK);
    natsConnection* raw_connection = nullptr;
    ASSERT_EQ(natsConnection_Connect(&raw_connection, raw_options), NATS_OK) << nats_GetLastError(nullptr);
    NatsConnectionPtr connection(raw_connection, natsConnection_Destroy);

    const std::string subject = *bus::names::GameServerSubject(player.deployment, bus::names::kJoinFact);
    const std::string join = protocol::SerializeJoinFact({player.client_id});
    for (const std::string& reply :
         {"$KV.active_connections." + player.session_id, std::string("$JS.API.STREAM.DELETE.KV_active_connections"),
          std::string("_INBOX_httpd.stolen")}) {
        ASSERT_EQ(natsConnection_PublishRequestString(raw_connection, subject.c_str(), reply.c_str(), join.c_str()),
                  NATS_OK);
    }
    ASSERT_EQ(natsConnection_FlushTimeout(raw_connection, 5000), NATS_OK);
    EXPECT_TRUE(WaitFor([&] { return Ignored() == 3; })) << Ignored();
    EXPECT_FALSE(Value(*active_, player.session_id));  // Not joined, and no reply written as a value.
    EXPECT_TRUE(active_->Keys().has_value());          // The bucket is still there.
}

TEST_F(AliveFactTest, PlayerWhoseServerStopsStatingItIsDeletedAndAStatedOneStays) {
    const auto [kept, silent] = TwoJoined();
    ASSERT_FALSE(kept.deployment.empty() || silent.deployment.empty());
    KeepAlive(kept, {}, 5s);
    EXPECT_TRUE(WaitFor([&] { return SessionGone(silent.session_id); }));
    EXPECT_FALSE(Value(*active_, silent.session_id));
    EXPECT_EQ(Value(*active_, kept.session_id), std::to_string(kept.client_id));
    EXPECT_FALSE(SessionGone(kept.session_id));
    EXPECT_GE(Counted("alive", "accepted"), 5u);
    EXPECT_EQ(registry_.GetCounter("gapkit_matchmaker_sessions_swept_total", "").Value(), 1u);
}

TEST_F(AliveFactTest, ForgedPairWithTheWrongClientIdRefreshesNothing) {
    const auto [kept, victim] = TwoJoined();
    ASSERT_FALSE(kept.deployment.empty() || victim.deployment.empty());
    KeepAlive(kept, {{victim.session_id, victim.client_id + 1}}, 5s);
    EXPECT_TRUE(WaitFor([&] { return SessionGone(victim.session_id); }));
    EXPECT_FALSE(SessionGone(kept.session_id));
    EXPECT_GE(Counted("alive", "refused"), 5u);
}

TEST_F(AliveFactTest, MalformedAliveIsCountedAndChangesNothing) {
    const Player player = Match();
    ASSERT_FALSE(player.deployment.empty());
    Join(player);
    auto subject = bus::names::GameServerSubject(player.deployment, bus::names::kAliveFact);
    ASSERT_TRUE(subject);
    ASSERT_TRUE(requester_->Publish(*subject, R"({"sessions":[]})"));
    ASSERT_TRUE(requester_->Flush());
    EXPECT_TRUE(WaitFor([&] { return Counted("alive", "refused") == 1; }));
    EXPECT_EQ(Value(*active_, player.session_id), std::to_string(player.client_id));
}

}  // namespace
}  // namespace gapkit::matchmaker
