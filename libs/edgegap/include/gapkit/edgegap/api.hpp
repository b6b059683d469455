#pragma once

/// @file
/// `EdgegapApi`: the Edgegap calls gapkit makes, as an interface. This is the one place the calls
/// are declared and documented.
///
/// Code that talks to Edgegap (the matchmaker, the server library, the tests) takes an
/// `EdgegapApi&`, so its tests can pass `FakeEdgegapApi` (fake_api.hpp) and production passes
/// `HttpEdgegapClient` (http_client.hpp); both implement these calls in their .cpp files only.
/// Each call is a C++20 coroutine on Boost.Asio: `co_await` it from any `asio::awaitable` running
/// on the client's executor. Code without an event loop runs a call to completion with
/// `BlockingEdgegapClient::Call(&EdgegapApi::GetSession, id)` (blocking_client.hpp). Calls never
/// throw; a failure is a `common::Error` with Edgegap's details (error.hpp).

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/config.hpp"
#include "gapkit/edgegap/error.hpp"
#include "gapkit/edgegap/types.hpp"

namespace gapkit::edgegap {

/// What every call returns: a coroutine whose result is the value or a `common::Error`.
template <typename T>
using ApiTask = boost::asio::awaitable<common::Result<T>>;

/// The Edgegap REST API. Implementations say which threads may call them.
class EdgegapApi {
  public:
    virtual ~EdgegapApi() = default;

    // Sessions (`/v1/session`).

    /// `POST /v1/session`. Not retried on 5xx or network failure (it may have been created).
    virtual ApiTask<CreatedSession> CreateSession(SessionRequest request) = 0;
    /// `GET /v1/session/{session_id}`.
    virtual ApiTask<Session> GetSession(std::string session_id) = 0;
    /// `DELETE /v1/session/{session_id}`; 404 and 410 give `StopOutcome::kAlreadyGone`.
    virtual ApiTask<StopResult> DeleteSession(std::string session_id) = 0;
    /// `GET /v1/sessions?page=&limit=`.
    virtual ApiTask<Page<Session>> ListSessions(ListOptions options) = 0;

    // A session's users (`/v1/session/{session_id}/users`), body `{"ip_list": [...]}`. All three
    // are in the sessions endpoint class and are retried like `GetSession`/`DeleteSession`: adding
    // an IP that is already a user, or removing one that is not, changes nothing in effect.

    /// `GET /v1/session/{session_id}/users`. 404 is an error (`ErrorCategory::kNotFound`).
    virtual ApiTask<SessionUsers> GetSessionUsers(std::string session_id) = 0;
    /// `PUT /v1/session/{session_id}/users`: adds `ips` (at least one) to the session. A
    /// 422 (`kBadRequest`) when Edgegap cannot take them (e.g. no free socket for them); 404 is an
    /// error (`kNotFound`).
    virtual ApiTask<SessionUsers> AddSessionUsers(std::string session_id, std::vector<std::string> ips) = 0;
    /// `DELETE /v1/session/{session_id}/users`: removes `ips` (at least one) from the session. The
    /// session stays (with no users it still holds its deployment) until `DeleteSession`. 404 and
    /// 410 are not failures: they give `session_gone` and no users.
    virtual ApiTask<SessionUsers> RemoveSessionUsers(std::string session_id, std::vector<std::string> ips) = 0;

    // Deployments.

    /// `POST /v1/deploy`. Not retried on 5xx or network failure.
    virtual ApiTask<CreatedDeployment> Deploy(DeployRequest request) = 0;
    /// `GET /v1/status/{request_id}`.
    virtual ApiTask<DeploymentStatus> GetDeploymentStatus(std::string request_id) = 0;
    /// `DELETE /v1/stop/{request_id}`; 202 gives `kDeferred`, 404 and 410 give `kAlreadyGone`.
    virtual ApiTask<StopResult> StopDeployment(std::string request_id) = 0;
    /// `GET /v1/deployments?page=&limit=`.
    virtual ApiTask<Page<DeploymentStatus>> ListDeployments(ListOptions options) = 0;

    // From inside a deployment's container.

    /// `GET <ARBITRIUM_CONTEXT_URL>` with the raw context token.
    virtual ApiTask<Context> GetContext(ContainerEndpoint context) = 0;
    /// `DELETE <ARBITRIUM_DELETE_URL>` with the raw delete token; outcomes as `StopDeployment`.
    virtual ApiTask<StopResult> SelfStop(ContainerEndpoint self_stop) = 0;

    // App versions (`/v1/app/{app}/version/{version}`).

    /// `POST /v1/app/{app}/version`: a new version of an existing app. Not retried on 5xx or
    /// network failure (it may have been created); `ErrorCategory::kConflict` (409) when it exists.
    virtual ApiTask<AppVersion> CreateAppVersion(std::string app_name, AppVersionSpec spec) = 0;
    virtual ApiTask<AppVersion> GetAppVersion(std::string app_name, std::string version_name) = 0;
    /// Sends only the fields set in `patch`; returns the version as Edgegap now has it.
    virtual ApiTask<AppVersion> PatchAppVersion(std::string app_name, std::string version_name,
                                                AppVersionPatch patch) = 0;
};

}  // namespace gapkit::edgegap
