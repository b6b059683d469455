#pragma once

// Test support shared by the matchmaker's bus tests: a real nats-server (TLS, JetStream), the
// in-process Edgegap simulator (which runs a real echo server process per deployment), services
// started on it, and helpers to send matchmaking requests and read their replies.

#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <variant>

#include <fmt/core.h>

#include "config_test_support.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/wait.hpp"
#include "service.hpp"

namespace gapkit::matchmaker {

using namespace std::chrono_literals;
using protocol::MatchReply;

constexpr std::uint64_t kProtocolId = 0x6761706b6974ull;

using testing::WaitFor;

template <typename T>
bool Holds(const MatchReply& reply) {
    return std::holds_alternative<T>(reply);
}

class MatchmakerServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto nats = testing::NatsServer::Start();
        ASSERT_TRUE(nats) << nats.error().ToString();
        nats_ = std::move(*nats);
        auto sim_config = edgegap_sim::LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
        ASSERT_TRUE(sim_config) << sim_config.error().ToString();
        sim_config->delays = {100ms, 100ms};
        sim_config->tick_interval = 20ms;
        AdjustSimulator(*sim_config);
        auto sim = edgegap_sim::Simulator::Start(std::move(*sim_config));
        ASSERT_TRUE(sim) << sim.error().ToString();
        sim_ = std::move(*sim);
        edgegap::ClientConfig client;
        client.base_url = sim_->base_url();
        client.api_key = "devkey";
        auto edgegap = edgegap::BlockingEdgegapClient::Create(client);
        ASSERT_TRUE(edgegap) << edgegap.error().ToString();
        edgegap_ = std::move(*edgegap);
        requester_ = Connect("test-requester");
    }

    // A suite's changes to the simulator's configuration (more apps, versions) before it starts.
    virtual void AdjustSimulator(edgegap_sim::SimulatorConfig&) {}

    void TearDown() override {
        services_.clear();
        connections_.clear();
        requester_.reset();
    }

    std::unique_ptr<bus::Connection> Connect(const std::string& name) {
        const bus::ConnectOptions options = testing::BusOptionsFor(*nats_);
        auto connection = bus::Connection::Connect(name, options);
        EXPECT_TRUE(connection) << connection.error().ToString();
        return connection ? std::move(*connection) : nullptr;
    }

    MatchmakerConfig Config() const {
        MatchmakerConfig config = SimTestConfig(sim_->base_url(), kProtocolId, 7);
        config.delete_retry_seconds = 1;
        config.reaper_interval_seconds = 3600;  // Tests reap by hand with ReapOnce().
        return config;
    }

    Service* StartService(MatchmakerConfig config, const common::Clock* clock = nullptr,
                          common::MetricsRegistry* registry = nullptr, edgegap::EdgegapApi* api = nullptr) {
        connections_.push_back(Connect("matchmaker-" + std::to_string(connections_.size())));
        ServiceDeps deps;
        deps.bus = connections_.back().get();
        deps.clock = clock;
        deps.registry = registry;
        deps.api = api;
        auto service = Service::Start(std::move(config), deps);
        EXPECT_TRUE(service) << service.error().ToString();
        if (!service) return nullptr;
        services_.push_back(std::move(*service));
        return services_.back().get();
    }

    // Sends a request for `client_ip` and collects every reply until the stream ends.
    std::vector<MatchReply> Request(const std::string& client_ip = "127.0.0.1",
                                    const std::function<void(const MatchReply&)>& on_reply = {},
                                    protocol::Transport transport = protocol::Transport::kUdp) {
        const std::string body = protocol::SerializeMatchRequest({"echo", "1", client_ip, transport});
        auto stream = requester_->RequestStream("matchmaker.request.echo.1", body, {60s, 30s});
        EXPECT_TRUE(stream) << stream.error().ToString();
        std::vector<MatchReply> replies;
        while (stream) {
            auto part = stream->Next();
            EXPECT_TRUE(part) << part.error().ToString();
            if (!part || !part->has_value()) break;
            auto reply = protocol::ParseMatchReply((*part)->data);
            EXPECT_TRUE(reply) << (*part)->data;
            if (!reply) break;
            if (on_reply) on_reply(*reply);
            replies.push_back(std::move(*reply));
        }
        return replies;
    }

    std::size_t LiveSessions() {
        auto page = edgegap_->Call(&edgegap::EdgegapApi::ListSessions, {1, 100});
        EXPECT_TRUE(page) << page.error().ToString();
        return page ? page->items.size() : 999;
    }

    bool SessionGone(const std::string& session_id) {
        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
        return !session && edgegap::Details(session.error()).category == edgegap::ErrorCategory::kNotFound;
    }

    // A registry for one service, owned by the fixture: it must outlive the service's threads,
    // which TearDown stops after the test body's locals are gone.
    common::MetricsRegistry& NewRegistry() {
        registries_.push_back(std::make_unique<common::MetricsRegistry>());
        return *registries_.back();
    }

    std::unique_ptr<bus::KeyValue> Bucket(const bus::KeyValueConfig& config) {
        auto bucket = requester_->KeyValueBucket(config);
        EXPECT_TRUE(bucket) << bucket.error().ToString();
        return bucket ? std::move(*bucket) : nullptr;
    }

    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<edgegap_sim::Simulator> sim_;
    std::unique_ptr<edgegap::BlockingEdgegapClient> edgegap_;
    std::unique_ptr<bus::Connection> requester_;
    std::vector<std::unique_ptr<bus::Connection>> connections_;
    common::ManualClock manual_clock_;  // For services started on a hand-moved clock.
    std::vector<std::unique_ptr<common::MetricsRegistry>> registries_;
    std::vector<std::unique_ptr<Service>> services_;
};

inline std::string SessionIdOf(const std::vector<MatchReply>& replies) {
    for (const auto& reply : replies) {
        if (auto* accepted = std::get_if<protocol::SessionRequestAccepted>(&reply)) return accepted->session_id;
    }
    return {};
}

inline const protocol::MatchError* ErrorOf(const std::vector<MatchReply>& replies) {
    return replies.empty() ? nullptr : std::get_if<protocol::MatchError>(&replies.back());
}

// The client id sealed in a `SessionReady` token (minted with key bytes of 7, as `Config()` sets).
inline std::uint64_t ClientIdOf(const protocol::SessionReady& ready) {
    auto bytes = netcode::DecodeConnectTokenBase64(ready.token);
    EXPECT_TRUE(bytes);
    if (!bytes) return 0;
    auto token = netcode::ReadConnectToken(*bytes);
    EXPECT_TRUE(token);
    if (!token) return 0;
    netcode::Key key;
    key.fill(7);
    auto sealed = token->private_token;
    EXPECT_TRUE(netcode::DecryptPrivateConnectToken(sealed, kProtocolId, token->expire_timestamp, token->nonce, key));
    auto inner = netcode::ReadPrivateConnectToken(sealed);
    EXPECT_TRUE(inner);
    return inner ? inner->client_id : 0;
}

}  // namespace gapkit::matchmaker
