#pragma once

// The matchmaker's part of the game server facts protocol, in memory, for GameServer and
// SessionGate tests; a nats-server whose users have the rights deploy/local/nats.conf.in gives
// them (the game server: its facts' subjects and its own inbox); and the `ARBITRIUM_*` environment
// of deployment "abc123def456" whose context and self-stop URLs a `TestHttpServer` answers.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/protocol/server_facts.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/scoped_env.hpp"
#include "http_server_test_support.hpp"

namespace gapkit::server {

using protocol::FactReply;
using Outcome = FactReply::Outcome;

// The matchmaker's side of the facts, on maps: a join is accepted for a client id given a session
// with `AddSession` on this deployment, a left when the session's connected client matches, a
// digest always. `fail_next` answers the next facts `failed` (a matchmaker that could not check).
class FakeMatchmaker {
  public:
    explicit FakeMatchmaker(bus::Connection& bus) : bus_(bus) {}

    void Subscribe() {
        for (std::string_view fact : {bus::names::kJoinFact, bus::names::kLeftFact, bus::names::kCertDigestFact}) {
            auto sub = bus_.QueueSubscribe(bus::names::GameServerWildcardSubject(fact), "matchmaker",
                                           [this, fact](const bus::Message& m) { Answer(fact, m); });
            ASSERT_TRUE(sub) << sub.error().ToString();
            subscriptions_.push_back(std::move(*sub));
        }
        ASSERT_TRUE(bus_.Flush());
    }
    void Unsubscribe() { subscriptions_.clear(); }

    void AddSession(std::uint64_t client_id, const std::string& session) {
        std::lock_guard lock(mutex_);
        sessions_[client_id] = session;
    }
    void FailNext(int count) {
        std::lock_guard lock(mutex_);
        fail_next_ = count;
    }
    std::optional<std::string> Active(const std::string& session) {
        std::lock_guard lock(mutex_);
        auto found = active_.find(session);
        return found == active_.end() ? std::nullopt : std::optional<std::string>(found->second);
    }
    std::optional<std::string> Digest(const std::string& ip) {
        std::lock_guard lock(mutex_);
        auto found = digests_.find(ip);
        return found == digests_.end() ? std::nullopt : std::optional<std::string>(found->second);
    }
    int Count(std::string_view fact) {
        std::lock_guard lock(mutex_);
        return counts_[std::string(fact)];
    }
    std::string LastDeployment() {
        std::lock_guard lock(mutex_);
        return last_deployment_;
    }

  private:
    void Answer(std::string_view fact, const bus::Message& message) {
        FactReply reply = Check(fact, message);
        ASSERT_TRUE(bus_.Respond(message, protocol::SerializeFactReply(reply)));
    }

    FactReply Check(std::string_view fact, const bus::Message& message) {
        std::lock_guard lock(mutex_);
        ++counts_[std::string(fact)];
        last_deployment_ = bus::names::DeploymentOfGameServerSubject(message.subject, fact).value_or("?");
        if (fail_next_ > 0) {
            --fail_next_;
            return {Outcome::kFailed, {}, "fake failure"};
        }
        if (fact == bus::names::kJoinFact) {
            auto join = protocol::ParseJoinFact(message.data);
            if (!join || !sessions_.contains(join->client_id)) return {Outcome::kRefused, {}, "no session"};
            active_[sessions_[join->client_id]] = std::to_string(join->client_id);
            return {Outcome::kAccepted, sessions_[join->client_id], {}};
        }
        if (fact == bus::names::kLeftFact) {
            auto left = protocol::ParseLeftFact(message.data);
            if (!left) return {Outcome::kRefused, {}, "malformed"};
            auto found = active_.find(left->session_id);
            if (found != active_.end() && found->second != std::to_string(left->client_id)) {
                return {Outcome::kRefused, {}, "wrong client"};
            }
            if (found != active_.end()) active_.erase(found);
            return {Outcome::kAccepted, {}, {}};
        }
        auto digest = protocol::ParseCertDigestFact(message.data);
        if (!digest) return {Outcome::kRefused, {}, "malformed"};
        digests_[digest->public_ip] = digest->digest;
        return {Outcome::kAccepted, {}, {}};
    }

