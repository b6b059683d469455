#include "service.hpp"

#include <algorithm>
#include <optional>

#include <fmt/core.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>

#include "cleanup.hpp"
#include "edgegap_budget.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/http_client.hpp"
#include "gapkit/edgegap/parse.hpp"
#include "metrics_server.hpp"
#include "presence.hpp"
#include "reconciler.hpp"
#include "request.hpp"
#include "server_facts.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
constexpr std::chrono::milliseconds kWaitStep{20};

// Waits until `done` holds or about `limit` passed, in small steps (no clock read: the service's
// clock may be a test's manual one).
template <typename Predicate>
bool WaitUntil(Predicate done, std::chrono::milliseconds limit) {
    for (auto waited = std::chrono::milliseconds(0); !done(); waited += kWaitStep) {
        if (waited >= limit) return false;
        std::this_thread::sleep_for(kWaitStep);
    }
    return true;
}

}  // namespace

struct Service::State {
    State(MatchmakerConfig config_in, ServiceDeps deps)
        : config(std::move(config_in)),
          bus(*deps.bus),
          clock(deps.clock != nullptr ? *deps.clock : common::SystemClock::Instance()),
          own_registry(deps.registry == nullptr ? std::make_unique<common::MetricsRegistry>() : nullptr),
          registry(deps.registry != nullptr ? *deps.registry : *own_registry),
          metrics(registry),
          work(ioc.get_executor()),
          api(deps.api) {}

    common::Status CreateApi();
    asio::awaitable<void> SetBatchFromAppVersion();
    common::Status Subscribe();
    void OnRequest(const bus::Message& message);
    void OnWebhook(const bus::Message& message);
    void Shutdown(std::chrono::milliseconds grace);

    // Constant after construction.
    const MatchmakerConfig config;
    bus::Connection& bus;
    const common::Clock& clock;
    std::unique_ptr<common::MetricsRegistry> own_registry;
    common::MetricsRegistry& registry;
    Metrics metrics;
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::unique_ptr<edgegap::HttpEdgegapClient> own_api;
    edgegap::EdgegapApi* api;
    std::unique_ptr<EdgegapBudget> budget;
    std::unique_ptr<SessionBook> book;
    WaiterRegistry waiters;
    std::unique_ptr<RequestContext> requests;
    std::unique_ptr<ServerFacts> facts;
    std::unique_ptr<Cleanup> cleanup;
    std::unique_ptr<Reconciler> reconciler;
    std::unique_ptr<MetricsServer> metrics_server;
    std::unique_ptr<Presence> presence;

    // Owner thread only.
    std::optional<bus::Subscription> request_subscription;
    std::optional<bus::Subscription> webhook_subscription;
    std::vector<std::thread> threads;
    bool shut_down = false;
};

// Batching takes the app version's seats per deployment: a batch larger than a deployment's seats
// could never share one. Until the answer (or without one) nothing is batched.
asio::awaitable<void> Service::State::SetBatchFromAppVersion() {
    State& s = *this;
    auto version = co_await s.api->GetAppVersion(s.config.app_name, s.config.app_version);
    s.metrics.CountEdgegapCall("get_app_version", version);
    if (!version) {
        GAPKIT_LOG_WARN("matchmaker", "batching off: reading app version {}/{} failed: {}", s.config.app_name,
                        s.config.app_version, version.error().ToString());
        co_return;
    }
    const std::optional<edgegap::SessionConfig>& sessions = version->session_config;
    if (!sessions || sessions->kind != "Seat" || sessions->sockets < 2) {
        GAPKIT_LOG_INFO("matchmaker", "batching off: app version {}/{} is not a Seat version with 2 or more seats",
                        s.config.app_name, s.config.app_version);
        co_return;
    }
    s.requests->batcher->SetMaxPlayers(std::min(sessions->sockets, 1024));
    GAPKIT_LOG_INFO("matchmaker", "batching up to {} players per session when the Edgegap budget is short",
                    s.requests->batcher->max_players());
}

