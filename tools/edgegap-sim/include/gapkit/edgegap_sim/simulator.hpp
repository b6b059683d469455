#pragma once

/// @file
/// edgegap-sim: a local Edgegap v1 API that runs each deployment as a local process.
///
/// The simulator serves the Edgegap paths gapkit uses (sessions, deploy, status, stop, list,
/// context, self-stop, app versions) with Edgegap's JSON shapes, status codes and
/// `{"message": ...}` error bodies. Every deployment is a real child process started from the
/// app version's command line with the `ARBITRIUM_*` environment a real container gets. Faults
/// (latency, 5xx, 429, dropped connections, malformed JSON, failing deployments, crashing
/// processes, calls performed whose answer is lost, cut or stalled) can be injected for tests, and
/// every API call is counted per route (`Calls`, `GET /admin/calls`, `GET /metrics`).
/// `docs/edgegap-sim.md` lists how it differs from Edgegap.
///
/// Embedding in a test:
/// @code
///   auto config = gapkit::edgegap_sim::LoadSimulatorConfig("tools/edgegap-sim/examples/echo.json");
///   auto sim = gapkit::edgegap_sim::Simulator::Start(std::move(*config));
///   // talk to (*sim)->base_url() with "Authorization: token devkey"
/// @endcode

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

/// Counted faults aimed at routes. Key: a route name as `CallCount` reports it, "METHOD /path
/// template" (e.g. "POST /v1/session", "GET /v1/session/{id}"), or "*" for every `/v1` route (an
/// exact key is used before "*"). Value: how many more matching requests it hits; counts down.
using RouteCountdowns = std::map<std::string, int>;

/// Injected faults. All are off by default. Counters (`*_next_*`) count down as they fire.
/// Programs running the simulator binary set the same fields with `POST /admin/faults` (API key
/// needed), a JSON object with these names, `added_latency_ms` for the latency and `stall_ms`
/// for the stall.
struct Faults {
    std::chrono::milliseconds added_latency{0};  ///< Delay before every API answer. Default 0.
    double server_error_fraction = 0.0;          ///< Fraction [0,1] of API requests answered 500/502/503. Default 0.
    int rate_limit_next_requests = 0;            ///< The next N API requests get 429. Default 0.
    int retry_after_seconds = 1;                 ///< `Retry-After` (seconds) sent with every 429. Default 1.
    double drop_connection_fraction = 0.0;  ///< Fraction [0,1] of API requests whose connection is closed unanswered.
    double malformed_json_fraction = 0.0;   ///< Fraction [0,1] of API requests answered 200 with truncated JSON.
    int fail_next_deployments = 0;  ///< The next N deployments go to `Status.ERROR` instead of READY. Default 0.
    int crash_next_processes = 0;   ///< The next N deployment processes are SIGKILLed right after READY. Default 0.
    /// The call is performed (the session, deployment or delete really happens), then its answer
    /// is lost: the connection stays open and silent until the client gives up, and the simulator
    /// closes it after `SimulatorConfig::read_timeout`. The client sees a timeout. Default none.
    RouteCountdowns lose_next_answers;
    /// The call is performed, then the connection is closed without an answer (the client sees a
    /// reset / end of stream, a network error). Default none.
    RouteCountdowns reset_next_answers;
    /// The call is performed at once and its answer is sent `stall` later (a client with a shorter
    /// timeout gives up first). Default none.
    RouteCountdowns stall_next_answers;
    /// Delay of a stalled answer, in [0, 600 s]. Default 15 s (past the Edgegap client's 10 s default).
    std::chrono::milliseconds stall{15000};
};

/// API calls counted under one (method, route, status, fault). Only `/v1` requests are counted.
struct CallCount {
    std::string method;  ///< "GET", "POST", "DELETE", "PATCH", ...
    std::string route;   ///< Path template, e.g. "/v1/session/{id}"; "(unmatched)" for unknown paths.
    /// The HTTP status sent ("200", "404", "429", ...), or "lost", "reset" or "dropped" when no
    /// answer was sent.
    std::string status;
    /// "none", or the fault that shaped the answer: "injected_429", "injected_5xx", "malformed",
    /// "stalled", "lost", "reset", "dropped". Edgegap's own rate limit (a real 429) is "none".
    std::string fault;
    std::uint64_t count = 0;
};

/// A session the simulated account holds (deleted sessions are gone).
struct LiveSession {
    std::string session_id;
    std::string app;
    std::string version;
    std::string status;         ///< "Waiting", "Ready", "Unprocessable" or "Error".
    std::string deployment_id;  ///< Empty when not linked.
    double age_seconds = 0;     ///< Since `POST /v1/session`.
};

