#pragma once

// The simulated Edgegap account: app versions, deployments and sessions, with every state
// transition driven by `Tick()` reading an injected clock. No I/O of its own: processes, ports
// and webhooks go through `Runtime`. Not thread-safe: the owner serialises calls (the simulator
// holds its mutex around every call).

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "faults.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "runtime.hpp"

namespace gapkit::edgegap_sim {

/// Edgegap's deployment states, in lifecycle order.
enum class DeploymentState { kSeeking, kDeploying, kReady, kError, kTerminating, kTerminated };

/// "Status.SEEKING", "Status.READY", ...
std::string_view ToStatusString(DeploymentState state);
/// "Seat", "Match" or "Default".
std::string_view ToString(SessionKind kind);

struct AllocatedPort {
    std::string name;
    std::uint16_t port = 0;  // Internal and external alike (see docs/edgegap-sim.md).
    std::string protocol;
    bool tls_upgrade = false;
};

struct Deployment {
    using SteadyTime = common::Clock::SteadyTime;
    using WallTime = common::Clock::WallTime;

    std::string request_id;
    std::string app;
    std::string version;
    DeploymentState state = DeploymentState::kSeeking;
    std::optional<DeploymentState> last_state;
    bool error = false;
    std::string error_detail;  // First recorded reason wins.
    SteadyTime state_since{};
    SteadyTime created{};
    SteadyTime empty_since{};
    WallTime start_wall{};
    std::optional<WallTime> removal_wall;
    std::string public_ip;
    LocationConfig location;
    std::vector<AllocatedPort> ports;
    std::vector<std::string> tags;
    std::vector<std::string> ip_list;
    std::string command;
    std::string arguments;
    std::vector<std::pair<std::string, std::string>> env;  // Version envs, then request env_vars.
    std::string webhook_url;
    std::string context_token;
    std::string security_number;
    std::string delete_token;
    std::string stop_key;
    bool stop_requested = false;  // A stop that waits for READY or ERROR (the 202 case).
    bool process_running = false;
    std::optional<ProcessExit> exit;  // Set once the process has ended.
    bool fail_when_ready = false;     // Fault: go to ERROR instead of READY.
    bool crash_when_ready = false;    // Fault: SIGKILL the process right after READY.
    SessionKind kind = SessionKind::kDefault;
    int sockets = 0;
    std::chrono::seconds empty_ttl{0};
    std::chrono::seconds max_duration{0};
    std::chrono::seconds grace{0};
    int req_cpu = 0;
    int req_memory_mb = 0;
    // Kept by World as sessions link, unlink and change size, so that nothing scans every session
    // per tick or per call: the ids of the sessions linked here and the sockets they hold.
    std::set<std::string> linked_sessions;
    int sockets_used = 0;

    bool Terminal() const { return state == DeploymentState::kTerminated; }
    bool Running() const { return state == DeploymentState::kReady; }
};

struct Session {
    std::string session_id;
    std::string app;
    std::string version;
    SessionKind kind = SessionKind::kSeat;
    std::vector<std::string> ips;    // The users: distinct IPs, in the order they were added.
    int version_id = 1;              // 1-based position of the version in its app (`app_version`).
    int seats = 1;                   // Sockets this session holds on its deployment (see SeatsFor).
    std::string deployment_id;       // Empty when not linked.
    std::string status = "Waiting";  // Waiting, Ready, Unprocessable, Error.
    std::string error;
    std::string webhook_url;
    common::Clock::SteadyTime created{};
    common::Clock::WallTime create_wall{};

    bool Ready() const { return status == "Ready"; }
    bool Linked() const { return !deployment_id.empty(); }
};

struct DeployRequest {
    std::string app;
    std::string version;  // Empty: the last configured version.
    std::vector<std::string> ip_list;
    std::vector<std::string> tags;
    std::vector<std::pair<std::string, std::string>> env_vars;
    std::string webhook_url;
};

struct SessionRequest {
    std::string app;
    std::string version;
    std::vector<std::string> ip_list;
    std::string deployment_request_id;  // Link to this deployment instead of choosing one.
    std::string webhook_url;
};

/// The simulated Edgegap refusing a request: the HTTP status and the `message` it answers with.
/// (What a client sees of it is an `edgegap::ErrorCategory` in its `common::Error`.)
struct Refusal {
    unsigned http_status;
    std::string message;
};

/// A value, or the refusal the simulated API answers instead.
template <typename T>
using OrRefusal = tl::expected<T, Refusal>;

/// Builds the refusal side of an `OrRefusal`: `return Refuse(404, "no such app");`
inline tl::unexpected<Refusal> Refuse(unsigned http_status, std::string message) {
    return tl::unexpected<Refusal>(Refusal{http_status, std::move(message)});
}

enum class StopOutcome { kStopping, kDeferred, kAlreadyTerminated };

class World {
  public:
    /// `base_url` is where the simulator is reachable; context and delete URLs point there.
    World(const SimulatorConfig& config, const common::Clock& clock, Runtime& runtime, FaultState& faults,
          std::string base_url);

