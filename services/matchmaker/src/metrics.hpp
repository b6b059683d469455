#pragma once

/// @file
/// The matchmaker's Prometheus metrics, looked up once in a `MetricsRegistry`.
///
/// | metric | labels | meaning |
/// |---|---|---|
/// | `gapkit_matchmaker_requests_total` | `outcome` | finished requests: ready, bad_request, busy, timeout,
/// rate_limited, edgegap_error, shutting_down, internal | | `gapkit_matchmaker_request_duration_seconds` | | request
/// start to final reply (histogram) | | `gapkit_matchmaker_requests_in_flight` | | requests being worked on | |
/// `gapkit_matchmaker_edgegap_calls_total` | `endpoint`, `status` | Edgegap calls by endpoint and HTTP status (0: no
/// answer) | | `gapkit_matchmaker_sessions_reaped_total` | | unclaimed sessions sent to deletion by this reaper | |
/// `gapkit_matchmaker_sessions_deleted_total` | `result` | delete-queue items: deleted, gone, retried, dropped | |
/// `gapkit_matchmaker_server_facts_total` | `fact`, `outcome` | game servers' facts (join, left, cert_digest) by
/// outcome: accepted, refused, failed, ignored (reply subject not a game server inbox) |
///
/// Threads: any (the metrics are atomics). The registry must outlive this struct.

#include <string>
#include <string_view>

#include "gapkit/common/metrics.hpp"

namespace gapkit::matchmaker {

class Metrics {
  public:
    explicit Metrics(common::MetricsRegistry& registry);

    void CountRequest(const std::string& outcome, double seconds);
    void CountEdgegapCall(const std::string& endpoint, int http_status);
    void CountDelete(const std::string& result);
    void CountFact(std::string_view fact, std::string_view outcome);

    common::Gauge& in_flight;
    common::Counter& reaped;

  private:
    common::MetricsRegistry& registry_;
    common::Histogram& duration_;
};

}  // namespace gapkit::matchmaker
