#include "request.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <boost/asio/this_coro.hpp>
#include <tl/expected.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "token.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
using edgegap::ApiErrorCategory;
using Seconds = std::chrono::duration<double>;

// An unchanged status is still reported this often, so the requester's idle timeout (the bus
// stream's, httpd's) never fires while Edgegap is slow.
constexpr double kProgressHeartbeatSeconds = 5.0;

/// A final failure: the reply's code and message, and the outcome label for logs and metrics.
struct Failure {
    int code = 500;
    std::string message;
    std::string outcome = "internal";
};

template <typename T>
using Step = tl::expected<T, Failure>;

Failure Internal(const common::Error& error) {
    GAPKIT_LOG_ERROR("matchmaker", "internal failure: {}", error.ToString());
    return {500, "internal matchmaker error", "internal"};
}

Failure FromApiError(std::string_view endpoint, const edgegap::ApiError& error) {
    if (error.category == ApiErrorCategory::kRateLimited) {
        return {429, "Edgegap is rate limiting requests, try again later", "rate_limited"};
    }
    return {502, fmt::format("Edgegap {} failed: {}", endpoint, error.ToString()), "edgegap_error"};
}

/// Counts one session-creation slot for as long as it lives; empty when the cap is reached.
class CreationSlot {
  public:
    CreationSlot(std::atomic<int>& counter, int cap) : counter_(counter) {
        held_ = counter_.fetch_add(1) < cap;
        if (!held_) counter_.fetch_sub(1);
    }
    ~CreationSlot() {
        if (held_) counter_.fetch_sub(1);
    }
    CreationSlot(const CreationSlot&) = delete;
    CreationSlot& operator=(const CreationSlot&) = delete;
    explicit operator bool() const { return held_; }

  private:
    std::atomic<int>& counter_;
    bool held_ = false;
};

class Request {
  public:
    Request(RequestContext& context, bus::Message message)
        : ctx_(context), config_(context.config), message_(std::move(message)), started_(context.clock.Now()) {}

    asio::awaitable<void> Run();

  private:
    asio::awaitable<Step<protocol::SessionReady>> Lifecycle();
    asio::awaitable<Step<std::string>> CreateSession(const protocol::MatchRequest& request);
    asio::awaitable<Step<edgegap::DeploymentStatus>> WaitUntilReady();
    asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Poll();
    asio::awaitable<Step<edgegap::DeploymentStatus>> ReadyDeployment(const edgegap::Session& session);
    Step<protocol::SessionReady> Issue(const edgegap::DeploymentStatus& deployment);
    void Report(const edgegap::Session& session);
    void Send(const protocol::MatchReply& reply);
    void Finish(const Step<protocol::SessionReady>& result);
    double Elapsed() const { return Seconds(ctx_.clock.Now() - started_).count(); }

    RequestContext& ctx_;
    const MatchmakerConfig& config_;
    const bus::Message message_;
    const common::Clock::SteadyTime started_;
    std::string label_ = "?";  // "<client ip>" once parsed, for the log line.
    std::string session_id_;   // Set once Edgegap created the session.
    std::string last_status_;
    double last_report_seconds_ = 0;
    double created_seconds_ = 0;
};

asio::awaitable<void> Request::Run() {
    Step<protocol::SessionReady> result;
    try {
        result = co_await Lifecycle();
    } catch (const std::exception& error) {
        // The one top-level catch: a bug or an allocation failure still gets the player an answer
        // and the session its deletion.
        result = tl::unexpected(Internal(common::Error(common::ErrorCode::kInternal, error.what())));
    }
    Finish(result);
    ctx_.in_flight.fetch_sub(1);
    ctx_.metrics.in_flight.Add(-1);
}

