// The NATS roles of the shipped config (deploy/local/nats.conf.in, filled in as
// scripts/run-local.sh does): a real nats-server with TLS and JetStream, each role logged in with
// its own password. Every forbidden operation must be refused BY THE SERVER (its log names the
// user and the subject of each refusal) and, seen from the matchmaker, must change nothing; the
// operations each role needs must work.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nats/nats.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/bus/work_queue.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit {
namespace {

using namespace std::chrono_literals;
using testing::NatsServer;

constexpr std::string_view kDeployment = "0123456789ab";  // an Edgegap request id
constexpr std::string_view kSeedKey = "seed";
constexpr std::string_view kSeedValue = "kept";

// Everything a stolen password could do to JetStream: delete or purge a bucket or the delete
// queue, read a bucket (direct get, message get, a consumer), and put or delete any key.
const std::vector<std::string> kJetStreamAbuse = {
    "$JS.API.STREAM.DELETE.KV_unclaimed_sessions",
    "$JS.API.STREAM.PURGE.KV_unclaimed_sessions",
    "$JS.API.STREAM.PURGE.KV_active_connections",
    "$JS.API.STREAM.DELETE.KV_cert_digests",
    "$JS.API.STREAM.DELETE.edgegap_delete_session_q",
    "$JS.API.STREAM.PURGE.edgegap_delete_session_q",
    "$JS.API.DIRECT.GET.KV_active_connections",
    "$JS.API.DIRECT.GET.KV_sessions_ly2eg.$KV.sessions_ly2eg.seed",
    "$JS.API.STREAM.MSG.GET.KV_active_connections",
    "$JS.API.STREAM.MSG.DELETE.KV_active_connections",
    "$JS.API.CONSUMER.CREATE.KV_active_connections",
    "$JS.API.STREAM.LIST",
    "$KV.active_connections.seed",
    "$KV.active_connections.forged",
    "$KV.cert_digests.seed",
    "$KV.cert_digests.0123456789ab",
    "$KV.unclaimed_sessions.seed",
    "edgegap_delete_session_q.seed",
    "edgegap_delete_session_q.forged",
};

std::vector<std::string> Join(std::vector<std::string> first, const std::vector<std::string>& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

std::string Fact(std::string_view fact) { return *bus::names::GameServerSubject(kDeployment, fact); }

std::string MatchmakingSubject() { return *bus::names::MatchmakerRequestSubject("spaceships", "1"); }

class BusRoles : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto server = NatsServer::Start({.config_template = GAPKIT_SHIPPED_NATS_CONFIG});
        ASSERT_TRUE(server.has_value()) << server.error().ToString();
        server_ = std::move(*server);
        matchmaker_ = Connect("matchmaker");
        ASSERT_TRUE(matchmaker_);
        for (const auto& config : {bus::names::SessionsLy2EgConfig(), bus::names::ActiveConnectionsConfig(),
                                   bus::names::UnclaimedSessionsConfig(), bus::names::CertDigestsConfig()}) {
            auto bucket = matchmaker_->KeyValueBucket(config);
            ASSERT_TRUE(bucket.has_value()) << config.bucket << ": " << bucket.error().ToString();
            auto put = (*bucket)->Put(kSeedKey, kSeedValue);
            ASSERT_TRUE(put.has_value()) << config.bucket << ": " << put.error().ToString();
            buckets_.push_back(std::move(*bucket));
        }
        auto queue = matchmaker_->WorkQueueStream(bus::names::DeleteSessionQueueConfig());
        ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
        queue_ = std::move(*queue);
        auto queued = queue_->Publish(*bus::names::DeleteSessionSubject(kSeedKey), "");
        ASSERT_TRUE(queued.has_value()) << queued.error().ToString();
    }

