#include "edgegap_sim_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>

namespace gapkit::edgegap_sim::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

boost::json::value TestResponse::Json() const {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    return ec ? boost::json::value(nullptr) : value;
}

SimulatorConfig EchoConfig() {
    using namespace std::chrono_literals;
    auto config = LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
    EXPECT_TRUE(config.has_value());
    config->delays = {50ms, 100ms};
    config->tick_interval = 20ms;
    config->rate_limits = {0, 0, 0};  // The tests poll faster than Edgegap allows.
    config->apps[0].versions[0].termination_grace_period = 1s;
    return *config;
}

namespace {

net::awaitable<TestResponse> CallAsync(std::uint16_t port, http::request<http::string_body> request) {
    constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
    beast::tcp_stream stream(co_await net::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    auto [connect_error] =
        co_await stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), kUseTuple);
    if (connect_error) co_return TestResponse{};
    auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (write_error || read_error) co_return TestResponse{};
    const auto& response = parser.get();
    co_return TestResponse{true, response.result_int(), response.body(),
                           std::string(response[http::field::retry_after]),
                           std::string(response[http::field::content_type])};
}

}  // namespace

TestResponse Call(std::uint16_t port, http::verb method, const std::string& target, const std::string& body,
                  const std::string& authorization) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    net::io_context ioc;
    auto future = net::co_spawn(ioc, CallAsync(port, std::move(request)), net::use_future);
    ioc.run();
    return future.get();
}

std::optional<std::string> UdpRoundTrip(std::uint16_t port, const std::string& payload,
                                        std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    pollfd poll_fd{fd, POLLIN, 0};
    std::optional<std::string> reply;
    if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) == 1) {
        char buffer[2048];
        const ssize_t size = ::recv(fd, buffer, sizeof(buffer), 0);
        if (size >= 0) reply = std::string(buffer, static_cast<std::size_t>(size));
    }
    ::close(fd);
    return reply;
}

WebhookReceiver::WebhookReceiver(bool keep_alive)
    : keep_alive_(keep_alive), acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Serve(); });
}

WebhookReceiver::~WebhookReceiver() {
    // shutdown() wakes the thread blocked in accept() or in a kept connection's read; close()
    // alone would not.
    {
        std::lock_guard lock(mutex_);
        if (serving_fd_ >= 0) ::shutdown(serving_fd_, SHUT_RDWR);
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    }
    thread_.join();
    beast::error_code ignored;
    acceptor_.close(ignored);
}

std::string WebhookReceiver::url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
}

std::vector<std::string> WebhookReceiver::bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
}

int WebhookReceiver::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

void WebhookReceiver::Serve() {
    for (;;) {
        beast::error_code ec;
        tcp::socket socket(ioc_);
        acceptor_.accept(socket, ec);
        if (ec) return;
        {
            std::lock_guard lock(mutex_);
            ++connections_;
            serving_fd_ = socket.native_handle();
        }
        beast::flat_buffer buffer;
        do {
            http::request<http::string_body> request;
            http::read(socket, buffer, request, ec);
            if (ec) break;
            {
                std::lock_guard lock(mutex_);
                bodies_.push_back(request.body());
            }
            http::response<http::string_body> response{http::status::ok, 11};
            response.prepare_payload();
            http::write(socket, response, ec);
        } while (keep_alive_ && !ec);
        std::lock_guard lock(mutex_);
        serving_fd_ = -1;
    }
}

}  // namespace gapkit::edgegap_sim::testing
