#include "summary.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>
#include <boost/json.hpp>

namespace gapkit::loadgen {
namespace {

double Milliseconds(std::chrono::nanoseconds value) { return std::chrono::duration<double, std::milli>(value).count(); }

std::string ErrorsText(const std::map<std::string, std::size_t>& errors) {
    std::string text;
    for (const auto& [outcome, count] : errors) {
        text += fmt::format("{}{}={}", text.empty() ? "" : " ", outcome, count);
    }
    return text.empty() ? "-" : text;
}

}  // namespace

std::chrono::nanoseconds Percentile(const std::vector<std::chrono::nanoseconds>& sorted, double fraction) {
    if (sorted.empty()) return std::chrono::nanoseconds(0);
    // Nearest rank: the smallest value with at least `fraction` of the values at or below it.
    const double rank = std::ceil(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(sorted.size()));
    const auto index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
    return sorted[index];
}

LevelSummary Summarize(std::string phase, int concurrency, const std::vector<Sample>& samples,
                       std::chrono::nanoseconds wall) {
    LevelSummary summary{.phase = std::move(phase), .concurrency = concurrency, .requests = samples.size()};
    std::vector<std::chrono::nanoseconds> latencies;
    for (const Sample& sample : samples) {
        if (sample.outcome == kOutcomeOk) {
            latencies.push_back(sample.latency);
        } else {
            ++summary.errors[sample.outcome];
        }
    }
    std::sort(latencies.begin(), latencies.end());
    summary.ok = latencies.size();
    summary.wall_seconds = std::chrono::duration<double>(wall).count();
    summary.ok_per_second = summary.wall_seconds > 0 ? static_cast<double>(summary.ok) / summary.wall_seconds : 0;
    summary.p50 = Percentile(latencies, 0.50);
    summary.p99 = Percentile(latencies, 0.99);
    summary.max = latencies.empty() ? std::chrono::nanoseconds(0) : latencies.back();
    return summary;
}

std::string RenderTable(const std::vector<LevelSummary>& summaries) {
    std::string text = fmt::format("{:<10} {:>5} {:>8} {:>8} {:>10} {:>9} {:>9} {:>9}  {}\n", "phase", "conc",
                                   "requests", "ok", "ok/s", "p50 ms", "p99 ms", "max ms", "errors");
    for (const LevelSummary& s : summaries) {
        text += fmt::format("{:<10} {:>5} {:>8} {:>8} {:>10.1f} {:>9.3f} {:>9.3f} {:>9.3f}  {}\n", s.phase,
                            s.concurrency, s.requests, s.ok, s.ok_per_second, Milliseconds(s.p50), Milliseconds(s.p99),
                            Milliseconds(s.max), ErrorsText(s.errors));
    }
    return text;
}

std::string RenderJson(const std::vector<LevelSummary>& summaries) {
    boost::json::array levels;
    for (const LevelSummary& s : summaries) {
        boost::json::object errors;
        for (const auto& [outcome, count] : s.errors) errors[outcome] = count;
        levels.push_back(boost::json::object{{"phase", s.phase},
                                             {"concurrency", s.concurrency},
                                             {"requests", s.requests},
                                             {"ok", s.ok},
                                             {"wall_seconds", s.wall_seconds},
                                             {"ok_per_second", s.ok_per_second},
                                             {"p50_ms", Milliseconds(s.p50)},
                                             {"p99_ms", Milliseconds(s.p99)},
                                             {"max_ms", Milliseconds(s.max)},
                                             {"errors", std::move(errors)}});
    }
    return boost::json::serialize(boost::json::object{{"levels", std::move(levels)}});
}

}  // namespace gapkit::loadgen
