#pragma once

// What tests and the fault harness read from the simulator: the live sessions and deployments of
// the world, the call counters, as JSON (`/admin/calls`, `/admin/state`) and Prometheus text
// (`/metrics`).

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "gapkit/edgegap_sim/simulator.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {

/// The live sessions and the deployments not yet terminated, aged by the world's clock.
SimulatorState Snapshot(const World& world);

/// `{"calls": [{"method", "route", "status", "fault", "count"}...], "total": n}`.
boost::json::object CallsJson(const std::vector<CallCount>& calls);

/// `{"sessions": [...], "deployments": [...]}` with the fields of `LiveSession` and `LiveDeployment`.
boost::json::object StateJson(const SimulatorState& state);

/// The Prometheus text exposition of the counters and of the state's gauges.
std::string MetricsText(const std::vector<CallCount>& calls, const SimulatorState& state);

}  // namespace gapkit::edgegap_sim
