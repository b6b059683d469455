#include "gapkit/netcode/packet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "crypto.hpp"

namespace gapkit::netcode {
namespace {

constexpr std::uint64_t kProtocolId = 99;

struct Link {
    Key key = GenerateKey();
    ReplayProtection replay;

    std::vector<std::uint8_t> Write(const Packet& packet, std::uint64_t sequence) const {
        std::vector<std::uint8_t> out(kMaxPacketBytes);
        out.resize(*WritePacket(packet, sequence, key, kProtocolId, out));
        return out;
    }

    Result<ReadPacketResult> Read(std::vector<std::uint8_t> datagram, std::uint8_t allowed = kServerAllowedPackets) {
        PacketReadContext context{kProtocolId, 0, nullptr, &key, &replay, allowed};
        return ReadPacket(datagram, context);
    }
};

TEST(Packet, SequenceUsesTheMinimumNumberOfBytes) {
    EXPECT_EQ(SequenceBytes(0), 1);
    EXPECT_EQ(SequenceBytes(0x11), 1);
    EXPECT_EQ(SequenceBytes(0x1122), 2);
    EXPECT_EQ(SequenceBytes(0x112233), 3);
    EXPECT_EQ(SequenceBytes(0x1122334455667788), 8);
    Link link;
    EXPECT_EQ(link.Write(DisconnectPacket{}, 1000)[0], 0x26);  // 2 sequence bytes, type 6
}

TEST(Packet, ReplayedPacketsAreDroppedAndReorderedOnesAccepted) {
    Link link;
    const auto later = link.Write(KeepAlivePacket{}, 10);
    const auto earlier = link.Write(KeepAlivePacket{}, 9);
    EXPECT_TRUE(link.Read(later).has_value());
    EXPECT_TRUE(link.Read(earlier).has_value()) << "reordered within the window";
    EXPECT_FALSE(link.Read(later).has_value()) << "duplicate";
    EXPECT_FALSE(link.Read(earlier).has_value()) << "duplicate";
    EXPECT_TRUE(link.Read(link.Write(KeepAlivePacket{}, 10 + 300)).has_value());
    EXPECT_FALSE(link.Read(link.Write(KeepAlivePacket{}, 11)).has_value()) << "older than the window";
}

TEST(Packet, ReplayIsNotAdvancedByPacketsThatFailToDecrypt) {
    Link link;
    auto forged = link.Write(KeepAlivePacket{}, 50);
    forged.back() ^= 1;
    EXPECT_FALSE(link.Read(forged).has_value());
    EXPECT_EQ(link.replay.most_recent_sequence(), 0u);
    EXPECT_TRUE(link.Read(link.Write(KeepAlivePacket{}, 50)).has_value());
}

TEST(Packet, ReaderRejectsTypesTheSideDoesNotAccept) {
    Link link;
    EXPECT_FALSE(link.Read(link.Write(ConnectionDeniedPacket{}, 1), kServerAllowedPackets).has_value());
    EXPECT_FALSE(link.Read(link.Write(ConnectionResponsePacket{}, 2), kClientAllowedPackets).has_value());
    EXPECT_TRUE(link.Read(link.Write(ConnectionResponsePacket{}, 3), kServerAllowedPackets).has_value());
}

TEST(Packet, ReaderRejectsBadPrefixesAndLengths) {
    Link link;
    auto datagram = link.Write(KeepAlivePacket{1, 2}, 5);
    auto with_prefix = [&](std::uint8_t prefix) {
        auto copy = datagram;
        copy[0] = prefix;
        return link.Read(copy).has_value();
    };
    EXPECT_FALSE(with_prefix(0x07));  // type 7
    EXPECT_FALSE(with_prefix(0x04));  // zero sequence bytes
    EXPECT_FALSE(with_prefix(0x94));  // nine sequence bytes
    EXPECT_FALSE(with_prefix(0x24));  // prefix is part of the AD
    EXPECT_FALSE(link.Read(std::vector<std::uint8_t>(datagram.begin(), datagram.begin() + 17)).has_value());
    EXPECT_FALSE(link.Read({}).has_value());
    EXPECT_TRUE(link.Read(datagram).has_value());
}

// Builds a correctly encrypted packet of `type` with any plaintext body, which WritePacket refuses to do.
std::vector<std::uint8_t> Forge(const Key& key, std::uint8_t type, std::size_t body_bytes) {
    const std::uint8_t prefix = 0x10 | type;
    std::vector<std::uint8_t> datagram = {prefix, 7};
    datagram.resize(2 + body_bytes + kMacBytes);
    std::vector<std::uint8_t> ad(kVersionInfo.begin(), kVersionInfo.end());
    for (int i = 0; i < 8; ++i) ad.push_back(static_cast<std::uint8_t>(kProtocolId >> (8 * i)));
    ad.push_back(prefix);
    detail::SealChaCha(std::span(datagram).subspan(2), ad, detail::SequenceNonce(7), key);
    return datagram;
}

TEST(Packet, ReaderChecksTheDecryptedBodySizeOfEachType) {
    const Key key = GenerateKey();
    auto read = [&](std::uint8_t type, std::size_t body_bytes) {
        PacketReadContext context{kProtocolId, 0, nullptr, &key, nullptr, 0x7f};
        auto datagram = Forge(key, type, body_bytes);
        return ReadPacket(datagram, context).has_value();
    };
    EXPECT_TRUE(read(4, 8));
    EXPECT_FALSE(read(4, 9));
    EXPECT_FALSE(read(4, 7));
    EXPECT_TRUE(read(1, 0));
    EXPECT_FALSE(read(1, 1)) << "Lightyear's denied reason byte is not reference 1.02";
    EXPECT_FALSE(read(6, 1));
    EXPECT_TRUE(read(2, 308));
    EXPECT_FALSE(read(3, 307));
    EXPECT_FALSE(read(5, 0));
    EXPECT_TRUE(read(5, 1200));
    EXPECT_FALSE(read(5, 1201));
}

TEST(Packet, WriterRefusesEmptyAndOversizedPayloads) {
    const Key key{};
    std::vector<std::uint8_t> out(kMaxPacketBytes);
    std::vector<std::uint8_t> big(kMaxPayloadBytes + 1);
    EXPECT_FALSE(WritePacket(PayloadPacket{}, 0, key, 1, out).has_value());
    EXPECT_FALSE(WritePacket(PayloadPacket{big}, 0, key, 1, out).has_value());
    EXPECT_TRUE(WritePacket(PayloadPacket{std::span(big).first(kMaxPayloadBytes)}, 0, key, 1, out).has_value());
    std::vector<std::uint8_t> small(20);
    EXPECT_FALSE(WritePacket(KeepAlivePacket{}, 0, key, 1, small).has_value());
}

TEST(Packet, ConnectionRequestChecksRunInTheReferenceOrder) {
    const Key private_key = GenerateKey();
    ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.private_key = private_key;
    params.public_server_addresses = {Address::Ipv4(127, 0, 0, 1, 1)};
    const auto token = *ReadConnectToken(*GenerateConnectToken(params, 1000));
    std::vector<std::uint8_t> datagram(kConnectionRequestPacketBytes);
    ASSERT_TRUE(WritePacket(ConnectionRequestPacket{token.expire_timestamp, token.nonce, token.private_token}, 0, Key{},
                            kProtocolId, datagram));
    auto read = [&](std::vector<std::uint8_t> copy, std::uint64_t now, const Key* key, std::uint8_t allowed) {
        PacketReadContext context{kProtocolId, now, key, nullptr, nullptr, allowed};
        return ReadPacket(copy, context).has_value();
    };
    EXPECT_TRUE(read(datagram, 1000, &private_key, kServerAllowedPackets));
    EXPECT_FALSE(read(datagram, 1000, &private_key, kClientAllowedPackets));
    EXPECT_FALSE(read(datagram, 1000, nullptr, kServerAllowedPackets));
    EXPECT_FALSE(read(datagram, 1030, &private_key, kServerAllowedPackets)) << "expire <= now";
    const Key other = GenerateKey();
    EXPECT_FALSE(read(datagram, 1000, &other, kServerAllowedPackets));
    auto longer = datagram;
    longer.push_back(0);
    EXPECT_FALSE(read(longer, 1000, &private_key, kServerAllowedPackets));
}

}  // namespace
}  // namespace gapkit::netcode
