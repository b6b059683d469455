#include "request.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <tl/expected.hpp>

#include "capped_slot.hpp"
#include "gapkit/common/assert.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "token.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
using edgegap::ErrorCategory;
using Seconds = std::chrono::duration<double>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// How long a request keeps retrying a bus read or write that failed for a reason that passes: a
// JetStream cluster answers "no responders" for the 4-6 s it takes to elect new stream leaders
// after a node died, and a restarted nats-server needs a few seconds to come back with its store.
// The player keeps getting heartbeats meanwhile (they queue in nats.c while it reconnects).
constexpr auto kBusRetryLimit = std::chrono::seconds(12);
constexpr auto kBusRetryFirstDelay = std::chrono::milliseconds(100);
constexpr auto kBusRetryMaxDelay = std::chrono::seconds(1);

// With webhooks the request waits for Edgegap's word instead of polling, and polls only after this
// long without news: a webhook can be lost (httpd down, Edgegap does not retry), and Edgegap
// documents a webhook when a session is linked, not when its deployment becomes ready. One poll per
// 5 s at worst is under half the polling schedule's rate; a webhook on time costs no call at all.
constexpr auto kWebhookSilence = std::chrono::seconds(5);

/// A final failure: the reply's code and message, the outcome label for logs and metrics, and what
/// only the log may see (Edgegap's own text can name accounts, apps and internal hosts).
struct Failure {
    int code = 500;
    std::string message;
    std::string outcome = "internal";
    std::string detail;
};

// A step of the request: its value, or the reply that ends the request. Not a common::Result: the
// error side is not a cause for a caller to handle but the answer the player gets (reply code,
// outcome label, log-only detail), made once where the failure is understood and passed up as is.
template <typename T>
using Step = tl::expected<T, Failure>;

Failure Internal(const common::Error& error) {
    GAPKIT_LOG_ERROR("matchmaker", "internal failure: {}", error.ToString());
    return {500, "internal matchmaker error", "internal"};
}

Failure FromApiError(std::string_view endpoint, const common::Error& error) {
    const std::string detail = fmt::format("Edgegap {}: {}", endpoint, error.message());
    const edgegap::ErrorDetails details = edgegap::Details(error);
    if (details.category == ErrorCategory::kRateLimited) {
        return {429, "the game server provider is busy, try again later", "rate_limited", detail};
    }
    const std::string status = details.http_status > 0 ? fmt::format(", HTTP {}", details.http_status) : "";
    return {502, fmt::format("the game server provider failed ({}{}), try again", endpoint, status), "edgegap_error",
            detail};
}

// Runs `call` (a KV read or an idempotent put, so a second try does no harm) until it succeeds,
// fails for a reason a retry does not cure, `kBusRetryLimit` has passed or the service aborts.
template <typename Call>
asio::awaitable<std::invoke_result_t<Call&>> RetryBus(Call call, const std::atomic<bool>& aborting) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + kBusRetryLimit;
    std::chrono::milliseconds delay = kBusRetryFirstDelay;
    for (;;) {
        auto result = call();
        if (result || aborting) co_return result;
        const common::ErrorCode code = result.error().code();
        const bool passes = code == common::ErrorCode::kUnavailable || code == common::ErrorCode::kTimeout;
        if (!passes || std::chrono::steady_clock::now() + delay > deadline) co_return result;
        GAPKIT_LOG_DEBUG("matchmaker", "bus: {}; retrying in {} ms", result.error().ToString(), delay.count());
        timer.expires_after(delay);
        auto [ignored] = co_await timer.async_wait(kUseTuple);
        (void)ignored;
        delay = std::min<std::chrono::milliseconds>(delay * 2, kBusRetryMaxDelay);
    }
}

/// Everything that answers the requester, shared by the request and its heartbeat loop, which may
/// outlive the request by one cancelled timer wait. Used on the request's strand only.
struct Replies {
    Replies(bus::Connection& bus_in, bus::Message message_in, asio::any_io_executor executor)
        : bus(bus_in), message(std::move(message_in)), timer(std::move(executor)) {}

    void Send(const protocol::MatchReply& reply) {
        last_sent = std::chrono::steady_clock::now();
        if (auto sent = bus.Respond(message, protocol::SerializeMatchReply(reply)); !sent) {
            GAPKIT_LOG_WARN("matchmaker", "reply {} to {} failed: {}", protocol::ReplyName(reply), label,
                            sent.error().ToString());
        }
    }

    bus::Connection& bus;
    const bus::Message message;
    asio::steady_timer timer;  // The heartbeat's; cancelled when the request ends.
    std::chrono::steady_clock::time_point last_sent = std::chrono::steady_clock::now();
    std::string label = "?";                     // "<client ip>" once parsed, for log lines.
    std::string status = "waiting for Edgegap";  // The last status Edgegap reported.
    bool finished = false;
};

