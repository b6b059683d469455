// The endpoint's limits and session bookkeeping, against the test client on loopback. The
// endpoint runs in an EndpointLoop thread as a game loop would; timeouts are the endpoint's own,
// configured short, and the waits below only bound how long a broken build takes to fail.

#include "gapkit/webtransport/endpoint.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "gapkit/server/certificate.hpp"
#include "test_client_test_support.hpp"

namespace gapkit::webtransport {
namespace {

using testing::EndpointLoop;
using testing::LoopbackClientConfig;
using testing::LoopbackEndpointConfig;
using testing::TestClient;
using testing::TestClientConfig;

constexpr double kWaitSeconds = 5;

std::unique_ptr<EndpointLoop> Start(const EndpointConfig& config) {
    auto endpoint = Endpoint::Open(config);
    EXPECT_TRUE(endpoint) << endpoint.error().ToString();
    return endpoint ? std::make_unique<EndpointLoop>(std::move(*endpoint), /*echo=*/true) : nullptr;
}

// A loopback UDP socket of the test's own.
struct RawSocket {
    RawSocket() {
        fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
        socklen_t length = sizeof(address);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        port = ntohs(address.sin_port);
    }
    ~RawSocket() { ::close(fd); }
    void SendTo(std::uint16_t to, const std::vector<std::uint8_t>& datagram) const {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(to);
        ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
    int fd = -1;
    std::uint16_t port = 0;
};

// The first Initial a client sends, caught on a socket that never answers: replayed to the
// endpoint, it starts a handshake that the sender never finishes.
std::vector<std::uint8_t> CaptureInitial() {
    RawSocket catcher;
    TestClientConfig config;
    config.server_port = catcher.port;
    config.timeout_seconds = 0.2;
    EXPECT_FALSE(TestClient::Connect(config));
    std::array<std::uint8_t, 2048> buffer{};
    const ssize_t size = ::recv(catcher.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    EXPECT_GT(size, 0);
    return {buffer.begin(), buffer.begin() + std::max<ssize_t>(size, 0)};
}

TEST(EndpointConfig, NamesTheFieldThatIsOutOfRange) {
    auto expect_refused = [](EndpointConfig config, std::string_view field) {
        auto status = config.Validate();
        ASSERT_FALSE(status) << field;
        EXPECT_EQ(status.error().code(), common::ErrorCode::kInvalidArgument);
        EXPECT_NE(status.error().message().find(field), std::string::npos) << status.error().message();
    };
    EndpointConfig config = LoopbackEndpointConfig();
    EXPECT_TRUE(config.Validate());
    auto changed = [&](auto change) {
        EndpointConfig copy = config;
        change(copy);
        return copy;
    };
    expect_refused(changed([](EndpointConfig& c) { c.certificate_pem.clear(); }), "certificate_pem");
    expect_refused(changed([](EndpointConfig& c) { c.private_key_pem.clear(); }), "private_key_pem");
    expect_refused(changed([](EndpointConfig& c) { c.path = "netcode"; }), "path");
    expect_refused(changed([](EndpointConfig& c) { c.max_sessions = 0; }), "max_sessions");
    expect_refused(changed([](EndpointConfig& c) { c.max_handshakes = 5000; }), "max_handshakes");
    expect_refused(changed([](EndpointConfig& c) { c.max_handshakes_per_ip = 0; }), "max_handshakes_per_ip");
    expect_refused(changed([](EndpointConfig& c) { c.handshake_timeout_seconds = 0; }), "handshake_timeout_seconds");
    expect_refused(changed([](EndpointConfig& c) { c.idle_timeout_seconds = 0.5; }), "idle_timeout_seconds");
    expect_refused(changed([](EndpointConfig& c) { c.max_datagram_bytes = 1300; }), "max_datagram_bytes");
}

TEST(Endpoint, OpenFailsClearlyOnAKeyThatIsNotPem) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.private_key_pem = "not a key";
    auto endpoint = Endpoint::Open(config);
    ASSERT_FALSE(endpoint);
    EXPECT_EQ(endpoint.error().code(), common::ErrorCode::kTls);
    EXPECT_EQ(endpoint.error().message().find("not a key"), std::string::npos) << "the key text must not be echoed";
}

TEST(Endpoint, OpenFailsClearlyOnABindIpThatIsNotAnAddress) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.bind_ip = "localhost";
    auto endpoint = Endpoint::Open(config);
    ASSERT_FALSE(endpoint);
    EXPECT_NE(endpoint.error().message().find("bind_ip"), std::string::npos) << endpoint.error().message();
}

TEST(Endpoint, GivesEachSessionAnAddressOfItsOwnThatItServesUntilTheSessionEnds) {
    auto loop = Start(LoopbackEndpointConfig());
    ASSERT_NE(loop, nullptr);
    auto first = TestClient::Connect(LoopbackClientConfig(*loop));
    auto second = TestClient::Connect(LoopbackClientConfig(*loop));
    ASSERT_TRUE(first && second);
    auto opened_first = loop->WaitFor(EventType::kSessionOpened, kWaitSeconds);
    auto opened_second = loop->WaitFor(EventType::kSessionOpened, kWaitSeconds);
    ASSERT_TRUE(opened_first && opened_second);
    EXPECT_NE(opened_first->address, opened_second->address);
    // 100::/64, the discard-only prefix: no real peer has such an address.
    EXPECT_EQ(opened_first->address.type, netcode::AddressType::kIpv6);
    EXPECT_EQ(opened_first->address.ipv6[0], 0x100);
    EXPECT_NE(opened_first->detail.find("127.0.0.1:"), std::string::npos) << opened_first->detail;

    bool served = false;
    bool stranger_served = true;
    loop->Run([&](Endpoint& endpoint) {
        served = endpoint.Serves(opened_first->address);
        stranger_served = endpoint.Serves(netcode::Address::Ipv4(127, 0, 0, 1, loop->port()));
    });
    EXPECT_TRUE(served);
    EXPECT_FALSE(stranger_served);

    ASSERT_TRUE((*first)->CloseSession(0, "bye"));
    auto closed = loop->WaitFor(EventType::kSessionClosed, kWaitSeconds);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->address, opened_first->address);
    loop->Run([&](Endpoint& endpoint) {
        served = endpoint.Serves(opened_first->address);
        endpoint.Send(opened_first->address, std::vector<std::uint8_t>{1, 2, 3});
    });
    EXPECT_FALSE(served);
    EXPECT_GE(loop->stats().datagrams_dropped, 1u) << "a send to a gone session is dropped and counted";
}

TEST(Endpoint, RefusesConnectionsBeyondMaxSessions) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.max_sessions = 1;
    auto loop = Start(config);
    ASSERT_NE(loop, nullptr);
    auto admitted = TestClient::Connect(LoopbackClientConfig(*loop));
    ASSERT_TRUE(admitted) << admitted.error().ToString();
    TestClientConfig refused_config = LoopbackClientConfig(*loop);
    refused_config.timeout_seconds = 2;
    auto refused = TestClient::Connect(refused_config);
    ASSERT_FALSE(refused);
    EXPECT_EQ(loop->stats().connections_refused, 1u);
    EXPECT_EQ(loop->stats().sessions_opened, 1u);
}

