#pragma once

/// @file
/// `SessionBook`: the matchmaker's shared bookkeeping in JetStream (docs/architecture.md sections 2-3):
/// the KV buckets `unclaimed_sessions`, `sessions_eg2ly`, `sessions_ly2eg`, `session_deployments`,
/// `cert_digests`, `active_connections`, `connections_seen`, `parked_deletions` and the work queue
/// `edgegap_delete_session_q`. The
/// matchmaker is the only writer of every bucket; game servers' facts reach them through
/// server_facts.hpp, which checks them first.
///
/// Deleting a session goes through a claim so that several matchmakers (their reapers, watchers
/// and failing requests) enqueue each session once: the first to create the key
/// `<session id>.deleting` in `unclaimed_sessions` (a KV `Create`, which only one caller wins)
/// publishes on the work queue; the others see `kAlreadyExists` and stop. Claim keys are removed by
/// `Reap` after `kClaimLifetime`, long after any peer could still race for the same session.
///
/// Seats: every per-player record, the delete-queue item and its claim are keyed by the player's
/// seat id (seat.hpp): the session id for a session of one player, `<session id>/<player ip>`
/// for a player of a shared session. Where a method below says "session id" of such a record, it
/// takes and returns a seat id; the book never splits one (`Cleanup::DeleteSeat` does).
///
/// Keys: every seat id and deployment id becomes a KV key or subject token through
/// `bus::names::EncodeIdToken` (any Edgegap id works, '.', ' ', ':' and '/' included); values and
/// the queue item's payload stay the plain id. Methods take and return plain ids.
///
/// Threads: every method may be called from any thread. Calls block on a JetStream round trip
/// (about a millisecond on loopback or a LAN), except the `*Async` ones, which request coroutines
/// use: they send at once and report on a bus library thread, so one request's writes and read share
/// one round trip and no I/O thread waits. The cleanup threads use the blocking ones.
/// Ownership: the book holds its buckets and queue, which keep the bus connection alive.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/work_queue.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::matchmaker {

/// Default life of a `connections_seen` record: 3 alive intervals (30 s), so one or two lost
/// `alive` facts do not end a session.
inline constexpr std::chrono::seconds kDefaultAliveTtl{3 * protocol::kAliveIntervalSeconds};

/// How long a delete claim key lives before the reaper removes it.
inline constexpr std::chrono::hours kClaimLifetime{1};
/// Suffix of delete claim keys in `unclaimed_sessions`.
inline constexpr std::string_view kClaimSuffix = ".deleting";
/// Most deletions `EnqueueDeleteOrKeep` keeps in memory while the bus fails.
inline constexpr std::size_t kMaxKeptDeletes = 10000;
/// Longest reason kept in a `parked_deletions` value.
inline constexpr std::size_t kMaxParkReasonBytes = 200;

class SessionBook {
  public:
    /// Creates or binds every bucket and the delete queue. `clock` must outlive the book.
    /// `alive_ttl`: the `connections_seen` TTL; 0 turns liveness off (no record is written and
    /// `SweepUnseen` does nothing), for game servers built before the `alive` fact.
    static common::Result<std::unique_ptr<SessionBook>> Open(bus::Connection& connection, const common::Clock& clock,
                                                             std::chrono::seconds alive_ttl = kDefaultAliveTtl);

    /// Called once with the outcome of an asynchronous write, on a bus library thread.
    using StatusDone = std::function<void(common::Status)>;
    /// Called once with the outcome of an asynchronous read, on a bus library thread.
    using TextDone = std::function<void(common::Result<std::string>)>;

    /// `unclaimed_sessions[seat_id] = <unix seconds now>`: written when the session is created
    /// and again when its token is issued, so the reaper measures age from the latest of the two.
    /// The `*Async` form sends the write and returns; `done` gets its outcome, unless the call
    /// returns an error (then nothing was sent and `done` is never called). Any thread.
    common::Status RecordUnclaimed(std::string_view seat_id);
    common::Status RecordUnclaimedAsync(std::string_view seat_id, StatusDone done);

    /// `session_deployments[seat_id] = deployment` (the Edgegap request id the token names),
    /// `sessions_ly2eg[client_id] = seat_id` and `sessions_eg2ly[seat_id] = client_id`, sent at
    /// once; `done` is told when all three are stored (the first failure, else Ok). The player's
    /// token goes out only after that, so no join can find one record without the others.
    common::Status RecordMapping(std::string_view seat_id, std::uint64_t client_id, std::string_view deployment);
    common::Status RecordMappingAsync(std::string_view seat_id, std::uint64_t client_id, std::string_view deployment,
                                      StatusDone done);

    /// `sessions_ly2eg[client_id]`: the client's session, or nothing (unknown or older than 30 s).
    common::Result<std::optional<std::string>> SessionOfClient(std::uint64_t client_id);
    /// `session_deployments[session_id]`: the deployment its token was issued for, or nothing.
    common::Result<std::optional<std::string>> DeploymentOf(std::string_view session_id);

    /// `connections_seen[session_id] = <unix seconds now>`, then `active_connections[session_id] =
    /// client_id`: the player is on its server. The seen record goes first, so `SweepUnseen` never
    /// finds a fresh connection without one.
    common::Status RecordConnection(std::string_view session_id, std::uint64_t client_id);
    /// `active_connections[session_id]`: the connected client id (as text), or nothing.
    common::Result<std::optional<std::string>> ConnectedClient(std::string_view session_id);
    /// Deletes `active_connections[session_id]`: the player left (the watcher frees the session).
    common::Status ClearConnection(std::string_view session_id);

