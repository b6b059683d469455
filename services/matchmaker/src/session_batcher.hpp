#pragma once

/// @file
/// `SessionBatcher`: gets each player an Edgegap session, alone while the sessions budget has room
/// and shared with other waiting players when it has not (issue 16, docs/matchmaker.md "Batching
/// under a surge").
///
/// A player who asks while a `POST /v1/session` would go out at once gets a session of its own
/// (seat id = session id, exactly as without batching). Otherwise the player joins the oldest
/// forming batch that has room and not yet its IP (players are told apart at Edgegap by IP), and
/// one creator sends each batch as one seat session (`ip_list` = the batch's IPs) as soon as the
/// budget allows, one batch per token. Every player of a batch gets its own seat id
/// (`<session id>/<ip>`, seat.hpp), client id and token; the session's readiness is waited for
/// once (readiness.hpp). A batch of one is a session of its own.
///
/// Threads: `Place` runs on the caller's strand; the creator runs on the batcher's own strand;
/// the state is guarded by a mutex. `SetMaxPlayers` from any thread.
/// Ownership: borrows the context and the limiter; both must outlive the batcher and every
/// request.

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "failure.hpp"
#include "gapkit/edgegap/rate_limiter.hpp"
#include "readiness.hpp"
#include "waiters.hpp"

namespace gapkit::matchmaker {

struct RequestContext;

/// Where a player's session is: its readiness (shared with the other players of the session) and
/// the player's seat id, the key of every record kept for the player.
struct Placement {
    std::shared_ptr<Readiness> readiness;
    std::string seat_id;
};

class SessionBatcher {
  public:
    /// `limiter` is the Edgegap client's (null: the budget is never short, so nothing is batched).
    /// `executor` (the service's io_context) runs the creator and the readiness waits, each on a
    /// strand of its own.
    SessionBatcher(RequestContext& context, const edgegap::RateLimiter* limiter, boost::asio::any_io_executor executor);

    /// Creates or joins the session of the player at `ip`.
    boost::asio::awaitable<Step<Placement>> Place(std::string ip);

    /// Most players one session takes (1: no batching). The service sets it from the config or the
    /// app version's seats per deployment.
    void SetMaxPlayers(int players) { max_players_ = players < 1 ? 1 : players; }
    int max_players() const { return max_players_; }

  private:
    struct Slot {
        std::string ip;
        std::shared_ptr<Waiter> waiter;
        std::optional<Step<Placement>> result;  // Guarded by the batcher's mutex_.
    };
    using Batch = std::vector<std::shared_ptr<Slot>>;

    boost::asio::awaitable<Step<Placement>> CreateAlone(std::string ip);
    // The player's slot in a batch, or null when it gets a session of its own. Sets
    // `start_creator` when the creator must be started.
    std::shared_ptr<Slot> Queue(const std::string& ip, boost::asio::any_io_executor executor, bool& start_creator);
    std::optional<Step<Placement>> TakeResult(Slot& slot);
    boost::asio::awaitable<void> RunCreator();
    // The oldest batch, or nothing when the queue is empty (the creator then stops).
    std::optional<Batch> NextBatch();
    boost::asio::awaitable<void> CreateBatch(Batch batch);
    boost::asio::awaitable<common::Result<edgegap::CreatedSession>> Create(std::vector<std::string> ips);
    std::shared_ptr<Readiness> StartReadiness(edgegap::CreatedSession created);
    void Enqueue(const std::shared_ptr<Slot>& slot);  // Holding mutex_.
    void Settle(const Batch& batch, const std::function<Step<Placement>(const Slot&)>& result);
    std::chrono::nanoseconds BudgetWait() const;
    std::chrono::nanoseconds TokenInterval() const;

    RequestContext& ctx_;
    const edgegap::RateLimiter* const limiter_;
    const boost::asio::any_io_executor executor_;
    const boost::asio::any_io_executor strand_;  // The creator's.
    std::atomic<int> max_players_{1};

    std::mutex mutex_;
    std::deque<Batch> forming_;     // Oldest first. Guarded by mutex_.
    bool creator_running_ = false;  // Guarded by mutex_.
};

}  // namespace gapkit::matchmaker
