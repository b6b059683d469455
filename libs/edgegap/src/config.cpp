#include "gapkit/edgegap/config.hpp"

#include <cctype>

#include <fmt/core.h>

#include "gapkit/common/env.hpp"
#include "http_transport.hpp"

namespace gapkit::edgegap {
namespace {

using common::ErrorCode;
using common::MakeError;

common::Status CheckRate(std::string_view name, const RateLimit& limit) {
    if (limit.unlimited || (limit.requests_per_second > 0.0 && limit.burst >= 1.0)) return common::Ok();
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("rate_limits.{}: needs requests_per_second > 0 and burst >= 1 (got {} and {})", name,
                                 limit.requests_per_second, limit.burst));
}

common::Result<ContainerEndpoint> EndpointFromEnv(std::string_view url_name, std::string_view token_name) {
    auto url = common::RequireEnv(url_name);
    if (!url) return common::Fail(url.error());
    if (auto target = detail::ParseTarget(*url); !target) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("environment variable {}: {}", url_name, target.error().message()));
    }
    auto token = common::RequireEnv(token_name);
    if (!token) return common::Fail(token.error());
    return ContainerEndpoint{std::move(*url), std::move(*token)};
}

}  // namespace

std::string NormalizeApiKey(std::string_view key) {
    auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!key.empty() && is_space(key.front())) key.remove_prefix(1);
    while (!key.empty() && is_space(key.back())) key.remove_suffix(1);
    constexpr std::string_view kPrefix = "token ";
    if (key.size() >= kPrefix.size()) {
        std::string head(key.substr(0, kPrefix.size()));
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (head == kPrefix) key.remove_prefix(kPrefix.size());
    }
    while (!key.empty() && is_space(key.front())) key.remove_prefix(1);
    return std::string(key);
}

common::Result<ClientConfig> ClientConfig::FromEnv() {
    auto key = common::RequireEnv("EDGEGAP_API_KEY");
    if (!key) return common::Fail(key.error());
    return FromEnvWithKey(std::move(*key));
}

common::Result<ClientConfig> ClientConfig::FromEnvWithKey(std::string api_key) {
    ClientConfig config;
    config.api_key = std::move(api_key);
    config.base_url = common::EnvString("EDGEGAP_BASE_URL", config.base_url);
    auto timeout = common::EnvDuration("EDGEGAP_REQUEST_TIMEOUT", config.request_timeout);
    if (!timeout) return common::Fail(timeout.error());
    config.request_timeout = *timeout;
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    return config;
}

common::Status ClientConfig::Validate() const {
    if (auto target = detail::ParseTarget(base_url); !target) {
        return MakeError(ErrorCode::kInvalidArgument, "base_url: " + target.error().message());
    }
    if (api_key.find_first_of("\r\n") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "api_key: contains a line break");
    }
    if (request_timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("request_timeout: must be positive (got {} ms)", request_timeout.count()));
    }
    if (retry.max_attempts < 1 || retry.backoff_base.count() < 0 || retry.backoff_cap < retry.backoff_base) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("retry: needs max_attempts >= 1 and 0 <= backoff_base <= backoff_cap (got {}, {} "
                                     "ms, {} ms)",
                                     retry.max_attempts, retry.backoff_base.count(), retry.backoff_cap.count()));
    }
    if (max_idle_connection_age.count() < 0) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("max_idle_connection_age: must not be negative (got {} s)", max_idle_connection_age.count()));
    }
    if (max_response_bytes == 0) return MakeError(ErrorCode::kInvalidArgument, "max_response_bytes: must be positive");
    for (EndpointClass endpoint : kEndpointClasses) {
        if (auto ok = CheckRate(EndpointClassName(endpoint), rate_limits.For(endpoint)); !ok) return ok;
    }
    return common::Ok();
}

common::Result<ContainerEndpoint> ContainerEndpoint::ContextFromEnv() {
    return EndpointFromEnv("ARBITRIUM_CONTEXT_URL", "ARBITRIUM_CONTEXT_TOKEN");
}

common::Result<ContainerEndpoint> ContainerEndpoint::SelfStopFromEnv() {
    return EndpointFromEnv("ARBITRIUM_DELETE_URL", "ARBITRIUM_DELETE_TOKEN");
}

}  // namespace gapkit::edgegap