    /// `connections_seen[session_id] = <unix seconds now>`: its server still states the player
    /// (a checked `alive`). Does nothing when liveness is off.
    common::Status RecordSeen(std::string_view session_id);
    /// One liveness pass: every `active_connections` entry without a `connections_seen` record
    /// written within `alive_ttl` (by the unix seconds it holds; JetStream's expiry of the record
    /// may come later) (its server stopped stating it for the TTL: crashed, killed, cut off) has its session
    /// queued for deletion ("server gone") and the entry removed. Returns how many; 0 when
    /// liveness is off.
    common::Result<int> SweepUnseen();

    /// The certificate digest the game server of `deployment` (its Edgegap request id) published,
    /// or "" when there is none. Keyed by deployment, not by address: several deployments share
    /// one public IP (every one on the local stack, several on one Edgegap host).
    common::Result<std::string> CertDigest(std::string_view deployment);
    common::Status CertDigestAsync(std::string_view deployment, TextDone done);
    /// `cert_digests[deployment] = digest`.
    common::Status RecordCertDigest(std::string_view deployment, std::string_view digest);

    /// The player arrived: the session is no longer unclaimed.
    common::Status MarkClaimed(std::string_view session_id);

    /// Claims the seat's deletion and publishes it on the delete queue; removes its unclaimed
    /// record either way. An Edgegap session id alone (the reconciler's orphans) is a solo seat:
    /// the whole session is deleted. Returns false when another caller had already claimed it. `reason` is
    /// logged.
    common::Result<bool> EnqueueDelete(std::string_view session_id, std::string_view reason);

    /// `EnqueueDelete` that loses nothing: when it fails (the bus is down), the session is kept in
    /// an in-process list that `RetryKeptDeletes` works off, and the failure is logged. Returns
    /// false when the session was kept. At most `kMaxKeptDeletes` are kept; beyond, the failure
    /// is logged as an error and the reconciler (which lists Edgegap itself) is the safety net.
    bool EnqueueDeleteOrKeep(std::string_view session_id, std::string_view reason);
    /// Enqueues every kept deletion again; those that fail again stay kept. Returns how many stay.
    std::size_t RetryKeptDeletes();
    /// Sessions kept by `EnqueueDeleteOrKeep` and not yet enqueued.
    std::size_t kept_deletes() const;

    /// One reaper pass: enqueues the delete of every unclaimed session older than `max_age` and
    /// drops expired claim keys. Returns the number of sessions this call enqueued.
    common::Result<int> Reap(std::chrono::seconds max_age);

    /// `parked_deletions[seat_id] = "<unix seconds now> <reason>"` (reason cut to
    /// `kMaxParkReasonBytes`): the delete worker gave up retrying for now; the seat is kept here
    /// (no TTL) until `Unpark`, for the reconciler to retry and `/metrics` to count.
    common::Status Park(std::string_view session_id, std::string_view reason);
    /// Removes the session from `parked_deletions` (deleted, or gone at Edgegap). Absent is fine.
    common::Status Unpark(std::string_view session_id);
    /// Every parked seat id (decoded). Keys that are not an `EncodeIdToken` encoding are
    /// logged and skipped.
    common::Result<std::vector<std::string>> ParkedIds();

    /// For the watcher, the delete worker and the reconciler.
    bus::KeyValue& active_connections() { return *active_; }
    bus::KeyValue& unclaimed_sessions() { return *unclaimed_; }
    bus::WorkQueue& delete_queue() { return *delete_queue_; }

  private:
    explicit SessionBook(const common::Clock& clock) : clock_(clock) {}
    common::Result<bool> Enqueue(std::string_view session_id, std::string_view reason, bool even_if_claimed);
    common::Status ReapEntry(const bus::KeyEntry& entry, std::chrono::seconds max_age, int& reaped);
    // `seen`: the key's `connections_seen` value as the pass read it, if any.
    common::Status SweepKey(const std::string& key, const std::optional<std::string>& seen, int& swept);

    const common::Clock& clock_;
    std::unique_ptr<bus::KeyValue> unclaimed_;
    std::unique_ptr<bus::KeyValue> eg2ly_;
    std::unique_ptr<bus::KeyValue> ly2eg_;
    std::unique_ptr<bus::KeyValue> deployments_;
    std::unique_ptr<bus::KeyValue> cert_digests_;
    std::unique_ptr<bus::KeyValue> active_;
    std::unique_ptr<bus::KeyValue> parked_;
    std::unique_ptr<bus::KeyValue> seen_;  // Null when liveness is off.
    std::chrono::seconds alive_ttl_{0};    // How long a `seen_` record counts, by its own time.
    std::unique_ptr<bus::WorkQueue> delete_queue_;

    mutable std::mutex kept_mutex_;
    std::map<std::string, std::string> kept_;  // Session id -> reason. Guarded by kept_mutex_.
};

/// Parses a record's unix-seconds value; nothing when it is not a plain decimal number.
std::optional<std::uint64_t> ParseUnixSeconds(std::string_view text);

}  // namespace gapkit::matchmaker
