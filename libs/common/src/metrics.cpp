#include "gapkit/common/metrics.hpp"

#include <algorithm>

#include <fmt/core.h>

namespace gapkit::common {
namespace {

std::string EscapeLabelValue(const std::string& value) {
    std::string escaped;
    for (char c : value) {
        if (c == '\\' || c == '"') escaped += '\\';
        if (c == '\n') {
            escaped += "\\n";
            continue;
        }
        escaped += c;
    }
    return escaped;
}

// Renders labels as `{a="1",b="2"}` in a canonical order so the same set always maps to one key.
std::string RenderLabels(MetricLabels labels, const std::string& extra = {}) {
    std::sort(labels.begin(), labels.end());
    std::string text;
    for (const auto& [key, value] : labels) {
        text += text.empty() ? "" : ",";
        text += fmt::format("{}=\"{}\"", key, EscapeLabelValue(value));
    }
    if (!extra.empty()) text += (text.empty() ? "" : ",") + extra;
    return text.empty() ? "" : "{" + text + "}";
}

std::string FormatNumber(double value) { return fmt::format("{}", value); }

// Histogram lines need the labels with `le` added; the stored key has the braces already.
std::string WithLe(const std::string& key, const std::string& le) {
    const std::string le_pair = fmt::format("le=\"{}\"", le);
    if (key.empty()) return "{" + le_pair + "}";
    return key.substr(0, key.size() - 1) + "," + le_pair + "}";
}

void RenderHistogram(std::string& out, const std::string& name, const std::string& key, const Histogram& h) {
    for (std::size_t i = 0; i < h.upper_bounds().size(); ++i) {
        out +=
            fmt::format("{}_bucket{} {}\n", name, WithLe(key, FormatNumber(h.upper_bounds()[i])), h.CumulativeCount(i));
    }
    out += fmt::format("{}_bucket{} {}\n", name, WithLe(key, "+Inf"), h.Count());
    out += fmt::format("{}_sum{} {}\n", name, key, FormatNumber(h.Sum()));
    out += fmt::format("{}_count{} {}\n", name, key, h.Count());
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), buckets_(new std::atomic<std::uint64_t>[upper_bounds_.size()]) {
    for (std::size_t i = 0; i < upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
    const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
    if (it != upper_bounds_.end()) buckets_[it - upper_bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

std::uint64_t Histogram::CumulativeCount(std::size_t bucket) const {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= bucket && i < upper_bounds_.size(); ++i)
        total += buckets_[i].load(std::memory_order_relaxed);
    return total;
}

std::vector<double> DefaultLatencyBucketsSeconds() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name, const std::string& help, Kind kind) {
    auto [it, inserted] = families_.try_emplace(name);
    if (inserted) {
        it->second.kind = kind;
        it->second.help = help;
    }
    return it->second;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help, MetricLabels labels) {
    std::lock_guard lock(mutex_);
    auto& slot = FamilyFor(name, help, Kind::kCounter).counters[RenderLabels(std::move(labels))];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help, MetricLabels labels) {
    std::lock_guard lock(mutex_);
    auto& slot = FamilyFor(name, help, Kind::kGauge).gauges[RenderLabels(std::move(labels))];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> upper_bounds, MetricLabels labels) {
    std::lock_guard lock(mutex_);
    auto& slot = FamilyFor(name, help, Kind::kHistogram).histograms[RenderLabels(std::move(labels))];
    if (!slot) {
        std::sort(upper_bounds.begin(), upper_bounds.end());
        slot = std::make_unique<Histogram>(std::move(upper_bounds));
    }
    return *slot;
}

std::string MetricsRegistry::RenderText() const {
    static constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                           kTypeNames[static_cast<int>(family.kind)]);
        for (const auto& [key, counter] : family.counters) out += fmt::format("{}{} {}\n", name, key, counter->Value());
        for (const auto& [key, gauge] : family.gauges) out += fmt::format("{}{} {}\n", name, key, gauge->Value());
        for (const auto& [key, histogram] : family.histograms) RenderHistogram(out, name, key, *histogram);
    }
    return out;
}

}  // namespace gapkit::common
