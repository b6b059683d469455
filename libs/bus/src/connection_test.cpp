#include "gapkit/bus/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gapkit/common/log.hpp"

#include "bus_test_support.hpp"
#include "gapkit/testing/certificates.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using gapkit::testing::NatsServer;
using gapkit::testing::ScopedEnv;

// nats.c's threads are joined once, after every test, as a program's main would do.
class NatsLibraryEnvironment : public ::testing::Environment {
  public:
    void TearDown() override {
        auto closed = CloseLibrary();
        EXPECT_TRUE(closed.has_value()) << closed.error().ToString();
    }
};
const auto* const kLibraryEnvironment = ::testing::AddGlobalTestEnvironment(new NatsLibraryEnvironment);

std::unique_ptr<NatsServer> StartServer(gapkit::testing::NatsServerOptions options = {}) {
    auto server = NatsServer::Start(std::move(options));
    EXPECT_TRUE(server.has_value()) << server.error().ToString();
    return server ? std::move(*server) : nullptr;
}

TEST(BusConnection, TlsWithCaFileFromEnvironment) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer();
    ASSERT_TRUE(server);
    ScopedEnv env(server->ClientEnv());
    auto connection = Connection::Connect("gapkit_test_ca_file");
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    EXPECT_EQ((*connection)->State(), ConnectionState::kConnected);
    EXPECT_NE((*connection)->ConnectedUrl().find(std::to_string(server->port())), std::string::npos);
}

TEST(BusConnection, TlsWithCaContentsFromEnvironment) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer();
    ASSERT_TRUE(server);
    auto env_values = server->ClientEnv();
    env_values["NATS_CA"] = std::nullopt;
    env_values["NATS_CA_CONTENTS"] = server->CaPem();
    ScopedEnv env(env_values);
    auto connection = Connection::Connect("gapkit_test_ca_contents");
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    EXPECT_EQ((*connection)->State(), ConnectionState::kConnected);
}

TEST(BusConnection, WrongCaFailsCertificateVerification) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer();
    ASSERT_TRUE(server);
    const auto& other = gapkit::testing::OtherTestCertificates();
    ASSERT_TRUE(other.has_value()) << other.error().ToString();
    auto options = BusOptionsFor(*server);
    options.ca_file = other->ca_file.string();
    auto connection = Connection::Connect("gapkit_test_wrong_ca", options);
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), ErrorCode::kTls);
    EXPECT_NE(connection.error().message().find("certificate verification failed"), std::string::npos)
        << connection.error().ToString();
}

TEST(BusConnection, WrongPasswordIsAnAuthorizationError) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer();
    ASSERT_TRUE(server);
    auto options = BusOptionsFor(*server);
    options.password = "not-the-password";
    auto connection = Connection::Connect("gapkit_test_wrong_password", options);
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), ErrorCode::kUnauthenticated) << connection.error().ToString();
    EXPECT_NE(connection.error().message().find("authorization"), std::string::npos);
    EXPECT_EQ(connection.error().message().find("not-the-password"), std::string::npos);
}

TEST(BusConnection, MissingHostIsAClearError) {
    ScopedEnv env({{"NATS_HOST", std::nullopt}, {"NATS_USER", "u"}, {"NATS_PASSWORD", "p"}});
    auto connection = Connection::Connect("gapkit_test_no_host");
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(connection.error().message().find("NATS_HOST"), std::string::npos);
}

TEST(BusConnection, InsecureAgainstPlainServer) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer({.tls = false, .jetstream = false});
    ASSERT_TRUE(server);
    ScopedEnv env(server->ClientEnv());
    auto connection = Connection::Connect("gapkit_test_insecure");
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    EXPECT_EQ((*connection)->State(), ConnectionState::kConnected);
}

TEST(BusConnection, TlsAgainstPlainServerIsATlsError) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer({.tls = false, .jetstream = false});
    ASSERT_TRUE(server);
    auto options = BusOptionsFor(*server);
    options.insecure = false;
    options.ca_file = gapkit::testing::SharedTestCertificates()->ca_file.string();
    auto connection = Connection::Connect("gapkit_test_tls_to_plain", options);
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), ErrorCode::kTls) << connection.error().ToString();
}

TEST(BusConnection, NoServerReachableIsUnavailable) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer({.tls = false, .jetstream = false});
    ASSERT_TRUE(server);
    auto options = BusOptionsFor(*server);
    server->Stop();
    options.connect_timeout = 1s;
    auto connection = Connection::Connect("gapkit_test_no_server", options);
    ASSERT_FALSE(connection.has_value());
    EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable) << connection.error().ToString();
    EXPECT_NE(connection.error().message().find("no server reachable"), std::string::npos);
}

