#pragma once

/// @file
/// The skeleton every gapkit program is built on (the services, edgegap-sim, spaceships-server and
/// gapctl), so that siblings look alike: one table of exit codes, one way to declare an option
/// with its environment variable and default, one `--log-level`, one way to report a bad
/// configuration. Each `main.cpp` has the same shape:
///
/// @code
///   int main(int argc, char** argv) {
///       const gapkit::service::Program program{"gapkit-httpd", "httpd"};
///       gapkit::service::StopSignals stop_signals;      // before any thread starts
///       gapkit::service::ProtectMemory(program);        // before any secret is read
///       CLI::App app{"gapkit-httpd: ...", program.name};
///       HttpdConfig config;
///       AddOptions(app, config);                        // service::AddOption per field
///       if (auto exit = gapkit::service::ParseCommandLine(app, argc, argv)) return *exit;
///       if (auto ok = Finish(config); !ok) return gapkit::service::UsageError(program, ok.error());
///       gapkit::service::ApplyLogLevel(config.log_level);
///       return Run(program, config, stop_signals);      // kOk after a clean stop, kFailure otherwise
///   }
/// @endcode
///
/// Threads: call these from `main`'s thread during start-up.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::service {

/// The exit codes of every gapkit program (docs/operations table "Exit codes").
enum class ExitCode : int {
    kOk = 0,       ///< Stopped cleanly (SIGINT/SIGTERM), or the command did what was asked.
    kFailure = 1,  ///< Could not start or failed while running (NATS, a port, Edgegap...); the log says why.
    kUsage = 2,    ///< Bad flags, environment or configuration: nothing was started; stderr says why.
};

/// `static_cast<int>(code)`, for `return` from `main`.
constexpr int ToInt(ExitCode code) { return static_cast<int>(code); }

/// Who is running.
struct Program {
    /// The installed name, e.g. "gapkit-httpd": the prefix of usage errors and the NATS client name
    /// (the one nats-server shows in its connection list).
    std::string name;
    /// The logger's component name, e.g. "httpd".
    std::string log_component;
};

/// Declares `--flag` bound to `field`, read from `env` when the flag is absent, with `field`'s
/// current value as the default; `--help` shows the env name and the default. Chain `->check()`
/// for a range CLI11 should refuse before the config's own `Validate`.
template <typename T>
CLI::Option* AddOption(CLI::App& app, const std::string& flag, T& field, const std::string& env,
                       const std::string& help) {
    return app.add_option(flag, field, help)->envname(env)->capture_default_str();
}

/// `--log-level` / `GAPKIT_LOG_LEVEL` into `level` (error, warn, info, debug or trace; default the
/// field's value, "info" in every gapkit config). A bad level is a usage error.
CLI::Option* AddLogLevelOption(CLI::App& app, std::string& level);

/// Sets the process's log level from a level `AddLogLevelOption` accepted (anything else: info).
void ApplyLogLevel(const std::string& level);

/// Parses the command line and environment. Returns nothing when the program should go on, or the
/// exit code to return at once: kOk after `--help`, kUsage after an error (CLI11 printed it).
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv);

/// Prints "<program>: <error>" to stderr and returns kUsage: for a configuration that parsed but
/// does not hold together (a missing secret, a value out of range).
int UsageError(const Program& program, const common::Error& error);

/// `common::ProtectProcessMemory()`, logging a warning when the kernel refuses (the program goes
/// on: a container may forbid the call).
void ProtectMemory(const Program& program);

}  // namespace gapkit::service