    OrRefusal<const Deployment*> Deploy(const DeployRequest& request);
    OrRefusal<StopOutcome> Stop(const std::string& request_id, std::string_view reason);
    OrRefusal<const Session*> CreateSession(const SessionRequest& request);
    OrRefusal<Session> DeleteSession(const std::string& session_id);
    /// `PUT /v1/session/{id}/users`: adds the IPs that are not users yet; a Seat session takes one
    /// more socket of its deployment per new user. 404 unknown session; 422 when an IP is not an
    /// IPv4/IPv6 address, or new users need sockets and the session is not linked to a starting
    /// or READY deployment, or that deployment has too few free sockets (nothing is added then).
    OrRefusal<const Session*> AddSessionUsers(const std::string& session_id, const std::vector<std::string>& ips);
    /// `DELETE /v1/session/{id}/users`: removes the IPs that are users and ignores the others; a
    /// Seat session frees one socket per removed user but keeps one while it exists. 404 unknown.
    OrRefusal<const Session*> RemoveSessionUsers(const std::string& session_id, const std::vector<std::string>& ips);
    OrRefusal<const VersionConfig*> FindVersion(const std::string& app, const std::string& version) const;
    /// Adds `version` to `app` (404 without the app, 409 when the name exists). The simulator runs
    /// only programs its config names: an empty `command` becomes the command of the app's first
    /// configured version; another command must be one of the app's configured commands (else 400).
    OrRefusal<const VersionConfig*> CreateVersion(const std::string& app, VersionConfig version);
    /// Replaces the version of that name with `version` (same command rule); later deployments use it.
    OrRefusal<const VersionConfig*> ReplaceVersion(const std::string& app, VersionConfig version);

    const Deployment* FindDeployment(const std::string& request_id) const;
    const Session* FindSession(const std::string& session_id) const;
    const std::map<std::string, Deployment>& deployments() const { return deployments_; }
    const std::map<std::string, Session>& sessions() const { return sessions_; }
    const std::vector<AppConfig>& apps() const { return apps_; }
    const SimulatorConfig& config() const { return config_; }
    const common::Clock& clock() const { return clock_; }
    int SocketsUsed(const Deployment& deployment) const { return deployment.sockets_used; }
    /// The `GET /v1/status` body of `deployment`, with its linked sessions.
    boost::json::object StatusOf(const Deployment& deployment) const;
    /// The 1-based position of `version` among its app's versions (Edgegap's numeric version id).
    int VersionId(const VersionConfig& version) const;

    /// Advances every deployment and session to what the clock says. Call often.
    void Tick();
    /// Reports that a deployment's process ended. An exit that was not clean (code 0) while the
    /// deployment was meant to run is recorded as an error (a crash).
    void OnProcessExit(const ProcessExit& exit);
    /// The end of a deployment's captured output (Runtime::ReadLog).
    std::string ReadLog(const std::string& request_id, std::size_t max_bytes) const {
        return runtime_.ReadLog(request_id, max_bytes);
    }

  private:
    Deployment* MutableDeployment(const std::string& request_id);
    Session* MutableSession(const std::string& session_id);
    OrRefusal<VersionConfig*> MutableVersion(const std::string& app, const std::string& version);
    OrRefusal<AppConfig*> MutableApp(const std::string& app);
    common::Status CheckCommand(const std::string& app, VersionConfig& version) const;
    OrRefusal<Deployment*> CreateDeployment(const VersionConfig& version, const DeployRequest& request);
    OrRefusal<std::vector<AllocatedPort>> AllocatePorts(const VersionConfig& version);
    bool PortInUse(std::uint16_t port) const;
    void InitFromVersion(Deployment& deployment, const VersionConfig& version) const;
    /// The deployment a new session links to: `wanted_id` if given, else one with enough free
    /// sockets, else a new one when `autodeploy`; null when none and no autodeploy.
    OrRefusal<Deployment*> PickDeployment(const Session& session, const std::string& wanted_id, bool autodeploy);
    void SetState(Deployment& deployment, DeploymentState state);
    void RecordError(Deployment& deployment, std::string detail);
    void TickDeployment(Deployment& deployment);
    void StartProcess(Deployment& deployment);
    void FinishStarting(Deployment& deployment);
    void BeginStop(Deployment& deployment, std::string_view reason);
    void SyncSessions(Deployment& deployment);
    void SyncSession(Session& session, const Deployment& deployment);
    // The only places a session's deployment_id or seats change, keeping the deployment's index.
    void Link(Session& session, Deployment& deployment);
    void Unlink(Session& session);
    void SetSeats(Session& session, int seats);
    void SetSessionStatus(Session& session, std::string status, std::string error);
    LaunchSpec BuildLaunchSpec(const Deployment& deployment) const;

    const SimulatorConfig config_;
    const common::Clock& clock_;
    Runtime& runtime_;
    FaultState& faults_;
    const std::string base_url_;
    std::vector<AppConfig> apps_;  // Mutable copy: POST adds versions, PATCH changes them.
    std::map<std::string, Deployment> deployments_;
    std::map<std::string, Session> sessions_;
};

}  // namespace gapkit::edgegap_sim
