#include "gapkit/netcode/packet.hpp"

#include <fmt/core.h>

#include "byte_io.hpp"
#include "crypto.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;
using detail::ByteReader;
using detail::ByteWriter;

constexpr std::size_t kChallengePlaintextBytes = kChallengeTokenBytes - kMacBytes;
constexpr std::size_t kChallengeBodyBytes = 8 + kChallengeTokenBytes;
constexpr std::size_t kMinEncryptedPacketBytes = 18;  // prefix, one sequence byte, MAC

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 does not deduce aggregates by itself

std::array<std::uint8_t, 22> PacketAd(std::uint64_t protocol_id, std::uint8_t prefix) {
    std::array<std::uint8_t, 22> ad{};
    ByteWriter writer(ad);
    writer.Bytes(kVersionInfo);
    writer.U64(protocol_id);
    writer.U8(prefix);
    return ad;
}

tl::unexpected<common::Error> Dropped(ErrorCode code, std::string message) {
    return MakeError(code, std::move(message));
}

void WriteChallengeBody(ByteWriter& writer, const ChallengeBody& body) {
    writer.U64(body.challenge_sequence);
    writer.Bytes(body.challenge_token);
}

void WriteBody(ByteWriter& writer, const Packet& packet) {
    std::visit(Overloaded{
                   [&](const ConnectionChallengePacket& body) { WriteChallengeBody(writer, body); },
                   [&](const ConnectionResponsePacket& body) { WriteChallengeBody(writer, body); },
                   [&](const KeepAlivePacket& body) {
                       writer.U32(body.client_index);
                       writer.U32(body.max_clients);
                   },
                   [&](const PayloadPacket& body) { writer.Bytes(body.data); },
                   [](const auto&) {},
               },
               packet);
}

Result<std::size_t> WriteRequest(const ConnectionRequestPacket& request, std::uint64_t protocol_id,
                                 std::span<std::uint8_t> out) {
    ByteWriter writer(out);
    writer.U8(0);
    writer.Bytes(kVersionInfo);
    writer.U64(protocol_id);
    writer.U64(request.expire_timestamp);
    writer.Bytes(request.nonce);
    writer.Bytes(request.private_token);
    if (!writer.ok()) return MakeError(ErrorCode::kInvalidArgument, "connection request needs a 1078-byte buffer");
    return writer.position();
}

Result<ReadPacketResult> ReadRequest(std::span<std::uint8_t> datagram, const PacketReadContext& context) {
    if (datagram.size() != kConnectionRequestPacketBytes || context.private_key == nullptr) {
        return Dropped(ErrorCode::kProtocol, fmt::format("connection request of {} bytes", datagram.size()));
    }
    ByteReader reader(datagram.subspan(1));
    std::array<std::uint8_t, kVersionInfo.size()> version{};
    reader.Bytes(version);
    if (version != kVersionInfo) return Dropped(ErrorCode::kProtocol, "connection request has a bad version");
    if (reader.U64() != context.protocol_id) {
        return Dropped(ErrorCode::kProtocol, "connection request for another protocol id");
    }
    ConnectionRequestPacket request;
    request.expire_timestamp = reader.U64();
    if (request.expire_timestamp <= context.now_unix_seconds) {
        return Dropped(ErrorCode::kProtocol, "connection request with an expired connect token");
    }
    reader.Bytes(request.nonce);
    reader.Bytes(request.private_token);
    auto status = DecryptPrivateConnectToken(request.private_token, context.protocol_id, request.expire_timestamp,
                                             request.nonce, *context.private_key);
    if (!status) return common::Fail(status.error());
    return ReadPacketResult{request, 0};
}

Result<Packet> ReadBody(PacketType type, std::span<const std::uint8_t> body) {
    ByteReader reader(body);
    switch (type) {
        case PacketType::kConnectionDenied:
            if (body.empty()) return ConnectionDeniedPacket{};
            break;
        case PacketType::kDisconnect:
            if (body.empty()) return DisconnectPacket{};
            break;
        case PacketType::kKeepAlive:
            if (body.size() == 8) return KeepAlivePacket{reader.U32(), reader.U32()};
            break;
        case PacketType::kPayload:
            if (!body.empty() && body.size() <= kMaxPayloadBytes) return PayloadPacket{body};
            break;
        case PacketType::kConnectionChallenge:
        case PacketType::kConnectionResponse:
            if (body.size() == kChallengeBodyBytes) {
                ChallengeBody challenge;
                challenge.challenge_sequence = reader.U64();
                reader.Bytes(challenge.challenge_token);
                if (type == PacketType::kConnectionChallenge) return ConnectionChallengePacket{challenge};
                return ConnectionResponsePacket{challenge};
            }
            break;
        case PacketType::kConnectionRequest:
            break;
    }
    return Dropped(ErrorCode::kProtocol, fmt::format("{} packet with a {}-byte body", ToString(type), body.size()));
}

struct Header {
    PacketType type;
    std::size_t sequence_bytes;
    std::uint64_t sequence;
};

Result<Header> ReadHeader(std::span<const std::uint8_t> datagram, std::uint8_t allowed_types) {
    if (datagram.size() < kMinEncryptedPacketBytes) {
        return Dropped(ErrorCode::kProtocol, fmt::format("packet of {} bytes is too short", datagram.size()));
    }
    const std::uint8_t type = datagram[0] & 0x0f;
    if (type >= 7 || (allowed_types & (1u << type)) == 0) {
        return Dropped(ErrorCode::kProtocol, fmt::format("packet type {} not accepted here", type));
    }
    const std::size_t sequence_bytes = datagram[0] >> 4;
    if (sequence_bytes < 1 || sequence_bytes > 8 || datagram.size() < 1 + sequence_bytes + kMacBytes) {
        return Dropped(ErrorCode::kProtocol, fmt::format("packet with {} sequence bytes", sequence_bytes));
    }
    std::uint64_t sequence = 0;
    for (std::size_t i = 0; i < sequence_bytes; ++i) sequence |= std::uint64_t{datagram[1 + i]} << (8 * i);
    return Header{static_cast<PacketType>(type), sequence_bytes, sequence};
}

}  // namespace

