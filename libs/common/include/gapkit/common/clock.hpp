#pragma once

/// @file
/// The clock interface that services take by reference, so tests can drive time by hand.
///
/// Game-facing libraries do not use this: they take `now` as a parameter of `Update`. Services
/// (matchmaker, httpd, edgegap-sim) hold a `const Clock&` and never read `std::chrono` clocks
/// directly.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gapkit::common {

/// A source of time. Implementations are thread-safe.
class Clock {
  public:
    using SteadyTime = std::chrono::steady_clock::time_point;
    using WallTime = std::chrono::system_clock::time_point;

    virtual ~Clock() = default;

    /// Monotonic time for timeouts and intervals.
    virtual SteadyTime Now() const = 0;

    /// Wall-clock time for anything that leaves the process (token expiry, timestamps).
    virtual WallTime WallNow() const = 0;

    /// Whole seconds since the Unix epoch of `WallNow()`.
    std::uint64_t UnixSeconds() const;
};

/// The real clocks. Use `SystemClock::Instance()`; it lives for the whole process.
class SystemClock final : public Clock {
  public:
    static const SystemClock& Instance();
    SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
    WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

/// A clock that moves only when told to. Both time lines advance together. Thread-safe.
class ManualClock final : public Clock {
  public:
    /// Starts at steady time zero and at `wall_start` (default: 2026-01-01T00:00:00Z).
    explicit ManualClock(WallTime wall_start = WallTime(std::chrono::seconds(1767225600)));

    SteadyTime Now() const override;
    WallTime WallNow() const override;

    /// Moves both time lines forward by `delta` (must not be negative).
    void Advance(std::chrono::nanoseconds delta);

  private:
    const WallTime wall_start_;
    std::atomic<std::int64_t> elapsed_ns_{0};
};

}  // namespace gapkit::common
