#pragma once

/// @file
/// `Lease`: "one of many at a time" through a JetStream KV key. The bucket has a TTL (the lease
/// length); the holder writes its id under the key and refreshes it before the TTL runs out. The
/// key is taken with a KV `Create` (only one caller wins) and refreshed with a compare-and-set
/// `Update` on the revision the holder last wrote, so a holder that stalled past the TTL and lost
/// the key to another cannot write over the new holder: its refresh fails and it stops leading.
///
/// The race that remains: a holder that stalls after a successful refresh still believes it holds
/// the lease until its next `Acquire`, up to one refresh period after the TTL let another take it.
/// Users of the lease must tolerate two holders for that long (the reconciler does: its deletes
/// are idempotent and claimed once through the delete queue).
///
/// The TTL is the bucket's, fixed by whoever creates the bucket first; later `Open`s bind to it
/// with its settings.
///
/// Threads: one thread at a time. Ownership: owns its bucket handle (which keeps the connection).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::matchmaker {

class Lease {
  public:
    /// Creates or binds `bucket` (TTL `ttl`, history 1) for the key `key`, held as `holder`.
    static common::Result<std::unique_ptr<Lease>> Open(bus::Connection& connection, std::string bucket, std::string key,
                                                       std::chrono::milliseconds ttl, std::string holder);

    /// Takes the lease when it is free, refreshes it when this holder has it. Returns whether this
    /// holder holds it now. A bus failure is an error and the lease counts as not held.
    common::Result<bool> Acquire();

    /// Gives the lease up (deletes the key) if this holder has it, so another takes over at its next
    /// `Acquire` instead of after the TTL. Failures are logged. Idempotent.
    void Release();

    const std::string& holder() const { return holder_; }
    /// Whether the last `Acquire` took or kept the lease (and no `Release` since).
    bool held() const { return revision_.has_value(); }

  private:
    Lease(std::unique_ptr<bus::KeyValue> bucket, std::string key, std::string holder)
        : bucket_(std::move(bucket)), key_(std::move(key)), holder_(std::move(holder)) {}
    common::Result<bool> Refresh(std::uint64_t revision);

    std::unique_ptr<bus::KeyValue> bucket_;
    const std::string key_;
    const std::string holder_;
    std::optional<std::uint64_t> revision_;  // The revision this holder last wrote; none: not held.
};

/// A holder id unique to this process: `<host>-<pid>-<8 random hex digits>`.
std::string MakeHolderId();

}  // namespace gapkit::matchmaker