asio::awaitable<Step<protocol::SessionReady>> Request::Lifecycle() {
    auto parsed = protocol::ParseMatchRequest(message_.data);
    if (!parsed) co_return tl::unexpected(Failure{400, parsed.error().message(), "bad_request"});
    if (!parsed->client_ip) co_return tl::unexpected(Failure{400, "client_ip is required", "bad_request"});
    label_ = *parsed->client_ip;
    if (ctx_.draining)
        co_return tl::unexpected(Failure{503, "matchmaker is shutting down, try again", "shutting_down"});
    CreationSlot slot(ctx_.sessions_in_creation, config_.max_concurrent_sessions);
    if (!slot) {
        co_return tl::unexpected(Failure{503, "too many game sessions are being created, try again later", "busy"});
    }
    Send(protocol::Acknowledged{});
    auto created = co_await CreateSession(*parsed);
    if (!created) co_return tl::unexpected(created.error());
    session_id_ = *created;
    created_seconds_ = Elapsed();
    if (auto recorded = ctx_.book.RecordUnclaimed(session_id_); !recorded) {
        co_return tl::unexpected(Internal(recorded.error()));
    }
    Send(protocol::SessionRequestAccepted{session_id_});
    auto deployment = co_await WaitUntilReady();
    if (!deployment) co_return tl::unexpected(deployment.error());
    co_return Issue(*deployment);
}

asio::awaitable<Step<std::string>> Request::CreateSession(const protocol::MatchRequest& request) {
    edgegap::SessionRequest session_request;
    session_request.app_name = config_.app_name;
    session_request.version_name = config_.app_version;
    session_request.ip_list = {*request.client_ip};
    if (!config_.webhook_url.empty()) session_request.webhook_url = config_.webhook_url;
    auto created = co_await ctx_.api.CreateSession(session_request);
    ctx_.metrics.CountEdgegapCall("create_session", created ? 200 : created.error().http_status);
    if (!created) co_return tl::unexpected(FromApiError("create session", created.error()));
    co_return created->session_id;
}

asio::awaitable<Step<edgegap::DeploymentStatus>> Request::WaitUntilReady() {
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor);
    WaiterScope scope(ctx_.waiters, session_id_, waiter);
    const auto deadline = started_ + std::chrono::seconds(config_.readiness_timeout_seconds);
    std::chrono::nanoseconds delay = std::chrono::milliseconds(config_.poll_initial_ms);
    for (;;) {
        if (ctx_.aborting) co_return tl::unexpected(Failure{503, "matchmaker is shutting down", "shutting_down"});
        auto polled = co_await Poll();
        if (polled) co_return std::move(*polled);
        const auto now = ctx_.clock.Now();
        if (now >= deadline) co_return tl::unexpected(Failure{408, "session still not ready, timed out.", "timeout"});
        const std::chrono::nanoseconds sleep = std::min<std::chrono::nanoseconds>(delay, deadline - now);
        co_await waiter->Sleep(sleep);
        delay = std::min<std::chrono::nanoseconds>(delay * 2, std::chrono::milliseconds(config_.poll_max_ms));
    }
}

// One readiness check: nothing while the session is still on its way, else the final step.
asio::awaitable<std::optional<Step<edgegap::DeploymentStatus>>> Request::Poll() {
    auto session = co_await ctx_.api.GetSession(session_id_);
    ctx_.metrics.CountEdgegapCall("get_session", session ? 200 : session.error().http_status);
    if (!session) co_return tl::unexpected(FromApiError("get session", session.error()));
    Report(*session);
    if (session->state == edgegap::SessionState::kError || session->state == edgegap::SessionState::kUnprocessable) {
        const std::string why = session->error.empty() ? session->status : session->error;
        co_return tl::unexpected(
            Failure{502, fmt::format("Edgegap could not start the game server: {}", why), "edgegap_error"});
    }
    if (!session->ready) co_return std::nullopt;
    auto deployment = co_await ReadyDeployment(*session);
    co_return deployment;
}

