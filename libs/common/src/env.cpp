#include "gapkit/common/env.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include <fmt/core.h>

namespace gapkit::common {
namespace {

std::string Lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower;
}

// Prefixes a parse error with the variable's name so operators know which setting to fix.
Error NameVariable(std::string_view name, const Error& error) {
    return error.WithContext(fmt::format("environment variable {}", name));
}

}  // namespace

std::optional<std::string> GetEnv(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

Result<std::string> RequireEnv(std::string_view name) {
    auto value = GetEnv(name);
    if (!value || value->empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("environment variable {} is required but {}", name, value ? "empty" : "not set"));
    }
    return *value;
}

bool EnvIsSet(std::string_view name) { return GetEnv(name).has_value(); }

Result<std::int64_t> ParseInt(std::string_view text, std::int64_t min_value, std::int64_t max_value) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not an integer", text));
    }
    if (ec == std::errc::result_out_of_range || value < min_value || value > max_value) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("'{}' is out of range {}..{}", text, min_value, max_value));
    }
    return value;
}

Result<bool> ParseBool(std::string_view text) {
    const std::string lower = Lower(text);
    if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
    if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a boolean (use true or false)", text));
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string unit = Lower(text.substr(digits));
    std::int64_t scale_ms = 0;
    if (unit.empty() || unit == "s") {
        scale_ms = 1000;
    } else if (unit == "ms") {
        scale_ms = 1;
    } else if (unit == "m") {
        scale_ms = 60 * 1000;
    } else if (unit == "h") {
        scale_ms = 60 * 60 * 1000;
    }
    if (digits == 0 || scale_ms == 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("'{}' is not a duration (examples: 500ms, 30s, 2m, 1h)", text));
    }
    constexpr std::int64_t kMaxMs = std::int64_t{365} * 24 * 60 * 60 * 1000;
    auto number = ParseInt(text.substr(0, digits), 0, kMaxMs / scale_ms);
    if (!number) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is longer than a year", text));
    }
    return std::chrono::milliseconds(*number * scale_ms);
}

Result<std::int64_t> EnvInt(std::string_view name, std::int64_t default_value, std::int64_t min_value,
                            std::int64_t max_value) {
    auto text = GetEnv(name);
    if (!text || text->empty()) return default_value;
    return ParseInt(*text, min_value, max_value).map_error([name](const Error& e) { return NameVariable(name, e); });
}

Result<bool> EnvBool(std::string_view name, bool default_value) {
    auto text = GetEnv(name);
    if (!text || text->empty()) return default_value;
    return ParseBool(*text).map_error([name](const Error& e) { return NameVariable(name, e); });
}

Result<std::chrono::milliseconds> EnvDuration(std::string_view name, std::chrono::milliseconds default_value) {
    auto text = GetEnv(name);
    if (!text || text->empty()) return default_value;
    return ParseDuration(*text).map_error([name](const Error& e) { return NameVariable(name, e); });
}

std::string EnvString(std::string_view name, std::string_view default_value) {
    auto text = GetEnv(name);
    if (!text || text->empty()) return std::string(default_value);
    return *text;
}

}  // namespace gapkit::common