// A request that waits on Edgegap (a slow POST, a deployment that takes a minute) still sends a
// reply every heartbeat period, so that httpd can tell it from a matchmaker that died (it gives
// up after protocol::kMissedHeartbeatsBeforeGivingUp silent periods). Runs on the request's strand.
asio::awaitable<void> KeepAlive(std::shared_ptr<Replies> replies, const common::Clock& clock,
                                common::Clock::SteadyTime started) {
    const auto period = std::chrono::seconds(protocol::kHeartbeatSeconds);
    while (!replies->finished) {
        replies->timer.expires_at(replies->last_sent + period);
        // A cancelled wait (the request ended) and an expired one are told apart by `finished`.
        auto [ignored] = co_await replies->timer.async_wait(kUseTuple);
        (void)ignored;
        if (replies->finished) break;
        if (std::chrono::steady_clock::now() - replies->last_sent < period) continue;
        const double elapsed = Seconds(clock.Now() - started).count();
        replies->Send(protocol::ProgressReport{fmt::format("{} ({:.1f}s)", replies->status, elapsed)});
    }
}

class Request {
  public:
    Request(RequestContext& context, bus::Message message, asio::any_io_executor executor)
        : ctx_(context),
          config_(context.config),
          replies_(std::make_shared<Replies>(context.bus, std::move(message), std::move(executor))),
          started_(context.clock.Now()) {}

    asio::awaitable<void> Run();

  private:
    asio::awaitable<Step<protocol::SessionReady>> Lifecycle();
    asio::awaitable<Step<std::string>> CreateSession(const protocol::MatchRequest& request);
    asio::awaitable<Step<edgegap::DeploymentStatus>> WaitUntilReady(Waiter& waiter);
    asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Poll();
    asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Heard(const edgegap::Session& news);
    asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Consider(const edgegap::Session& session);
    asio::awaitable<Step<edgegap::DeploymentStatus>> ReadyDeployment(const edgegap::Session& session);
    asio::awaitable<Step<protocol::SessionReady>> Issue(const edgegap::DeploymentStatus& deployment);
    void Report(const edgegap::Session& session);
    void Send(const protocol::MatchReply& reply);
    void Finish(const Step<protocol::SessionReady>& result);
    double Elapsed() const { return Seconds(ctx_.clock.Now() - started_).count(); }

    RequestContext& ctx_;
    const MatchmakerConfig& config_;
    const std::shared_ptr<Replies> replies_;
    const common::Clock::SteadyTime started_;
    std::string session_id_;          // Set once Edgegap created the session.
    std::string created_request_id_;  // The POST answer's deployment request id, often "".
    double created_seconds_ = 0;
};

asio::awaitable<void> Request::Run() {
    Step<protocol::SessionReady> result;
    asio::co_spawn(replies_->timer.get_executor(), KeepAlive(replies_, ctx_.clock, started_), asio::detached);
    try {
        result = co_await Lifecycle();
    } catch (const std::exception& error) {
        // The one top-level catch: a bug or an allocation failure still gets the player an answer
        // and the session its deletion.
        result = tl::unexpected(Internal(common::Error(common::ErrorCode::kInternal, error.what())));
    }
    Finish(result);
    const int in_flight_before = ctx_.in_flight.fetch_sub(1);
    GAPKIT_ASSERT(in_flight_before > 0, "RunRequest's caller counted this request in in_flight");
    ctx_.metrics.in_flight.Add(-1);
}

asio::awaitable<Step<protocol::SessionReady>> Request::Lifecycle() {
    auto parsed = protocol::ParseMatchRequest(replies_->message.data);
    if (!parsed) co_return tl::unexpected(Failure{400, parsed.error().message(), "bad_request"});
    if (!parsed->client_ip) co_return tl::unexpected(Failure{400, "client_ip is required", "bad_request"});
    replies_->label = *parsed->client_ip;
    if (ctx_.draining)
        co_return tl::unexpected(Failure{503, "matchmaker is shutting down, try again", "shutting_down"});
    CappedSlot slot(ctx_.sessions_in_creation, config_.max_concurrent_sessions);
    if (!slot) {
        co_return tl::unexpected(Failure{503, "too many game sessions are being created, try again later", "busy"});
    }
    Send(protocol::Acknowledged{});
    auto created = co_await CreateSession(*parsed);
    if (!created) co_return tl::unexpected(created.error());
    session_id_ = *created;
    created_seconds_ = Elapsed();
    // Registered before anything else is awaited, so that news arriving from here on reaches it
    // (news that overtook the POST answer is kept for it by the registry).
    auto executor = co_await asio::this_coro::executor;  // Not inside the argument list: see RunRequest.
    auto waiter = std::make_shared<Waiter>(executor);
    WaiterScope scope(ctx_.waiters, session_id_, waiter);
    auto recorded = co_await RetryBus([&] { return ctx_.book.RecordUnclaimed(session_id_); }, ctx_.aborting);
    if (!recorded) co_return tl::unexpected(Internal(recorded.error()));
    Send(protocol::SessionRequestAccepted{session_id_});
    auto deployment = co_await WaitUntilReady(*waiter);
    if (!deployment) co_return tl::unexpected(deployment.error());
    co_return co_await Issue(*deployment);
}

