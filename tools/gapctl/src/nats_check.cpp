#include "nats_check.hpp"

#include <iostream>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"

namespace gapkit::cli {
namespace {

constexpr const char* kLog = "gapctl";

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
    command->footer(std::string(bus::kEnvironmentHelp));
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
            exit_code = service::ToInt(service::ExitCode::kFailure);
            return;
        }
        std::cout << "NATS connected OK!" << std::endl;
        exit_code = service::ToInt(service::ExitCode::kOk);
    });
}

}  // namespace gapkit::cli
