#pragma once

/// @file
/// The Edgegap REST API's requests and answers, as plain structs.
///
/// Answers are parsed tolerantly (see `parse.hpp`): numbers sent as strings are read, unknown
/// fields are ignored, optional fields may be missing, and status strings are accepted in both
/// spellings Edgegap is known to send (`"Status.READY"` and `"Ready"`). The raw text is kept
/// beside each normalized enum so nothing Edgegap said is lost. Field names follow Edgegap's
/// JSON names; see `/v1/status`, `/v1/session` and `/v1/app/{app}/version/{version}` in the
/// Edgegap API reference.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gapkit::edgegap {

/// A deployment's `current_status` (or `status`) with the `Status.` prefix and case removed.
enum class DeploymentState {
    kInitializing,
    kSeeking,
    kSeeked,
    kScanning,
    kDeploying,
    kReady,
    kError,
    kTerminating,
    kTerminated,
    kUnknown,  ///< A value not in this list; the raw text says what it was.
};

/// Reads `"Status.READY"`, `"READY"`, `"Ready"`... into a state; anything else is `kUnknown`.
DeploymentState ParseDeploymentState(std::string_view text);
std::string_view ToString(DeploymentState state);

/// A session's `status`. Edgegap sends `"Ready"`/`"Waiting"` in practice and `"Status.READY"` in
/// its spec examples; both are accepted.
enum class SessionState { kWaiting, kReady, kLinked, kUnprocessable, kError, kUnknown };

SessionState ParseSessionState(std::string_view text);
std::string_view ToString(SessionState state);

/// A session's `kind`: `"Seat"` in practice, `"SEATS"` in spec examples.
enum class SessionKind { kDefault, kSeat, kMatch, kUnknown };

SessionKind ParseSessionKind(std::string_view text);

/// One published port of a deployment (an entry of `ports`).
struct PortMapping {
    std::string name;      ///< The map key (port name, or the internal port as text).
    int external = 0;      ///< Public port on `public_ip`.
    int internal = 0;      ///< Port inside the container.
    std::string protocol;  ///< e.g. "UDP", "TCP", "http".
    std::string link;      ///< e.g. "example.com:31669"; may be empty.
    bool tls_upgrade = false;
};

/// Where a deployment runs.
struct Location {
    std::string city;
    std::string country;
    std::string continent;
    std::string administrative_division;
    std::string timezone;
    double latitude = 0.0;   ///< Degrees.
    double longitude = 0.0;  ///< Degrees.
};

/// A deployment as `/v1/status/{request_id}` describes it. The same struct holds the smaller
/// `Deployment` object found in sessions, in deployment lists and in the context answer, where
/// `status`/`ready` stand for `current_status`/`running`; fields they lack stay empty.
struct DeploymentStatus {
    std::string request_id;  ///< 12 hex characters, e.g. "93924761ccde".
    std::string fqdn;
    std::string app_name;
    std::string app_version;
    DeploymentState state = DeploymentState::kUnknown;
    std::string current_status;  ///< Raw text, e.g. "Status.READY".
    bool running = false;        ///< Ready to be connected to.
    bool error = false;
    std::string error_detail;
    std::string public_ip;
    std::map<std::string, PortMapping> ports;  ///< Keyed by port name.
    std::optional<Location> location;
    std::vector<std::string> tags;
    std::int64_t elapsed_seconds = 0;  ///< `elapsed_time`.
    std::optional<int> sockets;        ///< Session capacity (session-based apps).
    std::optional<int> sockets_usage;  ///< Sessions using it.
    std::optional<bool> is_joinable_by_session;
};

/// What a game server's `ARBITRIUM_CONTEXT_URL` returns: its own deployment.
using Context = DeploymentStatus;

/// `POST /v1/session`.
struct SessionRequest {
    std::string app_name;                              ///< Required.
    std::optional<std::string> version_name;           ///< Unset: Edgegap picks the app's latest version.
    std::vector<std::string> ip_list;                  ///< Players' public IPs, used to place the server.
    std::optional<std::string> webhook_url;            ///< POSTed when the session is Linked, Unprocessable or Error.
    std::optional<std::string> deployment_request_id;  ///< Link to this deployment instead of choosing one.
};

/// The answer to `POST /v1/session`: the session exists, its deployment may not be ready yet.
struct CreatedSession {
    std::string session_id;  ///< e.g. "950dd2eaff09-S".
    std::string custom_id;
    std::string app;
    std::string version;
    std::string deployment_request_id;  ///< Often empty until the session is linked.
};