    // Logs in as `role` with its password from the filled template and the inbox prefix the
    // role's program uses.
    std::unique_ptr<bus::Connection> Connect(std::string_view role) {
        auto options = testing::BusOptionsFor(*server_, role);
        if (role == "httpd") options.inbox_prefix = bus::names::kHttpdInboxPrefix;
        if (role == "gameserver") options.inbox_prefix = bus::names::kGameServerInboxPrefix;
        auto connection = bus::Connection::Connect(fmt::format("gapkit_roles_test_{}", role), options);
        EXPECT_TRUE(connection.has_value()) << role << ": " << connection.error().ToString();
        return connection ? std::move(*connection) : nullptr;
    }

    // True once nats-server has logged that it refused `user` a `kind` ("Publish" or
    // "Subscription") on `subject`.
    bool ServerRefused(std::string_view kind, std::string_view user, std::string_view subject) const {
        const std::string line = fmt::format("{} Violation - User \"{}\", Subject \"{}\"", kind, user, subject);
        return testing::WaitFor(
            [&] {
                auto log = common::ReadFile(server_->LogFile());
                return log && log->find(line) != std::string::npos;
            },
            5s);
    }

    void ExpectPublishesRefused(bus::Connection& connection, std::string_view user,
                                const std::vector<std::string>& subjects) const {
        // The client library accepts each publish; the server is the one that must refuse it.
        for (const auto& subject : subjects) (void)connection.Publish(subject, "forged");
        ASSERT_TRUE(connection.Flush().has_value());
        for (const auto& subject : subjects) {
            EXPECT_TRUE(ServerRefused("Publish", user, subject)) << user << " may publish on " << subject;
        }
    }

    // Subscribes to each subject, has the matchmaker produce traffic on every kind of subject
    // (its replies to both inbox prefixes, KV updates, its own JetStream replies), and checks that
    // the server refused each subscription and delivered nothing to it.
    void ExpectSubscriptionsRefused(bus::Connection& connection, std::string_view user,
                                    const std::vector<std::string>& subjects) const {
        std::vector<bus::Subscription> subscriptions;
        for (const auto& subject : subjects) {
            auto subscription = connection.SubscribeSync(subject);
            ASSERT_TRUE(subscription.has_value()) << subject << ": " << subscription.error().ToString();
            subscriptions.push_back(std::move(*subscription));
        }
        ASSERT_TRUE(connection.Flush().has_value());
        for (const auto& subject : subjects) {
            EXPECT_TRUE(ServerRefused("Subscription", user, subject)) << user << " may subscribe to " << subject;
        }
        ASSERT_TRUE(matchmaker_->Publish("_INBOX_httpd.probe", "secret reply").has_value());
        ASSERT_TRUE(matchmaker_->Publish("_INBOX_gameserver.probe", "secret reply").has_value());
        ASSERT_TRUE(ActiveConnections().Put("probe", "secret value").has_value());
        ASSERT_TRUE(ActiveConnections().Get("probe").has_value());
        ASSERT_TRUE(matchmaker_->Flush().has_value());
        ASSERT_TRUE(connection.Flush().has_value());
        for (std::size_t i = 0; i < subscriptions.size(); ++i) {
            auto next = subscriptions[i].NextMessage(0ms);
            EXPECT_FALSE(next && next->has_value())
                << user << " received " << (*next)->subject << " through " << subjects[i];
        }
    }

    // Seen from the matchmaker: every bucket holds exactly its seed, the queue exactly its item.
    void ExpectNothingChanged() const {
        for (const auto& bucket : buckets_) {
            auto keys = bucket->Keys();
            ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
            EXPECT_EQ(*keys, std::vector<std::string>{std::string(kSeedKey)})
                << fmt::format("{}", fmt::join(*keys, ", "));
            auto seed = bucket->Get(kSeedKey);
            ASSERT_TRUE(seed.has_value()) << seed.error().ToString();
            ASSERT_TRUE(seed->has_value()) << "the seed is gone";
            EXPECT_EQ((*seed)->value, kSeedValue);
        }
        auto consumer = queue_->Consumer("roles_test");
        ASSERT_TRUE(consumer.has_value()) << consumer.error().ToString();
        auto items = (*consumer)->Fetch(10, 1s);
        ASSERT_TRUE(items.has_value()) << items.error().ToString();
        ASSERT_EQ(items->size(), 1u);
        EXPECT_EQ((*items)[0].subject(), *bus::names::DeleteSessionSubject(kSeedKey));
    }

