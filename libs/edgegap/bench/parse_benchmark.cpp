// gapkit_edgegap_benchmark: the tolerant Edgegap parsers next to a bare boost::json::parse of the
// same body, i.e. the cost of turning a parsed JSON tree into our structs with every tolerance
// (numbers as strings, alternative field names, status normalization).
//
// Cases (each "Raw*" case is the baseline of the case after it; the ratio table printed at the end
// divides each case's CPU time by its baseline's):
//   RawJsonStatus       -> ParseDeploymentStatus   a READY `/v1/status` body with two ports
//   RawJsonSession      -> ParseSession            a ready `/v1/session/{id}` body with its deployment
//   RawJsonSessionPage  -> ParseSessionPage        a `/v1/sessions` page of 100 sessions
// Run: build-*/bin/gapkit_edgegap_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include "gapkit/testing/ratio_reporter.hpp"

#include <fmt/core.h>
#include <boost/json/parse.hpp>
#include <string>

#include "gapkit/edgegap/parse.hpp"

namespace gapkit::edgegap {
namespace {

const std::string kDeployment = R"({"request_id": "93924761ccde", "public_ip": "100.10.0.85", "status": "Status.READY",
  "ready": true, "whitelisting_active": false, "fqdn": "93924761ccde.pr.edgegap.net",
  "ports": {"gameport": {"external": 31669, "internal": 7777, "protocol": "UDP", "name": "gameport",
                         "tls_upgrade": false, "link": "93924761ccde.pr.edgegap.net:31669", "proxy": 65002}},
  "location": {"city": "Montreal", "country": "Canada", "continent": "North America",
               "administrative_division": "Quebec", "timezone": "Eastern Time", "latitude": 45.508888,
               "longitude": -73.561668},
  "tags": ["production"], "sockets": "5", "sockets_usage": "2", "is_joinable_by_session": true})";

const std::string kStatus = R"({"request_id": "93924761ccde", "fqdn": "93924761ccde.pr.edgegap.net",
  "app_name": "spaceships", "app_version": "1", "current_status": "Status.READY", "running": true,
  "whitelisting_active": false, "start_time": "2024-05-26 12:00:45.831041", "elapsed_time": 12,
  "last_status": "Status.DEPLOYING", "error": false, "error_detail": "", "public_ip": "100.10.0.85",
  "ports": {"gameport": {"external": 31669, "internal": 7777, "protocol": "UDP", "name": "gameport"},
            "web": {"external": 31587, "internal": 8080, "protocol": "HTTP", "name": "web", "tls_upgrade": true}},
  "location": {"city": "Montreal", "country": "Canada", "latitude": 45.508888, "longitude": -73.561668},
  "tags": ["production"], "sockets": 5, "sockets_usage": 2, "command": null, "arguments": null})";

std::string SessionBody(int n) {
    return fmt::format(R"({{"session_id": "{:012x}-S", "custom_id": "", "status": "Ready", "ready": true,
      "linked": true, "kind": "Seat", "user_count": "1", "app_version": 1,
      "create_time": "2025-06-20 12:00:43.066217", "elapsed": 1, "deployment": {}}})",
                       n, kDeployment);
}

std::string SessionPage(int count) {
    std::string data;
    for (int i = 0; i < count; ++i) data += (i == 0 ? "" : ",") + SessionBody(i);
    return fmt::format(R"({{"data": [{}], "total_count": {}, "pagination": {{"number": 1, "has_next": false}}}})", data,
                       count);
}

void RawJson(benchmark::State& state, const std::string& body) {
    for (auto _ : state) {
        boost::system::error_code ec;
        auto value = boost::json::parse(body, ec);
        benchmark::DoNotOptimize(value);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

template <typename Parse>
void Ours(benchmark::State& state, const std::string& body, Parse parse) {
    for (auto _ : state) {
        auto parsed = parse(body);
        if (!parsed) state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

const std::string kSession = SessionBody(1);
const std::string kPage = SessionPage(100);

void RawJsonStatus(benchmark::State& state) { RawJson(state, kStatus); }
void ParseDeploymentStatusCase(benchmark::State& state) { Ours(state, kStatus, detail::ParseDeploymentStatus); }
void RawJsonSession(benchmark::State& state) { RawJson(state, kSession); }
void ParseSessionCase(benchmark::State& state) { Ours(state, kSession, detail::ParseSession); }
void RawJsonSessionPage(benchmark::State& state) { RawJson(state, kPage); }
void ParseSessionPageCase(benchmark::State& state) { Ours(state, kPage, detail::ParseSessionPage); }

BENCHMARK(RawJsonStatus);
BENCHMARK(ParseDeploymentStatusCase)->Name("ParseDeploymentStatus");
BENCHMARK(RawJsonSession);
BENCHMARK(ParseSessionCase)->Name("ParseSession");
BENCHMARK(RawJsonSessionPage);
BENCHMARK(ParseSessionPageCase)->Name("ParseSessionPage");

}  // namespace
}  // namespace gapkit::edgegap

int main(int argc, char** argv) {
    return gapkit::testing::RunBenchmarksWithRatios(argc, argv,
                                                    {{"ParseDeploymentStatus", "RawJsonStatus"},
                                                     {"ParseSession", "RawJsonSession"},
                                                     {"ParseSessionPage", "RawJsonSessionPage"}});
}
