// The connection's request multiplexer, seen through the public asynchronous calls.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <fmt/core.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "bus_test_support.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using Replies = Completions<common::Result<Message>>;
using Ends = Completions<common::Status>;

using BusAsyncRequest = BusServerTest;

// A responder on `subject` that streams `parts` parts and the end message; or answers once.
common::Result<Subscription> Streamer(Connection& connection, std::string_view subject, int parts) {
    return connection.Subscribe(subject, [&connection, parts](const Message& request) {
        for (int i = 0; i < parts; ++i) (void)connection.Respond(request, fmt::format("part-{}", i));
        if (parts > 0) (void)connection.EndStream(request);
        if (parts == 0) (void)connection.Respond(request, "pong:" + request.data);
    });
}

StreamHandlers CountingHandlers(std::shared_ptr<std::atomic<int>> parts, Ends& ends) {
    return StreamHandlers{[parts](const Message&) {
                              ++*parts;
                              return true;
                          },
                          ends.Handler()};
}

TEST_F(BusAsyncRequest, RequestAsyncDeliversTheReply) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.single", 0);
    ASSERT_TRUE(responder.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    Replies replies;
    ASSERT_TRUE(connection_->RequestAsync("gapkit.test.mux.single", "ping", replies.Handler()).has_value());
    ASSERT_TRUE(replies.WaitFor(1));
    auto got = replies.Take();
    ASSERT_TRUE(got[0].has_value()) << got[0].error().ToString();
    EXPECT_EQ(got[0]->data, "pong:ping");
}

