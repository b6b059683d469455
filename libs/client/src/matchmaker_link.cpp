#include "matchmaker_link.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>

#include "system_roots.hpp"

namespace gapkit::client::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

using MaybeFailure = std::optional<LinkFailure>;

LinkFailure Failure(FailureReason reason, std::string detail) { return LinkFailure{reason, std::move(detail)}; }

std::string HostHeader(const WebSocketUrl& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + url.host + "]" : url.host;
    const bool default_port = url.port == (url.tls ? "443" : "80");
    return default_port ? host : host + ":" + url.port;
}

LinkFailure ReadFailure(const beast::error_code& ec, const websocket::close_reason& close, std::size_t max_bytes) {
    if (ec == websocket::error::message_too_big) {
        return Failure(FailureReason::kMalformedReply, fmt::format("a message larger than {} bytes", max_bytes));
    }
    if (ec == websocket::error::closed) {
        return Failure(FailureReason::kMatchmakerClosed,
                       fmt::format("closed with code {} '{}' before a final reply", close.code,
                                   std::string_view(close.reason.data(), close.reason.size())));
    }
    return Failure(FailureReason::kMatchmakerClosed, "connection lost before a final reply: " + ec.message());
}

// httpd answers an upgrade it will not serve with a plain HTTP response: 429 over a per-address
// limit, 503 while shutting down. The player should retry later rather than check their network.
LinkFailure UpgradeFailure(const beast::error_code& ec, const websocket::response_type& response,
                           std::string_view where) {
    const unsigned status = response.result_int();
    if (status == 429 || status == 503) {
        std::string_view body = response.body();
        body = body.substr(0, std::min<std::size_t>(body.find_last_not_of(" \r\n") + 1, 200));
        return Failure(FailureReason::kMatchmakerBusy,
                       fmt::format("{} refused the WebSocket upgrade with HTTP {}: {}", where, status, body));
    }
    return Failure(FailureReason::kMatchmakerUnreachable,
                   fmt::format("WebSocket upgrade at {} failed: {}", where, ec.message()));
}

}  // namespace

struct LinkWorker {
    LinkWorker(WebSocketUrl url_in, std::string request_in, LinkOptions options_in)
        : url(std::move(url_in)), request(std::move(request_in)), options(options_in) {}

    void Push(LinkMessage message) {
        std::lock_guard lock(mutex);
        queue.push_back(std::move(message));
    }

    // Constant after construction.
    const WebSocketUrl url;
    const std::string request;
    const LinkOptions options;
    // Declared before `io`: coroutine frames destroyed with `io` still refer to it.
    asio::ssl::context tls{asio::ssl::context::tls_client};
    std::mutex mutex;
    std::vector<LinkMessage> queue;  // Guarded by mutex.
    asio::io_context io{1};
};

