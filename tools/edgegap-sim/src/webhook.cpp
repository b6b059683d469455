#include "webhook.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "gapkit/common/log.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr const char* kLog = "edgegap-sim";

net::awaitable<void> Post(std::string url, std::string body, std::chrono::seconds timeout) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->scheme() != "http") {
        GAPKIT_LOG_WARN(kLog, "webhook not sent: only absolute http:// URLs are supported");
        co_return;
    }
    const std::string host = parsed->host();
    const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
    // Webhook paths often carry a secret, so logs name only the host and port.
    const std::string where = host + ":" + port;
    const std::string target = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
    auto executor = co_await net::this_coro::executor;
    net::ip::tcp::resolver resolver(executor);
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(host, port, kUseTuple);
    beast::error_code ec = resolve_error;
    if (!ec) std::tie(ec, std::ignore) = co_await stream.async_connect(endpoints, kUseTuple);
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, host);
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_write(stream, request, kUseTuple);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, response, kUseTuple);
    if (ec) {
        GAPKIT_LOG_WARN(kLog, "webhook to {}: {}", where, ec.message());
    } else {
        GAPKIT_LOG_DEBUG(kLog, "webhook to {}: HTTP {}", where, response.result_int());
    }
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
}

}  // namespace

void PostWebhook(net::io_context& ioc, std::string url, std::string json_body, std::chrono::seconds timeout) {
    net::co_spawn(net::make_strand(ioc), Post(std::move(url), std::move(json_body), timeout), net::detached);
}

}  // namespace gapkit::edgegap_sim