/// A session as `GET /v1/session/{id}`, `GET /v1/sessions` and session webhooks describe it.
struct Session {
    std::string session_id;
    std::string custom_id;
    SessionState state = SessionState::kUnknown;
    std::string status;  ///< Raw text, e.g. "Ready".
    bool ready = false;
    bool linked = false;
    SessionKind kind_value = SessionKind::kUnknown;
    std::string kind;  ///< Raw text, e.g. "Seat".
    int user_count = 0;
    std::string create_time;  ///< "2025-06-20 12:00:43.066217" (UTC, no zone).
    std::int64_t elapsed_seconds = 0;
    std::string error;                           ///< Edgegap's error text when the session failed.
    std::string deployment_request_id;           ///< From `deployment_request_id` or `deployment.request_id`.
    std::optional<DeploymentStatus> deployment;  ///< Present once linked to a deployment.
    std::string webhook_url;
    /// The players' public IPs (`session_ips`, else `session_users`); empty in list items.
    std::vector<std::string> user_ips;
};

/// One player of a session (`SessionUser`): their public IP and where Edgegap places it.
struct SessionUser {
    std::string ip;
    double latitude = 0;   ///< Degrees; 0 when Edgegap did not send it.
    double longitude = 0;  ///< Degrees; 0 when Edgegap did not send it.
};

/// The answer of `GET`, `PUT` and `DELETE /v1/session/{id}/users` (`SessionUserContext`): the
/// session's users after the call, in Edgegap's order.
struct SessionUsers {
    std::vector<SessionUser> users;  ///< `session_users`.
    /// Only from `RemoveSessionUsers`: true when Edgegap answered 404 or 410 (the session is gone,
    /// so it has no users left and needs no `DeleteSession`); `users` is then empty.
    bool session_gone = false;
};

/// One key/value injected into a deployment's environment.
struct EnvVar {
    std::string key;
    std::string value;
    bool is_hidden = false;  ///< Edgegap hides the value (`is_hidden` in deploys, `is_secret` in app versions).

    bool operator==(const EnvVar&) const = default;
};

/// `POST /v1/deploy`.
struct DeployRequest {
    std::string app_name;                     ///< Required.
    std::optional<std::string> version_name;  ///< Unset: the app's latest version.
    std::vector<std::string> ip_list;         ///< At least one player IP (Edgegap places near them).
    std::vector<EnvVar> env_vars;
    std::vector<std::string> tags;
    std::optional<std::string> webhook_url;  ///< POSTed with the status body when the deployment is ready.
    std::optional<std::string> command;      ///< Overrides the container command.
    std::optional<std::string> arguments;    ///< Overrides the container arguments.
};

/// The answer to `POST /v1/deploy`.
struct CreatedDeployment {
    std::string request_id;
    std::string request_dns;
    std::string request_app;
    std::string request_version;
    int request_user_count = 0;
};

/// What a stop or delete achieved. 404 and 410 are not failures: the thing is already gone.
enum class StopOutcome {
    kStopped,     ///< 200 or 204: done or started now.
    kDeferred,    ///< 202: accepted; Edgegap stops it once it leaves its starting states.
    kAlreadyGone  ///< 404 or 410: nothing left to stop.
};

std::string_view ToString(StopOutcome outcome);

/// The answer to a stop or delete call.
struct StopResult {
    StopOutcome outcome = StopOutcome::kStopped;
    int http_status = 0;
    std::string message;  ///< Edgegap's `message`, when it sent one.
};

/// Which page of a list call to read. Edgegap numbers pages from 1.
struct ListOptions {
    int page = 1;
    int limit = 100;  ///< Items per page.
};

/// One page of a list call.
template <typename T>
struct Page {
    std::vector<T> items;
    std::int64_t total_count = 0;  ///< All items across pages; the page size when Edgegap omits it.
    bool has_next = false;         ///< Read `page + 1` for more.
};

/// An app version's `session_config`.
struct SessionConfig {
    std::string kind;  ///< "Default", "Seat" or "Match".
    int sockets = 0;   ///< Sessions per deployment.
    bool autodeploy = false;
    int empty_ttl_minutes = 0;  ///< `empty_ttl`: minutes a deployment may stay without sessions.

    bool operator==(const SessionConfig&) const = default;
};

