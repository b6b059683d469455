#include "commands.hpp"

namespace gapkit::cli {

void RegisterCommands(CLI::App& app, int& exit_code) {
    (void)app;
    (void)exit_code;
}

}  // namespace gapkit::cli
