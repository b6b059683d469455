#pragma once

// The JSON bodies of the API, shaped as Edgegap's (field names from the published Swagger spec;
// tools/edgegap-sim/testdata checks them).

#include <string>

#include <boost/json.hpp>

#include "gapkit/common/clock.hpp"

namespace gapkit::edgegap_sim {

struct Deployment;
struct Session;
struct LocationConfig;
struct VersionConfig;

/// "2026-01-01 00:00:00.000000": Edgegap's timestamp form (UTC, space, microseconds, no zone).
std::string FormatTimestamp(common::Clock::WallTime time);

boost::json::object LocationJson(const LocationConfig& location);
/// `{"<name>": {"name", "internal", "external", "protocol", ...}}` with `link` when `with_link`.
boost::json::object PortsJson(const Deployment& deployment, bool with_link, const std::string& public_ip);
/// GET /v1/status/{id} (`Status`).
boost::json::object StatusJson(const Deployment& deployment, int sockets_used, const common::Clock& clock);
/// GET /v1/context/... and `SessionGet.deployment` (`Deployment`).
boost::json::object DeploymentJson(const Deployment& deployment, int sockets_used);
/// One item of GET /v1/deployments (`DeploymentListData`).
boost::json::object DeploymentListItemJson(const Deployment& deployment, int sockets_used);
/// POST /v1/deploy (`Request`).
boost::json::object DeployResponseJson(const Deployment& deployment);
/// GET /v1/session/{id} and session webhooks (`SessionGet`); `deployment` may be null.
boost::json::object SessionGetJson(const Session& session, const Deployment* deployment, int sockets_used,
                                   const common::Clock& clock);
/// POST /v1/session (`SessionRequest`).
boost::json::object SessionRequestJson(const Session& session);
/// GET, PUT and DELETE /v1/session/{id}/users (`SessionUserContext`).
boost::json::object SessionUserContextJson(const Session& session);
/// One item of `Status.sessions` (`DeploymentSessionContext`).
boost::json::object DeploymentSessionJson(const Session& session);
/// One item of GET /v1/sessions (`SessionContext`).
boost::json::object SessionContextJson(const Session& session);
/// GET and PATCH /v1/app/{app}/version/{version} (`AppVersionPayload` plus command and arguments).
boost::json::object VersionJson(const VersionConfig& version);
/// The pagination envelope part for one page of `total` items.
boost::json::object PaginationJson(std::size_t page, std::size_t limit, std::size_t total);

}  // namespace gapkit::edgegap_sim
