#pragma once

/// @file
/// A Google Benchmark reporter that ends the usual console table with each case's CPU time
/// divided by its baseline's, so every benchmark program reports the ratio it is judged by. Cases
/// timed by the wall clock (`UseRealTime`, whose names end in "/real_time") compare wall times.
/// Header-only: only benchmark programs include it (they link benchmark::benchmark).
///
///     gapkit::testing::RatioReporter reporter({{"GenerateConnectToken", "RawXChaChaPrivateToken"}});
///     benchmark::RunSpecifiedBenchmarks(&reporter);

#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/core.h>

namespace gapkit::testing {

class RatioReporter : public benchmark::ConsoleReporter {
  public:
    /// `pairs`: {case name, baseline case name}, as Google Benchmark names them ("Case/64").
    explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs) : pairs_(std::move(pairs)) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            const std::string name = run.benchmark_name();
            times_[name] = name.ends_with("/real_time") ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::cout << "\nratio to baseline (time / baseline time; wall time for /real_time cases)\n";
        for (const auto& [subject, baseline] : pairs_) {
            if (times_.count(subject) == 0 || times_.count(baseline) == 0) continue;
            std::cout << fmt::format("  {:<28} {:>7.2f}x  {}\n", subject, times_[subject] / times_[baseline], baseline);
        }
    }

  private:
    const std::vector<std::pair<std::string, std::string>> pairs_;
    std::map<std::string, double> times_;
};

/// The `main` of a benchmark program that reports `pairs` as ratios.
inline int RunBenchmarksWithRatios(int argc, char** argv, std::vector<std::pair<std::string, std::string>> pairs) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RatioReporter reporter(std::move(pairs));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}

}  // namespace gapkit::testing