    bus::KeyValue& ActiveConnections() const { return *buckets_[1]; }

    std::unique_ptr<NatsServer> server_;
    std::unique_ptr<bus::Connection> matchmaker_;
    std::vector<std::unique_ptr<bus::KeyValue>> buckets_;  ///< ly2eg, active_connections, unclaimed, cert_digests
    std::unique_ptr<bus::WorkQueue> queue_;
};

TEST_F(BusRoles, GameServerCannotTouchJetStreamOrSpeakForOtherRoles) {
    auto gameserver = Connect("gameserver");
    ASSERT_TRUE(gameserver);
    ExpectPublishesRefused(*gameserver, "gameserver",
                           Join(kJetStreamAbuse, {"_INBOX_httpd.x", "_INBOX.x", "_INBOX_gameserver.x",
                                                  MatchmakingSubject(), std::string(bus::names::kSessionWebhooks),
                                                  fmt::format("gameserver.{}.other", kDeployment)}));
    ExpectNothingChanged();
}

TEST_F(BusRoles, GameServerCannotReadBucketsOrOtherRolesTraffic) {
    auto gameserver = Connect("gameserver");
    ASSERT_TRUE(gameserver);
    ExpectSubscriptionsRefused(
        *gameserver, "gameserver",
        {">", "_INBOX.>", "_INBOX_httpd.>", "$KV.>", "$KV.active_connections.>", "$JS.API.>", "gameserver.*.join",
         "gameserver.>", "matchmaker.request.>", std::string(bus::names::kSessionWebhooks)});
}

TEST_F(BusRoles, GameServerStatesFactsAndReadsTheAnswersOnItsInbox) {
    std::vector<bus::Subscription> answers;
    for (auto fact : {bus::names::kJoinFact, bus::names::kLeftFact, bus::names::kCertDigestFact}) {
        auto answer = matchmaker_->QueueSubscribe(
            bus::names::GameServerWildcardSubject(fact), bus::names::kMatchmakerQueueGroup,
            [this](const bus::Message& request) { (void)matchmaker_->Respond(request, "ok:" + request.subject); });
        ASSERT_TRUE(answer.has_value()) << answer.error().ToString();
        answers.push_back(std::move(*answer));
    }
    auto alive = matchmaker_->SubscribeSync(bus::names::GameServerWildcardSubject(bus::names::kAliveFact),
                                            bus::names::kMatchmakerQueueGroup);
    ASSERT_TRUE(alive.has_value()) << alive.error().ToString();
    ASSERT_TRUE(matchmaker_->Flush().has_value());
    auto operator_view = Connect("operator");
    ASSERT_TRUE(operator_view);
    auto contexts = operator_view->SubscribeSync(bus::names::GameServerWildcardSubject(bus::names::kContextFact));
    ASSERT_TRUE(contexts.has_value()) << contexts.error().ToString();
    ASSERT_TRUE(operator_view->Flush().has_value());

    auto gameserver = Connect("gameserver");
    ASSERT_TRUE(gameserver);
    for (auto fact : {bus::names::kJoinFact, bus::names::kLeftFact, bus::names::kCertDigestFact}) {
        auto reply = gameserver->Request(Fact(fact), "{}", 5s);
        ASSERT_TRUE(reply.has_value()) << fact << ": " << reply.error().ToString();
        EXPECT_EQ(reply->data, "ok:" + Fact(fact));
    }
    ASSERT_TRUE(gameserver->Publish(Fact(bus::names::kAliveFact), R"({"sessions":[]})").has_value());
    auto stated = alive->NextMessage(5s);
    ASSERT_TRUE(stated.has_value()) << stated.error().ToString();
    ASSERT_TRUE(stated->has_value()) << "the matchmaker never saw the alive fact";
    EXPECT_EQ((*stated)->subject, Fact(bus::names::kAliveFact));
    ASSERT_TRUE(gameserver->Publish(Fact(bus::names::kContextFact), R"({"request_id":"0123456789ab"})").has_value());
    auto context = contexts->NextMessage(5s);
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    ASSERT_TRUE(context->has_value()) << "the operator never saw the context";
    EXPECT_EQ((*context)->subject, Fact(bus::names::kContextFact));
}