TEST_F(BusAsyncRequest, RequestAsyncReportsNoRespondersAndTimeout) {
    Replies nobody;
    ASSERT_TRUE(connection_->RequestAsync("gapkit.test.mux.nobody", "", nobody.Handler(), 30s).has_value());
    ASSERT_TRUE(nobody.WaitFor(1));
    auto none = nobody.Take();
    ASSERT_FALSE(none[0].has_value());
    EXPECT_EQ(none[0].error().code(), ErrorCode::kUnavailable) << none[0].error().ToString();

    auto silent = connection_->Subscribe("gapkit.test.mux.silent", [](const Message&) {});
    ASSERT_TRUE(silent.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    Replies waiting;
    ASSERT_TRUE(connection_->RequestAsync("gapkit.test.mux.silent", "", waiting.Handler(), 200ms).has_value());
    ASSERT_TRUE(waiting.WaitFor(1));
    std::this_thread::sleep_for(100ms);  // A second call would land here.
    auto timed_out = waiting.Take();
    ASSERT_EQ(timed_out.size(), 1u);
    ASSERT_FALSE(timed_out[0].has_value());
    EXPECT_EQ(timed_out[0].error().code(), ErrorCode::kTimeout) << timed_out[0].error().ToString();
}

TEST_F(BusAsyncRequest, HandlersMayStartFurtherRequests) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.chain", 0);
    ASSERT_TRUE(responder.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    Replies last;
    std::function<void(common::Result<Message>)> chain;
    std::atomic<int> hops{0};
    chain = [&](common::Result<Message> reply) {
        if (!reply || ++hops == 3) return last.Handler()(std::move(reply));
        if (!connection_->RequestAsync("gapkit.test.mux.chain", "again", chain)) FAIL();
    };
    ASSERT_TRUE(connection_->RequestAsync("gapkit.test.mux.chain", "first", chain).has_value());
    ASSERT_TRUE(last.WaitFor(1));
    auto got = last.Take();
    ASSERT_TRUE(got[0].has_value()) << got[0].error().ToString();
    EXPECT_EQ(hops, 3);
}

TEST_F(BusAsyncRequest, PendingHandlersAreDroppedUncalledWithTheConnection) {
    auto silent = connection_->Subscribe("gapkit.test.mux.drop", [](const Message&) {});
    ASSERT_TRUE(silent.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    auto requester = Connection::Connect("gapkit_bus_test_drop", BusOptionsFor(*server_));
    ASSERT_TRUE(requester.has_value());
    std::atomic<int> called{0};
    auto alive = std::make_shared<int>(0);
    const std::weak_ptr<int> watch = alive;
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE((*requester)
                        ->RequestAsync(
                            "gapkit.test.mux.drop", "", [alive, &called](common::Result<Message>) { ++called; }, 1s)
                        .has_value());
        ASSERT_TRUE((*requester)
                        ->RequestStreamAsync("gapkit.test.mux.drop", "",
                                             {[alive, &called](const Message&) { return ++called > 0; },
                                              [alive, &called](common::Status) { ++called; }},
                                             {.overall_timeout = 1s, .idle_timeout = 1s})
                        .has_value());
    }
    alive.reset();
    const int called_before = called;  // 0 unless this machine took over 1 s to get here.
    requester->reset();
    EXPECT_TRUE(watch.expired()) << "every pending handler is destroyed with the connection";
    std::this_thread::sleep_for(1500ms);  // Past every timeout: nothing may fire.
    EXPECT_EQ(called, called_before);
}

TEST_F(BusAsyncRequest, AHandlerMayDestroyItsConnection) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.owner", 0);
    ASSERT_TRUE(responder.has_value());
    auto silent = connection_->Subscribe("gapkit.test.mux.nobody-answers", [](const Message&) {});
    ASSERT_TRUE(silent.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    // On the delivery thread (a reply), then on the timer thread (a timeout).
    for (const char* subject : {"gapkit.test.mux.owner", "gapkit.test.mux.nobody-answers"}) {
        auto owned = Connection::Connect("gapkit_bus_test_owner", BusOptionsFor(*server_));
        ASSERT_TRUE(owned.has_value());
        std::mutex mutex;
        std::unique_ptr<Connection> connection = std::move(*owned);
        std::atomic<bool> destroyed{false};
        std::unique_lock lock(mutex);  // The handler waits until RequestAsync has returned.
        ASSERT_TRUE(connection
                        ->RequestAsync(
                            subject, "",
                            [&](common::Result<Message>) {
                                std::unique_ptr<Connection> doomed;
                                {
                                    std::lock_guard handler_lock(mutex);
                                    doomed = std::move(connection);
                                }
                                doomed.reset();
                                destroyed = true;
                            },
                            200ms)
                        .has_value());
        lock.unlock();
        ASSERT_TRUE(gapkit::testing::WaitFor([&] { return destroyed.load(); })) << subject;
    }
}

TEST_F(BusAsyncRequest, StreamSemanticsHoldUnderLoad) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.load", 3);
    ASSERT_TRUE(responder.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    auto parts = std::make_shared<std::atomic<int>>(0);
    Ends ends;
    constexpr int kStreams = 500;
    for (int i = 0; i < kStreams; ++i) {
        ASSERT_TRUE(
            connection_->RequestStreamAsync("gapkit.test.mux.load", "", CountingHandlers(parts, ends)).has_value());
    }
    ASSERT_TRUE(ends.WaitFor(kStreams));
    std::this_thread::sleep_for(100ms);
    auto results = ends.Take();
    ASSERT_EQ(results.size(), static_cast<std::size_t>(kStreams));
    for (const auto& end : results) EXPECT_TRUE(end.has_value()) << end.error().ToString();
    EXPECT_EQ(*parts, 3 * kStreams);
}

// A plain-TCP server with its monitoring port, to count subscriptions, and restartable.
class BusMonitoredServer : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto dir = gapkit::testing::TempDir::Create("gapkit-mux-test");
        ASSERT_TRUE(dir.has_value());
        dir_ = std::make_unique<gapkit::testing::TempDir>(std::move(*dir));
        auto port = gapkit::testing::FreeLoopbackPort();
        ASSERT_TRUE(port.has_value());
        monitor_port_ = *port;
        const auto config = dir_->path() / "nats.conf.in";
        std::ofstream(config) << fmt::format(
            "listen: 127.0.0.1:@NATS_PORT@\nhttp: 127.0.0.1:{}\n"
            "authorization {{ users: [ {{ user: gapkit, password: \"@GAPKIT_PASSWORD@\" }} ] }}\n",
            monitor_port_);
        auto server = gapkit::testing::NatsServer::Start({.tls = false, .jetstream = false, .config_template = config});
        ASSERT_TRUE(server.has_value()) << server.error().ToString();
        server_ = std::move(*server);
        auto connection = Connection::Connect("gapkit_bus_test_mux", BusOptionsFor(*server_));
        ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
        connection_ = std::move(*connection);
    }

    // The server's subscription count (/subsz), or -1.
    int Subscriptions() const {
        const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(monitor_port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        std::string answer;
        if (::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
            const std::string request = "GET /subsz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
            (void)!::write(sock, request.data(), request.size());
            char buffer[4096];
            for (ssize_t got; (got = ::read(sock, buffer, sizeof buffer)) > 0;) answer.append(buffer, got);
        }
        ::close(sock);
        const auto body = answer.find("\r\n\r\n");
        if (body == std::string::npos) return -1;
        boost::system::error_code ec;
        const auto subsz = boost::json::parse(std::string_view(answer).substr(body + 4), ec);
        const auto* count = !ec && subsz.is_object() ? subsz.get_object().if_contains("num_subscriptions") : nullptr;
        return count != nullptr && count->is_number() ? count->to_number<int>() : -1;
    }

    // Runs `count` streamed requests at once on `subject` and checks each ends well.
    void RunStreams(std::string_view subject, int count) {
        auto parts = std::make_shared<std::atomic<int>>(0);
        Ends ends;
        for (int i = 0; i < count; ++i) {
            ASSERT_TRUE(connection_->RequestStreamAsync(subject, "", CountingHandlers(parts, ends)).has_value());
        }
        ASSERT_TRUE(ends.WaitFor(count));
        for (const auto& end : ends.Take()) ASSERT_TRUE(end.has_value()) << end.error().ToString();
        EXPECT_EQ(*parts, 2 * count);
    }

    std::unique_ptr<gapkit::testing::TempDir> dir_;
    int monitor_port_ = 0;
    std::unique_ptr<gapkit::testing::NatsServer> server_;
    std::unique_ptr<Connection> connection_;
};

