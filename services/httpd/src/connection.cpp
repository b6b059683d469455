#include "connection.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "gapkit/common/log.hpp"
#include "http_routes.hpp"
#include "websocket_session.hpp"

namespace gapkit::httpd {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string PeerAddress(const beast::tcp_stream& stream) {
    boost::system::error_code ec;
    const auto endpoint = stream.socket().remote_endpoint(ec);
    if (ec) return {};
    const auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

asio::awaitable<void> Answer(beast::tcp_stream& stream, HttpResponse response) {
    stream.expires_after(std::chrono::seconds(10));
    co_await http::async_write(stream, response, kUseTuple);
}

}  // namespace

asio::awaitable<void> ServeConnection(std::shared_ptr<ServerContext> context, asio::ip::tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    const std::string peer_ip = PeerAddress(stream);
    auto lease = context->limiter->AdmitConnection(peer_ip);
    beast::flat_buffer buffer;
    auto timeout = std::chrono::seconds(context->config.handshake_timeout_seconds);
    while (!context->sessions.stopping()) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(context->config.max_body_bytes);
        parser.header_limit(16 * 1024);
        stream.expires_after(timeout);
        auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        if (ec == http::error::body_limit) {
            HttpRequest header_only{parser.get().method(), parser.get().target(), parser.get().version()};
            HttpResponse too_large =
                MakeResponse(*context, header_only, http::status::payload_too_large, "body too large\n");
            co_await Answer(stream, std::move(too_large));
        }
        if (ec) break;
        HttpRequest request = parser.release();
        if (!lease) {
            context->metrics.Rejected("connections").Increment();
            HttpResponse refused =
                MakeResponse(*context, request, http::status::too_many_requests, lease.error().message() + "\n");
            refused.keep_alive(false);
            co_await Answer(stream, std::move(refused));
            break;
        }
        if (beast::websocket::is_upgrade(request)) {
            co_await ServeMatchmaking(context, std::move(stream), std::move(request), peer_ip);
            co_return;
        }
        HttpResponse response = HandleHttp(*context, request);
        const bool keep_alive = response.keep_alive();
        co_await Answer(stream, std::move(response));
        if (!keep_alive) break;
        timeout = std::chrono::seconds(context->config.idle_timeout_seconds);
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace gapkit::httpd