/// A port an app version publishes.
struct AppVersionPort {
    int port = 0;  ///< Container port; 0 means 1:1 mapping.
    std::string protocol;
    std::string name;
    bool to_check = true;
    bool tls_upgrade = false;

    bool operator==(const AppVersionPort&) const = default;
};

/// An app version (`/v1/app/{app}/version/{version}`).
///
/// `private_username`/`private_token` are the registry credentials Edgegap pulls the image with
/// (needed even for registry.edgegap.com). The token is a secret: gapkit never logs it nor puts it
/// in an error message. Whether Edgegap's GET returns it in clear or masked is not documented, so
/// a token read from a GET is never sent back (see `DiffVersions`); callers copying a version
/// (gapctl's `--from-version`) clear it.
struct AppVersion {
    std::string name;
    bool is_active = false;
    std::string docker_repository;
    std::string docker_image;
    std::string docker_tag;
    std::string private_username;          ///< Registry user; empty: none.
    std::string private_token;             ///< Registry password or token (secret); empty: none or not known.
    int req_cpu = 0;                       ///< CPU units; 1024 = 1 vCPU.
    int req_memory = 0;                    ///< MB.
    int max_duration_minutes = 0;          ///< `max_duration`.
    int time_to_deploy_seconds = 0;        ///< `time_to_deploy`.
    std::optional<std::string> command;    ///< Unset: the container's default.
    std::optional<std::string> arguments;  ///< Unset: the container's default.
    std::optional<SessionConfig> session_config;
    std::vector<AppVersionPort> ports;
    std::vector<EnvVar> envs;

    bool operator==(const AppVersion&) const = default;
};

/// What `POST /v1/app/{app}/version` sends: every field of `AppVersion`. `name`,
/// `docker_repository`, `docker_image`, `docker_tag`, `req_cpu` and `req_memory` are always sent
/// (Edgegap requires them; Edgegap's minimum for both is 100); `max_duration_minutes` and
/// `time_to_deploy_seconds` only when positive; `command`, `arguments` and `session_config` when set;
/// `private_username` and `private_token` when not empty.
using AppVersionSpec = AppVersion;

/// The part of `session_config` a PATCH changes; unset fields are left as they are.
struct SessionConfigPatch {
    std::optional<std::string> kind;  ///< "Default", "Seat" or "Match".
    std::optional<int> sockets;
    std::optional<bool> autodeploy;
    std::optional<int> empty_ttl_minutes;  ///< `empty_ttl`.

    bool operator==(const SessionConfigPatch&) const = default;
};

/// `PATCH /v1/app/{app}/version/{version}`: only the fields that are set are sent. `ports` and
/// `envs`, when set, replace the whole list.
struct AppVersionPatch {
    std::optional<std::string> arguments;  ///< e.g. "--ca_contents '-----BEGIN CERTIFICATE-----...'"
    std::optional<std::string> command;
    std::optional<bool> is_active;
    std::optional<int> max_duration_minutes;
    std::optional<int> time_to_deploy_seconds;
    std::optional<std::string> docker_repository;
    std::optional<std::string> docker_image;
    std::optional<std::string> docker_tag;
    std::optional<std::string> private_username;
    std::optional<std::string> private_token;  ///< Secret: never logged.
    std::optional<int> req_cpu;                ///< CPU units; 1024 = 1 vCPU.
    std::optional<int> req_memory;             ///< MB.
    std::optional<SessionConfigPatch> session_config;
    std::optional<std::vector<AppVersionPort>> ports;
    std::optional<std::vector<EnvVar>> envs;

    /// True when no field is set (sending it would change nothing).
    bool Empty() const { return *this == AppVersionPatch{}; }
    bool operator==(const AppVersionPatch&) const = default;
};

/// `version` as Edgegap has it after `patch` (what a PATCH answer shows); a session config patch
/// on a version without one starts from `SessionConfig{}`.
void ApplyPatch(const AppVersionPatch& patch, AppVersion& version);

/// The patch that turns `before` into `after`: the fields that differ, nothing else. `name` is
/// not compared (a PATCH addresses the version by name). `private_token` is sent only when
/// `after`'s is not empty and differs: an empty token means "not known" (a GET may mask it, and a
/// copied version has none), never "remove the token".
AppVersionPatch DiffVersions(const AppVersion& before, const AppVersion& after);

}  // namespace gapkit::edgegap
