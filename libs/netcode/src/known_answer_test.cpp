// Known-answer tests: the eleven golden vectors that the reference C implementation generated from
// fixed inputs (netcode.rs tests/vectors, reference spec section 13.2) and the reference's keep-alive
// vectors (section 13.3). Each vector is rebuilt from its inputs, compared by SHA-256 (and in full
// for the short ones), then read back to the same fields.
#include <gtest/gtest.h>

#include <vector>

#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/packet.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "netcode_test_support.hpp"

namespace gapkit::netcode {
namespace {

using testing::Hex;
using testing::Sha256Hex;

constexpr std::uint64_t kProtocolId = 0x1122334455667788;
constexpr std::uint64_t kClientId = 0x0102030405060708;
constexpr std::int32_t kTimeoutSeconds = 15;
constexpr std::uint64_t kCreate = 1720000000;
constexpr std::uint64_t kExpire = 1720000100;
constexpr std::uint64_t kChallengeSequence = 1000;
constexpr std::uint64_t kPacketSequence = 0x1122334455;

template <std::size_t N>
std::array<std::uint8_t, N> Filled(int (*value)(int)) {
    std::array<std::uint8_t, N> bytes{};
    for (int i = 0; i < static_cast<int>(N); ++i) bytes[i] = static_cast<std::uint8_t>(value(i));
    return bytes;
}

struct Vectors {
    Key private_key = *ParsePrivateKey("606abe6ec91910ea9a6562f66f2b30e44371d62cd19927266b3c60f4b715aba1");
    Key c2s = Filled<32>([](int i) { return i; });
    Key s2c = Filled<32>([](int i) { return 255 - i; });
    Key challenge_key = Filled<32>([](int i) { return 2 * i; });
    Key packet_key = Filled<32>([](int i) { return i + 17; });
    UserData user_data = Filled<256>([](int i) { return i; });
    ConnectTokenNonce nonce = Filled<24>([](int i) { return 100 + i; });
    std::vector<Address> addresses = {Address::Ipv4(127, 0, 0, 1, 40000),
                                      Address::Ipv6({0, 0, 0, 0, 0, 0, 0, 1}, 50000)};
    std::array<std::uint8_t, 1200> payload = Filled<1200>([](int i) { return i & 0xff; });

    PrivateConnectToken Private() const { return {kClientId, kTimeoutSeconds, addresses, c2s, s2c, user_data}; }

    PrivateConnectTokenBytes EncryptedPrivate() const {
        auto bytes = *WritePrivateConnectToken(Private());
        EncryptPrivateConnectToken(bytes, kProtocolId, kExpire, nonce, private_key);
        return bytes;
    }

    ChallengeTokenBytes EncryptedChallenge() const {
        auto bytes = WriteChallengeToken({kClientId, user_data});
        EncryptChallengeToken(bytes, kChallengeSequence, challenge_key);
        return bytes;
    }

    std::vector<std::uint8_t> Write(const Packet& packet) const {
        std::vector<std::uint8_t> out(kMaxPacketBytes);
        out.resize(*WritePacket(packet, kPacketSequence, packet_key, kProtocolId, out));
        return out;
    }

