#pragma once

// A small HTTP/1.1 server on Asio and Beast: an acceptor coroutine and one coroutine per
// connection on its own strand, one request in flight per connection (so one write in flight),
// a body limit and an idle timeout on every read, keep-alive.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap_sim {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Answers one request; no value means "close the connection without answering".
/// Runs on the connection's strand; must not throw (a throw closes the connection).
using HttpHandler = std::function<boost::asio::awaitable<std::optional<HttpResponse>>(HttpRequest request)>;

struct HttpServerOptions {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;                 // 0 = pick a free one.
    std::size_t max_body_bytes = 1 << 20;   // Larger bodies get 413.
    std::chrono::seconds read_timeout{30};  // Idle limit per read.
};

/// Owns the listening socket. Create and close it from any thread; connections live on `ioc`.
class HttpServer {
  public:
    static common::Result<std::shared_ptr<HttpServer>> Listen(boost::asio::io_context& ioc,
                                                              const HttpServerOptions& options, HttpHandler handler);
    virtual ~HttpServer() = default;
    virtual std::uint16_t port() const = 0;
    /// Stops accepting; open connections end when the io_context stops.
    virtual void Close() = 0;
};

}  // namespace gapkit::edgegap_sim
