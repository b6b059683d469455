#include "metrics.hpp"

namespace gapkit::matchmaker {

Metrics::Metrics(common::MetricsRegistry& registry)
    : in_flight(registry.GetGauge("gapkit_matchmaker_requests_in_flight", "Matchmaking requests being worked on")),
      reaped(registry.GetCounter("gapkit_matchmaker_sessions_reaped_total",
                                 "Unclaimed sessions this matchmaker sent to deletion")),
      swept(registry.GetCounter("gapkit_matchmaker_sessions_swept_total",
                                "Sessions sent to deletion because their game server stopped naming the player")),
      parked(registry.GetGauge("gapkit_matchmaker_parked_deletions",
                               "Sessions whose delete failed for long, parked for the reconciler")),
      budget_matchmakers(registry.GetGauge("gapkit_matchmaker_edgegap_budget_matchmakers",
                                           "Live matchmakers sharing the organization's Edgegap budget (share: 1/N)")),
      shared_sessions(registry.GetCounter("gapkit_matchmaker_shared_sessions_total",
                                          "Seat sessions created for a batch of waiting players")),
      batched_players(registry.GetCounter("gapkit_matchmaker_batched_players_total",
                                          "Players placed in a session shared with other waiting players")),
      registry_(registry),
      duration_(registry.GetHistogram("gapkit_matchmaker_request_duration_seconds",
                                      "Matchmaking request duration, start to final reply",
                                      common::DefaultLatencyBucketsSeconds())) {}

// Label sets are few and bounded (fixed outcomes, endpoints and HTTP statuses), so looking them up
// per event costs one short lock and never grows the registry without bound.
void Metrics::CountRequest(const std::string& outcome, double seconds) {
    registry_.GetCounter("gapkit_matchmaker_requests_total", "Matchmaking requests by outcome", {{"outcome", outcome}})
        .Increment();
    duration_.Observe(seconds);
}

void Metrics::CountEdgegapCall(const std::string& endpoint, int http_status) {
    registry_
        .GetCounter("gapkit_matchmaker_edgegap_calls_total", "Edgegap API calls by endpoint and HTTP status",
                    {{"endpoint", endpoint}, {"status", std::to_string(http_status)}})
        .Increment();
}

void Metrics::CountEdgegapRefused(std::string_view endpoint_class) {
    registry_
        .GetCounter("gapkit_matchmaker_edgegap_refused_total", "Edgegap 429 answers by limit class, retried or not",
                    {{"class", std::string(endpoint_class)}})
        .Increment();
}

void Metrics::CountDelete(const std::string& result) {
    registry_
        .GetCounter("gapkit_matchmaker_sessions_deleted_total", "Delete-queue items handled by result",
                    {{"result", result}})
        .Increment();
}

void Metrics::CountFact(std::string_view fact, std::string_view outcome) {
    registry_
        .GetCounter("gapkit_matchmaker_server_facts_total", "Game servers' facts by fact and outcome",
                    {{"fact", std::string(fact)}, {"outcome", std::string(outcome)}})
        .Increment();
}

void Metrics::CountReconcile(std::string_view action) {
    registry_
        .GetCounter("gapkit_matchmaker_reconcile_total", "Reconciler decisions by action",
                    {{"action", std::string(action)}})
        .Increment();
}

void Metrics::ObserveReconcilePass(double seconds) {
    registry_
        .GetHistogram("gapkit_matchmaker_reconcile_pass_seconds", "Duration of reconciler passes led here",
                      common::DefaultLatencyBucketsSeconds())
        .Observe(seconds);
}

void Metrics::SetReconcileLeader(bool leader) {
    registry_.GetGauge("gapkit_matchmaker_reconcile_leader", "1 while this matchmaker holds the reconciler lease")
        .Set(leader ? 1 : 0);
}

}  // namespace gapkit::matchmaker
