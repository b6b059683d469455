#pragma once

/// @file
/// JetStream key-value buckets (`Connection::KeyValueBucket`).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::bus {

struct ConnectionCore;

/// Settings used when the bucket is created (ignored when binding to an existing bucket).
struct KeyValueConfig {
    std::string bucket;       ///< Bucket name ([A-Za-z0-9_-]). Required.
    std::string description;  ///< Free text shown by `nats kv info`. Default empty.
    /// Entries older than this disappear; zero keeps them forever. Default 0.
    std::chrono::milliseconds ttl{0};
    /// Largest value in bytes; -1 means no limit. Default -1.
    std::int32_t max_value_bytes = -1;
    /// Revisions kept per key (1..64). Default 1.
    int history = 1;
    /// Copies in a cluster (1..5), or 0: the connection's (`NATS_REPLICAS`, auto: 3 in a cluster of
    /// 3 or more servers, else 1). Default 0.
    int replicas = 0;
};

/// What happened to a key.
enum class KeyOperation { kPut, kDelete, kPurge };

/// One revision of a key.
struct KeyEntry {
    std::string key;
    std::string value;  ///< Empty for deletes and purges.
    std::uint64_t revision = 0;
    KeyOperation operation = KeyOperation::kPut;
};

/// A watch on keys of a bucket. Delivers the current values first, then every change. Movable;
/// one thread at a time. Destroying it stops the watch.
class KeyWatcher {
  public:
    struct Impl;
    explicit KeyWatcher(std::unique_ptr<Impl> impl);
    KeyWatcher(KeyWatcher&&) noexcept;
    KeyWatcher& operator=(KeyWatcher&&) noexcept;
    ~KeyWatcher();

    /// The next entry, waiting at most `timeout` (at least 1 ms); nothing if none came in time.
    common::Result<std::optional<KeyEntry>> Next(std::chrono::milliseconds timeout);

    /// True once every value present when the watch started has been delivered.
    bool CaughtUp() const;

  private:
    std::unique_ptr<Impl> impl_;
};

/// A bound key-value bucket. Any thread. Keeps the connection alive.
///
/// The `...Async` calls never block: they send the request and return; `done` is called exactly
/// once, on a library thread (see `Connection::RequestStreamAsync` for the shared reply
/// subscription and what happens to pending calls when the connection goes), unless the call
/// returns an error: then nothing was sent and `done` is never called. Many may be in flight at
/// once; each costs one message to the server and one back. `done` may call back into the bus.
class KeyValue {
  public:
    /// The new revision of an asynchronous put, or its error.
    using PutDone = std::function<void(common::Result<std::uint64_t> revision)>;
    /// The entry of an asynchronous get (nothing when absent, deleted or expired), or its error.
    using GetDone = std::function<void(common::Result<std::optional<KeyEntry>> entry)>;

    struct Impl;
    explicit KeyValue(std::unique_ptr<Impl> impl);
    ~KeyValue();
    KeyValue(const KeyValue&) = delete;
    KeyValue& operator=(const KeyValue&) = delete;

    const std::string& bucket() const;

    /// The current value of `key`, or nothing when it is absent, deleted or expired.
    common::Result<std::optional<KeyEntry>> Get(std::string_view key);

    /// Sets `key` to `value`; returns the new revision.
    common::Result<std::uint64_t> Put(std::string_view key, std::string_view value);

    /// `Put` without blocking: the same answer, given to `done`. Errors: `kInvalidArgument` (bad
    /// key, returned), `kUnavailable` (no responders: JetStream or the bucket is gone; connection
    /// closed), `kTimeout` (no answer within `timeout`), others as `Put` reports them.
    common::Status PutAsync(std::string_view key, std::string_view value, PutDone done,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// `Get` without blocking: the same answer, given to `done`. Uses JetStream's direct get
    /// (`$JS.API.DIRECT.GET.KV_<bucket>.$KV.<bucket>.<key>`), so the bucket's stream must allow
    /// direct gets (`allow_direct`; every bucket `Connection::KeyValueBucket` creates does, and it
    /// is checked once when binding). For a bucket that does not, returns `kFailedPrecondition`
    /// naming the bucket and sends nothing (use `Get`). Other errors as for `PutAsync`.
    common::Status GetAsync(std::string_view key, GetDone done,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Sets `key` only if it has no current value; `kAlreadyExists` otherwise.
    common::Result<std::uint64_t> Create(std::string_view key, std::string_view value);

    /// Sets `key` only if its latest revision is still `expected_revision` (compare-and-set);
    /// returns the new revision. `kFailedPrecondition` when someone wrote or deleted it since, or
    /// when it expired.
    common::Result<std::uint64_t> Update(std::string_view key, std::string_view value, std::uint64_t expected_revision);

    /// Deletes `key` (watchers see a `kDelete`). Deleting an absent key succeeds.
    common::Status Delete(std::string_view key);

    /// Every key that has a current value (empty for an empty bucket). Fails with kTimeout when
    /// the listing takes longer than 5 s (a key expiring under it can stall nats.c's listing).
    common::Result<std::vector<std::string>> Keys();

    /// Every key that has a current value, with the value, in one pass (one watch; no read per
    /// key). Fails with kTimeout when the pass takes longer than 5 s, like `Keys`.
    common::Result<std::vector<KeyEntry>> Entries();

    /// Watches `keys` (a subject-style pattern: "a.b", "a.*", ">" for all).
    common::Result<KeyWatcher> Watch(std::string_view keys = ">");

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::bus
