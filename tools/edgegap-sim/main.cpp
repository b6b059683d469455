// gapkit-edgegap-sim: a local Edgegap API that runs game servers as local processes. Options and
// behaviour: docs/edgegap-sim.md. Exit codes: docs/architecture.md "Programs" (service::ExitCode).

#include <CLI/CLI.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"

namespace {

namespace service = gapkit::service;

using gapkit::edgegap_sim::Faults;
using gapkit::edgegap_sim::SimulatorConfig;

struct Options {
    std::string config_file;
    std::string bind_address = "127.0.0.1";
    int port = 8090;
    std::string api_key = "devkey";
    std::string public_ip;
    std::string log_level = "info";
    std::string log_dir;
    int added_latency_ms = 0;
    int shutdown_grace_seconds = 30;
};

void AddFaultFlags(CLI::App& app, Faults& faults, Options& options) {
    app.add_option("--fault-latency-ms", options.added_latency_ms, "Delay added to every API answer (ms)")
        ->capture_default_str()
        ->check(CLI::Range(0, 600000));
    app.add_option("--fault-5xx-fraction", faults.server_error_fraction,
                   "Fraction of API requests answered 500/502/503")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-429-next", faults.rate_limit_next_requests, "The next N API requests get 429")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--fault-retry-after", faults.retry_after_seconds, "Retry-After seconds sent with 429")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--fault-drop-fraction", faults.drop_connection_fraction,
                   "Fraction of API requests dropped unanswered")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-malformed-fraction", faults.malformed_json_fraction,
                   "Fraction of API requests answered with truncated JSON")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-fail-deployments", faults.fail_next_deployments,
                   "The next N deployments go to Status.ERROR")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--fault-crash-processes", faults.crash_next_processes,
                   "The next N deployment processes are killed right after READY")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
}

// The signals are blocked before the simulator starts its threads, so only `stop_signals` sees them;
// the deployment processes it spawns get a clean signal mask (process_launcher.cpp).
int Run(const service::Program& program, const Options& options, Faults faults, service::StopSignals& stop_signals) {
    auto config = gapkit::edgegap_sim::LoadSimulatorConfig(options.config_file);
    if (!config) return service::UsageError(program, config.error());
    config->bind_address = options.bind_address;
    config->port = static_cast<std::uint16_t>(options.port);
    config->api_key = options.api_key;
    if (!options.public_ip.empty()) config->public_ip = options.public_ip;
    if (!options.log_dir.empty()) config->log_dir = options.log_dir;
    faults.added_latency = std::chrono::milliseconds(options.added_latency_ms);
    config->faults = faults;
    auto simulator = gapkit::edgegap_sim::Simulator::Start(std::move(*config));
    if (!simulator) {
        GAPKIT_LOG_ERROR(program.log_component, "{}", simulator.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    service::WaitThenStop(stop_signals, program, std::chrono::seconds(options.shutdown_grace_seconds),
                          [&] { (*simulator)->Stop(); });
    return service::ToInt(service::ExitCode::kOk);
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"gapkit-edgegap-sim", "edgegap-sim"};
    service::StopSignals stop_signals;
    CLI::App app{"gapkit-edgegap-sim: a local Edgegap API that runs game servers as local processes", program.name};
    Options options;
    Faults faults;
    app.add_option("--config", options.config_file,
                   "Apps and versions (JSON), e.g. tools/edgegap-sim/examples/echo.json")
        ->required()
        ->check(CLI::ExistingFile);
    service::AddOption(app, "--port", options.port, "GAPKIT_SIM_PORT", "Listen port (0 = any free port)")
        ->check(CLI::Range(0, 65535));
    service::AddOption(app, "--bind", options.bind_address, "GAPKIT_SIM_BIND", "Listen address");
    service::AddOption(app, "--api-key", options.api_key, "EDGEGAP_SIM_API_KEY",
                       "Accepted API key (a development key, fine on the command line)");
    service::AddOption(app, "--public-ip", options.public_ip, "GAPKIT_SIM_PUBLIC_IP",
                       "Reported public IP of deployments (empty: from the config, else 127.0.0.1)");
    service::AddOption(app, "--log-dir", options.log_dir, "GAPKIT_SIM_LOG_DIR",
                       "Folder for deployment logs (empty: a new temp folder)");
    service::AddOption(app, "--shutdown-grace", options.shutdown_grace_seconds, "GAPKIT_SIM_SHUTDOWN_GRACE",
                       "Seconds stopping the deployments may take on SIGTERM")
        ->check(CLI::Range(0, 3600));
    service::AddLogLevelOption(app, options.log_level);
    AddFaultFlags(app, faults, options);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(options.log_level);
    return Run(program, options, faults, stop_signals);
}
