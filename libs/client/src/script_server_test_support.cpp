#include "script_server_test_support.hpp"

#include <mutex>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace gapkit::client::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct ScriptServer::Impl {
    std::vector<std::string> replies;
    ScriptEnding ending = ScriptEnding::kClose;
    asio::io_context io{1};
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    mutable std::mutex mutex;
    std::vector<std::string> requests;  // Guarded by mutex.
    int finished = 0;                   // Guarded by mutex.
    std::thread thread;

    asio::awaitable<void> Serve(tcp::socket socket) {
        if (ending == ScriptEnding::kBusy) {
            beast::tcp_stream stream(std::move(socket));  // GCC 12: no temporaries in co_await
            co_await RefuseUpgrade(stream);
        } else {
            websocket::stream<beast::tcp_stream> ws(std::move(socket));
            auto [accept_ec] = co_await ws.async_accept(kNoThrow);
            if (!accept_ec) co_await Script(ws);
        }
        std::lock_guard lock(mutex);
        ++finished;
    }

    static asio::awaitable<void> RefuseUpgrade(beast::tcp_stream& stream) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        auto [read_ec, read] = co_await http::async_read(stream, buffer, request, kNoThrow);
        if (read_ec) co_return;
        http::response<http::string_body> busy{http::status::too_many_requests, request.version()};
        busy.body() = "too many connections from 127.0.0.1\n";
        busy.keep_alive(false);
        busy.prepare_payload();
        auto written = co_await http::async_write(stream, busy, kNoThrow);
        static_cast<void>(written);
    }

    asio::awaitable<void> Script(websocket::stream<beast::tcp_stream>& ws) {
        beast::flat_buffer buffer;
        auto [read_ec, read] = co_await ws.async_read(buffer, kNoThrow);
        if (read_ec) co_return;
        {
            std::lock_guard lock(mutex);
            requests.push_back(beast::buffers_to_string(buffer.data()));
        }
        ws.text(true);
        for (const std::string& reply : replies) {
            const auto frame = asio::buffer(reply);
            auto [write_ec, written] = co_await ws.async_write(frame, kNoThrow);
            if (write_ec) co_return;
        }
        if (ending == ScriptEnding::kDrop) {
            beast::get_lowest_layer(ws).socket().close();
            co_return;
        }
        if (ending == ScriptEnding::kClose) {
            const websocket::close_reason reason(websocket::close_code::normal);
            auto closed = co_await ws.async_close(reason, kNoThrow);
            static_cast<void>(closed);
            co_return;
        }
        beast::flat_buffer ignored;  // kHang: wait for the client to go away.
        auto left = co_await ws.async_read(ignored, kNoThrow);
        static_cast<void>(left);
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
            if (ec) co_return;
            asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
        }
    }
};

ScriptServer::ScriptServer(std::vector<std::string> replies, ScriptEnding ending) : impl_(std::make_unique<Impl>()) {
    impl_->replies = std::move(replies);
    impl_->ending = ending;
    asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

ScriptServer::~ScriptServer() {
    impl_->io.stop();
    impl_->thread.join();
}

std::string ScriptServer::Url() const { return fmt::format("ws://127.0.0.1:{}/matchmaker/ws", port()); }

std::uint16_t ScriptServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<std::string> ScriptServer::Requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

int ScriptServer::FinishedConnections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->finished;
}

}  // namespace gapkit::client::testing
