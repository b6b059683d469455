#pragma once

// An app version read from JSON: the config file's `versions[]` items and the bodies of
// `POST`/`PATCH /v1/app/{app}/version...` use the same reader, so a version created through the
// API is checked exactly as a configured one.

#include <string_view>

#include <boost/json.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {

/// Reads the fields present in `value` (an object) into `out` and leaves the others as they are;
/// `ports` and `envs`, when present, replace the lists. Errors name `where.<field>`.
common::Status ParseVersion(const boost::json::value& value, std::string_view where, VersionConfig& out);

/// Checks a version as `SimulatorConfig::Validate` does (name 1..64, a command, named ports,
/// sockets >= 1, arguments a shell-like line).
common::Status ValidateVersion(std::string_view app_name, const VersionConfig& version);

}  // namespace gapkit::edgegap_sim
