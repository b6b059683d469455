#pragma once

/// @file
/// Reading configuration from environment variables and from text.
///
/// Environment variables are outside data: every parse is validated and a failure is an `Error`
/// (code `kInvalidArgument`) whose message names the variable and the bad value, e.g.
/// `environment variable GAPKIT_PORT: '70000' is out of range 1..65535`. Secret variables are
/// never echoed: pass `EnvSecrecy::kSecret` and the value is left out of messages.
///
/// Threads: reading the environment is safe from any thread as long as nobody calls `setenv`
/// concurrently (a POSIX rule, not ours).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::common {

/// Returns the variable's value, or nothing when it is unset. A variable set to "" is returned as "".
std::optional<std::string> GetEnv(std::string_view name);

/// Returns the variable's value; unset or empty is an error that names the variable.
Result<std::string> RequireEnv(std::string_view name);

/// True when the variable is set at all, whatever its value (the `NATS_INSECURE` convention).
bool EnvIsSet(std::string_view name);

/// Parses a decimal integer in [min_value, max_value]; no sign tricks, no trailing text.
Result<std::int64_t> ParseInt(std::string_view text, std::int64_t min_value, std::int64_t max_value);

/// Parses 1/0, true/false, yes/no, on/off (case-insensitive).
Result<bool> ParseBool(std::string_view text);

/// Parses a duration: a number with an optional unit `ms`, `s` (the default), `m` or `h`,
/// e.g. "500ms", "30", "30s", "2m". Negative durations are refused.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

/// The typed readers below return `default_value` when the variable is unset or empty and an
/// error naming the variable when it is set to something that does not parse.
Result<std::int64_t> EnvInt(std::string_view name, std::int64_t default_value, std::int64_t min_value,
                            std::int64_t max_value);
Result<bool> EnvBool(std::string_view name, bool default_value);
Result<std::chrono::milliseconds> EnvDuration(std::string_view name, std::chrono::milliseconds default_value);
std::string EnvString(std::string_view name, std::string_view default_value);

}  // namespace gapkit::common
