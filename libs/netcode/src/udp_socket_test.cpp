// The socket contract the netcode client and server rely on, through the platform layer
// (socket_platform_posix.cpp here; the Windows build runs the same paths under Wine in
// tests/windows).
#include "udp_socket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <thread>
#include <vector>

namespace gapkit::netcode::detail {
namespace {

const Address kLoopback = Address::Ipv4(127, 0, 0, 1, 0);

// Loopback delivery is immediate in practice, but the socket is non-blocking: poll briefly.
std::optional<std::size_t> ReceiveSoon(UdpSocket& socket, std::span<std::uint8_t> buffer, Address& from) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (auto size = socket.ReceiveFrom(buffer, from)) return size;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

TEST(UdpSocket, ReportsThePortItWasGiven) {
    auto socket = UdpSocket::Open(kLoopback);
    ASSERT_TRUE(socket) << socket.error().ToString();
    EXPECT_EQ(socket->local_address().type, AddressType::kIpv4);
    EXPECT_NE(socket->local_address().port, 0);
}

TEST(UdpSocket, ReceivesNothingWhenNoDatagramWaits) {
    auto socket = UdpSocket::Open(kLoopback);
    ASSERT_TRUE(socket);
    std::array<std::uint8_t, 64> buffer{};
    Address from;
    EXPECT_FALSE(socket->ReceiveFrom(buffer, from));
}

// Two sockets on loopback: `sender_` sends, `receiver_` receives.
class UdpSocketPair : public ::testing::Test {
  protected:
    void SetUp() override {
        auto sender = UdpSocket::Open(kLoopback);
        auto receiver = UdpSocket::Open(kLoopback);
        ASSERT_TRUE(sender && receiver);
        sender_.emplace(std::move(*sender));
        receiver_.emplace(std::move(*receiver));
    }

    std::optional<UdpSocket> sender_;
    std::optional<UdpSocket> receiver_;
    Address from_;
};

TEST_F(UdpSocketPair, DeliversADatagramWithItsSender) {
    const std::vector<std::uint8_t> datagram{1, 2, 3, 4, 5};
    ASSERT_TRUE(sender_->SendTo(receiver_->local_address(), datagram));
    std::array<std::uint8_t, 64> buffer{};
    const auto size = ReceiveSoon(*receiver_, buffer, from_);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, datagram.size());
    EXPECT_EQ(from_, sender_->local_address());
    EXPECT_TRUE(std::equal(datagram.begin(), datagram.end(), buffer.begin()));
}

TEST_F(UdpSocketPair, ReportsATruncatedDatagramAsLongerThanTheBuffer) {
    const std::vector<std::uint8_t> datagram(100, 7);
    ASSERT_TRUE(sender_->SendTo(receiver_->local_address(), datagram));
    std::array<std::uint8_t, 16> buffer{};
    const auto size = ReceiveSoon(*receiver_, buffer, from_);
    ASSERT_TRUE(size);
    EXPECT_GT(*size, buffer.size());
}

TEST_F(UdpSocketPair, KeepsReceivingAfterSendingToAClosedPort) {
    Address closed;
    {
        auto gone = UdpSocket::Open(kLoopback);
        ASSERT_TRUE(gone);
        closed = gone->local_address();
    }
    const std::vector<std::uint8_t> datagram{9, 9};
    (void)receiver_->SendTo(closed, datagram);  // may bring an ICMP port unreachable back
    ASSERT_TRUE(sender_->SendTo(receiver_->local_address(), datagram));
    std::array<std::uint8_t, 64> buffer{};
    ASSERT_TRUE(ReceiveSoon(*receiver_, buffer, from_));
    EXPECT_EQ(from_, sender_->local_address());
}

TEST(UdpSocket, RefusesToSendAcrossAddressFamilies) {
    auto socket = UdpSocket::Open(kLoopback);
    ASSERT_TRUE(socket);
    auto v6 = Address::Parse("[::1]:9");
    ASSERT_TRUE(v6);
    const std::vector<std::uint8_t> datagram{1};
    EXPECT_FALSE(socket->SendTo(*v6, datagram));
}

}  // namespace
}  // namespace gapkit::netcode::detail
