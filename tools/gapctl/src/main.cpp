// gapctl: the operator's command-line tool for a gapkit deployment.
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"gapctl: operate a gapkit deployment (NATS bus, Edgegap sessions, tokens)", "gapctl"};
    app.require_subcommand(1);
    int exit_code = 0;
    gapkit::cli::RegisterCommands(app, exit_code);
    CLI11_PARSE(app, argc, argv);
    return exit_code;
}