std::string_view ToString(PacketType type) {
    switch (type) {
        case PacketType::kConnectionRequest:
            return "connection request";
        case PacketType::kConnectionDenied:
            return "connection denied";
        case PacketType::kConnectionChallenge:
            return "connection challenge";
        case PacketType::kConnectionResponse:
            return "connection response";
        case PacketType::kKeepAlive:
            return "keep-alive";
        case PacketType::kPayload:
            return "payload";
        case PacketType::kDisconnect:
            return "disconnect";
    }
    return "unknown";
}

int SequenceBytes(std::uint64_t sequence) {
    int bytes = 1;
    while (bytes < 8 && (sequence >> (8 * bytes)) != 0) ++bytes;
    return bytes;
}

ChallengeTokenBytes WriteChallengeToken(const ChallengeToken& token) {
    ChallengeTokenBytes bytes{};
    ByteWriter writer(std::span<std::uint8_t>(bytes).first(kChallengePlaintextBytes));
    writer.U64(token.client_id);
    writer.Bytes(token.user_data);
    return bytes;
}

ChallengeToken ReadChallengeToken(const ChallengeTokenBytes& plaintext) {
    ByteReader reader(plaintext);
    ChallengeToken token;
    token.client_id = reader.U64();
    reader.Bytes(token.user_data);
    return token;
}

void EncryptChallengeToken(ChallengeTokenBytes& buffer, std::uint64_t sequence, const Key& key) {
    detail::SealChaCha(buffer, {}, detail::SequenceNonce(sequence), key);
}

Status DecryptChallengeToken(ChallengeTokenBytes& buffer, std::uint64_t sequence, const Key& key) {
    if (!detail::OpenChaCha(buffer, {}, detail::SequenceNonce(sequence), key)) {
        return MakeError(ErrorCode::kUnauthenticated, "challenge token does not decrypt");
    }
    return common::Ok();
}

Result<std::size_t> WritePacket(const Packet& packet, std::uint64_t sequence, const Key& write_key,
                                std::uint64_t protocol_id, std::span<std::uint8_t> out) {
    if (const auto* request = std::get_if<ConnectionRequestPacket>(&packet)) {
        return WriteRequest(*request, protocol_id, out);
    }
    if (const auto* payload = std::get_if<PayloadPacket>(&packet);
        payload != nullptr && (payload->data.empty() || payload->data.size() > kMaxPayloadBytes)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("payload of {} bytes, 1..{} allowed", payload->data.size(), kMaxPayloadBytes));
    }
    const int sequence_bytes = SequenceBytes(sequence);
    const auto prefix = static_cast<std::uint8_t>((sequence_bytes << 4) | static_cast<int>(packet.index()));
    ByteWriter writer(out);
    writer.U8(prefix);
    for (int i = 0; i < sequence_bytes; ++i) writer.U8(static_cast<std::uint8_t>(sequence >> (8 * i)));
    const std::size_t body_start = writer.position();
    WriteBody(writer, packet);
    const std::size_t sealed_bytes = writer.position() - body_start + kMacBytes;
    if (!writer.ok() || out.size() - body_start < sealed_bytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{}-byte buffer is too small for the packet", out.size()));
    }
    detail::SealChaCha(out.subspan(body_start, sealed_bytes), PacketAd(protocol_id, prefix),
                       detail::SequenceNonce(sequence), write_key);
    return body_start + sealed_bytes;
}

Result<ReadPacketResult> ReadPacket(std::span<std::uint8_t> datagram, const PacketReadContext& context) {
    if (datagram.empty()) return Dropped(ErrorCode::kProtocol, "empty datagram");
    if (datagram[0] == 0) {
        if ((context.allowed_types & 1u) == 0)
            return Dropped(ErrorCode::kProtocol, "connection request not accepted here");
        return ReadRequest(datagram, context);
    }
    if (context.read_key == nullptr) return Dropped(ErrorCode::kProtocol, "packet from a peer without a key");
    auto header = ReadHeader(datagram, context.allowed_types);
    if (!header) return common::Fail(header.error());
    // The standard replay-checks only the packets of a connection (keep-alive, payload, disconnect),
    // before decrypting, as the cheap test; the handshake packets carry tokens with their own expiry.
    const bool replay_checked = context.replay != nullptr && header->type >= PacketType::kKeepAlive;
    if (replay_checked && context.replay->AlreadyReceived(header->sequence)) {
        return Dropped(ErrorCode::kProtocol, fmt::format("replayed packet sequence {}", header->sequence));
    }
    auto sealed = datagram.subspan(1 + header->sequence_bytes);
    if (!detail::OpenChaCha(sealed, PacketAd(context.protocol_id, datagram[0]), detail::SequenceNonce(header->sequence),
                            *context.read_key)) {
        return Dropped(ErrorCode::kUnauthenticated, fmt::format("{} packet does not decrypt", ToString(header->type)));
    }
    // Only once the MAC holds: a forged sequence must not move the window and drop real packets.
    if (replay_checked) context.replay->Advance(header->sequence);
    auto body = ReadBody(header->type, sealed.first(sealed.size() - kMacBytes));
    if (!body) return common::Fail(body.error());
    return ReadPacketResult{*body, header->sequence};
}

}  // namespace gapkit::netcode