    bus::Connection& bus_;
    std::vector<bus::Subscription> subscriptions_;
    std::mutex mutex_;
    std::map<std::uint64_t, std::string> sessions_;
    std::map<std::string, std::string> active_;
    std::map<std::string, std::string> digests_;
    std::map<std::string, int> counts_;
    std::string last_deployment_;
    int fail_next_ = 0;
};

// Starts nats-server with a gameserver and a matchmaker user, connects the matchmaker, subscribes a
// `FakeMatchmaker` and starts the HTTP server. Use with ASSERT_NO_FATAL_FAILURE.
inline void StartFakeMatchmaker(std::unique_ptr<testing::NatsServer>& nats,
                                std::unique_ptr<bus::Connection>& matchmaker, std::unique_ptr<FakeMatchmaker>& fake,
                                std::unique_ptr<TestHttpServer>& http) {
    auto started_http = TestHttpServer::Start();
    ASSERT_TRUE(started_http) << started_http.error().ToString();
    http = std::move(*started_http);
    testing::NatsServerOptions options;
    options.users = {{"gameserver",
                      "gs-password",
                      {"gameserver.*.join", "gameserver.*.left", "gameserver.*.cert_digest", "gameserver.*.context",
                       "gameserver.*.alive"},
                      {"_INBOX_gameserver.>"}},
                     {"matchmaker", "mm-password", {}, {}}};
    auto started = testing::NatsServer::Start(options);
    ASSERT_TRUE(started) << started.error().ToString();
    nats = std::move(*started);
    bus::ConnectOptions mm;
    mm.host = nats->HostPort();
    mm.user = "matchmaker";
    mm.password = "mm-password";
    mm.ca_file = nats->CaFile().string();
    auto connection = bus::Connection::Connect("test-matchmaker", mm);
    ASSERT_TRUE(connection) << connection.error().ToString();
    matchmaker = std::move(*connection);
    fake = std::make_unique<FakeMatchmaker>(*matchmaker);
    fake->Subscribe();
}

// A game port named "gameport", bound on `internal` and published on `external`.
inline std::string GamePortMapping(std::uint16_t internal, std::uint16_t external) {
    return fmt::format(
        R"({{"ports":{{"gameport":{{"name":"gameport","internal":{},"external":{},"protocol":"UDP"}}}}}})", internal,
        external);
}

// Deployment "abc123def456" on 127.0.0.1 with `ports_mapping`, the bus user "gameserver" whose CA
// comes through --ca_contents (NATS_CA unset, as on Edgegap), and no GAPKIT_* variables.
inline testing::EnvOverrides EdgegapEnvironment(const testing::NatsServer& nats, const TestHttpServer& http,
                                                const std::string& ports_mapping) {
    testing::EnvOverrides env = nats.ClientEnv();
    env["NATS_CA"] = std::nullopt;
    env["ARBITRIUM_REQUEST_ID"] = "abc123def456";
    env["ARBITRIUM_PUBLIC_IP"] = "127.0.0.1";
    env["ARBITRIUM_PORTS_MAPPING"] = ports_mapping;
    env["ARBITRIUM_CONTEXT_URL"] = http.url() + "/v1/context/abc123def456/17";
    env["ARBITRIUM_CONTEXT_TOKEN"] = "context-token";
    env["ARBITRIUM_DELETE_URL"] = http.url() + "/v1/self/stop/abc123def456/99";
    env["ARBITRIUM_DELETE_TOKEN"] = "delete-token";
    for (const char* name : {"GAPKIT_PRIVATE_KEY", "GAPKIT_PRIVATE_KEY_FILE", "GAPKIT_PROTOCOL_ID"}) {
        env.try_emplace(name, std::nullopt);  // The machine's own values must not leak in.
    }
    return env;
}

}  // namespace gapkit::server
