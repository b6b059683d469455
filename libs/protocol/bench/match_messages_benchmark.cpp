// Benchmarks of the matchmaking message codec, the per-message work httpd and the client do.
//
// Cases:
//   BM_RawJsonParse/<msg>     baseline: boost::json::parse of the same bytes, nothing else
//   BM_ParseMatchRequest      parse + validate a WebSocket request
//   BM_ParseSessionReady      parse + validate the final reply (2.7 KB token inside)
//   BM_SerializeSessionReady  encode the final reply
//
// Run: build/bin/gapkit_protocol_benchmark (ends with the CPU-time ratios to the raw parse)
#include <string>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/testing/ratio_reporter.hpp"

namespace gapkit::protocol {
namespace {

const std::string kRequest = R"({"client_ip":"81.128.157.123","game":"spaceships","version":"1"})";
const std::string kReady =
    SerializeMatchReply(SessionReady{std::string(2732, 'A'), "81.128.157.123", 30004, std::string(95, 'a')});

void BM_RawJsonParse(benchmark::State& state) {
    const std::string& text = state.range(0) == 0 ? kRequest : kReady;
    for (auto _ : state) {
        boost::system::error_code ec;
        benchmark::DoNotOptimize(boost::json::parse(text, ec));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_RawJsonParse)->Arg(0)->Arg(1);

void BM_ParseMatchRequest(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(ParseMatchRequest(kRequest));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRequest.size()));
}
BENCHMARK(BM_ParseMatchRequest);

void BM_ParseSessionReady(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(ParseMatchReply(kReady));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kReady.size()));
}
BENCHMARK(BM_ParseSessionReady);

void BM_SerializeSessionReady(benchmark::State& state) {
    const MatchReply reply = SessionReady{std::string(2732, 'A'), "81.128.157.123", 30004, std::string(95, 'a')};
    for (auto _ : state) benchmark::DoNotOptimize(SerializeMatchReply(reply));
}
BENCHMARK(BM_SerializeSessionReady);

}  // namespace
}  // namespace gapkit::protocol

int main(int argc, char** argv) {
    return gapkit::testing::RunBenchmarksWithRatios(
        argc, argv, {{"BM_ParseMatchRequest", "BM_RawJsonParse/0"}, {"BM_ParseSessionReady", "BM_RawJsonParse/1"}});
}