asio::awaitable<Step<std::string>> Request::CreateSession(const protocol::MatchRequest& request) {
    edgegap::SessionRequest session_request;
    session_request.app_name = config_.app_name;
    session_request.version_name = config_.app_version;
    session_request.ip_list = {*request.client_ip};
    if (!config_.webhook_url.empty()) session_request.webhook_url = config_.webhook_url;
    auto created = co_await ctx_.api.CreateSession(session_request);
    ctx_.metrics.CountEdgegapCall("create_session", created ? 200 : edgegap::Details(created.error()).http_status);
    if (!created) co_return tl::unexpected(FromApiError("create session", created.error()));
    created_request_id_ = created->deployment_request_id;
    co_return created->session_id;
}

// Without webhooks: a poll at once, then on the back-off schedule. With webhooks: the webhook's
// news, and a poll only after `kWebhookSilence` without any.
asio::awaitable<Step<edgegap::DeploymentStatus>> Request::WaitUntilReady(Waiter& waiter) {
    const bool webhooks = !config_.webhook_url.empty();
    const auto deadline = started_ + std::chrono::seconds(config_.readiness_timeout_seconds);
    std::chrono::nanoseconds delay = std::chrono::milliseconds(config_.poll_initial_ms);
    for (bool poll = !webhooks;; poll = true) {
        if (ctx_.aborting) co_return tl::unexpected(Failure{503, "matchmaker is shutting down", "shutting_down"});
        std::optional<Step<edgegap::DeploymentStatus>> done;
        if (auto news = waiter.TakeNews()) {
            done = co_await Heard(*news);
        } else if (poll) {
            done = co_await Poll();
        }
        if (done) co_return std::move(*done);
        const auto now = ctx_.clock.Now();
        if (now >= deadline) co_return tl::unexpected(Failure{408, "session still not ready, timed out.", "timeout"});
        const std::chrono::nanoseconds wait = webhooks ? kWebhookSilence : delay;
        co_await waiter.Sleep(std::min<std::chrono::nanoseconds>(wait, deadline - now));
        delay = std::min<std::chrono::nanoseconds>(delay * 2, std::chrono::milliseconds(config_.poll_max_ms));
    }
}

// One readiness check: nothing while the session is still on its way, else the final step.
asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Request::Poll() {
    auto session = co_await ctx_.api.GetSession(session_id_);
    ctx_.metrics.CountEdgegapCall("get_session", session ? 200 : edgegap::Details(session.error()).http_status);
    if (!session) co_return tl::unexpected(FromApiError("get session", session.error()));
    co_return co_await Consider(*session);
}

// A webhook's news is outside data that only the webhook's path secret vouches for, so it is used
// as it is only where a forgery does little harm: "still waiting", and "ready" on the deployment
// the POST answer named (Edgegap's own word, over TLS), which spares the session read. A failure,
// or readiness on any other deployment, is checked with Edgegap first: a forger who knows a session
// id cannot fail its request, and must also know its deployment's request id (which players never
// see) to hand the player another address.
asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Request::Heard(const edgegap::Session& news) {
    const bool failed =
        news.state == edgegap::SessionState::kError || news.state == edgegap::SessionState::kUnprocessable;
    const bool vouched = !created_request_id_.empty() && news.deployment_request_id == created_request_id_;
    if (failed || (news.ready && !vouched)) co_return co_await Poll();
    co_return co_await Consider(news);
}

// What a session body means for the wait: nothing while it is still on its way, else the final step.
asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Request::Consider(const edgegap::Session& session) {
    Report(session);
    if (session.state == edgegap::SessionState::kError || session.state == edgegap::SessionState::kUnprocessable) {
        const std::string why = session.error.empty() ? session.status : session.error;
        co_return tl::unexpected(Failure{502, "the game server could not be started, try again", "edgegap_error",
                                         fmt::format("Edgegap session {}: {}", session_id_, why)});
    }
    if (!session.ready) co_return std::nullopt;
    auto deployment = co_await ReadyDeployment(session);
    co_return deployment;
}

