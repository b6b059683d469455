#pragma once

// The plain HTTP routes of httpd, as a pure function of the request so they are tested without
// sockets. The WebSocket route lives in websocket_session.hpp.

#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "server_context.hpp"

namespace gapkit::httpd {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Answers one HTTP request (anything but the WebSocket upgrade).
HttpResponse HandleHttp(ServerContext& context, const HttpRequest& request);

/// A response with `body`, the request's version and keep-alive, and the CORS headers its
/// `Origin` earns.
HttpResponse MakeResponse(const ServerContext& context, const HttpRequest& request, boost::beast::http::status status,
                          std::string body, std::string_view content_type = "text/plain; charset=utf-8");

/// What a request to the webhook route proves. A wrong secret answers 404 like a missing route.
enum class WebhookAuth { kNotWebhook, kAuthentic, kWrongSecret };

/// Checks `target` against `POST /edgegap/webhook/<secret>`; the secret is compared in constant
/// time (over SHA-256 digests, so neither its content nor its length leaks through timing).
WebhookAuth CheckWebhook(const HttpdConfig& config, std::string_view target);

/// True when `origin` may call: no allow-list configured (loopback only, see config.hpp), "*" on
/// the list, no Origin header (not a browser), or the origin is on the list.
bool OriginAllowed(const HttpdConfig& config, std::string_view origin);

}  // namespace gapkit::httpd
