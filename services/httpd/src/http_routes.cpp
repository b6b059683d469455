#include "http_routes.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fmt/core.h>

namespace gapkit::httpd {
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kWebhookPrefix = "/edgegap/webhook/";

std::array<unsigned char, SHA256_DIGEST_LENGTH> Digest(std::string_view text) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

bool AnyOrigin(const HttpdConfig& config) {
    return config.cors_origins.empty() ||
           std::find(config.cors_origins.begin(), config.cors_origins.end(), "*") != config.cors_origins.end();
}

HttpResponse HandleWebhook(ServerContext& context, const HttpRequest& request) {
    // A wrong secret looks exactly like a missing route, so the endpoint cannot be discovered.
    if (CheckWebhook(context.config, request.target()) != WebhookAuth::kAuthentic) {
        return MakeResponse(context, request, http::status::not_found, "not found\n");
    }
    if (request.method() != http::verb::post) {
        return MakeResponse(context, request, http::status::method_not_allowed, "use POST\n");
    }
    auto relayed = context.gateway.RelayWebhook(request.body());
    if (!relayed) {
        return MakeResponse(context, request, http::status::service_unavailable, relayed.error().message() + "\n");
    }
    return MakeResponse(context, request, http::status::no_content, "");
}

HttpResponse HandlePreflight(ServerContext& context, const HttpRequest& request) {
    HttpResponse response = MakeResponse(context, request, http::status::no_content, "");
    response.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    response.set(http::field::access_control_allow_headers, "content-type");
    response.set(http::field::access_control_max_age, "600");
    return response;
}

HttpResponse HandleGet(ServerContext& context, const HttpRequest& request, std::string_view path) {
    if (path == "/healthz") return MakeResponse(context, request, http::status::ok, "ok\n");
    if (path == "/readyz") {
        const bool ready = context.gateway.Ready();
        return MakeResponse(context, request, ready ? http::status::ok : http::status::service_unavailable,
                            ready ? "ready\n" : "not ready: the bus is not connected\n");
    }
    if (path == "/metrics") {
        return MakeResponse(context, request, http::status::ok, context.metrics.registry.RenderText(),
                            "text/plain; version=0.0.4");
    }
    // A folder's URL (`/`, `/play/`) serves its index.html, as static file servers do.
    const auto file = context.files.find(path.ends_with('/') ? std::string(path) + "index.html" : std::string(path));
    if (file == context.files.end()) return MakeResponse(context, request, http::status::not_found, "not found\n");
    return MakeResponse(context, request, http::status::ok, file->second.body, file->second.content_type);
}

}  // namespace

WebhookAuth CheckWebhook(const HttpdConfig& config, std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    if (!path.starts_with(kWebhookPrefix)) return WebhookAuth::kNotWebhook;
    if (config.webhook_secret.empty()) return WebhookAuth::kWrongSecret;
    const auto expected = Digest(config.webhook_secret);
    const auto given = Digest(path.substr(kWebhookPrefix.size()));
    return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0 ? WebhookAuth::kAuthentic
                                                                              : WebhookAuth::kWrongSecret;
}

bool OriginAllowed(const HttpdConfig& config, std::string_view origin) {
    if (AnyOrigin(config) || origin.empty()) return true;
    return std::find(config.cors_origins.begin(), config.cors_origins.end(), origin) != config.cors_origins.end();
}

HttpResponse MakeResponse(const ServerContext& context, const HttpRequest& request, http::status status,
                          std::string body, std::string_view content_type) {
    HttpResponse response{status, request.version()};
    response.set(http::field::server, "gapkit-httpd");
    if (!body.empty()) response.set(http::field::content_type, content_type);
    response.set(http::field::cache_control, "no-store");
    const std::string_view origin = request[http::field::origin];
    if (!origin.empty() && OriginAllowed(context.config, origin)) {
        response.set(http::field::access_control_allow_origin, AnyOrigin(context.config) ? "*" : origin);
        response.set(http::field::vary, "Origin");
    }
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

HttpResponse HandleHttp(ServerContext& context, const HttpRequest& request) {
    context.metrics.http_requests.Increment();
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (!OriginAllowed(context.config, request[http::field::origin])) {
        return MakeResponse(context, request, http::status::forbidden,
                            fmt::format("origin {} is not allowed\n", std::string_view(request[http::field::origin])));
    }
    if (path.starts_with(kWebhookPrefix)) return HandleWebhook(context, request);
    if (request.method() == http::verb::options) return HandlePreflight(context, request);
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        return MakeResponse(context, request, http::status::method_not_allowed, "method not allowed\n");
    }
    if (path == "/matchmaker/ws") {
        return MakeResponse(context, request, http::status::upgrade_required, "this endpoint speaks WebSocket\n");
    }
    return HandleGet(context, request, path);
}

}  // namespace gapkit::httpd