TEST(Endpoint, RefusesHandshakesFromOneIpBeyondMaxHandshakesPerIp) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.max_handshakes_per_ip = 1;
    auto loop = Start(config);
    ASSERT_NE(loop, nullptr);
    const auto first = CaptureInitial();
    const auto second = CaptureInitial();
    RawSocket attacker;
    attacker.SendTo(loop->port(), first);
    attacker.SendTo(loop->port(), second);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (loop->stats().connections_refused == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(loop->stats().connections_accepted, 1u);
    EXPECT_EQ(loop->stats().connections_refused, 1u);
}

TEST(Endpoint, ClosesASessionThatGoesSilentForTheIdleTimeout) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.idle_timeout_seconds = 1;
    auto loop = Start(config);
    ASSERT_NE(loop, nullptr);
    auto client = TestClient::Connect(LoopbackClientConfig(*loop));
    ASSERT_TRUE(client);
    ASSERT_TRUE(loop->WaitFor(EventType::kSessionOpened, kWaitSeconds));
    // The client is not pumped from here on: nothing it sends keeps the connection alive.
    auto closed = loop->WaitFor(EventType::kSessionClosed, kWaitSeconds);
    ASSERT_TRUE(closed);
    EXPECT_NE(closed->detail.find("idle"), std::string::npos) << closed->detail;
}

TEST(Endpoint, DropsAConnectionThatOpensNoSessionWithinTheHandshakeTimeout) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.handshake_timeout_seconds = 0.5;
    auto loop = Start(config);
    ASSERT_NE(loop, nullptr);
    TestClientConfig silent = LoopbackClientConfig(*loop);
    silent.send_settings = false;  // The endpoint holds its answer until SETTINGS that never come.
    silent.timeout_seconds = 3;
    auto client = TestClient::Connect(silent);
    ASSERT_FALSE(client);
    EXPECT_EQ(loop->stats().sessions_opened, 0u);
    EXPECT_EQ(loop->stats().connections_accepted, 1u);
}

TEST(Endpoint, DropsDatagramsOverMaxDatagramBytesBothWays) {
    EndpointConfig config = LoopbackEndpointConfig();
    config.max_datagram_bytes = 200;
    auto loop = Start(config);
    ASSERT_NE(loop, nullptr);
    auto client = TestClient::Connect(LoopbackClientConfig(*loop));
    ASSERT_TRUE(client);
    ASSERT_TRUE((*client)->SendDatagram(std::vector<std::uint8_t>(201, 7)));
    ASSERT_TRUE((*client)->SendDatagram(std::vector<std::uint8_t>(200, 8)));
    auto echoed = (*client)->ReceiveDatagram(kWaitSeconds);
    ASSERT_TRUE(echoed);
    EXPECT_EQ(echoed->size(), 200u);
    EXPECT_EQ(loop->stats().datagrams_received, 1u);
    EXPECT_EQ(loop->stats().datagrams_dropped, 1u);
}

}  // namespace
}  // namespace gapkit::webtransport
