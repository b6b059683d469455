#include "gapkit/netcode/connection_request.hpp"

#include <gtest/gtest.h>

namespace gapkit::netcode {
namespace {

constexpr std::uint64_t kProtocolId = 0x1122334455667788;
constexpr std::uint64_t kNow = 1'800'000'000;

Key TestKey(std::uint8_t fill) {
    Key key;
    key.fill(fill);
    return key;
}

ConnectTokenBytes Token(const Address& server, std::int64_t expire_seconds = 30) {
    ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.private_key = TestKey(7);
    params.client_id = 42;
    params.expire_seconds = expire_seconds;
    params.public_server_addresses = {server};
    params.user_data[0] = 9;
    auto token = GenerateConnectToken(params, kNow);
    EXPECT_TRUE(token) << token.error().ToString();
    return *token;
}

const Address kServer = Address::Ipv4(10, 0, 0, 1, 6420);

Result<OpenedConnectionRequest> Open(std::span<const std::uint8_t> bytes, std::uint64_t now = kNow,
                                     const Key& key = TestKey(7), std::uint64_t protocol_id = kProtocolId) {
    const Address own[] = {kServer};
    return OpenConnectionRequest(bytes, protocol_id, key, now, own);
}

TEST(ConnectionRequest, OpensWhatTheClientMadeFromItsToken) {
    auto request = MakeConnectionRequest(Token(kServer));
    ASSERT_TRUE(request) << request.error().ToString();
    auto opened = Open(*request);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->token.client_id, 42u);
    EXPECT_EQ(opened->token.user_data[0], 9);
    EXPECT_EQ(opened->expire_timestamp, kNow + 30);
}

TEST(ConnectionRequest, RefusesEveryLengthButTheRightOne) {
    auto request = MakeConnectionRequest(Token(kServer));
    ASSERT_TRUE(request);
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1077}}) {
        auto opened = Open(std::span<const std::uint8_t>(request->data(), size));
        ASSERT_FALSE(opened);
        EXPECT_EQ(opened.error().code(), common::ErrorCode::kProtocol);
    }
    std::vector<std::uint8_t> longer(request->begin(), request->end());
    longer.push_back(0);
    EXPECT_FALSE(Open(longer));
}

TEST(ConnectionRequest, RefusesForgedExpiredForeignAndMisaddressedTokens) {
    auto request = MakeConnectionRequest(Token(kServer));
    ASSERT_TRUE(request);
    auto forged = *request;
    forged[100] ^= 1;
    EXPECT_EQ(Open(forged).error().code(), common::ErrorCode::kUnauthenticated);
    EXPECT_EQ(Open(*request, kNow, TestKey(8)).error().code(), common::ErrorCode::kUnauthenticated);
    EXPECT_EQ(Open(*request, kNow + 30).error().code(), common::ErrorCode::kProtocol);
    EXPECT_EQ(Open(*request, kNow, TestKey(7), kProtocolId + 1).error().code(), common::ErrorCode::kProtocol);
    auto elsewhere = MakeConnectionRequest(Token(Address::Ipv4(10, 0, 0, 2, 6420)));
    ASSERT_TRUE(elsewhere);
    EXPECT_EQ(Open(*elsewhere).error().code(), common::ErrorCode::kPermissionDenied);
}

TEST(SpentConnectTokens, RefusesASecondUseUntilTheTokenExpires) {
    SpentConnectTokens spent;
    Mac mac{};
    mac[0] = 1;
    EXPECT_TRUE(spent.Spend(mac, kNow + 30, kNow));
    auto again = spent.Spend(mac, kNow + 30, kNow + 10);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), common::ErrorCode::kAlreadyExists);
    // Expired tokens are forgotten: OpenConnectionRequest refuses them anyway.
    EXPECT_TRUE(spent.Spend(mac, kNow + 60, kNow + 30));
    EXPECT_EQ(spent.size(), 1u);
}

TEST(SpentConnectTokens, RefusesNewTokensWhenFull) {
    SpentConnectTokens spent(2);
    Mac mac{};
    for (std::uint8_t i = 0; i < 2; ++i) {
        mac[0] = i;
        ASSERT_TRUE(spent.Spend(mac, kNow + 30, kNow));
    }
    mac[0] = 2;
    EXPECT_EQ(spent.Spend(mac, kNow + 30, kNow).error().code(), common::ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace gapkit::netcode