TEST_F(BusMonitoredServer, StreamRequestsShareOneSubscription) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.count", 2);
    ASSERT_TRUE(responder.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    RunStreams("gapkit.test.mux.count", 1);  // Makes the mux's subscription.
    ASSERT_TRUE(connection_->Flush().has_value());
    const int before = Subscriptions();
    ASSERT_GT(before, 0);
    RunStreams("gapkit.test.mux.count", 100);
    ASSERT_TRUE(connection_->Flush().has_value());
    EXPECT_EQ(Subscriptions(), before);
}

TEST_F(BusMonitoredServer, RequestsWorkAfterAServerRestart) {
    auto responder = Streamer(*connection_, "gapkit.test.mux.restart", 2);
    ASSERT_TRUE(responder.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    RunStreams("gapkit.test.mux.restart", 5);
    ASSERT_TRUE(server_->Restart().has_value());
    ASSERT_TRUE(gapkit::testing::WaitFor([&] { return connection_->State() == ConnectionState::kConnected; }));
    ASSERT_TRUE(connection_->Flush().has_value());  // The responder and the mux are subscribed again.
    RunStreams("gapkit.test.mux.restart", 5);
    Replies replies;
    ASSERT_TRUE(connection_->RequestAsync("gapkit.test.mux.restart", "", replies.Handler()).has_value());
    ASSERT_TRUE(replies.WaitFor(1));
    EXPECT_TRUE(replies.Take()[0].has_value());
}

}  // namespace
}  // namespace gapkit::bus
