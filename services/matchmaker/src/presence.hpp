#pragma once

/// @file
/// `Presence`: this matchmaker's beat in the `matchmakers` bucket (bus/names.hpp), so operators
/// (`gapctl status`) and peers can count the live matchmakers. Every `interval` (default
/// `kMatchmakerBeatInterval`, 5 s) it puts its key, the `EncodeIdToken` of its instance id, with a
/// small JSON value:
///
///     {"id":"mm-host-4242-1a2b3c4d","app":"spaceships","version":"1","host":"mm-host",
///      "pid":4242,"started_unix":1796550000}
///
/// The bucket's TTL (`kMatchmakerPresenceTtl`, 15 s) removes the key of a matchmaker that died;
/// `Stop` deletes it at once on a clean stop. A failed beat is logged (once until a beat succeeds
/// again) and retried at the next interval: presence never stops the matchmaker from serving.
///
/// After each beat that was put, it lists the bucket's keys and hands their count (the live
/// matchmakers, itself included, so at least 1) to the `LiveCountHandler` given to `Start`: the
/// shared Edgegap budget divides by it (edgegap_budget.hpp). A failed listing hands nothing (the
/// last count stands).
///
/// Threads: `Start` and `Stop` from the owner thread; the beats (and the handler: the first time
/// inside `Start`, then on the beat thread) run on a thread of their own; `live_matchmakers` from
/// any thread.
/// Ownership: owns its bucket handle (which keeps the connection alive).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::matchmaker {

/// What a matchmaker says about itself.
struct PresenceInfo {
    std::string id;       ///< Unique per process (the reconciler's holder id, `MakeHolderId`).
    std::string app;      ///< Edgegap app it serves.
    std::string version;  ///< Edgegap app version it serves.
    std::string host;     ///< Host name.
    std::int64_t pid = 0;
    std::int64_t started_unix = 0;  ///< When it started serving (unix seconds).
};

/// The JSON value above.
std::string SerializePresence(const PresenceInfo& info);

/// `info` with `host` and `pid` of this process filled in.
PresenceInfo WithThisProcess(PresenceInfo info);

/// Called with the number of live matchmakers (>= 1) after each counted beat.
using LiveCountHandler = std::function<void(int live_matchmakers)>;

class Presence {
  public:
    /// Opens (creates) the bucket, puts the first beat and starts the beat thread. Fails when the
    /// bucket cannot be opened or the id has no key; a failed first beat is only logged.
    static common::Result<std::unique_ptr<Presence>> Start(
        bus::Connection& connection, PresenceInfo info,
        std::chrono::milliseconds interval = bus::names::kMatchmakerBeatInterval, LiveCountHandler on_count = {});

    ~Presence();  ///< Calls Stop().
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    /// Stops the beats and deletes the key. Idempotent.
    void Stop();

    /// The key in the bucket.
    const std::string& key() const { return key_; }

    /// Live matchmakers at the last counted beat (0 before the first).
    int live_matchmakers() const { return live_matchmakers_.load(); }

  private:
    Presence(std::unique_ptr<bus::KeyValue> bucket, std::string key, std::string value,
             std::chrono::milliseconds interval, LiveCountHandler on_count);
    void Beat();
    void Count();
    void Loop();

    std::unique_ptr<bus::KeyValue> bucket_;
    const std::string key_;
    const std::string value_;
    const std::chrono::milliseconds interval_;
    const LiveCountHandler on_count_;
    bool failing_ = false;  // Beat thread (and Start before it runs).
    std::atomic<int> live_matchmakers_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // Guarded by mutex_.
    std::thread thread_;
};

}  // namespace gapkit::matchmaker
