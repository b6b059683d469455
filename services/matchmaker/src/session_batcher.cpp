#include "session_batcher.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gapkit/common/log.hpp"
#include "request.hpp"
#include "seat.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

SessionBatcher::SessionBatcher(RequestContext& context, const edgegap::RateLimiter* limiter,
                               asio::any_io_executor executor)
    : ctx_(context), limiter_(limiter), executor_(executor), strand_(asio::make_strand(executor)) {}

asio::awaitable<Step<Placement>> SessionBatcher::Place(std::string ip) {
    auto executor = co_await asio::this_coro::executor;  // Not in an argument list: see RunRequest.
    bool start_creator = false;
    std::shared_ptr<Slot> slot = Queue(ip, executor, start_creator);
    // Outside the lock: co_spawn may run the creator at once on this thread, and it takes the lock.
    if (start_creator) asio::co_spawn(strand_, RunCreator(), asio::detached);
    if (!slot) co_return co_await CreateAlone(std::move(ip));
    for (;;) {
        if (auto result = TakeResult(*slot)) co_return std::move(*result);
        co_await slot->waiter->Sleep(std::chrono::hours(1));
    }
}

std::shared_ptr<SessionBatcher::Slot> SessionBatcher::Queue(const std::string& ip, asio::any_io_executor executor,
                                                            bool& start_creator) {
    std::lock_guard lock(mutex_);
    // While a queue exists every newcomer joins it, so that nobody overtakes the waiting.
    if (max_players_ <= 1 || (forming_.empty() && BudgetWait().count() == 0)) return nullptr;
    auto slot = std::make_shared<Slot>(Slot{ip, std::make_shared<Waiter>(std::move(executor)), std::nullopt});
    Enqueue(slot);
    start_creator = !std::exchange(creator_running_, true);
    return slot;
}

std::optional<Step<Placement>> SessionBatcher::TakeResult(Slot& slot) {
    std::lock_guard lock(mutex_);
    return std::exchange(slot.result, std::nullopt);
}

asio::awaitable<Step<Placement>> SessionBatcher::CreateAlone(std::string ip) {
    // A named vector: GCC 12 fails on a braced list inside a co_await's argument list.
    std::vector<std::string> ips{std::move(ip)};
    auto created = co_await Create(std::move(ips));
    if (!created) co_return tl::unexpected(FromApiError("create session", created.error()));
    std::string seat_id = SeatId(created->session_id, "");
    co_return Placement{StartReadiness(std::move(*created)), std::move(seat_id)};
}

// The oldest batch goes out once the budget's wait for a call has passed, then the creator gives
// the bucket one token's time before it looks again: the create just started takes its token only
// once it runs (burst tokens are thus spent one interval apart, which a surge, bound by the rate
// anyway, does not notice). Like the client's own `Reserve`, a wait once waited is not asked
// again, so a clock that does not move (a test's) cannot hold batches forever.
asio::awaitable<void> SessionBatcher::RunCreator() {
    asio::steady_timer timer(strand_);
    for (;;) {
        if (const auto wait = BudgetWait(); wait.count() > 0) {
            timer.expires_after(wait);
            auto [ignored] = co_await timer.async_wait(kUseTuple);
            (void)ignored;
        }
        std::optional<Batch> batch = NextBatch();
        if (!batch) co_return;
        asio::co_spawn(strand_, CreateBatch(std::move(*batch)), asio::detached);
        timer.expires_after(TokenInterval());
        auto [ignored] = co_await timer.async_wait(kUseTuple);
        (void)ignored;
    }
}

std::optional<SessionBatcher::Batch> SessionBatcher::NextBatch() {
    std::lock_guard lock(mutex_);
    if (ctx_.aborting) {
        for (const Batch& waiting : forming_) {
            for (const auto& slot : waiting) {
                slot->result = tl::unexpected(Failure{503, "matchmaker is shutting down", "shutting_down"});
                slot->waiter->Wake(slot->waiter);
            }
        }
        forming_.clear();
    }
    if (forming_.empty()) {
        creator_running_ = false;
        return std::nullopt;
    }
    Batch batch = std::move(forming_.front());
    forming_.pop_front();
    return batch;
}

