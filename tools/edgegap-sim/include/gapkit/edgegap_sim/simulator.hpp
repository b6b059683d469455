#pragma once

/// @file
/// edgegap-sim: a local Edgegap v1 API that runs each deployment as a local process.
///
/// The simulator serves the Edgegap paths gapkit uses (sessions, deploy, status, stop, list,
/// context, self-stop, app versions) with Edgegap's JSON shapes, status codes and
/// `{"message": ...}` error bodies. Every deployment is a real child process started from the
/// app version's command line with the `ARBITRIUM_*` environment a real container gets. Faults
/// (latency, 5xx, 429, dropped connections, malformed JSON, failing deployments, crashing
/// processes) can be injected for tests. `docs/edgegap-sim.md` lists how it differs from Edgegap.
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
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

/// Injected faults. All are off by default. Counters (`*_next_*`) count down as they fire.
/// Programs running the simulator binary set the same fields with `POST /admin/faults` (API key
/// needed), a JSON object with these names and `added_latency_ms` for the latency.
struct Faults {
    std::chrono::milliseconds added_latency{0};  ///< Delay before every API answer. Default 0.
    double server_error_fraction = 0.0;          ///< Fraction [0,1] of API requests answered 500/502/503. Default 0.
    int rate_limit_next_requests = 0;            ///< The next N API requests get 429. Default 0.
    int retry_after_seconds = 1;                 ///< `Retry-After` (seconds) sent with every 429. Default 1.
    double drop_connection_fraction = 0.0;  ///< Fraction [0,1] of API requests whose connection is closed unanswered.
    double malformed_json_fraction = 0.0;   ///< Fraction [0,1] of API requests answered 200 with truncated JSON.
    int fail_next_deployments = 0;  ///< The next N deployments go to `Status.ERROR` instead of READY. Default 0.
    int crash_next_processes = 0;   ///< The next N deployment processes are SIGKILLed right after READY. Default 0.
};

/// One port of an app version (Edgegap `AppVersionPort`).
struct PortConfig {
    std::string name;              ///< Port name, the key of `ports` in status JSON. Required.
    std::uint16_t port = 0;        ///< Configured container port. Reported nowhere: see `docs/edgegap-sim.md`.
    std::string protocol = "UDP";  ///< "UDP", "TCP", "TCP/UDP", "HTTP", "HTTPS", "WS" or "WSS". Default "UDP".
    bool tls_upgrade = false;      ///< Echoed in status JSON only. Default false.
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

    /// Stops serving and terminates every deployment process. Idempotent; blocks until done.
    void Stop();

    class Impl;

  private:
    explicit Simulator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::edgegap_sim
