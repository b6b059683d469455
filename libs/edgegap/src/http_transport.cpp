#include "http_transport.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

namespace gapkit::edgegap::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

tl::unexpected<common::Error> TransportError(const beast::error_code& ec, std::string_view step, const Target& target) {
    if (ec == beast::error::timeout) {
        return MakeError(
            ErrorCategory::kTimeout, 0,
            fmt::format("no answer from {}:{} within the request timeout (during {})", target.host, target.port, step));
    }
    // A peer that closes early surfaces as an HTTP parse error; it is still a dropped connection.
    const bool dropped = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                         ec.category() != http::make_error_code(http::error::end_of_stream).category();
    if (!dropped) {
        return MakeError(ErrorCategory::kBadResponse, 0,
                         fmt::format("unreadable HTTP answer from {}:{}: {}", target.host, target.port, ec.message()));
    }
    return MakeError(ErrorCategory::kNetwork, 0,
                     fmt::format("{} {}:{} failed: {}", step, target.host, target.port, ec.message()));
}

std::string HostHeader(const Target& target) {
    const bool default_port = target.port == (target.tls ? "443" : "80");
    const bool ipv6 = target.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + target.host + "]" : target.host;
    return default_port ? host : host + ":" + target.port;
}

http::request<http::string_body> BuildMessage(const HttpRequest& request) {
    http::request<http::string_body> message{request.method, request.target.path_and_query, 11};
    message.set(http::field::host, HostHeader(request.target));
    message.set(http::field::user_agent, request.user_agent);
    message.set(http::field::accept, "application/json");
    if (!request.authorization.empty()) message.set(http::field::authorization, request.authorization);
    if (!request.body.empty()) {
        message.set(http::field::content_type, "application/json");
        message.body() = request.body;
    }
    message.prepare_payload();
    return message;
}

template <typename Stream>
asio::awaitable<common::Result<HttpResponse>> WriteAndRead(Stream& stream, const HttpRequest& request,
                                                           std::size_t max_response_bytes) {
    auto message = BuildMessage(request);
    auto [write_ec, written] = co_await http::async_write(stream, message, kNoThrow);
    if (write_ec) co_return TransportError(write_ec, "sending to", request.target);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(max_response_bytes);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (read_ec == http::error::body_limit) {
        co_return MakeError(
            ErrorCategory::kBadResponse, 0,
            fmt::format("answer from {} is larger than {} bytes", request.target.host, max_response_bytes));
    }
    if (read_ec) co_return TransportError(read_ec, "reading from", request.target);
    auto& response = parser.get();
    co_return HttpResponse{static_cast<int>(response.result_int()), std::move(response.body()),
                           ParseRetryAfter(response[http::field::retry_after]), response.keep_alive()};
}

asio::awaitable<common::Result<tcp::resolver::results_type>> Resolve(const Target& target) {
    tcp::resolver resolver(co_await asio::this_coro::executor);
    auto [ec, endpoints] = co_await resolver.async_resolve(target.host, target.port, kNoThrow);
    if (ec) co_return TransportError(ec, "resolving", target);
    co_return endpoints;
}

using Deadline = std::chrono::steady_clock::time_point;

asio::awaitable<common::Result<void>> Handshake(beast::ssl_stream<beast::tcp_stream>& stream, const Target& target) {
    // SNI, so virtual hosts and CDNs present the right certificate; then check it names the host.
    if (SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str()) != 1) {
        co_return MakeError(ErrorCategory::kNetwork, 0, "cannot set TLS server name " + target.host);
    }
    beast::error_code ec;
    stream.set_verify_callback(asio::ssl::host_name_verification(target.host), ec);
    if (!ec) std::tie(ec) = co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (ec) co_return TransportError(ec, "TLS handshake with", target);
    co_return common::Ok();
}

asio::awaitable<common::Result<std::unique_ptr<Connection>>> Open(asio::ssl::context& tls, const Target& target,
                                                                  Deadline deadline) {
    auto endpoints = co_await Resolve(target);
    if (!endpoints) co_return common::Fail(endpoints.error());
    auto executor = co_await asio::this_coro::executor;
    auto connection = std::make_unique<Connection>();
    if (target.tls) {
        connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, tls);
    } else {
        connection->plain = std::make_unique<beast::tcp_stream>(executor);
    }
    connection->Lowest().expires_at(deadline);
    auto [ec, endpoint] = co_await connection->Lowest().async_connect(*endpoints, kNoThrow);
    if (ec) co_return TransportError(ec, "connecting to", target);
    if (connection->tls) {
        auto handshake = co_await Handshake(*connection->tls, target);
        if (!handshake) co_return common::Fail(handshake.error());
    }
    co_return connection;
}

