#pragma once

/// @file
/// `Reconciler`: compares what Edgegap holds with what the bus knows and repairs the difference,
/// level-triggered (every pass looks at the whole state, so a missed event is caught next pass).
/// Every matchmaker runs one; one at a time leads through a `Lease` (lease.hpp) on the key
/// `leader` of the bucket `reconciler_lease` (TTL `kLeaseIntervals` x the interval). The others'
/// passes only try to take the lease. Two leaders for a moment (see lease.hpp) are harmless:
/// deletes go through `SessionBook::EnqueueDelete`, which claims each session once, a second
/// `DELETE` would find it gone, and the grace protects fresh sessions whoever leads.
///
/// A pass of the leader:
/// 1. lists every Edgegap session (`GET /v1/sessions`, pages of `kListPageSize`, at most
///    `kMaxListPages`; a longer list is worked on but counts as incomplete);
/// 2. reads the bus: `unclaimed_sessions` (records and `<id>.deleting` claim keys: queued for
///    deletion), then `active_connections`, then `parked_deletions`. Keys are seat ids (seat.hpp)
///    decoded with `DecodeIdToken`; one that does not decode counts as accounted under its raw
///    text. A session is accounted when any record's seat is in it (`ParseSeatId(...).session_id`):
///    a shared session with one live seat is never an orphan. A shared seat's delete claim does not
///    account for its session (its delete removes one user, not the session). Reading unclaimed before active
///    means a seat moving from one to the other (the player arrived: active is written first) is
///    seen in at least one of them;
/// 3. every listed session in none of them is looked up: `GET /v1/session/<id>` for its age
///    (Edgegap's `elapsed`) and deployment, then `GET /v1/status/<deployment>` for the app and
///    version (a session's embedded deployment lacks them; kept per deployment). A session is
///    deleted only when its deployment confirms it is of this matchmaker's app AND version and it
///    is at least `reconcile_grace_seconds` old. Sessions of another app or version are remembered
///    and never looked up again while listed; sessions not yet linked to a deployment are left for
///    a later pass (their app cannot be confirmed). Before the orphans are queued, the bus records
///    are read once more (a request may have recorded one meanwhile; a bus failure queues none).
///    An orphan is queued under its session id, so the whole session is deleted;
/// 4. with a complete list, every `unclaimed_sessions` record or `active_connections` entry whose
///    seat's session is not listed is remembered; once it has stayed unlisted for the grace and
///    `GET /v1/session/<id>` answers 404, the record is removed (removing an active entry makes the
///    watcher queue a delete, which finds the session gone);
/// 5. retries the parked deletions (`Cleanup::RetryParkedOnce`, each through `Cleanup::DeleteSeat`:
///    deleted, removed or gone ones are unparked).
///
/// Edgegap calls per pass: one per list page, plus at most `reconcile_max_lookups` lookups (an
/// unaccounted session's app and age are learnt once and kept while it is listed), plus one
/// `DELETE` per parked solo seat (a parked shared seat: one `DELETE .../users`, and one `DELETE`
/// when it was the last). `--reconcile-dry-run` makes the same calls except deletes, and logs
/// and counts each action as `would_<action>`.
///
/// The default grace (120 s) covers the longest time a session can exist before the matchmaker
/// records it: the `POST /v1/session` exchange that created it ends within
/// `edgegap_timeout_seconds` (10 s; a POST is retried only after a 429, which created nothing),
/// then one KV write (nats.c's 5 s JetStream timeout): 15 s. Even counting all 4 attempts of the
/// client's retry policy at the full timeout (40 s) plus the write, 120 s leaves more than twice
/// that as margin. With the defaults an orphan is deleted at most grace + interval + one
/// pass after its creation: about 3 minutes (5 minutes are promised); a leader that dies adds up to
/// the lease TTL (3 intervals) until a peer takes over.
///
/// An operator's on-demand pass (`gapctl reconcile`) runs `RunOnceUnleased`: it neither waits for
/// nor takes the lease, since the reasons above make a pass beside the leader's harmless. Such a
/// pass starts with no memory: a bus record is removed only once it has stayed unlisted for the
/// grace within one reconciler's passes, so a single unleased pass removes records only with a
/// grace of 0.
///
/// Threads: `Start`, `Stop` from the owner thread; `RunOnce` and `RunOnceUnleased` from any thread
/// but the io_context's (they wait for Edgegap calls run there); passes never overlap.
/// Ownership: borrows everything; all must outlive `Stop`.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "cleanup.hpp"
#include "config.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/edgegap/api.hpp"
#include "lease.hpp"
#include "metrics.hpp"
#include "session_book.hpp"

