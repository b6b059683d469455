// gapctl: the operator's command-line tool for a gapkit deployment. Its commands are documented
// where they are used: nats-check in docs/bus.md, token in docs/protocol/netcode.md.
// Exit codes: docs/architecture.md "Programs" (service::ExitCode).

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "gapkit/service/program.hpp"

namespace service = gapkit::service;

int main(int argc, char** argv) {
    const service::Program program{"gapctl", "gapctl"};
    service::ProtectMemory(program);
    CLI::App app{"gapctl: operate a gapkit deployment (NATS bus, Edgegap sessions, tokens)", program.name};
    app.require_subcommand(1);
    int exit_code = service::ToInt(service::ExitCode::kOk);
    gapkit::cli::RegisterCommands(app, exit_code);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    return exit_code;
}
