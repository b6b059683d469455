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

/// The route a request is counted and targeted by faults under.
struct ApiRoute {
    std::string method;  // "POST"; bounded: Beast's verb names, "<unknown>" for others.
    std::string path;    // The template, "/v1/session/{id}"; "(unmatched)" for paths not served.
    /// "POST /v1/session/{id}", the key of `RouteCountdowns`.
    std::string Name() const { return method + " " + path; }
};

ApiRoute RouteOf(const HttpRequest& request);

/// Every route served, as `ApiRoute::Name()` values.
std::vector<std::string> ApiRouteNames();

/// Answers one API request; unknown paths get 404 and every error has Edgegap's `{"message"}` body.
ApiAnswer HandleApi(World& world, const HttpRequest& request);

/// `{"message": text}`.
boost::json::object ErrorBody(std::string_view message);

}  // namespace gapkit::edgegap_sim
