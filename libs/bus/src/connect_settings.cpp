#include "connect_settings.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"

namespace gapkit::bus {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;

constexpr std::string_view kDefaultPort = "4222";

Result<std::string> Pick(const std::optional<std::string>& explicit_value, std::string_view env_name) {
    if (explicit_value && !explicit_value->empty()) return *explicit_value;
    return common::RequireEnv(env_name);
}

std::optional<std::string> PickOptional(const std::optional<std::string>& explicit_value, std::string_view env_name) {
    if (explicit_value) return explicit_value->empty() ? std::nullopt : explicit_value;
    auto value = common::GetEnv(env_name);
    return value && !value->empty() ? value : std::nullopt;
}

// NATS_PASSWORD, or the contents of NATS_PASSWORD_FILE (a file keeps the secret out of the
// environment of every process the service starts, and out of `ps e`). Both set is a mistake.
Result<std::string> PickPassword(const std::optional<std::string>& explicit_value) {
    if (explicit_value && !explicit_value->empty()) return *explicit_value;
    auto file = PickOptional(std::nullopt, "NATS_PASSWORD_FILE");
    if (!file) return common::RequireEnv("NATS_PASSWORD");
    if (PickOptional(std::nullopt, "NATS_PASSWORD")) {
        return MakeError(ErrorCode::kInvalidArgument, "set NATS_PASSWORD or NATS_PASSWORD_FILE, not both");
    }
    auto password = common::ReadSecretFile(*file);
    if (!password) return common::Fail(password.error().WithContext("NATS_PASSWORD_FILE"));
    return password;
}

bool IsInboxPrefix(std::string_view prefix) {
    return !prefix.empty() && std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    });
}

bool IsIpLiteral(const std::string& host) {
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

Result<std::vector<std::string>> ParseHosts(const std::string& hosts) {
    std::vector<std::string> urls;
    std::size_t start = 0;
    while (start <= hosts.size()) {
        const auto end = std::min(hosts.find(',', start), hosts.size());
        auto url = NormalizeServerUrl(hosts.substr(start, end - start));
        if (!url) return common::Fail(url.error().WithContext("NATS_HOST"));
        urls.push_back(std::move(*url));
        start = end + 1;
    }
    return urls;
}

Result<std::filesystem::path> CheckCaFile(const std::string& path) {
    auto text = common::ReadFile(path);
    if (!text) return common::Fail(text.error().WithContext("NATS_CA: unreadable CA file"));
    if (text->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("NATS_CA: {} holds no PEM certificate", path));
    }
    return std::filesystem::path(path);
}

common::Status ResolveCa(const ConnectOptions& options, ConnectSettings& settings) {
    if (auto pem = PickOptional(options.ca_pem, "NATS_CA_CONTENTS")) {
        if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "NATS_CA_CONTENTS holds no PEM certificate");
        }
        auto path = common::WritePrivateTempFile("rootCA-" + settings.client_name, *pem);
        if (!path) return common::Fail(path.error().WithContext("NATS_CA_CONTENTS"));
        settings.ca_file = *path;
        settings.ca_file_is_temporary = true;
        settings.ca_source = "NATS_CA_CONTENTS";
        return common::Ok();
    }
    if (auto path = PickOptional(options.ca_file, "NATS_CA")) {
        auto checked = CheckCaFile(*path);
        if (!checked) return common::Fail(checked.error());
        settings.ca_file = *checked;
        settings.ca_source = "NATS_CA";
        return common::Ok();
    }
    settings.ca_source = "system trust store";
    return common::Ok();
}

// NATS_REPLICAS: "auto" (or unset) is 0, else 1..5.
Result<int> PickReplicas(std::optional<int> explicit_value) {
    constexpr int kMaxReplicas = 5;
    if (explicit_value) {
        if (*explicit_value >= 0 && *explicit_value <= kMaxReplicas) return *explicit_value;
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("replicas {} is outside 0 (auto)..{}", *explicit_value, kMaxReplicas));
    }
    auto text = PickOptional(std::nullopt, "NATS_REPLICAS");
    if (!text) return 0;
    std::transform(text->begin(), text->end(), text->begin(), [](unsigned char c) { return std::tolower(c); });
    if (*text == "auto") return 0;
    auto value = common::ParseInt(*text, 1, kMaxReplicas);
    if (!value) return common::Fail(value.error().WithContext("NATS_REPLICAS (1..5 or auto)"));
    return static_cast<int>(*value);
}