namespace {

// After the transport is up: upgrade, send the request, queue replies until the final one.
template <typename Ws>
asio::awaitable<MaybeFailure> Converse(Ws& ws, LinkWorker& worker) {
    beast::get_lowest_layer(ws).expires_never();  // The WebSocket's own timeouts take over.
    const auto handshake_timeout =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(worker.options.connect_timeout);
    ws.set_option(websocket::stream_base::timeout{handshake_timeout, websocket::stream_base::none(), false});
    ws.read_message_max(worker.options.max_message_bytes);
    const std::string host = HostHeader(worker.url);
    websocket::response_type upgrade_response;
    auto [upgrade_ec] = co_await ws.async_handshake(upgrade_response, host, worker.url.target, kNoThrow);
    if (upgrade_ec) co_return UpgradeFailure(upgrade_ec, upgrade_response, host + worker.url.target);
    ws.text(true);
    const auto request = asio::buffer(worker.request);
    auto [write_ec, written] = co_await ws.async_write(request, kNoThrow);
    if (write_ec)
        co_return Failure(FailureReason::kMatchmakerClosed, "sending the request failed: " + write_ec.message());
    for (;;) {
        beast::flat_buffer buffer;
        auto [read_ec, read] = co_await ws.async_read(buffer, kNoThrow);
        if (read_ec) co_return ReadFailure(read_ec, ws.reason(), worker.options.max_message_bytes);
        auto reply = protocol::ParseMatchReply(beast::buffers_to_string(buffer.data()));
        if (!reply) co_return Failure(FailureReason::kMalformedReply, reply.error().message());
        const bool final = protocol::IsFinal(*reply);
        worker.Push(std::move(*reply));
        if (final) co_return std::nullopt;
    }
}

template <typename Ws>
asio::awaitable<MaybeFailure> Connect(Ws& ws, LinkWorker& worker, const tcp::resolver::results_type& endpoints) {
    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(worker.options.connect_timeout);
    auto [ec, endpoint] = co_await tcp_layer.async_connect(endpoints, kNoThrow);
    if (ec == beast::error::timeout) {
        co_return Failure(FailureReason::kMatchmakerUnreachable,
                          fmt::format("no answer from {}:{} within {} ms", worker.url.host, worker.url.port,
                                      worker.options.connect_timeout.count()));
    }
    if (ec) {
        co_return Failure(FailureReason::kMatchmakerUnreachable,
                          fmt::format("cannot connect to {}:{}: {}", worker.url.host, worker.url.port, ec.message()));
    }
    co_return std::nullopt;
}

asio::awaitable<MaybeFailure> SecureHandshake(beast::ssl_stream<beast::tcp_stream>& stream, const LinkWorker& worker) {
    // SNI, so virtual hosts and CDNs present the right certificate; then check it names the host.
    if (SSL_set_tlsext_host_name(stream.native_handle(), worker.url.host.c_str()) != 1) {
        co_return Failure(FailureReason::kMatchmakerUnreachable, "cannot set TLS server name " + worker.url.host);
    }
    beast::error_code ec;
    stream.set_verify_callback(asio::ssl::host_name_verification(worker.url.host), ec);
    if (!ec) std::tie(ec) = co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (ec) {
        co_return Failure(FailureReason::kMatchmakerUnreachable,
                          fmt::format("TLS handshake with {} failed: {}", worker.url.host, ec.message()));
    }
    co_return std::nullopt;
}

asio::awaitable<MaybeFailure> Talk(LinkWorker& worker) {
    tcp::resolver resolver(worker.io);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(worker.url.host, worker.url.port, kNoThrow);
    if (resolve_ec) {
        co_return Failure(FailureReason::kMatchmakerUnreachable,
                          fmt::format("cannot resolve {}: {}", worker.url.host, resolve_ec.message()));
    }
    if (!worker.url.tls) {
        websocket::stream<beast::tcp_stream> ws(worker.io);
        MaybeFailure connected = co_await Connect(ws, worker, endpoints);
        if (connected) co_return connected;
        co_return co_await Converse(ws, worker);
    }
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(worker.io, worker.tls);
    MaybeFailure connected = co_await Connect(ws, worker, endpoints);
    if (connected) co_return connected;
    MaybeFailure secured = co_await SecureHandshake(ws.next_layer(), worker);
    if (secured) co_return secured;
    co_return co_await Converse(ws, worker);
}

asio::awaitable<void> Run(LinkWorker& worker) {
    MaybeFailure failure = co_await Talk(worker);
    if (failure) worker.Push(std::move(*failure));
}

void RunWorker(LinkWorker& worker) {
    auto done = [&worker](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            worker.Push(Failure(FailureReason::kMatchmakerUnreachable, std::string("unexpected failure: ") + e.what()));
        }
    };
    try {
        asio::co_spawn(worker.io, Run(worker), done);
        worker.io.run();
    } catch (const std::exception& e) {
        worker.Push(Failure(FailureReason::kMatchmakerUnreachable, std::string("unexpected failure: ") + e.what()));
    }
}

}  // namespace

common::Result<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
    auto parsed = boost::urls::parse_uri(boost::core::string_view(url.data(), url.size()));
    const bool ws_scheme = parsed && (parsed->scheme() == "ws" || parsed->scheme() == "wss");
    if (!ws_scheme || parsed->host().empty()) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("'{}' is not an absolute ws:// or wss:// URL", url));
    }
    WebSocketUrl result;
    result.tls = parsed->scheme() == "wss";
    result.host = parsed->host();
    if (result.host.size() > 2 && result.host.front() == '[')
        result.host = result.host.substr(1, result.host.size() - 2);
    result.port = parsed->has_port() ? std::string(parsed->port()) : (result.tls ? "443" : "80");
    result.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) result.target += "?" + std::string(parsed->encoded_query());
    return result;
}

MatchmakerLink::MatchmakerLink(WebSocketUrl url, std::string request_json, LinkOptions options)
    : worker_(std::make_shared<LinkWorker>(std::move(url), std::move(request_json), options)) {
    beast::error_code ec = TrustSystemRoots(worker_->tls);
    if (!ec) worker_->tls.set_verify_mode(asio::ssl::verify_peer, ec);
    if (ec)
        worker_->Push(
            Failure(FailureReason::kMatchmakerUnreachable, "cannot load the system's CA roots: " + ec.message()));
    // Detached and co-owning the state: tearing down an I/O loop waits for a DNS lookup in
    // progress, which must never stall the game thread.
    if (ec) return;
    try {
        std::thread([worker = worker_] { RunWorker(*worker); }).detach();
    } catch (const std::system_error& e) {
        worker_->Push(
            Failure(FailureReason::kMatchmakerUnreachable, std::string("cannot start a thread: ") + e.what()));
    }
}

MatchmakerLink::~MatchmakerLink() {
    // Abandon whatever is in flight: the game no longer wants the answer.
    worker_->io.stop();
}

void MatchmakerLink::Take(std::vector<LinkMessage>& out) {
    std::lock_guard lock(worker_->mutex);
    for (auto& message : worker_->queue) out.push_back(std::move(message));
    worker_->queue.clear();
}

}  // namespace gapkit::client::detail
