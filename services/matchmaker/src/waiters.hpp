#pragma once

/// @file
/// Requests waiting for their Edgegap session to become ready, by session id, so that a session
/// webhook relayed on the bus (`matchmaker.webhooks.session`) can wake the right one at once
/// instead of letting it sleep until its next poll.
///
/// Threads: `WaiterRegistry` may be used from any thread (NATS callbacks included). A `Waiter`'s
/// timer and flag belong to the request's strand; `Wake` reaches them only by posting there.
/// Ownership: the registry shares each waiter with its request until `Remove`.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gapkit::matchmaker {

/// One waiting request's sleep, which a webhook can cut short.
class Waiter {
  public:
    /// `strand` is the executor of the request's coroutine.
    explicit Waiter(boost::asio::any_io_executor strand) : timer_(std::move(strand)) {}

    /// Sleeps `delay`, or returns at once when woken since the last sleep or while sleeping.
    /// Strand only.
    boost::asio::awaitable<void> Sleep(std::chrono::nanoseconds delay);

    /// Marks the waiter woken and cuts its sleep short. Any thread (posts to the strand).
    void Wake(const std::shared_ptr<Waiter>& self);

  private:
    boost::asio::steady_timer timer_;
    bool woken_ = false;  // Strand only.
};

class WaiterRegistry {
  public:
    void Add(const std::string& session_id, std::shared_ptr<Waiter> waiter);
    void Remove(const std::string& session_id);

    /// Wakes the request waiting for `session_id`, if this process has one. Returns whether it did.
    bool Wake(const std::string& session_id);

    /// Wakes every waiting request (shutdown).
    void WakeAll();

  private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Waiter>> waiters_;  // Guarded by mutex_.
};

/// Registers a waiter for the lifetime of a scope.
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
