#include "webhook.hpp"

#include <cstdint>
#include <optional>
#include <utility>

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
using tcp = net::ip::tcp;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr const char* kLog = "edgegap-sim";

// Receivers close idle connections on their own schedule (gapkit-httpd after its idle timeout);
// one kept longer than this is dropped rather than risked.
constexpr auto kMaxIdle = std::chrono::seconds(5);
constexpr std::size_t kMaxIdlePerOrigin = 16;

struct Target {
    std::string host;
    std::uint16_t port = 80;
    std::string path;
    std::string origin() const { return host + ":" + std::to_string(port); }  // Logged: paths may hold a secret.
};

std::optional<Target> ParseTarget(const std::string& url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->scheme() != "http") return std::nullopt;
    Target target;
    target.host = parsed->host();
    if (parsed->has_port()) target.port = parsed->port_number();
    target.path = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
    return target;
}

struct Idle {
    beast::tcp_stream stream;
    std::chrono::steady_clock::time_point since;
};

}  // namespace

struct WebhookSender::Pool {
    std::mutex mutex;
    std::map<std::string, std::vector<Idle>> idle;  // By origin, most recent last. Guarded by mutex.

    std::optional<beast::tcp_stream> Take(const std::string& origin) {
        std::lock_guard lock(mutex);
        auto& streams = idle[origin];
        while (!streams.empty()) {
            Idle last = std::move(streams.back());
            streams.pop_back();
            if (std::chrono::steady_clock::now() - last.since < kMaxIdle) return std::move(last.stream);
        }
        return std::nullopt;
    }

    void Give(const std::string& origin, beast::tcp_stream stream) {
        std::lock_guard lock(mutex);
        auto& streams = idle[origin];
        if (streams.size() < kMaxIdlePerOrigin)
            streams.push_back({std::move(stream), std::chrono::steady_clock::now()});
    }
};

namespace {

net::awaitable<beast::error_code> Connect(beast::tcp_stream& stream, const Target& target) {
    // An IP literal (the local stack's case) needs no resolver, whose lookups run on a thread of
    // their own.
    beast::error_code ec;
    const auto address = net::ip::make_address(target.host, ec);
    if (!ec) {
        const tcp::endpoint endpoint(address, target.port);
        auto [connect_error] = co_await stream.async_connect(endpoint, kUseTuple);
        co_return connect_error;
    }
    tcp::resolver resolver(stream.get_executor());
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(target.host, std::to_string(target.port), kUseTuple);
    if (resolve_error) co_return resolve_error;
    auto [connect_error, ignored] = co_await stream.async_connect(endpoints, kUseTuple);
    (void)ignored;
    co_return connect_error;
}

// One exchange on `stream`; `keep_alive` says whether the receiver keeps it open for another.
net::awaitable<beast::error_code> Exchange(beast::tcp_stream& stream, const http::request<http::string_body>& request,
                                           bool& keep_alive) {
    auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
    (void)written;
    if (write_error) co_return write_error;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, kUseTuple);
    (void)read;
    if (!read_error) {
        keep_alive = response.keep_alive();
        GAPKIT_LOG_DEBUG(kLog, "webhook answered HTTP {}", response.result_int());
    }
    co_return read_error;
}

net::awaitable<void> Send(std::shared_ptr<WebhookSender::Pool> pool, Target target, std::string body,
                          std::chrono::seconds timeout) {
    auto executor = co_await net::this_coro::executor;
    http::request<http::string_body> request{http::verb::post, target.path, 11};
    request.set(http::field::host, target.host);
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    const std::string origin = target.origin();
    std::optional<beast::tcp_stream> reused = pool->Take(origin);
    bool keep_alive = false;
    beast::error_code ec;
    if (reused) {
        reused->expires_after(timeout);
        ec = co_await Exchange(*reused, request, keep_alive);
        if (!ec && keep_alive) pool->Give(origin, std::move(*reused));
        if (!ec) co_return;
    }
    // No connection to reuse, or the reused one was closed by the receiver while idle.
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    ec = co_await Connect(stream, target);
    if (!ec) ec = co_await Exchange(stream, request, keep_alive);
    if (ec) {
        GAPKIT_LOG_WARN(kLog, "webhook to {}: {}", origin, ec.message());
        co_return;
    }
    if (keep_alive) pool->Give(origin, std::move(stream));
}

}  // namespace

WebhookSender::WebhookSender(net::io_context& ioc, std::chrono::seconds timeout)
    : ioc_(ioc), timeout_(timeout), pool_(std::make_shared<Pool>()) {}

WebhookSender::~WebhookSender() = default;

std::size_t WebhookSender::idle_connections() const {
    std::lock_guard lock(pool_->mutex);
    std::size_t count = 0;
    for (const auto& [origin, streams] : pool_->idle) count += streams.size();
    return count;
}

void WebhookSender::Post(std::string url, std::string json_body) {
    auto target = ParseTarget(url);
    if (!target) {
        GAPKIT_LOG_WARN(kLog, "webhook not sent: only absolute http:// URLs are supported");
        return;
    }
    net::co_spawn(net::make_strand(ioc_), Send(pool_, std::move(*target), std::move(json_body), timeout_),
                  net::detached);
}

}  // namespace gapkit::edgegap_sim
