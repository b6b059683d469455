#pragma once

// The Edgegap v1 routes: request in, status and JSON body out. Pure over `World` (no I/O), so the
// HTTP layer adds only transport, faults and rate limits.

#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "http_server.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {

/// Which Edgegap rate limit a request counts against.
enum class RateCategory { kNone, kDeploy, kStatus, kContext };

struct ApiAnswer {
    unsigned status = 200;
    boost::json::value body;
};

/// True for paths the simulator answers as the Edgegap API (`/v1/...`).
bool IsApiPath(std::string_view target);

RateCategory Classify(const HttpRequest& request);

/// Answers one API request; unknown paths get 404 and every error has Edgegap's `{"message"}` body.
ApiAnswer HandleApi(World& world, const HttpRequest& request);

/// `{"message": text}`.
boost::json::object ErrorBody(std::string_view message);

}  // namespace gapkit::edgegap_sim
