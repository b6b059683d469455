#pragma once

// The only file that knows libsodium's AEAD calls. Both constructions seal in place: the message
// occupies the first `sealed.size() - kMacBytes` bytes and the tag is written after it.

#include <array>
#include <cstdint>
#include <span>

#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode::detail {

using PacketNonce = std::array<std::uint8_t, 12>;

/// `00 00 00 00 || sequence u64 LE`, the nonce of packets and challenge tokens.
PacketNonce SequenceNonce(std::uint64_t sequence);

/// ChaCha20-Poly1305-IETF. REQUIRES: sealed.size() >= kMacBytes.
void SealChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const PacketNonce& nonce,
                const Key& key);
/// Returns false when the tag does not verify; the buffer is then unspecified.
bool OpenChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const PacketNonce& nonce,
                const Key& key);

/// XChaCha20-Poly1305-IETF, used only for the private connect token.
void SealXChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const ConnectTokenNonce& nonce,
                 const Key& key);
bool OpenXChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const ConnectTokenNonce& nonce,
                 const Key& key);

}  // namespace gapkit::netcode::detail