TEST_F(BusRoles, HttpdCannotTouchJetStreamOrSpeakForOtherRoles) {
    auto httpd = Connect("httpd");
    ASSERT_TRUE(httpd);
    ExpectPublishesRefused(
        *httpd, "httpd",
        Join(kJetStreamAbuse, {Fact(bus::names::kJoinFact), Fact(bus::names::kLeftFact),
                               Fact(bus::names::kCertDigestFact), Fact(bus::names::kContextFact),
                               Fact(bus::names::kAliveFact), "_INBOX.x", "_INBOX_httpd.x", "_INBOX_gameserver.x"}));
    ExpectNothingChanged();
}

TEST_F(BusRoles, HttpdCannotReadBucketsOrOtherRolesTraffic) {
    auto httpd = Connect("httpd");
    ASSERT_TRUE(httpd);
    ExpectSubscriptionsRefused(*httpd, "httpd",
                               {">", "_INBOX.>", "_INBOX_gameserver.>", "$KV.>", "$JS.API.>", "matchmaker.request.>",
                                std::string(bus::names::kSessionWebhooks), "gameserver.*.join"});
}

TEST_F(BusRoles, HttpdSendsMatchmakingAndWebhooksAndReadsTheReplies) {
    auto requests = matchmaker_->QueueSubscribe(MatchmakingSubject(), bus::names::kMatchmakerQueueGroup,
                                                [this](const bus::Message& request) {
                                                    (void)matchmaker_->Respond(request, "Acknowledged");
                                                    (void)matchmaker_->EndStream(request);
                                                });
    ASSERT_TRUE(requests.has_value()) << requests.error().ToString();
    auto webhooks = matchmaker_->SubscribeSync(bus::names::kSessionWebhooks);
    ASSERT_TRUE(webhooks.has_value()) << webhooks.error().ToString();
    ASSERT_TRUE(matchmaker_->Flush().has_value());

    auto httpd = Connect("httpd");
    ASSERT_TRUE(httpd);
    auto stream = httpd->RequestStream(MatchmakingSubject(), R"({"client_ip":null})");
    ASSERT_TRUE(stream.has_value()) << stream.error().ToString();
    auto part = stream->Next();
    ASSERT_TRUE(part.has_value()) << part.error().ToString();
    ASSERT_TRUE(part->has_value()) << "the stream ended without a part";
    EXPECT_EQ((*part)->data, "Acknowledged");
    auto end = stream->Next();
    ASSERT_TRUE(end.has_value()) << end.error().ToString();
    EXPECT_FALSE(end->has_value());

    ASSERT_TRUE(httpd->Publish(bus::names::kSessionWebhooks, R"({"session_id":"s"})").has_value());
    auto webhook = webhooks->NextMessage(5s);
    ASSERT_TRUE(webhook.has_value()) << webhook.error().ToString();
    EXPECT_TRUE(webhook->has_value()) << "the matchmaker never got the webhook";
}

