// gapkit-httpd: the public HTTP/WebSocket front of the matchmaker. Options and behaviour:
// docs/httpd.md. Exit codes: docs/architecture.md "Programs" (service::ExitCode).

#include <CLI/CLI.hpp>

#include "bus_gateway.hpp"
#include "config.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"
#include "server.hpp"

namespace {

namespace service = gapkit::service;
using gapkit::httpd::HttpdConfig;

int Run(const service::Program& program, const HttpdConfig& config, service::StopSignals& stop_signals) {
    // Its own inbox prefix: the httpd NATS user may subscribe to `_INBOX_httpd.>` only, so no
    // other role can read the replies meant for players.
    auto connection = gapkit::bus::Connection::Connect(
        program.name, {.send_asap = true, .inbox_prefix = std::string(gapkit::bus::names::kHttpdInboxPrefix)});
    if (!connection) {
        GAPKIT_LOG_ERROR(program.log_component, "cannot connect to NATS: {}", connection.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    // The bus bounds are a little looser than the WebSocket session's own (request timeout: 408,
    // matchmaker silence: 503), which report to the player; these only free an abandoned inbox.
    const auto slack = std::chrono::seconds(5);
    gapkit::httpd::BusGateway gateway(
        **connection, {.overall_timeout = std::chrono::seconds(config.request_timeout_seconds) + slack,
                       .idle_timeout = std::chrono::seconds(config.matchmaker_silence_seconds) + slack});
    gapkit::common::MetricsRegistry metrics;
    auto server = gapkit::httpd::HttpServer::Start(config, {gateway, metrics, gapkit::common::SystemClock::Instance()});
    if (!server) {
        GAPKIT_LOG_ERROR(program.log_component, "{}", server.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    GAPKIT_LOG_INFO(program.log_component, "gapkit-httpd listening on {}:{}", config.bind_address, (*server)->port());
    service::WaitThenStop(stop_signals, program, std::chrono::seconds(config.shutdown_grace_seconds),
                          [&] { (*server)->Stop(); });
    connection->reset();
    GAPKIT_LOG_INFO(program.log_component, "stopped");
    return service::ToInt(service::ExitCode::kOk);
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"gapkit-httpd", "httpd"};
    service::StopSignals stop_signals;
    service::ProtectMemory(program);
    CLI::App app{"gapkit-httpd: the public HTTP/WebSocket front of the gapkit matchmaker", program.name};
    app.footer(std::string(gapkit::bus::kEnvironmentHelp));
    HttpdConfig config;
    gapkit::httpd::AddOptions(app, config);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(config.log_level);
    if (auto finished = gapkit::httpd::Finish(config); !finished) return service::UsageError(program, finished.error());
    const int code = Run(program, config, stop_signals);
    (void)gapkit::bus::CloseLibrary();
    return code;
}
