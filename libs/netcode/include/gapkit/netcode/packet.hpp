#pragma once

/// @file
/// The seven netcode 1.02 packet types, the challenge token, and the functions that write, encrypt,
/// read and decrypt them.
///
/// Wire form (types 1..6): `prefix (n << 4 | type) || n LE sequence bytes || ChaCha20-Poly1305 body
/// || 16-byte MAC`, with AD `version || protocol id || prefix` and nonce `0000 || sequence LE`. The
/// connection request (type 0) is the only plaintext packet: 1078 bytes carrying the still encrypted
/// private token. `ReadPacket` applies the reference's checks in the reference's order and treats
/// every datagram as hostile.
///
/// Plain functions; safe from any thread as long as the buffers and the `ReplayProtection` passed
/// in are not shared.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "gapkit/netcode/common.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/replay_protection.hpp"

namespace gapkit::netcode {

enum class PacketType : std::uint8_t {
    kConnectionRequest = 0,
    kConnectionDenied = 1,
    kConnectionChallenge = 2,
    kConnectionResponse = 3,
    kKeepAlive = 4,
    kPayload = 5,
    kDisconnect = 6,
};

/// "connection request", "keep-alive", ...
std::string_view ToString(PacketType type);

// --- Challenge token -------------------------------------------------------------------------

using ChallengeTokenBytes = std::array<std::uint8_t, kChallengeTokenBytes>;

/// What the server tells itself, through the client, between challenge and response.
struct ChallengeToken {
    std::uint64_t client_id = 0;
    UserData user_data{};
};

/// Writes the 300-byte plaintext (client id, user data, zero padding; the last 16 bytes are for the MAC).
ChallengeTokenBytes WriteChallengeToken(const ChallengeToken& token);
/// Parses a decrypted challenge token. Cannot fail: every byte pattern is a valid plaintext.
ChallengeToken ReadChallengeToken(const ChallengeTokenBytes& plaintext);
/// Encrypts bytes 0..283 in place with ChaCha20-Poly1305, no AD, nonce from `sequence`.
void EncryptChallengeToken(ChallengeTokenBytes& buffer, std::uint64_t sequence, const Key& key);
/// Decrypts in place; `kUnauthenticated` when the MAC does not verify.
Status DecryptChallengeToken(ChallengeTokenBytes& buffer, std::uint64_t sequence, const Key& key);

// --- Packets ---------------------------------------------------------------------------------

/// Type 0. When written, `private_token` is the encrypted token from the connect token. After
/// `ReadPacket` it holds the decrypted plaintext in bytes 0..1007 and the original MAC in 1008..1023.
struct ConnectionRequestPacket {
    std::uint64_t expire_timestamp = 0;
    ConnectTokenNonce nonce{};
    PrivateConnectTokenBytes private_token{};
};
struct ConnectionDeniedPacket {};
/// Types 2 and 3 share a body: the challenge sequence and the encrypted challenge token.
struct ChallengeBody {
    std::uint64_t challenge_sequence = 0;
    ChallengeTokenBytes challenge_token{};
};
struct ConnectionChallengePacket : ChallengeBody {};
struct ConnectionResponsePacket : ChallengeBody {};
/// Server to client: the client's slot and the server's capacity. Client to server: both zero.
struct KeepAlivePacket {
    std::uint32_t client_index = 0;
    std::uint32_t max_clients = 0;
};
/// 1..1200 bytes. A view: after `ReadPacket` it points into the datagram buffer that was read.
struct PayloadPacket {
    std::span<const std::uint8_t> data;
};
struct DisconnectPacket {};

/// One packet; the alternative's index equals its `PacketType` value.
using Packet = std::variant<ConnectionRequestPacket, ConnectionDeniedPacket, ConnectionChallengePacket,
                            ConnectionResponsePacket, KeepAlivePacket, PayloadPacket, DisconnectPacket>;

inline PacketType TypeOf(const Packet& packet) { return static_cast<PacketType>(packet.index()); }

/// Bit masks of `1 << type` for `PacketReadContext::allowed_types`.
inline constexpr std::uint8_t kServerAllowedPackets =
    0b1111001;  ///< request, response, keep-alive, payload, disconnect
inline constexpr std::uint8_t kClientAllowedPackets =
    0b1110110;  ///< denied, challenge, keep-alive, payload, disconnect

/// Writes `packet` into `out` and returns its size. Types 1..6 are encrypted with `write_key` under
/// `sequence`; the request ignores both and is written as is. Fails when `out` is too small or a
/// payload is empty or larger than 1200 bytes.
Result<std::size_t> WritePacket(const Packet& packet, std::uint64_t sequence, const Key& write_key,
                                std::uint64_t protocol_id, std::span<std::uint8_t> out);

/// What the reader needs to know about the receiving side. Pointers are borrowed for the call.
struct PacketReadContext {
    std::uint64_t protocol_id = 0;
    std::uint64_t now_unix_seconds = 0;  ///< Requests whose token expires at or before this are dropped.
    const Key* private_key = nullptr;    ///< Needed to accept connection requests (servers).
    const Key* read_key = nullptr;       ///< Needed for types 1..6; null drops them.
    ReplayProtection* replay = nullptr;  ///< Checked and advanced for types 4..6 when given.
    std::uint8_t allowed_types = 0;      ///< `kServerAllowedPackets` or `kClientAllowedPackets`.
};

struct ReadPacketResult {
    Packet packet;
    std::uint64_t sequence = 0;  ///< 0 for connection requests, which carry none.
};

/// Reads and decrypts one datagram in place. Every failure is an error naming the rule broken
/// (`kProtocol` for malformed or unexpected packets, `kUnauthenticated` when decryption fails);
/// callers drop the datagram. A payload result points into `datagram`.
Result<ReadPacketResult> ReadPacket(std::span<std::uint8_t> datagram, const PacketReadContext& context);

/// Number of bytes (1..8) the variable-length sequence of `sequence` takes on the wire.
int SequenceBytes(std::uint64_t sequence);

}  // namespace gapkit::netcode