common::Status Service::State::CreateApi() {
    if (api != nullptr) return common::Ok();
    edgegap::ClientConfig client;
    client.base_url = config.edgegap_base_url;
    client.api_key = config.edgegap_api_key;
    client.request_timeout = std::chrono::seconds(config.edgegap_timeout_seconds);
    client.user_agent = "gapkit-matchmaker/0.1";
    client.limiter = budget->limiter();
    auto created = edgegap::HttpEdgegapClient::Create(ioc.get_executor(), std::move(client), clock);
    if (!created) return common::Fail(created.error().WithContext("Edgegap client"));
    own_api = std::move(*created);
    api = own_api.get();
    return common::Ok();
}

common::Status Service::State::Subscribe() {
    auto webhooks = bus.Subscribe(bus::names::kSessionWebhooks, [this](const bus::Message& m) { OnWebhook(m); });
    if (!webhooks) return common::Fail(webhooks.error().WithContext("webhook subscription"));
    webhook_subscription = std::move(*webhooks);
    auto subject = bus::names::MatchmakerRequestSubject(config.app_name, config.app_version);
    if (!subject) return common::Fail(subject.error());
    auto requests_sub = bus.QueueSubscribe(*subject, bus::names::kMatchmakerQueueGroup,
                                           [this](const bus::Message& m) { OnRequest(m); });
    if (!requests_sub) return common::Fail(requests_sub.error().WithContext("request subscription"));
    request_subscription = std::move(*requests_sub);
    if (auto ok = facts->Subscribe(); !ok) return common::Fail(ok.error().WithContext("game-server facts"));
    // Start returns once the server knows every interest, so a request sent right after is served.
    if (auto flushed = bus.Flush(); !flushed) return common::Fail(flushed.error().WithContext("subscribing"));
    GAPKIT_LOG_INFO("matchmaker", "serving {} (queue group {})", *subject, bus::names::kMatchmakerQueueGroup);
    return common::Ok();
}

// NATS thread: count the request, then hand it to its own strand. Replies go only to httpd's
// inboxes: any other reply subject would be published with the matchmaker's rights (IsInboxOf).
void Service::State::OnRequest(const bus::Message& message) {
    if (!bus::names::IsInboxOf(message.reply, bus::names::kHttpdInboxPrefix)) {
        GAPKIT_LOG_DEBUG("matchmaker", "ignoring a request with reply subject '{}'", message.reply);
        return;
    }
    requests->in_flight.fetch_add(1);
    metrics.in_flight.Add(1);
    asio::co_spawn(asio::make_strand(ioc), RunRequest(*requests, message), asio::detached);
}

// NATS thread: the body is outside data; anything without a session id is ignored. The request
// decides how far to trust the rest (request.cpp).
void Service::State::OnWebhook(const bus::Message& message) {
    auto session = edgegap::detail::ParseSession(message.data);
    if (!session) {
        GAPKIT_LOG_DEBUG("matchmaker", "ignoring a session webhook: {}", session.error().ToString());
        return;
    }
    const std::string session_id = session->session_id;
    const std::string status = session->status;
    if (waiters.Deliver(std::move(*session), message.data.size())) {
        GAPKIT_LOG_DEBUG("matchmaker", "webhook for session {} ({})", session_id, status);
    }
}

void Service::State::Shutdown(std::chrono::milliseconds grace) {
    if (shut_down) return;
    shut_down = true;
    if (presence) presence->Stop();  // Peers and operators count this one gone from here on.
    if (requests) {
        requests->draining = true;
        request_subscription.reset();
        if (!WaitUntil([this] { return requests->in_flight == 0; }, grace)) {
            GAPKIT_LOG_WARN("matchmaker", "shutting down: failing {} in-flight requests", requests->in_flight.load());
            requests->aborting = true;
            waiters.WakeAll();
            const auto limit = std::chrono::seconds(config.edgegap_timeout_seconds + 2);
            WaitUntil([this] { return requests->in_flight == 0; }, limit);
        }
    }
    request_subscription.reset();
    webhook_subscription.reset();
    if (facts) facts->Unsubscribe();
    if (reconciler) reconciler->Stop();  // Before cleanup: its passes retry parked deletions through it.
    if (cleanup) cleanup->Stop();
    if (metrics_server) metrics_server->Stop();
    work.reset();
    ioc.stop();
    for (std::thread& thread : threads) thread.join();
    threads.clear();
}

