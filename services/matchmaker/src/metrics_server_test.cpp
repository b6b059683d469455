#include "metrics_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "metrics.hpp"

namespace gapkit::matchmaker {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

struct Answer {
    unsigned status = 0;
    std::string body;
};

// One blocking GET on loopback; status 0 when the exchange failed.
Answer Get(std::uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code error;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, error);
    if (error) return {};
    http::request<http::empty_body> request{verb, target, 11};
    request.set(http::field::host, "localhost");
    http::write(socket, request, error);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response, error);
    if (error) return {};
    return {response.result_int(), response.body()};
}

class MetricsServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(server_.Start("127.0.0.1", 0));
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        server_.Stop();
        work_.reset();
        thread_.join();
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    common::MetricsRegistry registry_;
    std::atomic<bool> healthy_{true};
    MetricsServer server_{io_.get_executor(), registry_, [this] { return healthy_.load(); }};
    std::thread thread_;
};

TEST_F(MetricsServerTest, ServesPrometheusText) {
    Metrics metrics(registry_);
    metrics.CountRequest("ready", 0.25);
    metrics.CountEdgegapCall("create_session", 200);
    auto answer = Get(server_.port(), "/metrics");
    EXPECT_EQ(answer.status, 200u);
    EXPECT_NE(answer.body.find(R"(gapkit_matchmaker_requests_total{outcome="ready"} 1)"), std::string::npos)
        << answer.body;
    EXPECT_NE(answer.body.find(R"(endpoint="create_session")"), std::string::npos);
    EXPECT_NE(answer.body.find("gapkit_matchmaker_request_duration_seconds_count 1"), std::string::npos);
}

TEST_F(MetricsServerTest, HealthFollowsTheCallback) {
    EXPECT_EQ(Get(server_.port(), "/healthz").status, 200u);
    healthy_ = false;
    EXPECT_EQ(Get(server_.port(), "/healthz").status, 503u);
}

TEST_F(MetricsServerTest, RefusesOtherPathsAndMethods) {
    EXPECT_EQ(Get(server_.port(), "/secret").status, 404u);
    EXPECT_EQ(Get(server_.port(), "/metrics", http::verb::post).status, 405u);
}

}  // namespace
}  // namespace gapkit::matchmaker
