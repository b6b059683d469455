#pragma once

// Facts the matchmaker has not confirmed yet (a player's `left`, the certificate digest), sent
// again with back-off until it accepts or refuses them, or the policy gives up. The game thread
// owns the schedule and is never blocked: each attempt is one job on the worker, and its answer
// comes back as a completion inside `GameServer::Update`. Nothing sleeps on the worker, so joins
// are never queued behind a retry.
//
// Threads: game thread only (the `Send` functions run on the worker).

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "gapkit/common/result.hpp"
#include "worker.hpp"

namespace gapkit::server {

struct RetryPolicy {
    int max_attempts = 0;              ///< 0: until accepted, refused or `Finish`.
    double first_delay_seconds = 1.0;  ///< Wait after the first failure; doubles per failure.
    double max_delay_seconds = 30.0;   ///< Longest wait between two attempts.
};

/// A player's `left`: 6 attempts over about 30 s (0, 1, 3, 7, 15, 31 s).
inline constexpr RetryPolicy kLeftRetryPolicy{6, 1.0, 16.0};
/// The certificate digest: until accepted or refused (the matchmaker may start after the server),
/// at most every 30 s.
inline constexpr RetryPolicy kDigestRetryPolicy{0, 1.0, 30.0};

class PendingFacts {
  public:
    /// Runs on the worker: sends the fact once. `kPermissionDenied` (refused) and
    /// `kInvalidArgument` end the retries; any other error schedules another attempt.
    using Send = std::function<common::Status()>;

    /// `worker` must outlive this object's use (it may be constructed later).
    explicit PendingFacts(Worker& worker) : worker_(worker) {}

    /// Sends a fact now and keeps it until it is answered for good. After `Finish` it gets this one
    /// attempt only. `what` names it in logs ("left of session X").
    void Add(std::string what, Send send, RetryPolicy policy);

    /// Sends every fact whose time has come. Call once per tick.
    void SendDue(double now_seconds);

    /// Shutting down: every waiting fact gets one last attempt now; failures are logged and
    /// dropped. The caller then drains the worker.
    void Finish();

    /// Facts not yet accepted or given up (for tests and logs).
    std::size_t size() const { return facts_.size(); }

  private:
    struct Fact {
        std::string what;
        Send send;
        RetryPolicy policy;
        int attempts = 0;
        double due_seconds = 0;
        bool in_flight = false;
    };

    void Post(std::uint64_t id, Fact& fact);
    void OnAnswer(std::uint64_t id, const common::Status& answer);

    Worker& worker_;
    std::map<std::uint64_t, Fact> facts_;
    std::uint64_t next_id_ = 0;
    double now_seconds_ = 0;  // The latest tick's time: answers are scheduled from it.
    bool finishing_ = false;
};

}  // namespace gapkit::server