// The JetStream requests that only read: the operator may send these, and only these.
const std::vector<std::string> kJetStreamReads = {
    "$JS.API.DIRECT.GET.KV_active_connections",
    "$JS.API.DIRECT.GET.KV_sessions_ly2eg.$KV.sessions_ly2eg.seed",
    "$JS.API.STREAM.MSG.GET.KV_active_connections",
};

std::vector<std::string> Without(std::vector<std::string> all, const std::vector<std::string>& removed) {
    std::erase_if(all, [&](const std::string& subject) { return std::ranges::count(removed, subject) > 0; });
    return all;
}

TEST_F(BusRoles, OperatorSeesEverythingAndOnlyReads) {
    auto operator_view = Connect("operator");
    ASSERT_TRUE(operator_view);
    auto everything = operator_view->SubscribeSync(">");
    ASSERT_TRUE(everything.has_value()) << everything.error().ToString();
    ASSERT_TRUE(operator_view->Flush().has_value());
    ASSERT_TRUE(ActiveConnections().Put("watched", "value").has_value());
    bool saw_put = false;
    ASSERT_TRUE(testing::WaitFor(
        [&] {
            auto next = everything->NextMessage(0ms);
            saw_put = saw_put || (next && next->has_value() && (*next)->subject == "$KV.active_connections.watched");
            return saw_put;
        },
        5s))
        << "the operator's '>' subscription did not see a KV put";

    auto entries = operator_view->ReadBucket(bus::names::kActiveConnectionsBucket);
    ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
    std::vector<std::string> keys;
    for (const auto& entry : *entries) keys.push_back(entry.key + "=" + entry.value);
    EXPECT_EQ(keys, (std::vector<std::string>{"seed=kept", "watched=value"}));
    auto queued = operator_view->StreamMessages(bus::names::kDeleteSessionStream);
    ASSERT_TRUE(queued.has_value()) << queued.error().ToString();
    EXPECT_EQ(*queued, 1u);
    auto missing = operator_view->ReadBucket("no_such_bucket");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), common::ErrorCode::kNotFound) << missing.error().ToString();

    ExpectPublishesRefused(
        *operator_view, "operator",
        Join(Without(kJetStreamAbuse, kJetStreamReads),
             {MatchmakingSubject(), std::string(bus::names::kSessionWebhooks), Fact(bus::names::kJoinFact),
              Fact(bus::names::kContextFact), "_INBOX.x", "_INBOX_httpd.x", "_INBOX_gameserver.x", "anything"}));
    ASSERT_TRUE(ActiveConnections().Delete("watched").has_value());
    ExpectNothingChanged();
}

TEST_F(BusRoles, MatchmakerOwnsTheBucketsAndTheQueue) {
    auto watcher = ActiveConnections().Watch();
    ASSERT_TRUE(watcher.has_value()) << watcher.error().ToString();
    ASSERT_TRUE(ActiveConnections().Put("session", "client").has_value());
    bool saw_put = false;
    for (int i = 0; i < 10 && !saw_put; ++i) {
        auto entry = watcher->Next(1s);
        ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
        saw_put = entry->has_value() && (*entry)->key == "session";
    }
    EXPECT_TRUE(saw_put) << "the watcher never delivered the put";
    ASSERT_TRUE(ActiveConnections().Delete("session").has_value());
    auto gone = ActiveConnections().Get("session");
    ASSERT_TRUE(gone.has_value()) << gone.error().ToString();
    EXPECT_FALSE(gone->has_value());

    auto consumer = queue_->Consumer("roles_test_matchmaker");
    ASSERT_TRUE(consumer.has_value()) << consumer.error().ToString();
    auto items = (*consumer)->Fetch(1, 5s);
    ASSERT_TRUE(items.has_value()) << items.error().ToString();
    ASSERT_EQ(items->size(), 1u);
    EXPECT_TRUE((*items)[0].Ack().has_value());
}

