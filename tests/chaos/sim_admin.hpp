#pragma once

/// @file
/// The fault harness's view of a running `gapkit-edgegap-sim` process: its own account state
/// (`GET /admin/state`), its faults (`POST /admin/faults`) and call counters (`GET /admin/calls`),
/// as docs/edgegap-sim.md "Faults" and "Call counters and state" describe them. Every figure the
/// harness reports is counted here, from the simulator, never from gapkit's own view.
///
/// Threads: a `SimAdmin` holds no connection (one short HTTP/1.1 exchange per call), so any
/// thread may use it at any time.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::chaos {

/// What the simulated Edgegap account holds right now.
struct SimState {
    int sessions = 0;                               ///< Sessions the account holds (a deleted one is gone).
    int deployments = 0;                            ///< Deployments not yet `Status.TERMINATED`.
    int deployments_past_empty_ttl = 0;             ///< READY deployments kept beyond their empty TTL.
    std::vector<std::string> ready_deployment_ids;  ///< Request ids of the `Status.READY` ones.
};

/// One plain HTTP/1.1 exchange with 127.0.0.1:`port` (10 s bound): the status and the body.
struct HttpAnswer {
    unsigned status = 0;
    std::string body;
};
common::Result<HttpAnswer> HttpCall(std::uint16_t port, const char* method, const std::string& target,
                                    const std::string& body = "", const std::string& authorization = "");

class SimAdmin {
  public:
    /// The simulator on 127.0.0.1:`port` with the API key `api_key`.
    SimAdmin(std::uint16_t port, std::string api_key) : port_(port), api_key_(std::move(api_key)) {}

    common::Result<SimState> State() const;

    /// Replaces every fault with `faults_json` (docs/edgegap-sim.md "Faults"; `{}` clears them).
    common::Status SetFaults(const std::string& faults_json) const;

    /// The calls counted since start whose `status` (or, when `fault` is set, whose fault) is the
    /// one given, summed over every route: `CountCalls("lost")`, `CountCalls("", "injected_5xx")`.
    common::Result<std::int64_t> CountCalls(const std::string& status, const std::string& fault = "") const;

    /// The calls counted since start by route, whatever their status: `"POST /v1/session"`,
    /// `"GET /v1/session/{id}"`, ... (method and route template as the counters name them).
    common::Result<std::map<std::string, std::int64_t>> CallsByRoute() const;

  private:
    /// `HttpCall` with the key; anything but 200 is an error.
    common::Result<std::string> Call(const char* method, const std::string& target, const std::string& body) const;

    std::uint16_t port_;
    std::string api_key_;
};

}  // namespace gapkit::chaos