// A peer that accepts TCP but never speaks NATS (a wedged server or a wrong port): the connect
// must give up after connect_timeout instead of hanging.
TEST(BusConnection, SilentServerFailsWithinTheConnectTimeout) {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 8), 0);
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    ConnectOptions options;
    options.host = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    options.user = "u";
    options.password = "p";
    options.insecure = true;
    options.connect_timeout = 500ms;
    const auto start = std::chrono::steady_clock::now();
    auto connection = Connection::Connect("gapkit_test_silent_server", options);
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(listener);
    ASSERT_FALSE(connection.has_value());
    EXPECT_TRUE(connection.error().code() == ErrorCode::kTimeout ||
                connection.error().code() == ErrorCode::kUnavailable)
        << connection.error().ToString();
    EXPECT_LT(took, 10s) << "connect did not respect connect_timeout";  // A hang guard, not a speed check.
}

TEST(BusConnection, ReconnectsAfterServerRestartAndRequestsSucceed) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = StartServer();
    ASSERT_TRUE(server);
    auto options = BusOptionsFor(*server);
    options.reconnect_initial_delay = 50ms;
    options.reconnect_max_delay = 200ms;
    auto connection = Connection::Connect("gapkit_test_reconnect", options);
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    Connection& bus = **connection;
    auto responder = bus.Subscribe(
        "gapkit.test.echo", [&bus](const Message& request) { (void)bus.Respond(request, "echo:" + request.data); });
    ASSERT_TRUE(responder.has_value());

    server->Stop();
    for (int i = 0; i < 200 && bus.State() == ConnectionState::kConnected; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_NE(bus.State(), ConnectionState::kConnected);
    ASSERT_TRUE(server->Restart().has_value());
    for (int i = 0; i < 1000 && bus.State() != ConnectionState::kConnected; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(bus.State(), ConnectionState::kConnected);

    auto reply = bus.Request("gapkit.test.echo", "after restart", 2s);
    ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
    EXPECT_EQ(reply->data, "echo:after restart");
}

TEST(BusConnection, PermissionViolationOnSubscribeIsLogged) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    gapkit::testing::NatsServerOptions server_options;
    server_options.tls = false;
    server_options.jetstream = false;
    server_options.users = {{"gapkit", "gapkit-test-password", {"allowed.>"}, {"allowed.>", "_INBOX.>"}}};
    auto server = StartServer(server_options);
    ASSERT_TRUE(server);
    // Shared with the sink by value: a nats.c thread may still be logging when the test ends.
    struct Captured {
        std::mutex mutex;
        std::vector<std::string> warnings;
    };
    auto captured = std::make_shared<Captured>();
    common::SetLogSink([captured](common::LogLevel level, std::string_view, std::string_view message) {
        std::lock_guard lock(captured->mutex);
        if (level == common::LogLevel::kWarn) captured->warnings.emplace_back(message);
    });
    auto connection = Connection::Connect("gapkit_test_permissions", BusOptionsFor(*server));
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    auto sub = (*connection)->SubscribeSync("forbidden.subject");
    ASSERT_TRUE(sub.has_value());  // The server refuses asynchronously.
    bool seen = false;
    for (int i = 0; i < 300 && !seen; ++i) {
        std::this_thread::sleep_for(10ms);
        std::lock_guard lock(captured->mutex);
        for (const auto& warning : captured->warnings) {
            seen = seen || warning.find("permissions violation") != std::string::npos;
        }
    }
    common::SetLogSink(nullptr);
    EXPECT_TRUE(seen);
}

using BusSubscription = BusServerTest;

TEST_F(BusSubscription, QueueGroupDeliversEachMessageToOneMember) {
    std::atomic<int> first{0};
    std::atomic<int> second{0};
    auto a = connection_->QueueSubscribe("gapkit.test.queue", "workers", [&](const Message&) { ++first; });
    auto b = connection_->QueueSubscribe("gapkit.test.queue", "workers", [&](const Message&) { ++second; });
    ASSERT_TRUE(a.has_value() && b.has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    constexpr int kMessages = 50;
    for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(connection_->Publish("gapkit.test.queue", "x").has_value());
    ASSERT_TRUE(connection_->Flush().has_value());
    for (int i = 0; i < 500 && first + second < kMessages; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(first + second, kMessages);
}

TEST_F(BusSubscription, SyncSubscriptionIsPolledWithoutBlocking) {
    auto sub = connection_->SubscribeSync("gapkit.test.poll");
    ASSERT_TRUE(sub.has_value());
    auto nothing = sub->NextMessage(0ms);
    ASSERT_TRUE(nothing.has_value());
    EXPECT_FALSE(nothing->has_value());
    ASSERT_TRUE(connection_->Publish("gapkit.test.poll", "tick").has_value());
    auto message = sub->NextMessage(2s);
    ASSERT_TRUE(message.has_value() && message->has_value());
    EXPECT_EQ((*message)->data, "tick");
    EXPECT_EQ((*message)->subject, "gapkit.test.poll");
}

TEST_F(BusSubscription, AsyncSubscriptionRefusesPolling) {
    auto sub = connection_->Subscribe("gapkit.test.async", [](const Message&) {});
    ASSERT_TRUE(sub.has_value());
    auto polled = sub->NextMessage(0ms);
    ASSERT_FALSE(polled.has_value());
    EXPECT_EQ(polled.error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(BusSubscription, RespondWithoutInboxIsRefused) {
    Message plain{"gapkit.test.plain", "", "x"};
    auto status = connection_->Respond(plain, "reply");
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gapkit::bus
