#pragma once

/// @file
/// `Service`: a whole gapkit-matchmaker: an io_context with `config.threads` threads, the Edgegap
/// client, the session book, the request subscription on `matchmaker.request.<app>.<version>`
/// (queue group `matchmaker`), the webhook subscription on `matchmaker.webhooks.session` (every
/// matchmaker), the game servers' facts on `gameserver.*.{join,left,cert_digest}` (queue group
/// `matchmaker`, server_facts.hpp), the cleanup threads, the reconciler (reconciler.hpp), the
/// metrics listener and its beat in the `matchmakers` bucket (presence.hpp).
///
/// NATS callbacks only post into the io_context: each request runs as a coroutine on its own strand
/// (request.hpp). Webhook bodies are parsed on the NATS thread and only wake the waiting request.
///
/// Threads: `Start`, `Shutdown` and the destructor from one owner thread, never from a bus handler
/// or an io thread. Ownership: the service borrows the bus connection, the clock and (when given)
/// the Edgegap API; all must outlive it.

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config.hpp"
#include "reconciler.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/metrics.hpp"
#include "gapkit/edgegap/api.hpp"

namespace gapkit::matchmaker {

struct ServiceDeps {
    bus::Connection* bus = nullptr;               ///< Required.
    const common::Clock* clock = nullptr;         ///< Null: the system clock.
    edgegap::EdgegapApi* api = nullptr;           ///< Null: an HttpEdgegapClient built from the config.
    common::MetricsRegistry* registry = nullptr;  ///< Null: the service's own.
};

class Service {
  public:
    /// Validates `config`, opens the buckets and queue, subscribes and starts every thread.
    /// Errors name the part that failed; nothing is left running on failure.
    static common::Result<std::unique_ptr<Service>> Start(MatchmakerConfig config, ServiceDeps deps);

    ~Service();  ///< `Shutdown(0 s grace)` if not done yet.
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Graceful stop: stop taking requests, let in-flight ones finish for `grace`, then fail the rest
    /// with Error 503 (their sessions are queued for deletion), stop cleanup and the metrics
    /// listener, and join the threads. Idempotent.
    void Shutdown(std::chrono::milliseconds grace);

    /// Port of the metrics listener (0 when off).
    std::uint16_t metrics_port() const;

    /// Requests being worked on now.
    int in_flight() const;

    /// Runs one reaper pass now; returns the sessions this pass enqueued.
    common::Result<int> ReapOnce();

    /// Runs one reconciler pass now (reconciler.hpp); fails when `reconcile_interval_seconds` is 0.
    common::Result<ReconcileReport> ReconcileOnce();

    struct State;

  private:
    explicit Service(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace gapkit::matchmaker
