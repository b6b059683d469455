#include "metrics_server.hpp"

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kRequestTimeout{5};
constexpr std::size_t kMaxRequestBytes = 8192;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct MetricsServer::Shared {
    Shared(asio::any_io_executor executor, const common::MetricsRegistry& registry, std::function<bool()> healthy)
        : acceptor(executor), registry(registry), healthy(std::move(healthy)) {}

    http::response<http::string_body> Answer(const http::request<http::string_body>& request) const {
        http::response<http::string_body> response{http::status::ok, request.version()};
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        if (request.method() != http::verb::get) {
            response.result(http::status::method_not_allowed);
        } else if (request.target() == "/metrics") {
            response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            response.body() = registry.RenderText();
        } else if (request.target() == "/healthz") {
            const bool ok = healthy();
            response.result(ok ? http::status::ok : http::status::service_unavailable);
            response.body() = ok ? "ok\n" : "unhealthy\n";
        } else {
            response.result(http::status::not_found);
        }
        response.keep_alive(false);
        response.prepare_payload();
        return response;
    }

    asio::awaitable<void> Serve(std::shared_ptr<Shared> self, tcp::socket socket) {
        (void)self;  // Keeps the acceptor's state (and the health callback) alive while serving.
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(kRequestTimeout);
        beast::flat_buffer buffer(kMaxRequestBytes);
        http::request_parser<http::string_body> parser;
        parser.body_limit(kMaxRequestBytes);
        auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        if (read_error) co_return;
        auto response = Answer(parser.get());
        auto [write_error, written] = co_await http::async_write(stream, response, kUseTuple);
        (void)write_error;
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    asio::awaitable<void> Accept(std::shared_ptr<Shared> self) {
        for (;;) {
            auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
            if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (error) continue;
            asio::co_spawn(acceptor.get_executor(), self->Serve(self, std::move(socket)), asio::detached);
        }
    }

    tcp::acceptor acceptor;
    const common::MetricsRegistry& registry;
    std::function<bool()> healthy;
};

MetricsServer::MetricsServer(asio::any_io_executor executor, const common::MetricsRegistry& registry,
                             std::function<bool()> healthy)
    : shared_(std::make_shared<Shared>(std::move(executor), registry, std::move(healthy))) {}

common::Status MetricsServer::Start(const std::string& bind_address, std::uint16_t port) {
    beast::error_code error;
    const auto address = asio::ip::make_address(bind_address, error);
    if (error) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("metrics bind address '{}': {}", bind_address, error.message()));
    }
    const tcp::endpoint endpoint(address, port);
    auto& acceptor = shared_->acceptor;
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (!error) port_ = acceptor.local_endpoint(error).port();
    if (error) {
        return common::MakeError(common::ErrorCode::kIo,
                                 fmt::format("metrics listener on {}:{}: {}", bind_address, port, error.message()));
    }
    asio::co_spawn(acceptor.get_executor(), shared_->Accept(shared_), asio::detached);
    GAPKIT_LOG_INFO("matchmaker", "metrics on http://{}:{}/metrics", bind_address, port_);
    return common::Ok();
}

void MetricsServer::Stop() {
    asio::post(shared_->acceptor.get_executor(), [shared = shared_] {
        beast::error_code ignored;
        shared->acceptor.close(ignored);
    });
}

}  // namespace gapkit::matchmaker
