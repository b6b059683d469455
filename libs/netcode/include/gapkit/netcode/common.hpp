#pragma once

/// @file
/// Constants, byte types and library initialisation shared by every netcode header.
///
/// gapkit::netcode implements netcode.io 1.02 byte for byte as the reference C implementation does
/// (and therefore as Lightyear up to 0.19 does). The numbers below are the protocol's, not tunables.
///
/// Threads: everything here may be used from any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::netcode {

using common::Result;
using common::Status;

/// "NETCODE 1.02" followed by a NUL: 13 bytes at the start of tokens, request packets and every AD.
inline constexpr std::array<std::uint8_t, 13> kVersionInfo = {'N', 'E', 'T', 'C', 'O', 'D', 'E',
                                                              ' ', '1', '.', '0', '2', '\0'};

inline constexpr std::size_t kKeyBytes = 32;                        ///< Every symmetric key.
inline constexpr std::size_t kMacBytes = 16;                        ///< Poly1305 tag after each ciphertext.
inline constexpr std::size_t kUserDataBytes = 256;                  ///< Opaque game data in a token.
inline constexpr std::size_t kConnectTokenBytes = 2048;             ///< The public connect token.
inline constexpr std::size_t kPrivateConnectTokenBytes = 1024;      ///< The encrypted private token, MAC included.
inline constexpr std::size_t kChallengeTokenBytes = 300;            ///< The encrypted challenge token, MAC included.
inline constexpr std::size_t kConnectTokenNonceBytes = 24;          ///< XChaCha20 nonce of the private token.
inline constexpr std::size_t kConnectTokenBase64Chars = 2732;       ///< Padded standard base64 of a public token.
inline constexpr std::size_t kMaxServersPerConnect = 32;            ///< Server addresses a token may list.
inline constexpr int kMaxClients = 256;                             ///< Client slots a server may have.
inline constexpr std::size_t kMaxPayloadBytes = 1200;               ///< Largest payload packet body.
inline constexpr std::size_t kMaxPacketBytes = 1300;                ///< Largest datagram either side sends.
inline constexpr std::size_t kConnectionRequestPacketBytes = 1078;  ///< The only packet size of type 0.
inline constexpr double kPacketSendRateSeconds = 0.1;               ///< Keep-alive / request resend interval.
inline constexpr int kNumDisconnectPackets = 10;                    ///< Redundant disconnects sent on a disconnect.
inline constexpr std::uint64_t kServerGlobalSequenceStart = std::uint64_t{1} << 63;  ///< Pre-slot packets.

using Key = std::array<std::uint8_t, kKeyBytes>;
using UserData = std::array<std::uint8_t, kUserDataBytes>;
using ConnectTokenNonce = std::array<std::uint8_t, kConnectTokenNonceBytes>;
using Mac = std::array<std::uint8_t, kMacBytes>;

/// Initialises libsodium. Idempotent and thread-safe; every netcode function that needs crypto
/// calls it itself, so games only call it to learn early that the crypto library is unusable.
Status Initialize();

/// Fills `out` with cryptographically secure random bytes: a per-thread ChaCha20 fast-key-erasure
/// generator seeded from the OS through libsodium and re-seeded after `fork`.
void RandomBytes(std::span<std::uint8_t> out);

/// Returns a fresh random key, e.g. for a development private key.
Key GenerateKey();

}  // namespace gapkit::netcode
