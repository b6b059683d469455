// gapkit-edgegap-sim: a local Edgegap API that runs game servers as local processes.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace {

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

int Run(const Options& options, Faults faults) {
    auto level = gapkit::common::ParseLogLevel(options.log_level);
    if (!level) {
        std::cerr << "--log-level: " << level.error().message() << "\n";
        return 2;
    }
    gapkit::common::SetLogLevel(*level);
    auto config = gapkit::edgegap_sim::LoadSimulatorConfig(options.config_file);
    if (!config) {
        std::cerr << "gapkit-edgegap-sim: " << config.error().ToString() << "\n";
        return 2;
    }
    config->bind_address = options.bind_address;
    config->port = static_cast<std::uint16_t>(options.port);
    config->api_key = options.api_key;
    if (!options.public_ip.empty()) config->public_ip = options.public_ip;
    if (!options.log_dir.empty()) config->log_dir = options.log_dir;
    faults.added_latency = std::chrono::milliseconds(options.added_latency_ms);
    config->faults = faults;
    // Block the stop signals before any thread starts, so only sigwait below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    auto simulator = gapkit::edgegap_sim::Simulator::Start(std::move(*config));
    if (!simulator) {
        std::cerr << "gapkit-edgegap-sim: " << simulator.error().ToString() << "\n";
        return 1;
    }
    int received = 0;
    sigwait(&stop_signals, &received);
    GAPKIT_LOG_INFO("edgegap-sim", "signal {}: stopping deployments", received);
    (*simulator)->Stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gapkit-edgegap-sim: a local Edgegap API that runs game servers as local processes",
                 "gapkit-edgegap-sim"};
    Options options;
    Faults faults;
    app.add_option("--config", options.config_file,
                   "Apps and versions (JSON), e.g. tools/edgegap-sim/examples/echo.json")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--port", options.port, "Listen port (0 = any free port)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_option("--bind", options.bind_address, "Listen address")->capture_default_str();
    app.add_option("--api-key", options.api_key, "Accepted API key (a development key, fine on the command line)")
        ->envname("EDGEGAP_SIM_API_KEY")
        ->capture_default_str();
    app.add_option("--public-ip", options.public_ip,
                   "Reported public IP of deployments (default from config, else 127.0.0.1)");
    app.add_option("--log-dir", options.log_dir, "Folder for deployment logs (default: a new temp folder)");
    app.add_option("--log-level", options.log_level, "error, warn, info, debug or trace")->capture_default_str();
    AddFaultFlags(app, faults, options);
    CLI11_PARSE(app, argc, argv);
    return Run(options, faults);
}