asio::awaitable<void> SessionBatcher::CreateBatch(Batch batch) {
    std::vector<std::string> ips;
    ips.reserve(batch.size());
    for (const auto& slot : batch) ips.push_back(slot->ip);
    auto created = co_await Create(std::move(ips));
    if (!created) {
        const Failure failure = FromApiError("create session", created.error());
        Settle(batch, [&](const Slot&) -> Step<Placement> { return tl::unexpected(failure); });
        co_return;
    }
    const bool shared = batch.size() > 1;
    if (shared) {
        ctx_.metrics.shared_sessions.Increment();
        ctx_.metrics.batched_players.Increment(batch.size());
        GAPKIT_LOG_DEBUG("matchmaker", "session {} shared by {} players", created->session_id, batch.size());
    }
    const std::string session_id = created->session_id;
    auto readiness = StartReadiness(std::move(*created));
    Settle(batch, [&](const Slot& slot) -> Step<Placement> {
        return Placement{readiness, SeatId(session_id, shared ? slot.ip : "")};
    });
}

asio::awaitable<common::Result<edgegap::CreatedSession>> SessionBatcher::Create(std::vector<std::string> ips) {
    const MatchmakerConfig& config = ctx_.config;
    edgegap::SessionRequest request;
    request.app_name = config.app_name;
    request.version_name = config.app_version;
    request.ip_list = std::move(ips);
    if (!config.webhook_url.empty()) request.webhook_url = config.webhook_url;
    auto created = co_await ctx_.api.CreateSession(std::move(request));
    ctx_.metrics.CountEdgegapCall("create_session", created);
    co_return created;
}

// The readiness timeout runs from the POST's answer: a create that waited for the budget in the
// client's queue must not be made and then given up at once (two calls for nothing).
std::shared_ptr<Readiness> SessionBatcher::StartReadiness(edgegap::CreatedSession created) {
    auto readiness = std::make_shared<Readiness>(ctx_, std::move(created), ctx_.clock.Now());
    readiness->Start(asio::make_strand(executor_));
    return readiness;
}

// The oldest batch with room and without this IP (Edgegap tells a session's players apart by IP
// only: removing one of two equal IPs could remove both), else a new batch at the back.
void SessionBatcher::Enqueue(const std::shared_ptr<Slot>& slot) {
    const auto max_players = static_cast<std::size_t>(max_players_.load());
    for (Batch& batch : forming_) {
        const bool has_ip =
            std::any_of(batch.begin(), batch.end(), [&](const auto& other) { return other->ip == slot->ip; });
        if (batch.size() < max_players && !has_ip) {
            batch.push_back(slot);
            return;
        }
    }
    forming_.push_back(Batch{slot});
}

void SessionBatcher::Settle(const Batch& batch, const std::function<Step<Placement>(const Slot&)>& result) {
    std::lock_guard lock(mutex_);
    for (const auto& slot : batch) {
        slot->result = result(*slot);
        slot->waiter->Wake(slot->waiter);
    }
}

std::chrono::nanoseconds SessionBatcher::BudgetWait() const {
    return limiter_ == nullptr ? std::chrono::nanoseconds(0) : limiter_->WaitFor(edgegap::EndpointClass::kSessions);
}

std::chrono::nanoseconds SessionBatcher::TokenInterval() const {
    if (limiter_ == nullptr) return std::chrono::nanoseconds(0);
    const edgegap::RateLimit limit = limiter_->limits().sessions;
    if (limit.unlimited || limit.requests_per_second <= 0) return std::chrono::nanoseconds(0);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(1.0 / limit.requests_per_second));
}

}  // namespace gapkit::matchmaker