common::Result<std::unique_ptr<Service>> Service::Start(MatchmakerConfig config, ServiceDeps deps) {
    if (deps.bus == nullptr) return common::MakeError(common::ErrorCode::kInvalidArgument, "no bus connection");
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    std::unique_ptr<Service> service(new Service(std::make_unique<State>(std::move(config), deps)));
    State& s = *service->state_;
    s.budget = std::make_unique<EdgegapBudget>(*s.config.EdgegapRateLimits(), s.clock, s.metrics);
    if (auto ok = s.CreateApi(); !ok) return common::Fail(ok.error());
    auto book = SessionBook::Open(s.bus, s.clock, std::chrono::seconds(s.config.alive_ttl_seconds));
    if (!book) return common::Fail(book.error());
    s.book = std::move(*book);
    s.requests.reset(new RequestContext{s.config, s.bus, *s.api, *s.book, s.clock, s.metrics, s.waiters});
    s.requests->batcher = std::make_unique<SessionBatcher>(*s.requests, s.budget->limiter().get(), s.ioc.get_executor());
    s.facts = std::make_unique<ServerFacts>(s.bus, *s.book, *s.api, s.ioc.get_executor(), s.clock, s.metrics);
    s.cleanup = std::make_unique<Cleanup>(s.config, *s.book, *s.api, s.ioc.get_executor(), s.metrics);
    if (auto ok = s.cleanup->Start(); !ok) return common::Fail(ok.error());
    s.reconciler = std::make_unique<Reconciler>(s.config, *s.book, *s.cleanup, *s.api, s.ioc.get_executor(), s.clock,
                                                s.metrics);
    if (auto ok = s.reconciler->Start(s.bus); !ok) return common::Fail(ok.error());
    if (s.config.metrics_port != 0) {
        s.metrics_server = std::make_unique<MetricsServer>(
            s.ioc.get_executor(), s.registry, [&s] { return s.bus.State() == bus::ConnectionState::kConnected; });
        if (auto ok = s.metrics_server->Start(s.config.metrics_bind, s.config.metrics_port); !ok)
            return common::Fail(ok.error());
    }
    for (int i = 0; i < s.config.threads; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
    if (s.config.max_players_per_session > 0) {
        s.requests->batcher->SetMaxPlayers(s.config.max_players_per_session);
    } else {
        asio::co_spawn(s.ioc, s.SetBatchFromAppVersion(), asio::detached);
    }
    if (auto ok = s.Subscribe(); !ok) return common::Fail(ok.error());
    PresenceInfo info = WithThisProcess({.id = s.reconciler->holder(),
                                         .app = s.config.app_name,
                                         .version = s.config.app_version,
                                         .started_unix = static_cast<std::int64_t>(s.clock.UnixSeconds())});
    auto presence = Presence::Start(s.bus, std::move(info), bus::names::kMatchmakerBeatInterval,
                                    [&s](int live) { s.budget->SetLiveMatchmakers(live); });
    if (!presence) return common::Fail(presence.error());
    s.presence = std::move(*presence);
    return service;
}

Service::Service(std::unique_ptr<State> state) : state_(std::move(state)) {}

Service::~Service() { state_->Shutdown(std::chrono::milliseconds(0)); }

void Service::Shutdown(std::chrono::milliseconds grace) { state_->Shutdown(grace); }

std::uint16_t Service::metrics_port() const { return state_->metrics_server ? state_->metrics_server->port() : 0; }

int Service::in_flight() const { return state_->requests ? state_->requests->in_flight.load() : 0; }

common::Result<int> Service::ReapOnce() { return state_->cleanup->ReapOnce(); }

common::Result<ReconcileReport> Service::ReconcileOnce() { return state_->reconciler->RunOnce(); }

}  // namespace gapkit::matchmaker