// A ready session normally embeds its deployment; when it does not, the status endpoint has it,
// found by the session's request id or else the one the POST answered with.
asio::awaitable<Step<edgegap::DeploymentStatus>> Request::ReadyDeployment(const edgegap::Session& session) {
    if (session.deployment && !session.deployment->public_ip.empty()) co_return *session.deployment;
    const std::string& request_id =
        session.deployment_request_id.empty() ? created_request_id_ : session.deployment_request_id;
    if (request_id.empty()) {
        co_return tl::unexpected(
            Failure{502, "Edgegap reported the session ready without a deployment", "edgegap_error"});
    }
    auto status = co_await ctx_.api.GetDeploymentStatus(request_id);
    ctx_.metrics.CountEdgegapCall("get_deployment_status", status ? 200 : edgegap::Details(status.error()).http_status);
    if (!status) co_return tl::unexpected(FromApiError("deployment status", status.error()));
    co_return *status;
}

asio::awaitable<Step<protocol::SessionReady>> Request::Issue(const edgegap::DeploymentStatus& deployment) {
    auto endpoint = PickGameEndpoint(deployment, config_.game_port_name);
    if (!endpoint) co_return tl::unexpected(Failure{502, endpoint.error().message(), "edgegap_error"});
    auto digest = co_await RetryBus([&] { return ctx_.book.CertDigest(endpoint->ip); }, ctx_.aborting);
    if (!digest) co_return tl::unexpected(Internal(digest.error()));
    const std::uint64_t client_id = NewClientId();
    const TokenSettings settings{config_.protocol_id, config_.private_key, config_.token_expire_seconds,
                                 config_.token_timeout_seconds};
    auto token = MintToken(settings, *endpoint, client_id, ctx_.clock.UnixSeconds());
    if (!token) co_return tl::unexpected(Internal(token.error()));
    // The deployment is recorded with the mapping: a game server's join is accepted only on it.
    auto mapped = co_await RetryBus(
        [&] { return ctx_.book.RecordMapping(session_id_, client_id, deployment.request_id); }, ctx_.aborting);
    if (!mapped) co_return tl::unexpected(Internal(mapped.error()));
    // Restart the reaper's clock: from now on the record's age is measured from the token's issue.
    auto refreshed = co_await RetryBus([&] { return ctx_.book.RecordUnclaimed(session_id_); }, ctx_.aborting);
    if (!refreshed) co_return tl::unexpected(Internal(refreshed.error()));
    co_return protocol::SessionReady{std::move(*token), endpoint->ip, endpoint->port, std::move(*digest)};
}

// A change is reported at once; an unchanged status is left to the heartbeat.
void Request::Report(const edgegap::Session& session) {
    if (session.status == replies_->status) return;
    replies_->status = session.status;
    Send(protocol::ProgressReport{fmt::format("{} ({:.1f}s)", session.status, Elapsed())});
}

void Request::Send(const protocol::MatchReply& reply) { replies_->Send(reply); }

void Request::Finish(const Step<protocol::SessionReady>& result) {
    // A failed enqueue is kept in memory and retried by the reaper pass (leak path (c): the
    // unclaimed record may be missing too, so nothing else would find the session).
    if (!result && !session_id_.empty()) ctx_.book.EnqueueDeleteOrKeep(session_id_, result.error().outcome);
    if (result) {
        Send(*result);
    } else {
        Send(protocol::MatchError{result.error().code, result.error().message});
    }
    replies_->finished = true;
    replies_->timer.cancel();
    if (auto ended = ctx_.bus.EndStream(replies_->message); !ended) {
        GAPKIT_LOG_WARN("matchmaker", "ending the reply stream failed: {}", ended.error().ToString());
    }
    const std::string outcome = result ? "ready" : result.error().outcome;
    const double total = Elapsed();
    ctx_.metrics.CountRequest(outcome, total);
    std::string error;
    if (!result) {
        error = fmt::format(" error=\"{}\"", result.error().message);
        if (!result.error().detail.empty()) error += fmt::format(" detail=\"{}\"", result.error().detail);
    }
    GAPKIT_LOG_INFO("matchmaker",
                    "request client_ip={} session={} outcome={} code={} created_s={:.3f} total_s={:.3f}{}",
                    replies_->label, session_id_.empty() ? "-" : session_id_, outcome,
                    result ? 200 : result.error().code, created_seconds_, total, error);
}

}  // namespace

asio::awaitable<void> RunRequest(RequestContext& context, bus::Message message) {
    // GCC 12 miscompiles co_await inside an argument list: the executor is a named local first.
    auto executor = co_await asio::this_coro::executor;
    Request request(context, std::move(message), executor);
    co_await request.Run();
}

}  // namespace gapkit::matchmaker
