#pragma once

// Connections that are accepted but have not sent a complete request header yet ("not yet
// identified": nothing says who they are). They share one global cap; when it is full, the
// oldest is closed to make room, so a flood of idle connects cannot keep a fresh request (a health
// probe, a player) out. Thread-safe; the I/O threads and the accept loop share one instance.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace gapkit::httpd {

class PendingConnections {
  public:
    /// Closes one connection. Called from any thread, so it must post to the connection's strand
    /// itself, and do nothing if the connection has been identified meanwhile.
    using Closer = std::function<void()>;

    /// `capacity` >= 1.
    explicit PendingConnections(int capacity);

    /// Registers a connection; when the cap is full, first evicts the oldest. Returns its id.
    std::uint64_t Add(Closer closer);

    /// Forgets a connection (it sent its header, or ended). Unknown ids are ignored.
    void Remove(std::uint64_t id);

    /// Evicts up to `count` of the oldest connections (file descriptors ran out); returns how many.
    int EvictOldest(int count);

    int size() const;
    int capacity() const { return capacity_; }
    /// Connections evicted since start.
    std::uint64_t evicted() const;

  private:
    const int capacity_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, Closer> closers_;  // Guarded by mutex_; ids grow, so begin() is the oldest.
    std::uint64_t next_id_ = 0;                // Guarded by mutex_.
    std::uint64_t evicted_ = 0;                // Guarded by mutex_.
};

/// Removes its connection from the registry when it goes out of scope, or on `Release()`.
class PendingGuard {
  public:
    PendingGuard(PendingConnections& registry, PendingConnections::Closer closer)
        : registry_(&registry), id_(registry.Add(std::move(closer))) {}
    PendingGuard(const PendingGuard&) = delete;
    PendingGuard& operator=(const PendingGuard&) = delete;
    ~PendingGuard() { Release(); }
    void Release() {
        if (registry_) registry_->Remove(id_);
        registry_ = nullptr;
    }

  private:
    PendingConnections* registry_;
    std::uint64_t id_;
};

}  // namespace gapkit::httpd
