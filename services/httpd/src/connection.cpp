#include "connection.hpp"

#include <chrono>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "client_address.hpp"
#include "gapkit/common/log.hpp"
#include "http_routes.hpp"
#include "websocket_session.hpp"

namespace gapkit::httpd {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
using LeasePtr = std::unique_ptr<ClientLimiter::Lease>;

// The socket and whether it still waits for its first request, shared with the eviction closer
// (which runs on the same strand, so `pending` needs no lock).
struct ConnectionState {
    explicit ConnectionState(asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool pending = true;
};

PendingConnections::Closer EvictionCloser(const std::shared_ptr<ConnectionState>& state, common::Counter& evicted) {
    return [executor = state->stream.get_executor(), weak = std::weak_ptr<ConnectionState>(state), &evicted] {
        asio::post(executor, [weak, &evicted] {
            auto state = weak.lock();
            if (!state || !state->pending) return;
            evicted.Increment();
            boost::system::error_code ignored;
            state->stream.socket().close(ignored);
        });
    };
}

asio::awaitable<void> Answer(const ServerContext& context, beast::tcp_stream& stream, HttpResponse response) {
    stream.expires_after(std::chrono::seconds(context.config.write_timeout_seconds));
    co_await http::async_write(stream, response, kUseTuple);
}

HttpResponse Refusal(ServerContext& context, const HttpRequest& request, std::string_view reason,
                     const std::string& message) {
    context.metrics.Rejected(reason).Increment();
    HttpResponse refused = MakeResponse(context, request, http::status::too_many_requests, message + "\n");
    refused.keep_alive(false);
    return refused;
}

// Which per-client limit a request must pass before it is served; nullopt when it may go on.
// A direct peer's connection takes one client slot at its first counted request; behind a proxy
// the TCP connection carries many players, so only the WebSocket session (the long-lived thing)
// takes a slot of the forwarded client. Authentic webhooks are counted nowhere.
std::optional<HttpResponse> AdmitRequest(ServerContext& context, const HttpRequest& request,
                                         const ClientAddress& client, LeasePtr& client_slot) {
    const WebhookAuth webhook = CheckWebhook(context.config, request.target());
    if (webhook == WebhookAuth::kAuthentic) return std::nullopt;
    const bool upgrade = beast::websocket::is_upgrade(request);
    if (!client_slot && (!client.via_proxy || upgrade)) {
        auto slot = context.limiter->AdmitClient(client.limit_key);
        if (!slot) return Refusal(context, request, "client_connections", slot.error().message());
        client_slot = std::move(*slot);
    }
    if (webhook == WebhookAuth::kWrongSecret) {
        if (auto allowed = context.limiter->AdmitWebhookFailure(client.limit_key); !allowed) {
            GAPKIT_LOG_DEBUG("httpd", "wrong webhook secrets from {}: refused", client.ip);
            return Refusal(context, request, "webhook_failures", allowed.error().message());
        }
    }
    return std::nullopt;
}

// What the HTTP part of a connection hands to the WebSocket session.
struct Upgrade {
    asio::ip::tcp::socket socket;
    HttpRequest request;
    ClientAddress client;
    LeasePtr client_slot;
};

// Serves HTTP requests until the connection ends (nullopt) or one asks for the WebSocket. Its own
// coroutine so its frame (the parser, the read buffer, the responses: about 2 KB) is freed
// before the session's wait, which may last minutes for each of thousands of players.
asio::awaitable<std::optional<Upgrade>> ServeRequests(std::shared_ptr<ServerContext> context,
                                                      asio::ip::tcp::socket socket, const std::string& peer_ip,
                                                      const common::Result<LeasePtr>& connection_lease) {
    auto state = std::make_shared<ConnectionState>(std::move(socket));
    beast::tcp_stream& stream = state->stream;
    PendingGuard pending(context->pending, EvictionCloser(state, context->metrics.Rejected("pending_evicted")));
    LeasePtr client_slot;
    beast::flat_buffer buffer;
    auto timeout = std::chrono::seconds(context->config.header_timeout_seconds);
    while (!context->sessions.stopping()) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(context->config.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(context->config.max_header_bytes));
        stream.expires_after(timeout);
        auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        state->pending = false;
        pending.Release();
        if (ec == http::error::body_limit) {
            HttpRequest header_only{parser.get().method(), parser.get().target(), parser.get().version()};
            HttpResponse too_large =
                MakeResponse(*context, header_only, http::status::payload_too_large, "body too large\n");
            co_await Answer(*context, stream, std::move(too_large));
        }
        if (ec) break;
        HttpRequest request = parser.release();
        if (!connection_lease) {
            HttpResponse refused = Refusal(*context, request, "connections", connection_lease.error().message());
            co_await Answer(*context, stream, std::move(refused));
            break;
        }
        ClientAddress client = ResolveClient(context->address_policy, peer_ip, request);
        if (auto refused = AdmitRequest(*context, request, client, client_slot)) {
            co_await Answer(*context, stream, std::move(*refused));
            break;
        }
        if (beast::websocket::is_upgrade(request)) {
            // The bare socket: moving a beast::tcp_stream allocates a new state and leaves the old
            // one (about 460 bytes, with its timers) alive in whoever held it.
            co_return Upgrade{stream.release_socket(), std::move(request), std::move(client), std::move(client_slot)};
        }
        HttpResponse response = HandleHttp(*context, request);
        const bool keep_alive = response.keep_alive();
        co_await Answer(*context, stream, std::move(response));
        if (!keep_alive) break;
        timeout = std::chrono::seconds(context->config.idle_timeout_seconds);
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    co_return std::nullopt;
}

}  // namespace

asio::awaitable<void> ServeConnection(std::shared_ptr<ServerContext> context, asio::ip::tcp::socket socket,
                                      std::string peer_ip) {
    // Held until the session ends: a waiting player's connection counts against the limit.
    const auto connection_lease = context->limiter->AdmitConnection();
    std::optional<Upgrade> upgrade = co_await ServeRequests(context, std::move(socket), peer_ip, connection_lease);
    if (!upgrade) co_return;
    co_await ServeMatchmaking(context, std::move(upgrade->socket), std::move(upgrade->request),
                              std::move(upgrade->client), std::move(upgrade->client_slot));
}

}  // namespace gapkit::httpd
