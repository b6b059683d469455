#include "http_transport.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace gapkit::edgegap::detail {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

TEST(ParseTarget, SplitsHttpAndHttpsUrls) {
    auto https = ParseTarget("https://api.edgegap.com/v1/context/9170f5211e17/17");
    ASSERT_TRUE(https.has_value());
    EXPECT_TRUE(https->tls);
    EXPECT_EQ(https->host, "api.edgegap.com");
    EXPECT_EQ(https->port, "443");
    EXPECT_EQ(https->path_and_query, "/v1/context/9170f5211e17/17");

    auto http = ParseTarget("http://127.0.0.1:8090/v1/sessions?page=2&limit=10");
    ASSERT_TRUE(http.has_value());
    EXPECT_FALSE(http->tls);
    EXPECT_EQ(http->host, "127.0.0.1");
    EXPECT_EQ(http->port, "8090");
    EXPECT_EQ(http->path_and_query, "/v1/sessions?page=2&limit=10");

    auto ipv6 = ParseTarget("http://[::1]:9000");
    ASSERT_TRUE(ipv6.has_value());
    EXPECT_EQ(ipv6->host, "::1");
    EXPECT_EQ(ipv6->path_and_query, "/");
}

TEST(ParseTarget, RefusesWhatIsNotAnHttpUrl) {
    for (const char* url : {"", "api.edgegap.com", "ftp://example.com/x", "https://", "http:///path"}) {
        auto target = ParseTarget(url);
        ASSERT_FALSE(target.has_value()) << url;
        EXPECT_EQ(target.error().code(), common::ErrorCode::kInvalidArgument);
    }
}

TEST(ParseRetryAfter, ReadsDeltaSecondsOnly) {
    EXPECT_EQ(ParseRetryAfter("3"), std::chrono::seconds(3));
    EXPECT_EQ(ParseRetryAfter("0"), std::chrono::seconds(0));
    EXPECT_FALSE(ParseRetryAfter("").has_value());
    EXPECT_FALSE(ParseRetryAfter("-1").has_value());
    EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
    EXPECT_EQ(ParseRetryAfter("999999999"), std::chrono::seconds(86400));
}

// What the fake server does with the n-th request it reads (counted over all connections, from 1).
enum class Act {
    kAnswer,           // 200 with keep-alive.
    kAnswerThenClose,  // 200 that allows keep-alive, then closes, as a server's idle timeout does.
    kDrop,             // Closes the connection without answering, after reading the request.
};

// An HTTP/1.1 server on loopback, on its own thread, that follows a script and counts connections
// and requests per method.
class FakeServer {
  public:
    explicit FakeServer(std::function<Act(int request_number)> script) : script_(std::move(script)) {
        acceptor_.open(asio::ip::tcp::v4());
        acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        asio::co_spawn(io_, Accept(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~FakeServer() {
        io_.stop();
        thread_.join();
    }

    std::string Url(std::string_view path) const {
        return fmt::format("http://127.0.0.1:{}{}", acceptor_.local_endpoint().port(), path);
    }
    int connections() const { return connections_; }
    int posts() const { return posts_; }
    int requests() const { return requests_; }

  private:
    asio::awaitable<void> Accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++connections_;
            asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> Serve(asio::ip::tcp::socket socket) {
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> request;
            auto [ec, bytes] = co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            if (request.method() == http::verb::post) ++posts_;
            const Act act = script_(++requests_);
            if (act == Act::kDrop) co_return;
            http::response<http::string_body> response{http::status::ok, 11};
            response.body() = R"({"ok":true})";
            response.keep_alive(true);
            response.prepare_payload();
            co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
            if (act == Act::kAnswerThenClose) co_return;
        }
    }

    std::function<Act(int)> script_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_{io_};
    std::thread thread_;
    std::atomic<int> connections_{0};
    std::atomic<int> posts_{0};
    std::atomic<int> requests_{0};
};

// Exchanges on one io_context and one pool, as the client's calls do.
class ConnectionReuse : public ::testing::Test {
  protected:
    common::Result<HttpResponse> Call(const FakeServer& server, http::verb method, Reuse reuse) {
        auto target = ParseTarget(server.Url("/v1/session"));
        EXPECT_TRUE(target.has_value());
        HttpRequest request{method, *target, "token test", "gapkit-test", method == http::verb::post ? "{}" : ""};
        auto done =
            asio::co_spawn(io_, Exchange(tls_, pool_, std::move(request), reuse, 5s, 1 << 20), asio::use_future);
        io_.restart();
        io_.run();
        return done.get();
    }

    asio::io_context io_;
    asio::ssl::context tls_{asio::ssl::context::tls_client};
    ConnectionPool pool_{4, std::chrono::seconds(30)};
};

TEST_F(ConnectionReuse, AQuickSecondPostGoesOnTheKeptAliveConnection) {
    FakeServer server([](int) { return Act::kAnswer; });
    ASSERT_TRUE(Call(server, http::verb::post, Reuse::kNoResend).has_value());
    auto second = Call(server, http::verb::post, Reuse::kNoResend);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(pool_.opened(), 1u);
}

TEST_F(ConnectionReuse, APostAfterTheIdleBoundOpensAFreshConnection) {
    FakeServer server([](int) { return Act::kAnswer; });
    ASSERT_TRUE(Call(server, http::verb::post, Reuse::kNoResend).has_value());
    std::this_thread::sleep_for(kMaxIdleForNoResend + 100ms);
    ASSERT_TRUE(Call(server, http::verb::post, Reuse::kNoResend).has_value());
    EXPECT_EQ(server.connections(), 2);
    // The older connection stays pooled for calls that may be resent, which take it.
    ASSERT_TRUE(Call(server, http::verb::get, Reuse::kResendable).has_value());
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(ConnectionReuse, APostIsNeverSentTwiceWhenTheReusedConnectionDropsMidRequest) {
    FakeServer server([](int n) { return n == 2 ? Act::kDrop : Act::kAnswer; });
    ASSERT_TRUE(Call(server, http::verb::post, Reuse::kNoResend).has_value());
    auto lost = Call(server, http::verb::post, Reuse::kNoResend);
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(Details(lost.error()).category, ErrorCategory::kNetwork);
    EXPECT_NE(lost.error().message().find("not sent again"), std::string::npos) << lost.error().message();
    EXPECT_EQ(server.posts(), 2);
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(ConnectionReuse, AGetIsResentOnAFreshConnectionWhenTheReusedOneDrops) {
    FakeServer server([](int n) { return n == 2 ? Act::kDrop : Act::kAnswer; });
    ASSERT_TRUE(Call(server, http::verb::get, Reuse::kResendable).has_value());
    auto resent = Call(server, http::verb::get, Reuse::kResendable);
    ASSERT_TRUE(resent.has_value()) << resent.error().ToString();
    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(ConnectionReuse, AConnectionTheServerClosedWhileIdleIsNotUsed) {
    FakeServer server([](int n) { return n == 1 ? Act::kAnswerThenClose : Act::kAnswer; });
    ASSERT_TRUE(Call(server, http::verb::post, Reuse::kNoResend).has_value());
    std::this_thread::sleep_for(100ms);  // The server's FIN arrives.
    auto second = Call(server, http::verb::post, Reuse::kNoResend);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    EXPECT_EQ(server.posts(), 2);
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(ConnectionReuse, WithoutReuseEveryRequestOpensAConnection) {
    FakeServer server([](int) { return Act::kAnswer; });
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Call(server, http::verb::get, Reuse::kNever).has_value());
    EXPECT_EQ(server.connections(), 3);
}

}  // namespace
}  // namespace gapkit::edgegap::detail
