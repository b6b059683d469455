#pragma once

/// @file
/// The matchmaker's Prometheus metrics, looked up once in a `MetricsRegistry`.
///
/// The metrics (docs/matchmaker.md has the same list for operators):
/// - `gapkit_matchmaker_requests_total{outcome}`: finished requests: ready, bad_request, busy,
///   timeout, rate_limited, edgegap_error, shutting_down, internal.
/// - `gapkit_matchmaker_request_duration_seconds`: request start to final reply (histogram).
/// - `gapkit_matchmaker_requests_in_flight`: requests being worked on.
/// - `gapkit_matchmaker_edgegap_calls_total{endpoint,status}`: Edgegap calls by endpoint and HTTP
///   status (0: no answer).
/// - `gapkit_matchmaker_sessions_reaped_total`: unclaimed sessions sent to deletion by this reaper.
/// - `gapkit_matchmaker_sessions_swept_total`: sessions sent to deletion because their game server
///   stopped naming the player in its `alive` facts (liveness sweep).
/// - `gapkit_matchmaker_sessions_deleted_total{result}`: delete-queue items: deleted, gone,
///   retried, parked; parked sessions retried: unparked.
/// - `gapkit_matchmaker_parked_deletions`: sessions whose delete failed for long, waiting in
///   `parked_deletions`.
/// - `gapkit_matchmaker_server_facts_total{fact,outcome}`: game servers' facts (join, left,
///   cert_digest, alive) by outcome: accepted, refused, failed, ignored (reply subject not a game
///   server inbox).
/// - `gapkit_matchmaker_reconcile_total{action}`: reconciler decisions (docs/matchmaker.md
///   "Reconciler").
/// - `gapkit_matchmaker_reconcile_pass_seconds`: duration of the passes this one led (histogram).
/// - `gapkit_matchmaker_reconcile_leader`: 1 while this matchmaker holds the reconciler lease.
/// - `gapkit_matchmaker_edgegap_budget_matchmakers`: the live matchmakers this one shares the
///   organization's Edgegap budget with, itself included: its share of each limit is 1/value
///   (edgegap_budget.hpp).
/// - `gapkit_matchmaker_edgegap_refused_total{class}`: every 429 Edgegap answered, by limit class
///   (deployments, status, context, sessions, apps), including those retried after `Retry-After`
///   (`edgegap_calls_total{status="429"}` counts only calls that still failed after the retries).
/// - `gapkit_matchmaker_shared_sessions_total` and `gapkit_matchmaker_batched_players_total`:
///   seat sessions created for a batch of waiting players, and the players they took
///   (session_batcher.hpp); players / sessions is the mean batch.
///
/// Threads: any (the metrics are atomics). The registry must outlive this struct.

#include <string>
#include <string_view>

#include "gapkit/common/metrics.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/error.hpp"

namespace gapkit::matchmaker {

class Metrics {
  public:
    explicit Metrics(common::MetricsRegistry& registry);

    void CountRequest(const std::string& outcome, double seconds);
    void CountEdgegapCall(const std::string& endpoint, int http_status);
    /// The same for a call's result: 200 when it succeeded, else the HTTP status of its error (0
    /// when no answer came).
    template <typename T>
    void CountEdgegapCall(const std::string& endpoint, const common::Result<T>& result) {
        CountEdgegapCall(endpoint, result ? 200 : edgegap::Details(result.error()).http_status);
    }
    void CountEdgegapRefused(std::string_view endpoint_class);
    void CountDelete(const std::string& result);
    void CountFact(std::string_view fact, std::string_view outcome);
    /// Reconciler (reconciler.hpp): one decision, one finished pass, whether this one leads.
    void CountReconcile(std::string_view action);
    void ObserveReconcilePass(double seconds);
    void SetReconcileLeader(bool leader);

    common::Gauge& in_flight;
    common::Counter& reaped;
    common::Counter& swept;
    /// Sessions in `parked_deletions` at this matchmaker's last look (the reaper pass).
    common::Gauge& parked;
    /// N of this matchmaker's 1/N share of the Edgegap budget (edgegap_budget.hpp).
    common::Gauge& budget_matchmakers;
    /// Batching under a surge (session_batcher.hpp).
    common::Counter& shared_sessions;
    common::Counter& batched_players;

  private:
    common::MetricsRegistry& registry_;
    common::Histogram& duration_;
};

}  // namespace gapkit::matchmaker
