#pragma once

/// @file
/// The logging facade of every gapkit library and service.
///
/// Libraries log through the `GAPKIT_LOG_*` macros, which test the level before formatting, so a
/// disabled level costs one atomic load. Messages go to one process-wide sink. The default sink
/// writes one line per message to stderr through spdlog:
/// `2026-11-24 17:20:01.123 info  [bus] connected to tls://127.0.0.1:4222`.
/// A game engine replaces it with `SetLogSink` to route gapkit's messages into its own console.
///
/// Threads: every function here may be called from any thread. The sink is called from whichever
/// thread logged (NATS callback threads included), so a sink must be thread-safe and must not call
/// back into gapkit. Secrets (keys, passwords, tokens) are never logged by gapkit code.

#include <functional>
#include <string_view>

#include <fmt/core.h>

#include "gapkit/common/result.hpp"

namespace gapkit::common {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

/// Receives one formatted message. `component` is a short name such as "bus" or "matchmaker".
using LogSink = std::function<void(LogLevel level, std::string_view component, std::string_view message)>;

/// Messages above `level` are dropped before formatting. Default: `kInfo`.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);

/// Replaces the process-wide sink. An empty function restores the default stderr sink.
void SetLogSink(LogSink sink);

/// Sends an already formatted message to the sink if `level` is enabled.
void Log(LogLevel level, std::string_view component, std::string_view message);

/// Returns "error", "warn", "info", "debug" or "trace".
std::string_view ToString(LogLevel level);

/// Parses the names `ToString` returns (case-insensitive; "warning" is accepted too).
Result<LogLevel> ParseLogLevel(std::string_view text);

}  // namespace gapkit::common

/// Logs `fmt::format(...)` under `component` when `level` is enabled.
#define GAPKIT_LOG(level, component, ...)                                        \
    do {                                                                         \
        if (::gapkit::common::LogEnabled(level)) {                               \
            ::gapkit::common::Log(level, component, ::fmt::format(__VA_ARGS__)); \
        }                                                                        \
    } while (false)

#define GAPKIT_LOG_ERROR(component, ...) GAPKIT_LOG(::gapkit::common::LogLevel::kError, component, __VA_ARGS__)
#define GAPKIT_LOG_WARN(component, ...) GAPKIT_LOG(::gapkit::common::LogLevel::kWarn, component, __VA_ARGS__)
#define GAPKIT_LOG_INFO(component, ...) GAPKIT_LOG(::gapkit::common::LogLevel::kInfo, component, __VA_ARGS__)
#define GAPKIT_LOG_DEBUG(component, ...) GAPKIT_LOG(::gapkit::common::LogLevel::kDebug, component, __VA_ARGS__)
#define GAPKIT_LOG_TRACE(component, ...) GAPKIT_LOG(::gapkit::common::LogLevel::kTrace, component, __VA_ARGS__)