/// A deployment not yet `Status.TERMINATED`.
struct LiveDeployment {
    std::string request_id;
    std::string app;
    std::string version;
    std::string status;  ///< "Status.SEEKING" ... "Status.TERMINATING".
    double age_seconds = 0;
    int sessions = 0;      ///< Sessions linked to it.
    int sockets_used = 0;  ///< Of `sockets`.
    int sockets = 0;
    /// Seconds a READY session-based deployment has had no session; 0 otherwise.
    double empty_seconds = 0;
    /// `empty_seconds` beyond the version's empty TTL; 0 when within it or the TTL is off.
    double past_empty_ttl_seconds = 0;
};

/// What the simulated account holds right now, for tests and the fault harness.
struct SimulatorState {
    std::vector<LiveSession> sessions;        ///< Ordered by id.
    std::vector<LiveDeployment> deployments;  ///< Ordered by id.
};

/// One port of an app version (Edgegap `AppVersionPort`).
struct PortConfig {
    std::string name;              ///< Port name, the key of `ports` in status JSON. Required.
    std::uint16_t port = 0;        ///< Configured container port. Reported nowhere: see `docs/edgegap-sim.md`.
    std::string protocol = "UDP";  ///< "UDP", "TCP", "TCP/UDP", "HTTP", "HTTPS", "WS" or "WSS". Default "UDP".
    bool tls_upgrade = false;      ///< Echoed in status JSON only. Default false.
    bool to_check = false;         ///< Edgegap's port check; stored and reported only. Default false.
};

/// The session kind of an app version; `kDefault` means "not session based".
enum class SessionKind { kDefault, kSeat, kMatch };

/// Edgegap `session_config` of an app version.
struct SessionConfig {
    SessionKind kind = SessionKind::kDefault;  ///< Default kDefault (sessions refused).
    int sockets = 1;         ///< Seats per deployment (Seat: one per user; Match: one per session). Default 1.
    bool autodeploy = true;  ///< Start a deployment when no deployment has a free socket. Default true.
    std::chrono::seconds empty_ttl{0};  ///< Stop a READY deployment left with no session this long; 0 = never.
};

/// One app version: what to run and how it is exposed.
struct VersionConfig {
    std::string name;               ///< Version name, e.g. "1". Required.
    bool is_active = true;          ///< Inactive versions refuse deploys and sessions (400). Default true.
    std::string command;            ///< Program to run. A bare name is looked up next to the running binary, then PATH.
    std::string arguments;          ///< Arguments, split like a shell (quotes, backslash). PATCH changes them.
    std::vector<PortConfig> ports;  ///< Ports to allocate per deployment.
    std::vector<std::pair<std::string, std::string>> envs;      ///< Extra environment, before ARBITRIUM_*.
    SessionConfig session;                                      ///< Session behaviour; default kDefault.
    std::chrono::seconds max_duration{std::chrono::hours(24)};  ///< Deployment lifetime cap. Default 24 h.
    std::chrono::seconds termination_grace_period{5};           ///< SIGTERM to SIGKILL delay. Default 5 s.
    int req_cpu = 256;        ///< vCPU units reported (ARBITRIUM_DEPLOYMENT_VCPU_UNITS). Default 256.
    int req_memory_mb = 256;  ///< Memory reported (ARBITRIUM_DEPLOYMENT_MEMORY_MB). Default 256.
    /// The image Edgegap would pull, reported only (the simulator runs `command`). Defaults: "local",
    /// `command`, `name` (empty means the default).
    std::string docker_repository;
    std::string docker_image;  ///< See `docker_repository`.
    std::string docker_tag;    ///< See `docker_repository`.
    /// Registry credentials Edgegap would pull with (`private_username`/`private_token`), kept
    /// and answered by GET as given; never used, logged or shown on the status page.
    std::string private_username;
    std::string private_token;
    std::vector<std::string> secret_env_keys;  ///< Keys of `envs` given with `is_secret: true` (reported as such).
};

/// An application and its versions.
struct AppConfig {
    std::string name;                     ///< App name. Required.
    std::vector<VersionConfig> versions;  ///< At least one.
};

/// Where the deployments pretend to be (status `location`, ARBITRIUM_DEPLOYMENT_LOCATION).
struct LocationConfig {
    std::string city = "Montreal";
    std::string country = "Canada";
    std::string continent = "North America";
    std::string administrative_division = "Quebec";
    std::string timezone = "Eastern Time";
    double latitude = 45.508888;
    double longitude = -73.561668;
};

