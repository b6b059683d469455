#include "gapkit/common/metrics.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

TEST(Metrics, RendersCountersWithSortedEscapedLabels) {
    MetricsRegistry registry;
    registry.GetCounter("requests_total", "Requests by outcome.", {{"outcome", "ready"}, {"app", "a\"b"}}).Increment(2);
    EXPECT_EQ(registry.RenderText(),
              "# HELP requests_total Requests by outcome.\n"
              "# TYPE requests_total counter\n"
              "requests_total{app=\"a\\\"b\",outcome=\"ready\"} 2\n");
}

TEST(Metrics, SameNameAndLabelsIsTheSameMetric) {
    MetricsRegistry registry;
    Gauge& first = registry.GetGauge("in_flight", "In flight.", {{"a", "1"}, {"b", "2"}});
    Gauge& second = registry.GetGauge("in_flight", "In flight.", {{"b", "2"}, {"a", "1"}});
    EXPECT_EQ(&first, &second);
    first.Add(3);
    second.Add(-1);
    EXPECT_EQ(first.Value(), 2);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
    MetricsRegistry registry;
    Histogram& latency = registry.GetHistogram("latency_seconds", "Latency.", {0.1, 1});
    latency.Observe(0.05);
    latency.Observe(0.5);
    latency.Observe(5);
    EXPECT_EQ(registry.RenderText(),
              "# HELP latency_seconds Latency.\n"
              "# TYPE latency_seconds histogram\n"
              "latency_seconds_bucket{le=\"0.1\"} 1\n"
              "latency_seconds_bucket{le=\"1\"} 2\n"
              "latency_seconds_bucket{le=\"+Inf\"} 3\n"
              "latency_seconds_sum 5.55\n"
              "latency_seconds_count 3\n");
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
    MetricsRegistry registry;
    Counter& counter = registry.GetCounter("c_total", "C.");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&counter] {
            for (int i = 0; i < 10000; ++i) counter.Increment();
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(counter.Value(), 40000u);
}

}  // namespace
}  // namespace gapkit::common