asio::awaitable<common::Result<HttpResponse>> Send(Connection& connection, const HttpRequest& request,
                                                   Deadline deadline, std::size_t max_response_bytes) {
    connection.Lowest().expires_at(deadline);
    if (connection.tls) co_return co_await WriteAndRead(*connection.tls, request, max_response_bytes);
    co_return co_await WriteAndRead(*connection.plain, request, max_response_bytes);
}

common::Result<HttpResponse> KeepIfReusable(ConnectionPool& pool, const std::string& origin,
                                            std::unique_ptr<Connection> connection,
                                            common::Result<HttpResponse> response) {
    if (response && response->keep_alive) pool.Give(origin, std::move(connection));
    return response;
}

std::string Origin(const Target& target) {
    return (target.tls ? "https://" : "http://") + target.host + ":" + target.port;
}

// True when the server has closed an idle connection (its FIN is waiting: recv says 0) or sent
// something unasked (a 408, a TLS alert) that would be mistaken for the next answer. Either way
// the connection is done with; checking costs one system call and saves sending into it.
bool ClosedByServer(Connection& connection) {
    char byte = 0;
    const auto received = ::recv(connection.Lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return received >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

// An idle connection `reuse` allows and the server has not visibly closed, or null.
std::unique_ptr<Connection> TakeIdle(ConnectionPool& pool, const std::string& origin, Reuse reuse) {
    if (reuse == Reuse::kNever) return nullptr;
    const auto idle_below = reuse == Reuse::kNoResend
                                ? std::optional<std::chrono::steady_clock::duration>(kMaxIdleForNoResend)
                                : std::nullopt;
    for (;;) {
        auto idle = pool.Take(origin, idle_below);
        if (!idle || !ClosedByServer(*idle)) return idle;
    }
}

// The request went out on a reused connection and no answer came back: the server may have acted
// on it, so it must not be sent again. Still kNetwork, the category of every lost answer, so the
// caller treats it as it treats a connection dropped mid-answer (not retried; leak handling runs).
common::Result<HttpResponse> LostAnswer(const common::Result<HttpResponse>& response, const Target& target) {
    return MakeError(ErrorCategory::kNetwork, 0,
                     fmt::format("the answer from {}:{} was lost on a reused connection; the request was not sent "
                                 "again, it may have been processed ({})",
                                 target.host, target.port, response.error().message()));
}

}  // namespace

common::Result<Target> ParseTarget(std::string_view url) {
    auto parsed = boost::urls::parse_uri(boost::core::string_view(url.data(), url.size()));
    const bool http_scheme = parsed && (parsed->scheme() == "http" || parsed->scheme() == "https");
    if (!http_scheme || parsed->host().empty()) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("'{}' is not an absolute http:// or https:// URL", url));
    }
    Target target;
    target.tls = parsed->scheme() == "https";
    target.host = parsed->host();
    if (target.host.size() > 2 && target.host.front() == '[')
        target.host = target.host.substr(1, target.host.size() - 2);
    target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
    target.path_and_query = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) target.path_and_query += "?" + std::string(parsed->encoded_query());
    return target;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
    std::int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || seconds < 0) return std::nullopt;
    return std::chrono::seconds(std::min<std::int64_t>(seconds, 24 * 60 * 60));
}

asio::awaitable<common::Result<HttpResponse>> Exchange(asio::ssl::context& tls, ConnectionPool& pool,
                                                       HttpRequest request, Reuse reuse,
                                                       std::chrono::milliseconds timeout,
                                                       std::size_t max_response_bytes) {
    const Deadline deadline = std::chrono::steady_clock::now() + timeout;
    const std::string origin = Origin(request.target);
    if (auto idle = TakeIdle(pool, origin, reuse)) {
        auto response = co_await Send(*idle, request, deadline, max_response_bytes);
        const bool network_failure = !response && Details(response.error()).category == ErrorCategory::kNetwork;
        if (network_failure && reuse == Reuse::kNoResend) co_return LostAnswer(response, request.target);
        // A network failure on an idle connection most likely means the server closed it meanwhile.
        if (!network_failure) co_return KeepIfReusable(pool, origin, std::move(idle), std::move(response));
    }
    auto opened = co_await Open(tls, request.target, deadline);
    if (!opened) co_return common::Fail(opened.error());
    pool.CountOpened();
    auto response = co_await Send(**opened, request, deadline, max_response_bytes);
    co_return KeepIfReusable(pool, origin, std::move(*opened), std::move(response));
}

}  // namespace gapkit::edgegap::detail
