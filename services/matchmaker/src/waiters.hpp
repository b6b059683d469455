#pragma once

/// @file
/// Requests waiting for their Edgegap session to become ready, by session id, and the news a
/// session webhook relayed on the bus (`matchmaker.webhooks.session`) brings them: the webhook's
/// session body is handed to the waiting request, which wakes at once and may use it instead of
/// asking Edgegap (request.cpp says how far it trusts it).
///
/// A webhook can overtake the answer to the `POST /v1/session` that created its session: Edgegap
/// (and edgegap-sim) post "Ready" as soon as a free seat is linked, and the request learns the
/// session id only from that answer. News for a session nobody here waits for is therefore kept,
/// the newest `kMaxEarlyNews` of them and at most `kMaxEarlyNewsBytes` of webhook bodies, and
/// handed to a waiter added later for that id. Every matchmaker gets every webhook, so most kept
/// news is for a peer's sessions and is simply pushed out by newer news.
///
/// Threads: `WaiterRegistry` may be used from any thread (NATS callbacks included), except `Add`,
/// which runs on the strand of the waiter it adds. A `Waiter`'s timer, flag and news belong to the
/// request's strand; `Wake` reaches them only by posting there.
/// Ownership: the registry shares each waiter with its request until `Remove`.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gapkit/edgegap/types.hpp"

namespace gapkit::matchmaker {

/// News kept for sessions nobody waits for yet: at most this many, and at most this many bytes of
/// the webhook bodies they were parsed from (a body is ~1 KB; httpd admits up to 64 KB).
inline constexpr std::size_t kMaxEarlyNews = 1024;
inline constexpr std::size_t kMaxEarlyNewsBytes = 4 * 1024 * 1024;

/// Which of two bodies of the same session to keep: the newer, unless only the older one is final
/// (ready, `Error` or `Unprocessable`), since webhooks sent one after the other may arrive in
/// either order and a final state is never left for a waiting one.
edgegap::Session Newest(edgegap::Session older, edgegap::Session newer);

/// One waiting request's sleep, which a webhook can cut short, and the news it brought.
class Waiter {
  public:
    /// `strand` is the executor of the request's coroutine.
    explicit Waiter(boost::asio::any_io_executor strand) : timer_(std::move(strand)) {}

    /// Sleeps `delay`, or returns at once when woken since the last sleep or `TakeNews`, or while
    /// sleeping. Strand only.
    boost::asio::awaitable<void> Sleep(std::chrono::nanoseconds delay);

    /// Marks the waiter woken, keeps `news` (if any) and cuts its sleep short. Any thread (posts
    /// to the strand).
    void Wake(const std::shared_ptr<Waiter>& self, std::optional<edgegap::Session> news = std::nullopt);

    /// The news received since the last call, if any; taking it also consumes the wake-up it came
    /// with. Strand only.
    std::optional<edgegap::Session> TakeNews();

  private:
    friend class WaiterRegistry;
    void Keep(edgegap::Session news);  // Strand only.

    boost::asio::steady_timer timer_;
    bool woken_ = false;                    // Strand only.
    std::optional<edgegap::Session> news_;  // Strand only.
};

class WaiterRegistry {
  public:
    /// Registers `waiter` for `session_id` and hands it any news kept for that id. On the waiter's
    /// strand.
    void Add(const std::string& session_id, std::shared_ptr<Waiter> waiter);
    void Remove(const std::string& session_id);

    /// Hands `news` (a session webhook's body, `body_bytes` long before parsing) to the request
    /// waiting for its session and wakes it; without one here, keeps it for a waiter added later.
    /// Returns whether a waiter got it.
    bool Deliver(edgegap::Session news, std::size_t body_bytes);

    /// Wakes every waiting request (shutdown).
    void WakeAll();

    /// News kept for sessions nobody here waits for (for tests and metrics).
    std::size_t early_news() const;

  private:
    struct Early {
        edgegap::Session news;
        std::size_t body_bytes = 0;
    };
    void Keep(edgegap::Session news, std::size_t body_bytes);  // Holding mutex_.
    void EraseEarly(const std::string& session_id);            // Holding mutex_.

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Waiter>> waiters_;  // Guarded by mutex_.
    std::map<std::string, Early> early_;                      // Guarded by mutex_.
    std::size_t early_bytes_ = 0;                             // Guarded by mutex_.
    // Ids in `early_` oldest first, for eviction. An id whose news a waiter took stays until it is
    // pushed out; erasing it then is a no-op, or drops news that arrived after its request ended.
    std::deque<std::string> early_order_;  // Guarded by mutex_.
};

/// Registers a waiter for the lifetime of a scope. Constructed on the waiter's strand.
class WaiterScope {
  public:
    WaiterScope(WaiterRegistry& registry, std::string session_id, std::shared_ptr<Waiter> waiter)
        : registry_(registry), session_id_(std::move(session_id)) {
        registry_.Add(session_id_, std::move(waiter));
    }
    ~WaiterScope() { registry_.Remove(session_id_); }
    WaiterScope(const WaiterScope&) = delete;
    WaiterScope& operator=(const WaiterScope&) = delete;

  private:
    WaiterRegistry& registry_;
    std::string session_id_;
};

}  // namespace gapkit::matchmaker