namespace gapkit::matchmaker {

inline constexpr const char* kReconcilerLeaseBucket = "reconciler_lease";
inline constexpr const char* kReconcilerLeaseKey = "leader";
/// The lease lives this many intervals without a refresh.
inline constexpr int kLeaseIntervals = 3;
inline constexpr int kListPageSize = 100;
inline constexpr int kMaxListPages = 100;  ///< 10 000 sessions per pass.

/// One thing a pass did (or, in a dry run, would do) to one session.
struct ReconcileAction {
    std::string action;      ///< "delete_orphan" or "remove_record"; "would_" first in a dry run.
    std::string session_id;  ///< The Edgegap session id.
    std::string reason;      ///< Why, as logged (a removed record's reason names its seat).
};

/// What one pass saw and did (dry run: would do).
struct ReconcileReport {
    bool leader = false;      ///< False: another matchmaker leads; nothing else was done.
    bool complete = false;    ///< The whole session list was read.
    int listed = 0;           ///< Edgegap sessions listed (every app).
    int unaccounted = 0;      ///< Listed sessions in no bus record.
    int lookups = 0;          ///< `GET /v1/session` and `GET /v1/status` calls made.
    int deferred = 0;         ///< Unaccounted sessions left for a later pass (lookup cap).
    int orphans = 0;          ///< Sessions queued for deletion.
    int records_removed = 0;  ///< Bus records removed because their session is gone.
    int unparked = 0;         ///< Parked deletions settled.

    /// Each orphan queued and record removed (dry run: would be), in order.
    std::vector<ReconcileAction> actions;
};

class Reconciler {
  public:
    Reconciler(const MatchmakerConfig& config, SessionBook& book, Cleanup& cleanup, edgegap::EdgegapApi& api,
               boost::asio::any_io_executor executor, const common::Clock& clock, Metrics& metrics);
    ~Reconciler();  ///< Calls Stop().
    Reconciler(const Reconciler&) = delete;
    Reconciler& operator=(const Reconciler&) = delete;

    /// Opens the lease; with a non-zero interval, starts the pass thread.
    common::Status Start(bus::Connection& connection);

    /// Stops and joins the thread, then releases the lease. Idempotent.
    void Stop();

    /// One pass now (what the thread does every interval). Fails on a bus or list failure.
    common::Result<ReconcileReport> RunOnce();

    /// One pass now without the lease (see above); needs no `Start`. Fails on a bus or list failure.
    common::Result<ReconcileReport> RunOnceUnleased();

    /// This matchmaker's lease holder id.
    const std::string& holder() const;

  private:
    enum class Verdict { kOurs, kForeign, kUnlinked, kGone, kFailed };
    struct Known {
        Verdict verdict = Verdict::kFailed;
        common::Clock::SteadyTime created{};  // Now minus Edgegap's `elapsed` at the lookup.
        std::string app;                      // "<app>/<version>" of its deployment.
    };
    struct Records;
    void Loop();
    common::Result<ReconcileReport> TimedPass();
    common::Result<ReconcileReport> Pass();
    common::Result<bool> ListSessions(std::map<std::string, std::string>& sessions);
    common::Result<Records> ReadRecords();
    // True when the session is an orphan to delete: of this app and version, and past the grace.
    bool JudgeSession(const std::string& session_id, const std::string& deployment, ReconcileReport& report);
    Known LookUp(const std::string& session_id, const std::string& deployment, ReconcileReport& report);
    std::optional<std::pair<std::string, std::string>> AppOfDeployment(const std::string& request_id,
                                                                       ReconcileReport& report);
    void DeleteOrphans(const std::vector<std::string>& orphans, ReconcileReport& report);
    void DeleteOrphan(const std::string& session_id, const Known& known, ReconcileReport& report);
    void RemoveStaleRecords(const std::map<std::string, std::string>& listed, const Records& records,
                            ReconcileReport& report);
    bool Act(std::string_view action, const std::string& session_id, std::string_view reason, ReconcileReport& report);
    template <typename T>
    common::Result<T> Call(std::string_view endpoint, edgegap::ApiTask<T> task);

    // Constant after construction.
    const MatchmakerConfig& config_;
    SessionBook& book_;
    Cleanup& cleanup_;
    edgegap::EdgegapApi& api_;
    boost::asio::any_io_executor executor_;
    const common::Clock& clock_;
    Metrics& metrics_;
    const std::string holder_;

    std::unique_ptr<Lease> lease_;        // Set by Start; used under pass_mutex_.
    std::mutex pass_mutex_;               // One pass at a time; guards everything below.
    std::map<std::string, Known> known_;  // Sessions of a confirmed app, while listed.
    std::map<std::string, std::pair<std::string, std::string>> deployment_apps_;  // Request id -> app, version.
    std::map<std::string, common::Clock::SteadyTime> missing_since_;              // Record key -> first seen unlisted.
    int lookups_left_ = 0;

    std::atomic<bool> stopping_{false};
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace gapkit::matchmaker
