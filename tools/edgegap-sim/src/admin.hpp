#pragma once

// The simulator's own endpoints: `GET /` (a live HTML page) and `/admin/faults`.

#include <string>

#include <boost/json.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {

/// The faults as JSON, with `added_latency_ms` for the latency.
boost::json::object FaultsJson(const Faults& faults);

/// Applies the fields present in `json_text` on top of `base`; fractions must be in [0,1].
common::Result<Faults> ParseFaults(std::string_view json_text, Faults base);

/// A small self-refreshing HTML page listing apps, deployments and sessions. It needs no key, so
/// it shows no arguments, tokens or webhook URLs.
std::string RenderStatusPage(const World& world);

}  // namespace gapkit::edgegap_sim
