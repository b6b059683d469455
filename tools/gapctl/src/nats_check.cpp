#include "nats_check.hpp"

#include <iostream>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::cli {
namespace {

constexpr const char* kLog = "gapctl";

constexpr const char* kEnvironmentHelp =
    "Environment:\n"
    "  NATS_HOST         required: host, host:port (default port 4222) or URL such as tls://host:4222\n"
    "  NATS_USER         required: NATS user name\n"
    "  NATS_PASSWORD     required: NATS password (never printed)\n"
    "  NATS_CA           path to the PEM CA that signed the server certificate (self-signed set-ups)\n"
    "  NATS_CA_CONTENTS  the same CA as PEM text (written to a private temp file); wins over NATS_CA\n"
    "  NATS_INSECURE     set to anything to connect without TLS (loopback development only)\n";

}  // namespace

common::Status CheckNatsConnection(std::chrono::milliseconds connect_timeout) {
    GAPKIT_LOG_INFO(kLog, "checking NATS as client '{}'", kNatsCheckClientName);
    bus::ConnectOptions options;
    options.connect_timeout = connect_timeout;
    auto connection = bus::Connection::Connect(kNatsCheckClientName, options);
    if (!connection) return common::Fail(connection.error());
    GAPKIT_LOG_INFO(kLog, "connected to {}; checking a round trip", (*connection)->ConnectedUrl());
    return (*connection)->Flush(connect_timeout);
}

void RegisterNatsCheckCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("nats-check", "Check the NATS connection configured by the NATS_* variables");
    command->footer(kEnvironmentHelp);
    auto timeout_seconds = std::make_shared<int>(5);
    command->add_option("--timeout-seconds", *timeout_seconds, "Bound on connecting and on the round trip")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    command->callback([timeout_seconds, &exit_code] {
        const auto status = CheckNatsConnection(std::chrono::seconds(*timeout_seconds));
        // Every bus object is gone now; join nats.c's threads so the process exits cleanly.
        (void)bus::CloseLibrary();
        if (!status) {
            GAPKIT_LOG_ERROR(kLog, "NATS check failed: {}", status.error().ToString());
            exit_code = 1;
            return;
        }
        std::cout << "NATS connected OK!" << std::endl;
        exit_code = 0;
    });
}

}  // namespace gapkit::cli
