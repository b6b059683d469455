#include "readiness.hpp"

#include <algorithm>
#include <exception>

#include <fmt/core.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "gapkit/common/log.hpp"
#include "request.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
using Outcome = std::optional<Step<edgegap::DeploymentStatus>>;

// With webhooks the wait is for Edgegap's word instead of polling, and polls only after this long
// without news: a webhook can be lost (httpd down, Edgegap does not retry), and Edgegap documents a
// webhook when a session is linked, not when its deployment becomes ready. One poll per 5 s at
// worst is under half the polling schedule's rate; a webhook on time costs no call at all.
constexpr auto kWebhookSilence = std::chrono::seconds(5);

bool Failed(const edgegap::Session& session) {
    return session.state == edgegap::SessionState::kError || session.state == edgegap::SessionState::kUnprocessable;
}

}  // namespace

Readiness::Readiness(RequestContext& context, edgegap::CreatedSession created, common::Clock::SteadyTime created_at)
    : ctx_(context), created_(std::move(created)), created_at_(created_at) {}

void Readiness::Start(asio::any_io_executor strand) { asio::co_spawn(strand, Run(), asio::detached); }

void Readiness::Join(StatusHandler on_status, std::shared_ptr<Waiter> waiter) {
    std::lock_guard lock(mutex_);
    if (!status_.empty()) on_status(status_);
    if (result_) {
        waiter->Wake(waiter);
        return;
    }
    members_.push_back({std::move(on_status), std::move(waiter)});
}

std::optional<Step<edgegap::DeploymentStatus>> Readiness::Result() const {
    std::lock_guard lock(mutex_);
    return result_;
}

asio::awaitable<void> Readiness::Run() {
    // Registered before anything is awaited, so that news arriving from here on reaches it (news
    // that overtook the POST answer is kept for it by the registry).
    auto executor = co_await asio::this_coro::executor;  // Not in an argument list: see RunRequest.
    auto waiter = std::make_shared<Waiter>(executor);
    Step<edgegap::DeploymentStatus> result;
    {
        WaiterScope scope(ctx_.waiters, created_.session_id, waiter);
        try {
            result = co_await WaitUntilReady(*waiter);
        } catch (const std::exception& error) {
            // A bug or an allocation failure still ends every player's wait.
            result = tl::unexpected(InternalFailure(common::Error(common::ErrorCode::kInternal, error.what())));
        }
    }
    Finish(std::move(result));
}

// Without webhooks: a poll at once, then on the back-off schedule. With webhooks: the webhook's
// news, and a poll only after `kWebhookSilence` without any.
asio::awaitable<Step<edgegap::DeploymentStatus>> Readiness::WaitUntilReady(Waiter& waiter) {
    const MatchmakerConfig& config = ctx_.config;
    const bool webhooks = !config.webhook_url.empty();
    const auto deadline = created_at_ + std::chrono::seconds(config.readiness_timeout_seconds);
    std::chrono::nanoseconds delay = std::chrono::milliseconds(config.poll_initial_ms);
    for (bool poll = !webhooks;; poll = true) {
        if (ctx_.aborting) co_return tl::unexpected(Failure{503, "matchmaker is shutting down", "shutting_down"});
        Outcome done;
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
        delay = std::min<std::chrono::nanoseconds>(delay * 2, std::chrono::milliseconds(config.poll_max_ms));
    }
}

// One readiness check: nothing while the session is still on its way, else the final step.
asio::awaitable<Outcome> Readiness::Poll() {
    auto session = co_await ctx_.api.GetSession(created_.session_id);
    ctx_.metrics.CountEdgegapCall("get_session", session);
    if (!session) co_return tl::unexpected(FromApiError("get session", session.error()));
    co_return co_await Consider(*session);
}

// A webhook's news is outside data that only the webhook's path secret vouches for, so it is used
// as it is only where a forgery does little harm: "still waiting", and "ready" on the deployment
// the POST answer named (Edgegap's own word, over TLS), which spares the session read. A failure,
// or readiness on any other deployment, is checked with Edgegap first: a forger who knows a session
// id cannot fail its players, and must also know its deployment's request id (which players never
// see) to hand them another address.
asio::awaitable<Outcome> Readiness::Heard(const edgegap::Session& news) {
    const std::string& created_request_id = created_.deployment_request_id;
    const bool vouched = !created_request_id.empty() && news.deployment_request_id == created_request_id;
    if (Failed(news) || (news.ready && !vouched)) co_return co_await Poll();
    co_return co_await Consider(news);
}

// What a session body means for the wait: nothing while it is still on its way, else the final step.
asio::awaitable<Outcome> Readiness::Consider(const edgegap::Session& session) {
    // A final status is not reported: the answer that follows says it (a ProgressReport "Ready"
    // right before SessionReady would cost every process on the path one more message).
    if (!Failed(session) && !session.ready) Report(session.status);
    if (Failed(session)) {
        const std::string why = session.error.empty() ? session.status : session.error;
        co_return tl::unexpected(Failure{502, "the game server could not be started, try again", "edgegap_error",
                                         fmt::format("Edgegap session {}: {}", created_.session_id, why)});
    }
    if (!session.ready) co_return std::nullopt;
    co_return co_await ReadyDeployment(session);
}

// A ready session normally embeds its deployment; when it does not, the status endpoint has it,
// found by the session's request id or else the one the POST answered with.
asio::awaitable<Step<edgegap::DeploymentStatus>> Readiness::ReadyDeployment(const edgegap::Session& session) {
    if (session.deployment && !session.deployment->public_ip.empty()) co_return *session.deployment;
    const std::string& request_id =
        session.deployment_request_id.empty() ? created_.deployment_request_id : session.deployment_request_id;
    if (request_id.empty()) {
        co_return tl::unexpected(
            Failure{502, "Edgegap reported the session ready without a deployment", "edgegap_error"});
    }
    auto status = co_await ctx_.api.GetDeploymentStatus(request_id);
    ctx_.metrics.CountEdgegapCall("get_deployment_status", status);
    if (!status) co_return tl::unexpected(FromApiError("deployment status", status.error()));
    co_return *status;
}

// A change is reported at once; an unchanged status is left to each player's heartbeat.
void Readiness::Report(const std::string& status) {
    std::lock_guard lock(mutex_);
    if (status == status_) return;
    status_ = status;
    for (const Member& member : members_) member.on_status(status_);
}

void Readiness::Finish(Step<edgegap::DeploymentStatus> result) {
    std::lock_guard lock(mutex_);
    result_ = std::move(result);
    for (const Member& member : members_) member.waiter->Wake(member.waiter);
    members_.clear();
}

}  // namespace gapkit::matchmaker
