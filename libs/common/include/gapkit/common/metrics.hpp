#pragma once

/// @file
/// Prometheus metrics for services: counters, gauges and histograms in a registry that renders
/// the Prometheus text exposition format (version 0.0.4) for a `/metrics` endpoint.
///
/// Threads: a `MetricsRegistry` and every metric it hands out may be used from any thread.
/// Updating a metric is lock-free; looking one up takes the registry's mutex, so hot paths look
/// a metric up once and keep the reference.
/// Ownership: the registry owns its metrics; references stay valid for the registry's lifetime.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace gapkit::common {

/// Label pairs, e.g. `{{"outcome", "ready"}}`. Order does not matter.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

/// A value that only goes up.
class Counter {
  public:
    void Increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (in-flight requests, connected clients).
class Gauge {
  public:
    void Set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
    void Add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
    std::int64_t Value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::int64_t> value_{0};
};

/// Observations counted into cumulative buckets (upper bounds, ascending, in the metric's unit).
class Histogram {
  public:
    explicit Histogram(std::vector<double> upper_bounds);
    void Observe(double value);
    std::uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
    double Sum() const { return sum_.load(std::memory_order_relaxed); }
    const std::vector<double>& upper_bounds() const { return upper_bounds_; }
    /// Observations <= upper_bounds()[i] (cumulative, as Prometheus wants them).
    std::uint64_t CumulativeCount(std::size_t bucket) const;

  private:
    const std::vector<double> upper_bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<double> sum_{0.0};
};

/// Default latency buckets in seconds: 5 ms .. 60 s.
std::vector<double> DefaultLatencyBucketsSeconds();

class MetricsRegistry {
  public:
    /// Returns the counter `name{labels}`, creating it on first use. `help` is kept from the first
    /// call for a name. Names follow Prometheus rules (`gapkit_httpd_requests_total`).
    Counter& GetCounter(const std::string& name, const std::string& help, MetricLabels labels = {});
    Gauge& GetGauge(const std::string& name, const std::string& help, MetricLabels labels = {});
    Histogram& GetHistogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds,
                            MetricLabels labels = {});

    /// The whole registry in the Prometheus text format, families sorted by name.
    std::string RenderText() const;

  private:
    enum class Kind { kCounter, kGauge, kHistogram };
    struct Family {
        Kind kind;
        std::string help;
        std::map<std::string, std::unique_ptr<Counter>> counters;  // keyed by rendered labels
        std::map<std::string, std::unique_ptr<Gauge>> gauges;
        std::map<std::string, std::unique_ptr<Histogram>> histograms;
    };
    Family& FamilyFor(const std::string& name, const std::string& help, Kind kind);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;  // Guarded by mutex_.
};

}  // namespace gapkit::common
