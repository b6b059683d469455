#pragma once

/// @file
/// Pure JSON <-> struct functions behind the client. Public so that fuzzers, benchmarks and the
/// matchmaker's webhook handler (which receives session bodies) can call them directly.
///
/// Parsers are tolerant of what Edgegap is known to send: integers as JSON numbers or as decimal
/// strings, booleans as JSON booleans or "true"/"false", missing optional fields, unknown fields,
/// and `null` wherever a field is optional. They are strict on what callers need: a missing or
/// ill-typed required field (e.g. `session_id`) is an error (code `kProtocol`) naming the field.
/// No parser throws. All functions are thread-safe (no shared state).

#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"

namespace gapkit::edgegap::detail {

/// `GET /v1/status/{id}`. Needs `request_id` and `current_status` (or `status`).
common::Result<DeploymentStatus> ParseDeploymentStatus(std::string_view json);

/// The context answer (a `Deployment` object). Needs `request_id`.
common::Result<Context> ParseContext(std::string_view json);

/// `GET /v1/session/{id}` and session webhook bodies. Needs `session_id`.
common::Result<Session> ParseSession(std::string_view json);

/// `POST /v1/session`. Needs `session_id`.
common::Result<CreatedSession> ParseCreatedSession(std::string_view json);

/// `POST /v1/deploy`. Needs `request_id`.
common::Result<CreatedDeployment> ParseCreatedDeployment(std::string_view json);

/// `GET /v1/sessions`. Needs a `data` array; each item needs `session_id`.
common::Result<Page<Session>> ParseSessionPage(std::string_view json);

/// `GET /v1/deployments`. Needs a `data` array; each item needs `request_id`.
common::Result<Page<DeploymentStatus>> ParseDeploymentPage(std::string_view json);

/// `GET` or `PATCH /v1/app/{app}/version/{version}` and `POST /v1/app/{app}/version`; the
/// `{"success", "version"}` wrapper of the PATCH and POST answers is unwrapped. Needs `name`.
common::Result<AppVersion> ParseAppVersion(std::string_view json);

/// `GET`, `PUT` and `DELETE /v1/session/{id}/users` (`SessionUserContext`). Needs a
/// `session_users` array; each item needs `ip`.
common::Result<SessionUsers> ParseSessionUsers(std::string_view json);

/// Edgegap's error body `{"message": "..."}`. Returns the message, or nothing when the body is
/// not such an object.
std::string ParseErrorMessage(std::string_view json);

/// Request bodies. Unset optionals are left out.
std::string SerializeSessionRequest(const SessionRequest& request);
/// `{"ip_list": [...]}` (`PatchSessionModel`), the body of `PUT`/`DELETE /v1/session/{id}/users`.
std::string SerializeIpList(const std::vector<std::string>& ips);
std::string SerializeDeployRequest(const DeployRequest& request);
std::string SerializeAppVersionPatch(const AppVersionPatch& patch);
std::string SerializeAppVersionSpec(const AppVersionSpec& spec);

}  // namespace gapkit::edgegap::detail
