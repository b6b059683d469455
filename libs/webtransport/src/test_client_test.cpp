// The test client against a real endpoint on loopback: what the endpoint tests and the benchmark
// rely on it for.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "gapkit/server/certificate.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/webtransport/endpoint.hpp"
#include "test_client_test_support.hpp"

namespace gapkit::webtransport::testing {
namespace {

using common::ErrorCode;

constexpr double kTimeoutSeconds = 5;

std::unique_ptr<EndpointLoop> StartEndpoint() {
    auto endpoint = Endpoint::Open(LoopbackEndpointConfig());
    EXPECT_TRUE(endpoint.has_value()) << endpoint.error().ToString();
    return endpoint ? std::make_unique<EndpointLoop>(std::move(*endpoint), /*echo=*/true) : nullptr;
}

// An endpoint that echoes datagrams, and a client whose session it opened.
class TestClientSession : public ::testing::Test {
  protected:
    void SetUp() override {
        loop_ = StartEndpoint();
        ASSERT_NE(loop_, nullptr);
        auto client = TestClient::Connect(LoopbackClientConfig(*loop_));
        ASSERT_TRUE(client.has_value()) << client.error().ToString();
        client_ = std::move(*client);
        const auto opened = loop_->WaitFor(EventType::kSessionOpened, kTimeoutSeconds);
        ASSERT_TRUE(opened.has_value());
        session_ = opened->address;
    }

    std::unique_ptr<EndpointLoop> loop_;
    std::unique_ptr<TestClient> client_;  // Closes before the endpoint stops.
    netcode::Address session_;
};

TEST_F(TestClientSession, GetsItsDatagramsEchoed) {
    EXPECT_EQ(client_->response_status(), 200);
    EXPECT_GE(client_->max_datagram_payload(), 1200u);
    // Up to 1100 bytes, the most a netcode packet to a browser may take (research §2).
    for (const std::size_t size : {1, 100, 1100}) {
        const std::vector<std::uint8_t> payload(size, static_cast<std::uint8_t>(size));
        const auto sent = client_->SendDatagram(payload);
        ASSERT_TRUE(sent.has_value()) << sent.error().ToString();
        const auto echoed = client_->ReceiveDatagram(kTimeoutSeconds);
        ASSERT_TRUE(echoed.has_value()) << size << " bytes";
        EXPECT_EQ(*echoed, payload);
    }
    EXPECT_EQ(loop_->stats().datagrams_received, 3u);
    EXPECT_FALSE(client_->closed_by_server());
}

TEST_F(TestClientSession, CloseSessionEndsTheSessionOnTheEndpoint) {
    ASSERT_TRUE(client_->CloseSession(0, "bye").has_value());
    client_->Pump(0.1);
    const auto closed = loop_->WaitFor(EventType::kSessionClosed, kTimeoutSeconds);
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(closed->address, session_);
}

TEST_F(TestClientSession, ClosingTheConnectionEndsTheSessionOnTheEndpoint) {
    client_.reset();  // As when the tab goes away: CONNECTION_CLOSE, no capsule.
    const auto closed = loop_->WaitFor(EventType::kSessionClosed, kTimeoutSeconds);
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(closed->address, session_);
}

TEST_F(TestClientSession, SeesTheConnectionClosedWhenTheEndpointClosesTheSession) {
    loop_->Run([&](Endpoint& endpoint) { endpoint.Close(session_); });
    EXPECT_FALSE(client_->ReceiveDatagram(1).has_value());
    EXPECT_TRUE(client_->closed_by_server());
    EXPECT_FALSE(client_->SendDatagram(std::vector<std::uint8_t>{1}).has_value());
}

TEST(TestClient, IsRefusedWith404ForAnotherPath) {
    auto loop = StartEndpoint();
    ASSERT_NE(loop, nullptr);
    TestClientConfig config = LoopbackClientConfig(*loop);
    config.path = "/elsewhere";
    auto client = TestClient::Connect(config);
    ASSERT_FALSE(client.has_value());
    EXPECT_NE(client.error().message().find("refused with status 404"), std::string::npos) << client.error().ToString();
}

TEST(TestClient, RefusesACertificateWithAnotherDigest) {
    auto loop = StartEndpoint();
    ASSERT_NE(loop, nullptr);
    TestClientConfig config = LoopbackClientConfig(*loop);
    config.expected_digest = server::CreateSelfSignedCertificate("127.0.0.1").value().sha256_digest;
    auto client = TestClient::Connect(config);
    ASSERT_FALSE(client.has_value());
    EXPECT_EQ(client.error().code(), ErrorCode::kTls) << client.error().ToString();
    EXPECT_NE(client.error().message().find(LoopbackCertificate().sha256_digest), std::string::npos)
        << client.error().ToString();
}

TEST(TestClient, GetsNoResponseWithoutSendingItsSettings) {
    auto loop = StartEndpoint();
    ASSERT_NE(loop, nullptr);
    TestClientConfig config = LoopbackClientConfig(*loop);
    config.send_settings = false;
    config.timeout_seconds = 1;
    auto client = TestClient::Connect(config);
    ASSERT_FALSE(client.has_value());
    EXPECT_EQ(client.error().code(), ErrorCode::kTimeout) << client.error().ToString();
}

TEST(TestClient, FailsClearlyWhenNothingListens) {
    const auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    TestClientConfig config;
    config.server_port = *port;
    config.timeout_seconds = 1;
    auto client = TestClient::Connect(config);
    ASSERT_FALSE(client.has_value());
    EXPECT_NE(client.error().message().find(fmt::format("127.0.0.1:{}", *port)), std::string::npos)
        << client.error().ToString();
}

}  // namespace
}  // namespace gapkit::webtransport::testing
