#pragma once

/// @file
/// How a gapkit program learns it should stop, and how long it may take to do so.
///
/// `StopSignals` blocks SIGINT and SIGTERM for the thread that creates it and for every thread
/// started after it, so no library thread (nats.c, Asio) ever runs a handler: the program asks
/// for the signal where it wants it, by waiting (`Wait`, services) or by polling once per tick
/// (`Requested`, game loops). Create it first thing in `main`, before any thread starts.
/// Child processes must reset their signal mask (posix_spawnattr_setsigmask), as edgegap-sim does.
///
/// `StopWithin` bounds a graceful shutdown: an in-flight request gets `grace` to finish, and a
/// shutdown that hangs anyway cannot keep the process alive past a supervisor's patience.
///
/// Threads: one `StopSignals` per process, used from the thread that created it.

#include <chrono>
#include <functional>

#include <signal.h>

#include "gapkit/service/program.hpp"

namespace gapkit::service {

class StopSignals {
  public:
    /// Blocks SIGINT and SIGTERM in the calling thread (and so in threads it starts later).
    StopSignals();
    /// Unblocks them again.
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    /// Blocks until SIGINT or SIGTERM arrives; returns its number.
    int Wait();

    /// True once SIGINT or SIGTERM has arrived (latched; never blocks). For loops that poll.
    bool Requested();

  private:
    sigset_t signals_{};
    sigset_t previous_{};
    bool requested_ = false;
};

/// Extra time past `grace` before `StopWithin` gives up on a shutdown. 5 s.
inline constexpr std::chrono::seconds kShutdownSlack{5};

/// Runs `stop`, a shutdown that gives in-flight work up to `grace`. If it has not returned after
/// `grace + kShutdownSlack`, logs an error and ends the process with `ExitCode::kFailure` without
/// running destructors (what is stuck is, by then, not going to unstick).
void StopWithin(const Program& program, std::chrono::seconds grace, const std::function<void()>& stop);

/// What a service's `Run` does once it serves: `signals.Wait()`, logs the signal and the grace,
/// then `StopWithin(program, grace, stop)`.
void WaitThenStop(StopSignals& signals, const Program& program, std::chrono::seconds grace,
                  const std::function<void()>& stop);

}  // namespace gapkit::service