// The asynchronous calls go through one reply subscription per connection (`<prefix>.<nuid>.*`)
// and JetStream's own subjects (`$KV.<bucket>.<key>`, `$JS.API.DIRECT.GET...`): the matchmaker
// and httpd need no right beyond those they already have.
TEST_F(BusRoles, AsynchronousCallsNeedNoFurtherRights) {
    std::promise<common::Result<std::uint64_t>> put;
    ASSERT_TRUE(
        ActiveConnections()
            .PutAsync("async", "client", [&](common::Result<std::uint64_t> revision) { put.set_value(revision); })
            .has_value());
    auto revision = put.get_future().get();
    ASSERT_TRUE(revision.has_value()) << revision.error().ToString();
    std::promise<common::Result<std::optional<bus::KeyEntry>>> get;
    ASSERT_TRUE(
        ActiveConnections()
            .GetAsync("async", [&](common::Result<std::optional<bus::KeyEntry>> entry) { get.set_value(entry); })
            .has_value());
    auto entry = get.get_future().get();
    ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
    ASSERT_TRUE(entry->has_value());
    EXPECT_EQ((*entry)->revision, *revision);

    auto requests = matchmaker_->QueueSubscribe(MatchmakingSubject(), bus::names::kMatchmakerQueueGroup,
                                                [this](const bus::Message& request) {
                                                    (void)matchmaker_->Respond(request, "Acknowledged");
                                                    (void)matchmaker_->EndStream(request);
                                                });
    ASSERT_TRUE(requests.has_value()) << requests.error().ToString();
    ASSERT_TRUE(matchmaker_->Flush().has_value());
    auto httpd = Connect("httpd");
    ASSERT_TRUE(httpd);
    std::promise<common::Status> ended;
    ASSERT_TRUE(httpd
                    ->RequestStreamAsync(
                        MatchmakingSubject(), R"({"client_ip":null})",
                        {[](const bus::Message&) { return true; }, [&](common::Status end) { ended.set_value(end); }})
                    .has_value());
    auto end = ended.get_future().get();
    EXPECT_TRUE(end.has_value()) << end.error().ToString();
    auto log = common::ReadFile(server_->LogFile());
    ASSERT_TRUE(log.has_value());
    EXPECT_EQ(log->find("Violation"), std::string::npos) << *log;
}

// The matchmaker answers requests whose reply subject passes names::IsInboxOf, which also lets
// NATS's default `_INBOX.` through (for set-ups without permissions): the shipped user must not
// be able to publish there, nor speak for the other roles.
TEST_F(BusRoles, MatchmakerAnswersOnlyOnTheRequestersInboxes) {
    ExpectPublishesRefused(
        *matchmaker_, "matchmaker",
        {"_INBOX.x", MatchmakingSubject(), std::string(bus::names::kSessionWebhooks), Fact(bus::names::kJoinFact),
         Fact(bus::names::kContextFact), Fact(bus::names::kAliveFact), "anything"});
    ASSERT_TRUE(matchmaker_->Publish("_INBOX_httpd.x", "reply").has_value());
    ASSERT_TRUE(matchmaker_->Publish("_INBOX_gameserver.x", "reply").has_value());
    ASSERT_TRUE(matchmaker_->Flush().has_value());
    auto log = common::ReadFile(server_->LogFile());
    ASSERT_TRUE(log.has_value());
    EXPECT_EQ(log->find("_INBOX_"), std::string::npos) << *log;
}

// A KV watcher is an ordered consumer with flow control: past about 2 MB in flight the server
// waits for the client's answer on $JS.FC.>, and without that right the watcher stalls for good.
TEST_F(BusRoles, MatchmakerWatcherKeepsUpWithABurstOfPuts) {
    constexpr int kPuts = 5000;  // 5 MB, well past the first flow-control request
    auto watcher = ActiveConnections().Watch();
    ASSERT_TRUE(watcher.has_value()) << watcher.error().ToString();
    const std::string value(1000, 'v');
    for (int i = 0; i < kPuts; ++i) ASSERT_TRUE(ActiveConnections().Put(fmt::format("burst{}", i), value).has_value());
    int updates = 0;
    while (updates < kPuts + 1) {  // the seed, then every put
        auto entry = watcher->Next(5s);
        ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
        if (!entry->has_value()) break;
        ++updates;
    }
    EXPECT_EQ(updates, kPuts + 1) << "the watcher stalled";
    auto log = common::ReadFile(server_->LogFile());
    ASSERT_TRUE(log.has_value());
    EXPECT_EQ(log->find("Violation"), std::string::npos) << *log;
}

