#include "gapkit/client/config.hpp"

#include <fmt/core.h>

#include "gapkit/common/env.hpp"
#include "matchmaker_link.hpp"

namespace gapkit::client {
namespace {

common::Status RequirePositive(std::string_view field, double value, double max_value) {
    // Written so that NaN fails too.
    if (!(value > 0 && value <= max_value)) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("{}: {} is not in (0, {}]", field, value, max_value));
    }
    return common::Ok();
}

}  // namespace

common::Status GameClientConfig::Validate() const {
    constexpr double kDay = 24 * 60 * 60;
    auto url = detail::ParseWebSocketUrl(matchmaker_url);
    if (!url) return common::Fail(url.error().WithContext("matchmaker_url"));
    auto status =
        RequirePositive("matchmaking_timeout_seconds", matchmaking_timeout_seconds, kDay)
            .and_then([&] {
                return RequirePositive("matchmaker_connect_timeout_seconds", matchmaker_connect_timeout_seconds, kDay);
            })
            .and_then([&] { return RequirePositive("connect_timeout_seconds", connect_timeout_seconds, kDay); });
    if (!status) return status;
    if (max_message_bytes < 4096 || max_message_bytes > 16 * 1024 * 1024) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("max_message_bytes: {} is not in 4096..16777216", max_message_bytes));
    }
    return common::Ok();
}

GameClientConfig ApplyEnvOverrides(GameClientConfig config) {
    auto url = common::GetEnv(kMatchmakerUrlEnv);
    if (url && !url->empty()) config.matchmaker_url = *url;
    return config;
}

}  // namespace gapkit::client