// A ready session normally embeds its deployment; when it does not, the status endpoint has it.
asio::awaitable<Step<edgegap::DeploymentStatus>> Request::ReadyDeployment(const edgegap::Session& session) {
    if (session.deployment && !session.deployment->public_ip.empty()) co_return *session.deployment;
    if (session.deployment_request_id.empty()) {
        co_return tl::unexpected(
            Failure{502, "Edgegap reported the session ready without a deployment", "edgegap_error"});
    }
    auto status = co_await ctx_.api.GetDeploymentStatus(session.deployment_request_id);
    ctx_.metrics.CountEdgegapCall("get_deployment_status", status ? 200 : status.error().http_status);
    if (!status) co_return tl::unexpected(FromApiError("deployment status", status.error()));
    co_return *status;
}

Step<protocol::SessionReady> Request::Issue(const edgegap::DeploymentStatus& deployment) {
    auto endpoint = PickGameEndpoint(deployment, config_.game_port_name);
    if (!endpoint) return tl::unexpected(Failure{502, endpoint.error().message(), "edgegap_error"});
    auto digest = ctx_.book.CertDigest(endpoint->ip);
    if (!digest) return tl::unexpected(Internal(digest.error()));
    const std::uint64_t client_id = NewClientId();
    const TokenSettings settings{config_.protocol_id, config_.private_key, config_.token_expire_seconds,
                                 config_.token_timeout_seconds};
    auto token = MintToken(settings, *endpoint, client_id, ctx_.clock.UnixSeconds());
    if (!token) return tl::unexpected(Internal(token.error()));
    if (auto mapped = ctx_.book.RecordMapping(session_id_, client_id); !mapped) {
        return tl::unexpected(Internal(mapped.error()));
    }
    // Restart the reaper's clock: from now on the record's age is measured from the token's issue.
    if (auto refreshed = ctx_.book.RecordUnclaimed(session_id_); !refreshed) {
        return tl::unexpected(Internal(refreshed.error()));
    }
    return protocol::SessionReady{std::move(*token), endpoint->ip, endpoint->port, std::move(*digest)};
}

void Request::Report(const edgegap::Session& session) {
    const double elapsed = Elapsed();
    if (session.status == last_status_ && elapsed - last_report_seconds_ < kProgressHeartbeatSeconds) return;
    last_status_ = session.status;
    last_report_seconds_ = elapsed;
    Send(protocol::ProgressReport{fmt::format("{} ({:.1f}s)", session.status, elapsed)});
}

void Request::Send(const protocol::MatchReply& reply) {
    if (auto sent = ctx_.bus.Respond(message_, protocol::SerializeMatchReply(reply)); !sent) {
        GAPKIT_LOG_WARN("matchmaker", "reply {} to {} failed: {}", protocol::ReplyName(reply), label_,
                        sent.error().ToString());
    }
}

void Request::Finish(const Step<protocol::SessionReady>& result) {
    if (!result && !session_id_.empty()) {
        if (auto queued = ctx_.book.EnqueueDelete(session_id_, result.error().outcome); !queued) {
            GAPKIT_LOG_ERROR("matchmaker", "session {} could not be queued for deletion (the reaper will retry): {}",
                             session_id_, queued.error().ToString());
        }
    }
    if (result) {
        Send(*result);
    } else {
        Send(protocol::MatchError{result.error().code, result.error().message});
    }
    if (auto ended = ctx_.bus.EndStream(message_); !ended) {
        GAPKIT_LOG_WARN("matchmaker", "ending the reply stream failed: {}", ended.error().ToString());
    }
    const std::string outcome = result ? "ready" : result.error().outcome;
    const double total = Elapsed();
    ctx_.metrics.CountRequest(outcome, total);
    GAPKIT_LOG_INFO("matchmaker",
                    "request client_ip={} session={} outcome={} code={} created_s={:.3f} total_s={:.3f}{}", label_,
                    session_id_.empty() ? "-" : session_id_, outcome, result ? 200 : result.error().code,
                    created_seconds_, total, result ? "" : fmt::format(" error=\"{}\"", result.error().message));
}

}  // namespace

asio::awaitable<void> RunRequest(RequestContext& context, bus::Message message) {
    Request request(context, std::move(message));
    co_await request.Run();
}

}  // namespace gapkit::matchmaker
