#pragma once

/// @file
/// The matchmaker's background cleanup (docs/architecture.md section 2, steps 5-7), one thread each:
/// - watcher: follows `active_connections`; a put means the player arrived (the session leaves
///   `unclaimed_sessions`), a delete or purge means the player left (the session is enqueued for
///   deletion; if the bus refuses, it is kept in memory and retried by the reaper pass);
/// - reaper: every `reaper_interval_seconds`, enqueues again the deletions kept in memory
///   (`SessionBook::RetryKeptDeletes`), enqueues the deletion of sessions left unclaimed past
///   `MatchmakerConfig::UnclaimedMaxAgeSeconds()`, enqueues the deletion of sessions whose game
///   server stopped sending `alive` for `alive_ttl_seconds` ("server gone",
///   `SessionBook::SweepUnseen`) and refreshes the parked-deletions gauge;
/// - delete worker: pulls `edgegap_delete_session_q` through the durable consumer shared by all
///   matchmakers (each item goes to one of them), deletes the item's seat (`DeleteSeat`) and acks
///   on success or 404/410. A failure is retried with no delivery cap after `DeleteRetryDelay`
///   (doubling); once it has failed for `delete_park_after_seconds` the seat is parked in
///   `parked_deletions` (then the item is acked) for the reconciler or `RetryParkedOnce`.
/// `SessionBook::EnqueueDelete` claims each deletion, so a seat is enqueued once however many
/// matchmakers see it go.
///
/// Every record, queue item and parked entry is keyed by a seat id (seat.hpp): the session id for
/// a session of one player, `<session id>/<player ip>` for a player of a shared session. The
/// watcher and the reaper handle seat ids as opaque ids; only `DeleteSeat` tells them apart.
///
/// Threads: `Start` and `Stop` from one owner thread. The threads block on nats.c calls with short
/// timeouts, so `Stop` returns within about a second. Edgegap calls run on `executor` (the
/// service's io_context); the worker thread waits for each.
/// Ownership: borrows everything; all of it must outlive `Stop`.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "config.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/work_queue.hpp"
#include "gapkit/edgegap/api.hpp"
#include "metrics.hpp"
#include "session_book.hpp"

namespace gapkit::matchmaker {

/// Durable consumer name shared by every matchmaker's delete worker.
inline constexpr const char* kDeleteWorkerDurable = "matchmaker_delete_worker";

/// Delay before the next try of a delete that failed on its `delivery`-th delivery (1-based):
/// `delete_retry_seconds` doubled per earlier failure, at most `delete_retry_max_seconds`.
std::chrono::seconds DeleteRetryDelay(const MatchmakerConfig& config, std::uint64_t delivery);

/// True when a delete that failed on its `delivery`-th delivery has been retried for at least
/// `delete_park_after_seconds` (the sum of the delays before deliveries 2..`delivery`).
bool ShouldParkDelete(const MatchmakerConfig& config, std::uint64_t delivery);

/// What deleting one seat did at Edgegap.
enum class SeatDeletion {
    kSessionDeleted,  ///< The session was deleted: a solo seat, or the last player of a shared one.
    kSeatRemoved,     ///< The player left a shared session that still has users (the session stays).
    kAlreadyGone,     ///< 404 or 410: the session was already gone.
};

/// "deleted", "seat removed", "already gone".
std::string_view ToString(SeatDeletion deletion);

class Cleanup {
  public:
    Cleanup(const MatchmakerConfig& config, SessionBook& book, edgegap::EdgegapApi& api,
            boost::asio::any_io_executor executor, Metrics& metrics);
    ~Cleanup();  ///< Calls Stop().
    Cleanup(const Cleanup&) = delete;
    Cleanup& operator=(const Cleanup&) = delete;

    /// Starts the watch and the consumer, then the three threads. Errors name the bus object.
    common::Status Start();

    /// Stops and joins the threads. Idempotent.
    void Stop();

    /// Runs one reaper pass now (also what the reaper thread does): kept deletions, the liveness
    /// sweep (`SessionBook::SweepUnseen`), unclaimed sessions. Returns sessions enqueued.
    common::Result<int> ReapOnce();

    /// Tries `DeleteSeat` once for every parked seat; deleted, removed or gone ones are unparked.
    /// Returns how many were unparked. Any thread except the io_context's (it waits).
    common::Result<int> RetryParkedOnce();

    /// Deletes one seat (seat.hpp) at Edgegap, what the delete worker and `RetryParkedOnce` do for
    /// each seat. A solo seat: `DELETE /v1/session/<id>`. A shared seat: `DELETE
    /// /v1/session/<id>/users` with the player's IP, then, when no user remains, `DELETE
    /// /v1/session/<id>`. 404/410 on either is `kAlreadyGone`; any other failure is returned (the
    /// caller retries: both calls are idempotent in effect). Each call is counted in
    /// `gapkit_matchmaker_edgegap_calls_total` (`remove_session_users`, `delete_session`).
    /// `kInvalidArgument` for a seat id without a session id. Any thread except the io_context's.
    common::Result<SeatDeletion> DeleteSeat(const std::string& seat_id);

  private:
    void WatchLoop(bus::KeyWatcher watcher);
    void HandleConnectionEvent(const bus::KeyEntry& entry);
    void ReapLoop();
    void DeleteLoop(std::unique_ptr<bus::WorkConsumer> consumer);
    void HandleDeleteItem(bus::WorkItem& item);
    void RetryOrPark(bus::WorkItem& item, const common::Error& error);
    void RefreshParkedGauge();
    bool SleepUnlessStopped(std::chrono::milliseconds delay);

    // Constant after construction.
    const MatchmakerConfig& config_;
    SessionBook& book_;
    edgegap::EdgegapApi& api_;
    boost::asio::any_io_executor executor_;
    Metrics& metrics_;

    std::atomic<bool> stopping_{false};
    std::mutex mutex_;  // Wakes the reaper's sleep on Stop.
    std::condition_variable wake_;
    std::thread watcher_;
    std::thread reaper_;
    std::thread worker_;
};

}  // namespace gapkit::matchmaker
