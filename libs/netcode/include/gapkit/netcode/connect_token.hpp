#pragma once

/// @file
/// Connect tokens: the 2048-byte public token a backend hands a player, and the 1024-byte private
/// token inside it that only servers holding the private key can open.
///
/// Byte layouts, AEAD associated data and nonces follow netcode 1.02 as the reference C writes them
/// (all integers little-endian, IPv6 groups as LE u16). Readers treat their input as hostile: every
/// count, type and length is checked and failures are `kInvalidArgument` errors naming the field.
///
/// Plain functions and value types; safe from any thread. Nothing is retained between calls.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode {

using ConnectTokenBytes = std::array<std::uint8_t, kConnectTokenBytes>;
using PrivateConnectTokenBytes = std::array<std::uint8_t, kPrivateConnectTokenBytes>;

/// The plaintext of the private token: what a server learns about the client once it decrypts.
struct PrivateConnectToken {
    std::uint64_t client_id = 0;
    std::int32_t timeout_seconds = 0;       ///< Negative: never time out (development only).
    std::vector<Address> server_addresses;  ///< 1..32 addresses a server must find itself in.
    Key client_to_server_key{};
    Key server_to_client_key{};
    UserData user_data{};
};

/// The public token as the client reads it. `private_token` stays encrypted.
struct ConnectToken {
    std::uint64_t protocol_id = 0;
    std::uint64_t create_timestamp = 0;  ///< Unix seconds.
    std::uint64_t expire_timestamp = 0;  ///< Unix seconds; UINT64_MAX never expires.
    ConnectTokenNonce nonce{};
    PrivateConnectTokenBytes private_token{};  ///< Encrypted; 1008 bytes ciphertext + 16 MAC.
    std::int32_t timeout_seconds = 0;
    std::vector<Address> server_addresses;  ///< 1..32 public addresses the client tries in order.
    Key client_to_server_key{};
    Key server_to_client_key{};
};

/// Everything a backend chooses when it mints a token.
struct ConnectTokenParams {
    std::uint64_t protocol_id = 0;      ///< Must match the game's servers. No default that could match by accident.
    Key private_key{};                  ///< The key shared by backend and servers. Never logged.
    std::uint64_t client_id = 0;        ///< The player's id as the server will report it.
    std::int64_t expire_seconds = 30;   ///< Token lifetime from now; negative: never expires. Default 30 s.
    std::int32_t timeout_seconds = 15;  ///< Connection timeout; negative disables it. Default 15 s.
    std::vector<Address> public_server_addresses;  ///< 1..32 addresses the client connects to.
    /// 1..32 addresses put in the private token for the server's check; empty means "the public ones",
    /// which is what bevygap/Lightyear emit. gapkit servers also accept their advertised addresses.
    std::vector<Address> internal_server_addresses;
    UserData user_data{};  ///< Opaque to netcode; handed to the game server on connect. Default zeros.
};

/// Writes the private plaintext into 1024 bytes (zero padded). Fails on 0 or >32 addresses or an
/// address of type `kNone`.
Result<PrivateConnectTokenBytes> WritePrivateConnectToken(const PrivateConnectToken& token);

/// Parses the first 1008 bytes of a decrypted private token.
Result<PrivateConnectToken> ReadPrivateConnectToken(std::span<const std::uint8_t> plaintext);

/// Encrypts bytes 0..1007 in place with XChaCha20-Poly1305 and writes the MAC to 1008..1023. The
/// associated data is version info, protocol id and expire timestamp.
void EncryptPrivateConnectToken(PrivateConnectTokenBytes& buffer, std::uint64_t protocol_id,
                                std::uint64_t expire_timestamp, const ConnectTokenNonce& nonce, const Key& key);

/// Decrypts in place; fails (`kUnauthenticated`) on a wrong key, protocol id, expiry or nonce, or a
/// tampered buffer. On success bytes 0..1007 are plaintext and 1008..1023 keep the MAC.
Status DecryptPrivateConnectToken(std::span<std::uint8_t, kPrivateConnectTokenBytes> buffer, std::uint64_t protocol_id,
                                  std::uint64_t expire_timestamp, const ConnectTokenNonce& nonce, const Key& key);

/// Writes the 2048-byte public token (zero padded). Fails on a bad address list.
Result<ConnectTokenBytes> WriteConnectToken(const ConnectToken& token);

/// Parses a public token: exactly 2048 bytes, matching version, create <= expire, 1..32 addresses.
Result<ConnectToken> ReadConnectToken(std::span<const std::uint8_t> bytes);

/// Mints a token: random nonce and session keys, `create = now_unix_seconds`,
/// `expire = create + expire_seconds`. Fails on bad parameters or when libsodium is unusable.
Result<ConnectTokenBytes> GenerateConnectToken(const ConnectTokenParams& params, std::uint64_t now_unix_seconds);

/// Standard base64 with padding (2732 characters), the form matchmakers send.
std::string EncodeConnectTokenBase64(const ConnectTokenBytes& token);

/// Decodes standard padded base64; anything but exactly 2048 decoded bytes is an error. Surrounding
/// whitespace is ignored.
Result<ConnectTokenBytes> DecodeConnectTokenBase64(std::string_view text);

}  // namespace gapkit::netcode
