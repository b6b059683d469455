#include "http_server.hpp"

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

#include "gapkit/common/log.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

HttpResponse TooLarge(unsigned version) {
    HttpResponse response{http::status::payload_too_large, version};
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"message": "request body too large"})";
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

HttpResponse InternalError(unsigned version) {
    HttpResponse response{http::status::internal_server_error, version};
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"message": "internal error"})";
    response.prepare_payload();
    return response;
}

net::awaitable<void> ServeConnection(beast::tcp_stream stream, HttpServerOptions options, HttpHandler handler) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.max_body_bytes);
        stream.expires_after(options.read_timeout);
        auto [read_error, bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        if (read_error == http::error::body_limit) {
            auto response = TooLarge(parser.get().version());
            co_await http::async_write(stream, response, kUseTuple);
            break;
        }
        if (read_error) break;
        HttpRequest request = parser.release();
        const unsigned version = request.version();
        const bool keep_alive = request.keep_alive();
        std::optional<HttpResponse> response;
        try {
            response = co_await handler(std::move(request));
        } catch (const std::exception& error) {
            // The one top-level catch: a bug in a handler costs one 500, not the server.
            GAPKIT_LOG_ERROR("edgegap-sim", "handler failed: {}", error.what());
            response = InternalError(version);
        }
        if (!response) break;  // Fault injection: drop the connection unanswered.
        response->keep_alive(keep_alive && response->keep_alive());
        stream.expires_after(options.read_timeout);
        auto [write_error, written] = co_await http::async_write(stream, *response, kUseTuple);
        if (write_error || !response->keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

class BeastHttpServer final : public HttpServer, public std::enable_shared_from_this<BeastHttpServer> {
  public:
    BeastHttpServer(net::io_context& ioc, HttpServerOptions options, HttpHandler handler)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)), options_(std::move(options)), handler_(std::move(handler)) {}

    common::Status Open() {
        beast::error_code ec;
        const auto address = net::ip::make_address(options_.bind_address, ec);
        if (ec)
            return common::MakeError(common::ErrorCode::kInvalidArgument,
                                     "bind address '" + options_.bind_address + "': " + ec.message());
        const tcp::endpoint endpoint{address, options_.port};
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) {
            return common::MakeError(
                common::ErrorCode::kIo,
                fmt::format("listening on {}:{}: {}", options_.bind_address, options_.port, ec.message()));
        }
        port_ = acceptor_.local_endpoint().port();
        net::co_spawn(acceptor_.get_executor(), Accept(shared_from_this()), net::detached);
        return common::Ok();
    }

    std::uint16_t port() const override { return port_; }

    void Close() override {
        net::post(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor_.close(ignored);
        });
    }

  private:
    static net::awaitable<void> Accept(std::shared_ptr<BeastHttpServer> self) {
        for (;;) {
            // Each connection gets its own strand, so its reads and writes never interleave.
            auto [ec, socket] = co_await self->acceptor_.async_accept(net::make_strand(self->ioc_), kUseTuple);
            if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) co_return;
            if (ec) {
                GAPKIT_LOG_WARN("edgegap-sim", "accept failed: {}", ec.message());
                continue;
            }
            auto executor = socket.get_executor();
            net::co_spawn(executor,
                          ServeConnection(beast::tcp_stream(std::move(socket)), self->options_, self->handler_),
                          net::detached);
        }
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    const HttpServerOptions options_;
    const HttpHandler handler_;
    std::uint16_t port_ = 0;
};

}  // namespace

common::Result<std::shared_ptr<HttpServer>> HttpServer::Listen(net::io_context& ioc, const HttpServerOptions& options,
                                                               HttpHandler handler) {
    auto server = std::make_shared<BeastHttpServer>(ioc, options, std::move(handler));
    if (auto opened = server->Open(); !opened) return common::Fail(opened.error());
    return server;
}

}  // namespace gapkit::edgegap_sim