    ReadPacketResult Read(std::vector<std::uint8_t>& datagram, std::uint8_t allowed) const {
        PacketReadContext context{kProtocolId, kCreate, &private_key, &packet_key, nullptr, allowed};
        auto result = ReadPacket(datagram, context);
        EXPECT_TRUE(result.has_value()) << result.error().ToString();
        return *result;
    }
};

TEST(KnownAnswer, PrivateConnectTokenPlaintext) {
    const Vectors v;
    const auto bytes = *WritePrivateConnectToken(v.Private());
    EXPECT_EQ(Sha256Hex(bytes), "7b1896a06c8dd0688fece1cfdcfe06c21871d429ef9dee2070ae40e9f8e534bc");
    const auto token = *ReadPrivateConnectToken(bytes);
    EXPECT_EQ(token.client_id, kClientId);
    EXPECT_EQ(token.timeout_seconds, kTimeoutSeconds);
    EXPECT_EQ(token.server_addresses, v.addresses);
    EXPECT_EQ(token.client_to_server_key, v.c2s);
    EXPECT_EQ(token.server_to_client_key, v.s2c);
    EXPECT_EQ(token.user_data, v.user_data);
}

TEST(KnownAnswer, PrivateConnectTokenEncrypted) {
    const Vectors v;
    auto bytes = v.EncryptedPrivate();
    EXPECT_EQ(Sha256Hex(bytes), "3fc190a87b816c4340e0894a16d5b0d9c55507bab095d77da9c07daf7e3bf98a");
    ASSERT_TRUE(DecryptPrivateConnectToken(bytes, kProtocolId, kExpire, v.nonce, v.private_key));
    EXPECT_EQ(ReadPrivateConnectToken(bytes)->client_id, kClientId);
}

TEST(KnownAnswer, ConnectToken) {
    const Vectors v;
    ConnectToken token{kProtocolId,     kCreate,     kExpire, v.nonce, v.EncryptedPrivate(),
                       kTimeoutSeconds, v.addresses, v.c2s,   v.s2c};
    const auto bytes = *WriteConnectToken(token);
    EXPECT_EQ(Sha256Hex(bytes), "12cd58f0e2d17b002b629359f207018eac54e8cff2064382e600df738cfd4410");
    EXPECT_EQ(Hex(std::span(bytes).first(61)),
              "4e4554434f444520312e303200"
              "8877665544332211"
              "001e856600000000"
              "641e856600000000"
              "6465666768696a6b6c6d6e6f707172737475767778797a7b");
    EXPECT_EQ(Hex(std::span(bytes).subspan(61, 8)), "62fe416a9abc0626");
    EXPECT_EQ(Hex(std::span(bytes).subspan(1085, 34)),
              "0f000000"
              "02000000"
              "01"
              "7f000001"
              "409c"
              "02"
              "0000000000000000000000000000"
              "0100"
              "50c3");
    const auto read = *ReadConnectToken(bytes);
    EXPECT_EQ(read.protocol_id, kProtocolId);
    EXPECT_EQ(read.create_timestamp, kCreate);
    EXPECT_EQ(read.expire_timestamp, kExpire);
    EXPECT_EQ(read.nonce, v.nonce);
    EXPECT_EQ(read.private_token, token.private_token);
    EXPECT_EQ(read.timeout_seconds, kTimeoutSeconds);
    EXPECT_EQ(read.server_addresses, v.addresses);
    EXPECT_EQ(read.client_to_server_key, v.c2s);
    EXPECT_EQ(read.server_to_client_key, v.s2c);
}

TEST(KnownAnswer, ChallengeTokenEncrypted) {
    const Vectors v;
    auto bytes = v.EncryptedChallenge();
    EXPECT_EQ(Sha256Hex(bytes), "33c5560aaed4192fc714fbba4910c38f235a4298f9121901c0d47549cc0a62e0");
    ASSERT_TRUE(DecryptChallengeToken(bytes, kChallengeSequence, v.challenge_key));
    const auto token = ReadChallengeToken(bytes);
    EXPECT_EQ(token.client_id, kClientId);
    EXPECT_EQ(token.user_data, v.user_data);
}

TEST(KnownAnswer, ConnectionRequestPacket) {
    const Vectors v;
    auto datagram = v.Write(ConnectionRequestPacket{kExpire, v.nonce, v.EncryptedPrivate()});
    ASSERT_EQ(datagram.size(), 1078u);
    EXPECT_EQ(Sha256Hex(datagram), "fc7d9221a4b2d74dfaa7accd870730d434caa2315724cce1141c91ad47969968");
    const auto result = v.Read(datagram, kServerAllowedPackets);
    const auto& request = std::get<ConnectionRequestPacket>(result.packet);
    EXPECT_EQ(request.expire_timestamp, kExpire);
    EXPECT_EQ(request.nonce, v.nonce);
    const auto plaintext = *WritePrivateConnectToken(v.Private());
    EXPECT_TRUE(std::equal(plaintext.begin(), plaintext.begin() + 1008, request.private_token.begin()));
}

TEST(KnownAnswer, ConnectionDeniedPacket) {
    const Vectors v;
    auto datagram = v.Write(ConnectionDeniedPacket{});
    EXPECT_EQ(Hex(datagram),
              "515544332211"
              "7d50da833982dbfec854b412fc8a5c84");
    EXPECT_EQ(Sha256Hex(datagram), "ecc44891ea58f39f107287bfbbe90e6be82ba6e9b0b53b2b5da1dffa007c2fc8");
    const auto result = v.Read(datagram, kClientAllowedPackets);
    EXPECT_EQ(TypeOf(result.packet), PacketType::kConnectionDenied);
    EXPECT_EQ(result.sequence, kPacketSequence);
}

TEST(KnownAnswer, ConnectionChallengeAndResponsePackets) {
    const Vectors v;
    ChallengeBody body{kChallengeSequence, v.EncryptedChallenge()};
    auto challenge = v.Write(ConnectionChallengePacket{body});
    auto response = v.Write(ConnectionResponsePacket{body});
    EXPECT_EQ(Sha256Hex(challenge), "22fc408d3ab1e8655d9edf9dd9bdad69b06978ff85323a564c0563fc7dfbf6a7");
    EXPECT_EQ(Sha256Hex(response), "d7f8965bb2961ae0c355f50ecedc13347575d38832668b6e4b7c5f6ae49973e9");
    const auto read_challenge = std::get<ConnectionChallengePacket>(v.Read(challenge, kClientAllowedPackets).packet);
    const auto read_response = std::get<ConnectionResponsePacket>(v.Read(response, kServerAllowedPackets).packet);
    for (const ChallengeBody& read :
         {static_cast<const ChallengeBody&>(read_challenge), static_cast<const ChallengeBody&>(read_response)}) {
        EXPECT_EQ(read.challenge_sequence, kChallengeSequence);
        EXPECT_EQ(read.challenge_token, body.challenge_token);
    }
}

TEST(KnownAnswer, KeepAlivePacket) {
    const Vectors v;
    auto datagram = v.Write(KeepAlivePacket{7, 32});
    EXPECT_EQ(Hex(datagram),
              "545544332211"
              "02a85bb8a396ae35"
              "0caaae147506e5acae951f983789c832");
    EXPECT_EQ(Sha256Hex(datagram), "c96b56dbef593cab4e6c2ef9cbce7c44132d8240fbfeb4958d0c4ac22390d9c3");
    const auto keep_alive = std::get<KeepAlivePacket>(v.Read(datagram, kClientAllowedPackets).packet);
    EXPECT_EQ(keep_alive.client_index, 7u);
    EXPECT_EQ(keep_alive.max_clients, 32u);
}

TEST(KnownAnswer, PayloadPacket) {
    const Vectors v;
    auto datagram = v.Write(PayloadPacket{v.payload});
    EXPECT_EQ(Sha256Hex(datagram), "e991282ba33dae3d19f4a9ecd0577f876a8175cf399180af5e3b21a33a4c6377");
    const auto payload = std::get<PayloadPacket>(v.Read(datagram, kServerAllowedPackets).packet);
    EXPECT_TRUE(std::equal(payload.data.begin(), payload.data.end(), v.payload.begin(), v.payload.end()));
}

TEST(KnownAnswer, DisconnectPacket) {
    const Vectors v;
    auto datagram = v.Write(DisconnectPacket{});
    EXPECT_EQ(Hex(datagram),
              "565544332211"
              "1d1a23ccf0be58180af3daa88fd65225");
    EXPECT_EQ(Sha256Hex(datagram), "e79e7c56a01a8c066aa90236fe71ba74fdc5d29249472150d96aea42c1d3357e");
    EXPECT_EQ(TypeOf(v.Read(datagram, kServerAllowedPackets).packet), PacketType::kDisconnect);
}

TEST(KnownAnswer, ReferenceKeepAliveVectors) {
    const Key key = Filled<32>([](int i) { return i; });
    const struct {
        std::uint64_t sequence;
        const char* hex;
    } cases[] = {
        {0,
         "1400"
         "1bb842318de6a6d1"
         "ea9c6dedef680ec6a1528c6db35d5ce7"},
        {256,
         "240001"
         "ff81f979d58a2a1f"
         "2d9c64a6ababb9903685c1cb7345e2e1"},
        {UINT64_MAX,
         "84ffffffffffffffff"
         "538355438205b22c"
         "890388b4e03971e4c6a7953a60668dca"},
    };
    for (const auto& c : cases) {
        std::vector<std::uint8_t> out(64);
        out.resize(*WritePacket(KeepAlivePacket{3, 32}, c.sequence, key, 0x1234567890ABCDEF, out));
        EXPECT_EQ(Hex(out), c.hex) << "sequence " << c.sequence;
        PacketReadContext context{0x1234567890ABCDEF, 0, nullptr, &key, nullptr, kClientAllowedPackets};
        auto read = ReadPacket(out, context);
        ASSERT_TRUE(read.has_value());
        EXPECT_EQ(read->sequence, c.sequence);
        EXPECT_EQ(std::get<KeepAlivePacket>(read->packet).client_index, 3u);
    }
}

}  // namespace
}  // namespace gapkit::netcode
