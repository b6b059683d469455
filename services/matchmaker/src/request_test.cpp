// A request waiting on webhooks (request.hpp): what it takes from a webhook as it is, what it checks
// with Edgegap first, and the Edgegap calls that costs, counted by the matchmaker's own metrics.
// The simulator's webhooks go nowhere here; the test publishes each webhook body itself, as httpd
// would relay it.

#include "service_test_support.hpp"

#include <boost/json/serialize.hpp>

namespace gapkit::matchmaker {
namespace {

namespace json = boost::json;

constexpr const char* kNowhere = "http://127.0.0.1:9/edgegap/webhook/0123456789abcdef";

// A session webhook body as Edgegap sends it (the fields gapkit reads).
std::string WebhookBody(const edgegap::Session& session) {
    json::object body{{"session_id", session.session_id}, {"status", session.status},
                      {"ready", session.ready},           {"linked", session.linked},
                      {"error", session.error},           {"deployment_request_id", session.deployment_request_id}};
    if (session.deployment) {
        json::object ports;
        for (const auto& [name, port] : session.deployment->ports) {
            ports[name] = {{"name", port.name},
                           {"external", port.external},
                           {"internal", port.internal},
                           {"protocol", port.protocol}};
        }
        body["deployment"] = {{"request_id", session.deployment->request_id},
                              {"public_ip", session.deployment->public_ip},
                              {"ports", std::move(ports)}};
    }
    return json::serialize(body);
}

class RequestWebhookTest : public MatchmakerServiceTest {
  protected:
    void SetUp() override {
        MatchmakerServiceTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        // A ready deployment with free seats, so that each session is ready as soon as it exists.
        auto warm = edgegap_->Call(&edgegap::EdgegapApi::CreateSession,
                                   edgegap::SessionRequest{"echo", "1", {"127.0.0.1"}, std::nullopt, std::nullopt});
        ASSERT_TRUE(warm) << warm.error().ToString();
        warm_session_id_ = warm->session_id;
        ASSERT_TRUE(WaitFor([&] { return ReadSession(warm_session_id_).ready; }, 20s));
    }

    MatchmakerConfig WebhookConfig() const {
        MatchmakerConfig config = Config();
        config.webhook_url = kNowhere;
        return config;
    }

    edgegap::Session ReadSession(const std::string& session_id) {
        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
        return session ? *session : edgegap::Session{};
    }

    // The ready session as Edgegap has it, once it is ready.
    edgegap::Session ReadySession(const std::string& session_id) {
        EXPECT_TRUE(WaitFor([&] { return ReadSession(session_id).ready; }, 20s));
        return ReadSession(session_id);
    }

    void PublishWebhook(const edgegap::Session& session) {
        ASSERT_TRUE(requester_->Publish(bus::names::kSessionWebhooks, WebhookBody(session)));
    }

    // A request whose `SessionRequestAccepted` makes `on_accepted(session id)` run.
    std::vector<MatchReply> RequestWith(const std::function<void(const std::string&)>& on_accepted) {
        return Request("127.0.0.1", [&](const MatchReply& reply) {
            if (auto* accepted = std::get_if<protocol::SessionRequestAccepted>(&reply))
                on_accepted(accepted->session_id);
        });
    }

    std::uint64_t SessionReads(common::MetricsRegistry& registry) {
        return registry
            .GetCounter("gapkit_matchmaker_edgegap_calls_total", "", {{"endpoint", "get_session"}, {"status", "200"}})
            .Value();
    }

    void ExpectReadyAt(const std::vector<MatchReply>& replies, const edgegap::Session& session) {
        ASSERT_FALSE(replies.empty());
        const auto* ready = std::get_if<protocol::SessionReady>(&replies.back());
        ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies.back());
        ASSERT_TRUE(session.deployment);
        EXPECT_EQ(ready->ip, session.deployment->public_ip);
        EXPECT_EQ(ready->port, session.deployment->ports.begin()->second.external);
    }

    // A request on webhooks; once accepted, its session is ready and the webhook says
    // `webhook(ready session)`. The player must get the real session's address. Returns the
    // session reads the matchmaker made.
    std::uint64_t SessionReadsWithWebhook(const std::function<edgegap::Session(edgegap::Session)>& webhook) {
        common::MetricsRegistry& registry = NewRegistry();
        EXPECT_NE(StartService(WebhookConfig(), nullptr, &registry), nullptr);
        edgegap::Session real;
        auto replies = RequestWith([&](const std::string& id) {
            real = ReadySession(id);
            PublishWebhook(webhook(real));
        });
        ExpectReadyAt(replies, real);
        return SessionReads(registry);
    }

    std::string warm_session_id_;
};

TEST_F(RequestWebhookTest, ReadyWebhookOnTheAnsweredDeploymentNeedsNoSessionRead) {
    EXPECT_EQ(SessionReadsWithWebhook([](edgegap::Session real) { return real; }), 0u);
}

TEST_F(RequestWebhookTest, WebhookThatOvertookThePostAnswerIsNotLost) {
    common::MetricsRegistry& registry = NewRegistry();
    MatchmakerConfig config = WebhookConfig();
    config.edgegap_timeout_seconds = 10;
    ASSERT_NE(StartService(config, nullptr, &registry), nullptr);
    // The session exists (and is ready) 2 s before the matchmaker learns its id.
    sim_->SetFaults({.stall_next_answers = {{"POST /v1/session", 1}}, .stall = 2s});
    std::vector<MatchReply> replies;
    std::thread player([&] { replies = Request(); });
    std::string id;
    const bool created = WaitFor([&] {
        for (const auto& live : sim_->State().sessions) {
            if (live.status == "Ready" && live.session_id != warm_session_id_) id = live.session_id;
        }
        return !id.empty();
    });
    const edgegap::Session session = created ? ReadySession(id) : edgegap::Session{};
    if (created) PublishWebhook(session);
    player.join();
    ASSERT_TRUE(created);
    EXPECT_EQ(SessionIdOf(replies), id);
    ExpectReadyAt(replies, session);
    EXPECT_EQ(SessionReads(registry), 0u);
}

TEST_F(RequestWebhookTest, ErrorWebhookIsCheckedWithEdgegapBeforeTheRequestFails) {
    EXPECT_EQ(SessionReadsWithWebhook([](const edgegap::Session& real) {
                  edgegap::Session forged;
                  forged.session_id = real.session_id;
                  forged.status = "Error";
                  forged.state = edgegap::SessionState::kError;
                  forged.error = "forged";
                  return forged;
              }),
              1u);
}

TEST_F(RequestWebhookTest, ReadyWebhookOnAnotherDeploymentIsCheckedWithEdgegap) {
    EXPECT_EQ(SessionReadsWithWebhook([](edgegap::Session forged) {
                  forged.deployment_request_id = forged.deployment->request_id = "0123456789ab";
                  forged.deployment->public_ip = "10.9.8.7";
                  return forged;
              }),
              1u);
}

TEST_F(RequestWebhookTest, WithoutAWebhookTheSessionIsReadAfterTheSilence) {
    common::MetricsRegistry& registry = NewRegistry();
    ASSERT_NE(StartService(WebhookConfig(), nullptr, &registry), nullptr);
    std::string id;
    auto replies = RequestWith([&](const std::string& accepted) { id = accepted; });
    ExpectReadyAt(replies, ReadSession(id));
    EXPECT_EQ(SessionReads(registry), 1u);
}

}  // namespace
}  // namespace gapkit::matchmaker
