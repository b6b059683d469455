#include "gapkit/common/log.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace gapkit::common {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
    switch (level) {
        case LogLevel::kError:
            return spdlog::level::err;
        case LogLevel::kWarn:
            return spdlog::level::warn;
        case LogLevel::kInfo:
            return spdlog::level::info;
        case LogLevel::kDebug:
            return spdlog::level::debug;
        case LogLevel::kTrace:
            return spdlog::level::trace;
    }
    return spdlog::level::info;
}

// The default sink owns a private spdlog logger so a game that also uses spdlog keeps its own
// default logger untouched.
LogSink MakeDefaultSink() {
    auto logger = std::make_shared<spdlog::logger>("gapkit", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %v");
    logger->set_level(spdlog::level::trace);
    return [logger](LogLevel level, std::string_view component, std::string_view message) {
        logger->log(ToSpdlog(level), "[{}] {}", component, message);
    };
}

// The sink is swapped rarely and read on every message; a shared_ptr copied under a mutex lets a
// message in flight finish on the old sink while another thread installs a new one.
struct SinkHolder {
    std::mutex mutex;
    std::shared_ptr<const LogSink> sink = std::make_shared<const LogSink>(MakeDefaultSink());
};

SinkHolder& Holder() {
    static SinkHolder holder;
    return holder;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }

LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed)); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed); }

void SetLogSink(LogSink sink) {
    auto next = std::make_shared<const LogSink>(sink ? std::move(sink) : MakeDefaultSink());
    std::lock_guard lock(Holder().mutex);
    Holder().sink = std::move(next);
}

void Log(LogLevel level, std::string_view component, std::string_view message) {
    if (!LogEnabled(level)) return;
    std::shared_ptr<const LogSink> sink;
    {
        std::lock_guard lock(Holder().mutex);
        sink = Holder().sink;
    }
    (*sink)(level, component, message);
}

std::string_view ToString(LogLevel level) {
    switch (level) {
        case LogLevel::kError:
            return "error";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kTrace:
            return "trace";
    }
    return "info";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "warning") return LogLevel::kWarn;
    for (LogLevel level : {LogLevel::kError, LogLevel::kWarn, LogLevel::kInfo, LogLevel::kDebug, LogLevel::kTrace}) {
        if (lower == ToString(level)) return level;
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("unknown log level '{}' (expected error, warn, info, debug or trace)", text));
}

}  // namespace gapkit::common
