// gapkit-httpd: the public HTTP/WebSocket front of the matchmaker. See docs/httpd.md.
#include <csignal>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "bus_gateway.hpp"
#include "config.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"
#include "server.hpp"

namespace {

int Run(const gapkit::httpd::HttpdConfig& config) {
    // Its own inbox prefix: the httpd NATS user may subscribe to `_INBOX_httpd.>` only, so no
    // other role can read the replies meant for players.
    auto connection = gapkit::bus::Connection::Connect(
        "gapkit_httpd", {.send_asap = true, .inbox_prefix = std::string(gapkit::bus::names::kHttpdInboxPrefix)});
    if (!connection) {
        GAPKIT_LOG_ERROR("httpd", "cannot connect to NATS: {}", connection.error().ToString());
        return 1;
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
        GAPKIT_LOG_ERROR("httpd", "{}", server.error().ToString());
        return 1;
    }
    GAPKIT_LOG_INFO("httpd", "gapkit-httpd listening on {}:{}", config.bind_address, (*server)->port());
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait(
        [](boost::system::error_code, int signal) { GAPKIT_LOG_INFO("httpd", "signal {}: shutting down", signal); });
    signals_io.run();
    (*server)->Stop();
    connection->reset();
    (void)gapkit::bus::CloseLibrary();
    GAPKIT_LOG_INFO("httpd", "stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Before any secret (webhook secret, NATS password) is read: no core dump or same-user process
    // may see them.
    if (auto protected_memory = gapkit::common::ProtectProcessMemory(); !protected_memory) {
        GAPKIT_LOG_WARN("httpd", "{}", protected_memory.error().ToString());
    }
    CLI::App app{
        "gapkit-httpd: the public HTTP/WebSocket front of the gapkit matchmaker.\n"
        "NATS comes from NATS_HOST, NATS_USER, NATS_PASSWORD, NATS_CA / NATS_CA_CONTENTS, NATS_INSECURE.",
        "gapkit-httpd"};
    gapkit::httpd::HttpdConfig config;
    gapkit::httpd::AddOptions(app, config);
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "error, warn, info, debug or trace")
        ->envname("GAPKIT_LOG_LEVEL")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    auto level = gapkit::common::ParseLogLevel(log_level);
    if (!level) {
        std::fprintf(stderr, "gapkit-httpd: %s\n", level.error().ToString().c_str());
        return 2;
    }
    gapkit::common::SetLogLevel(*level);
    if (auto valid = gapkit::httpd::Finish(config); !valid) {
        std::fprintf(stderr, "gapkit-httpd: %s\n", valid.error().ToString().c_str());
        return 2;
    }
    return Run(config);
}