// nats-server checks the subject of a publish against the user's rights, never its reply subject.
// A request's reply subject is chosen by the requester, and whoever answers publishes there with
// ITS OWN rights: a game server asking with reply subject $JS.API.STREAM.DELETE.<bucket> would
// have the matchmaker delete that bucket by answering. So the matchmaker answers only reply
// subjects under the requester role's inbox prefix (bus::names::IsInboxOf).
TEST_F(BusRoles, ServerLeavesCheckingReplySubjectsToTheResponder) {
    auto requests = matchmaker_->SubscribeSync(Fact(bus::names::kJoinFact));
    ASSERT_TRUE(requests.has_value()) << requests.error().ToString();
    ASSERT_TRUE(matchmaker_->Flush().has_value());

    natsOptions* raw_options = nullptr;
    ASSERT_EQ(natsOptions_Create(&raw_options), NATS_OK);
    std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> options(raw_options, natsOptions_Destroy);
    const auto url = fmt::format("tls://{}", server_->HostPort());
    const auto* gameserver_user = server_->User("gameserver");
    ASSERT_NE(gameserver_user, nullptr);
    ASSERT_EQ(natsOptions_SetURL(raw_options, url.c_str()), NATS_OK);
    ASSERT_EQ(natsOptions_SetUserInfo(raw_options, "gameserver", gameserver_user->password.c_str()), NATS_OK);
    ASSERT_EQ(natsOptions_SetSecure(raw_options, true), NATS_OK);
    ASSERT_EQ(natsOptions_LoadCATrustedCertificates(raw_options, server_->CaFile().c_str()), NATS_OK);
    natsConnection* raw_connection = nullptr;
    ASSERT_EQ(natsConnection_Connect(&raw_connection, raw_options), NATS_OK) << nats_GetLastError(nullptr);
    std::unique_ptr<natsConnection, decltype(&natsConnection_Destroy)> gameserver(raw_connection,
                                                                                  natsConnection_Destroy);
    const std::string forged_reply = "$JS.API.STREAM.DELETE.KV_active_connections";
    ASSERT_EQ(natsConnection_PublishRequestString(raw_connection, Fact(bus::names::kJoinFact).c_str(),
                                                  forged_reply.c_str(), "{}"),
              NATS_OK);
    ASSERT_EQ(natsConnection_FlushTimeout(raw_connection, 5000), NATS_OK);

    auto request = requests->NextMessage(5s);
    ASSERT_TRUE(request.has_value()) << request.error().ToString();
    ASSERT_TRUE(request->has_value()) << "the request did not arrive";
    EXPECT_EQ((*request)->reply, forged_reply) << "nats-server now rewrites or refuses forged reply subjects";
    auto log = common::ReadFile(server_->LogFile());
    ASSERT_TRUE(log.has_value());
    EXPECT_EQ(log->find("Violation"), std::string::npos) << *log;
}

TEST_F(BusRoles, NoRoleLogsInWithAWrongPassword) {
    auto options = testing::BusOptionsFor(*server_, "gameserver");
    options.password = testing::BusOptionsFor(*server_, "operator").password;
    auto connection = bus::Connection::Connect("gapkit_roles_test_wrong", options);
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), common::ErrorCode::kUnauthenticated) << connection.error().ToString();
}

}  // namespace
}  // namespace gapkit
