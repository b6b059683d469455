#include "gapkit/service/program.hpp"

#include <cstdio>

#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"

namespace gapkit::service {

CLI::Option* AddLogLevelOption(CLI::App& app, std::string& level) {
    CLI::Validator known_level(
        [](std::string& text) -> std::string {
            auto parsed = common::ParseLogLevel(text);
            return parsed ? std::string() : parsed.error().message();
        },
        "LEVEL");
    return AddOption(app, "--log-level", level, "GAPKIT_LOG_LEVEL", "error, warn, info, debug or trace")
        ->check(known_level);
}

void ApplyLogLevel(const std::string& level) {
    common::SetLogLevel(common::ParseLogLevel(level).value_or(common::LogLevel::kInfo));
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::ParseError& error) {
        // CLI11 prints help (exit code 0) or the error; its own error codes (101..) mean nothing
        // to a supervisor, so every usage error becomes the one kUsage.
        const int cli_code = app.exit(error);
        return cli_code == 0 ? ToInt(ExitCode::kOk) : ToInt(ExitCode::kUsage);
    }
}

int UsageError(const Program& program, const common::Error& error) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), error.ToString().c_str());
    return ToInt(ExitCode::kUsage);
}

void ProtectMemory(const Program& program) {
    if (auto protected_memory = common::ProtectProcessMemory(); !protected_memory) {
        GAPKIT_LOG_WARN(program.log_component, "{}", protected_memory.error().ToString());
    }
}

}  // namespace gapkit::service