/// How long a deployment stays in each starting state.
struct StatusDelays {
    std::chrono::milliseconds seeking{200};  ///< Status.SEEKING before the process starts. Default 200 ms.
    std::chrono::milliseconds deploying{
        300};  ///< Status.DEPLOYING before READY (process must be alive). Default 300 ms.
};

/// Requests per second allowed per category (a one-second window); 0 = unlimited.
/// Defaults are Edgegap's documented limits.
struct RateLimits {
    int deploy_per_second = 40;   ///< POST /v1/deploy and POST /v1/session. Default 40.
    int status_per_second = 20;   ///< GET /v1/status/... Default 20.
    int context_per_second = 10;  ///< GET /v1/context/... Default 10.
};

/// Everything the simulator needs. Plain data; `Simulator::Start` validates it.
struct SimulatorConfig {
    std::string bind_address = "127.0.0.1";  ///< Listen address. Default 127.0.0.1.
    std::uint16_t port = 0;                  ///< Listen port; 0 picks a free one. Default 0.
    std::string api_key = "devkey";          ///< Accepted as `Authorization: token <key>` or raw. Default "devkey".
    std::string public_ip = "127.0.0.1";     ///< Reported public IP; ports are allocated on it. Default 127.0.0.1.
    std::vector<AppConfig> apps;             ///< Apps and versions served.
    LocationConfig location;                 ///< Reported location of every deployment.
    StatusDelays delays;                     ///< Starting-state delays.
    RateLimits rate_limits;                  ///< 429 thresholds.
    Faults faults;                           ///< Faults active from the start. Default none.
    std::filesystem::path log_dir;           ///< Per-deployment log files; empty = a new temp folder.
    std::size_t max_body_bytes = 1 << 20;    ///< Largest accepted request body (bytes). Default 1 MiB.
    std::chrono::seconds read_timeout{30};   ///< Idle limit of a client connection. Default 30 s.
    std::size_t max_env_value_bytes = 4096;  ///< Largest injected env value (Edgegap: 4 KB). Default 4096.
    std::chrono::milliseconds tick_interval{50};  ///< How often states, timers and processes are checked.

    /// Checks every field; the error names the field and the bad value.
    common::Status Validate() const;
};

/// Reads a config file: TOML when its name ends in ".toml", JSON otherwise (format in
/// docs/edgegap-sim.md; examples/echo.json and echo.toml). Fails with kNotFound for a missing
/// file and kInvalidArgument naming the bad field or the TOML syntax error.
common::Result<SimulatorConfig> LoadSimulatorConfig(const std::filesystem::path& config_file);

/// Parses the JSON text of a config file (same rules as `LoadSimulatorConfig`).
common::Result<SimulatorConfig> ParseSimulatorConfig(std::string_view json_text);

/// A running simulator.
///
/// Threads: `Start` creates one I/O thread that serves HTTP, advances deployment states and
/// reaps processes. Every public method is thread-safe. Ownership: the simulator owns its I/O
/// thread, its listening socket and every process it started; `Stop` (or the destructor)
/// terminates them all before returning: SIGTERM to each process group, then SIGKILL to those
/// still running once the longest configured `termination_grace_period` has passed.
class Simulator {
  public:
    /// Validates `config`, binds the listener and starts serving. Fails (kInvalidArgument,
    /// kIo) without leaving a thread or socket behind.
    static common::Result<std::unique_ptr<Simulator>> Start(SimulatorConfig config);

    ~Simulator();  ///< Calls Stop().
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// The bound TCP port.
    std::uint16_t port() const;

    /// "http://<bind address>:<port>", the base URL for an Edgegap client.
    std::string base_url() const;

    /// Replaces the active faults (counters restart from the given values).
    void SetFaults(const Faults& faults);

    /// The API calls counted since start or the last `ResetCalls`, ordered by method, route,
    /// status, fault. Also served at `GET /admin/calls` and `GET /metrics`.
    std::vector<CallCount> Calls() const;

    /// The sum of the counts matching `method` and `route`, and `status` unless it is empty.
    std::uint64_t CountCalls(std::string_view method, std::string_view route, std::string_view status = {}) const;

    /// Sets every call count back to zero.
    void ResetCalls();

    /// Live sessions and deployments. Also served at `GET /admin/state`.
    SimulatorState State() const;

    /// Stops serving and terminates every deployment process. Idempotent; blocks until done.
    void Stop();

    class Impl;

  private:
    explicit Simulator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::edgegap_sim