common::Status ValidateDurations(const ConnectOptions& options) {
    if (options.connect_timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "connect_timeout must be positive");
    }
    if (options.reconnect_initial_delay.count() <= 0 || options.reconnect_max_delay < options.reconnect_initial_delay) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("reconnect delays must satisfy 0 < initial ({} ms) <= max ({} ms)",
                                     options.reconnect_initial_delay.count(), options.reconnect_max_delay.count()));
    }
    return common::Ok();
}

}  // namespace

Result<std::string> NormalizeServerUrl(std::string_view host) {
    std::string text(host);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    std::string scheme = "nats";
    if (const auto sep = text.find("://"); sep != std::string::npos) {
        scheme = text.substr(0, sep);
        text = text.substr(sep + 3);
    }
    if (!text.empty() && text.back() == '/') text.pop_back();
    if (text.empty() || text.find_first_of(" /?#@") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a host, host:port or URL", host));
    }
    const auto bracket = text.rfind(']');
    const auto colon = text.rfind(':');
    const bool bracketed = bracket != std::string::npos;
    if (!bracketed && colon != std::string::npos && text.find(':') != colon) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}': write IPv6 as [addr]:port", host));
    }
    const bool has_port = colon != std::string::npos && (!bracketed || colon > bracket);
    if (has_port) {
        auto port = common::ParseInt(std::string_view(text).substr(colon + 1), 1, 65535);
        if (!port) return common::Fail(port.error().WithContext(fmt::format("port of '{}'", host)));
        return fmt::format("{}://{}", scheme, text);
    }
    return fmt::format("{}://{}:{}", scheme, text, kDefaultPort);
}

std::string UrlHost(std::string_view url) {
    std::string_view rest = url.substr(url.find("://") == std::string_view::npos ? 0 : url.find("://") + 3);
    if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(1, rest.find(']') - 1));
    return std::string(rest.substr(0, rest.rfind(':')));
}

Result<ConnectSettings> ResolveConnectSettings(std::string client_name, const ConnectOptions& options) {
    if (auto valid = ValidateDurations(options); !valid) return common::Fail(valid.error());
    ConnectSettings settings;
    settings.client_name = std::move(client_name);
    auto hosts = Pick(options.host, "NATS_HOST");
    if (!hosts) return common::Fail(hosts.error());
    auto urls = ParseHosts(*hosts);
    if (!urls) return common::Fail(urls.error());
    settings.urls = std::move(*urls);
    auto user = Pick(options.user, "NATS_USER");
    if (!user) return common::Fail(user.error());
    auto password = PickPassword(options.password);
    if (!password) return common::Fail(password.error());
    settings.user = std::move(*user);
    settings.password = std::move(*password);
    settings.tls = !options.insecure.value_or(common::EnvIsSet("NATS_INSECURE"));
    if (const auto host = UrlHost(settings.urls.front()); !IsIpLiteral(host)) settings.tls_host = host;
    settings.connect_timeout = options.connect_timeout;
    settings.reconnect_initial_delay = options.reconnect_initial_delay;
    settings.reconnect_max_delay = options.reconnect_max_delay;
    settings.send_asap = options.send_asap;
    if (!IsInboxPrefix(options.inbox_prefix)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("inbox prefix '{}' is not one NATS subject token", options.inbox_prefix));
    }
    settings.inbox_prefix = options.inbox_prefix;
    auto replicas = PickReplicas(options.replicas);
    if (!replicas) return common::Fail(replicas.error());
    settings.replicas = *replicas;
    if (!settings.tls) return settings;
    auto ca = ResolveCa(options, settings);
    if (!ca) return common::Fail(ca.error());
    return settings;
}

}  // namespace gapkit::bus
