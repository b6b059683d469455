#include "gapkit/netcode/connect_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>

#include <fmt/core.h>

#include "byte_io.hpp"
#include "crypto.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;
using detail::ByteReader;
using detail::ByteWriter;

constexpr std::size_t kPrivatePlaintextBytes = kPrivateConnectTokenBytes - kMacBytes;

Status CheckAddresses(std::span<const Address> addresses, std::string_view which) {
    if (addresses.empty() || addresses.size() > kMaxServersPerConnect) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{} server addresses: {} given, 1..32 allowed", which, addresses.size()));
    }
    for (const Address& address : addresses) {
        if (address.type == AddressType::kNone) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} server addresses: empty address", which));
        }
    }
    return common::Ok();
}

void WriteAddresses(ByteWriter& writer, std::span<const Address> addresses) {
    writer.U32(static_cast<std::uint32_t>(addresses.size()));
    for (const Address& address : addresses) detail::WriteAddress(writer, address);
}

Status ReadAddresses(ByteReader& reader, std::vector<Address>& addresses) {
    const std::uint32_t count = reader.U32();
    if (!reader.ok() || count == 0 || count > kMaxServersPerConnect) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("token lists {} server addresses, 1..32 allowed", count));
    }
    addresses.resize(count);
    for (Address& address : addresses) {
        if (!detail::ReadAddress(reader, address)) {
            return MakeError(ErrorCode::kInvalidArgument, "token has a truncated address or an unknown address type");
        }
    }
    return common::Ok();
}

std::array<std::uint8_t, 29> PrivateTokenAd(std::uint64_t protocol_id, std::uint64_t expire_timestamp) {
    std::array<std::uint8_t, 29> ad{};
    ByteWriter writer(ad);
    writer.Bytes(kVersionInfo);
    writer.U64(protocol_id);
    writer.U64(expire_timestamp);
    return ad;
}

std::uint64_t ExpireTimestamp(std::uint64_t now_unix_seconds, std::int64_t expire_seconds) {
    constexpr auto kNever = std::numeric_limits<std::uint64_t>::max();
    if (expire_seconds < 0) return kNever;
    const auto lifetime = static_cast<std::uint64_t>(expire_seconds);
    return now_unix_seconds > kNever - lifetime ? kNever : now_unix_seconds + lifetime;
}

constexpr std::size_t kPrivateTokenOffset = 61;  // where the private token sits in the public one

// The fields the token writers share, borrowed, so that generation copies nothing.
struct PrivateFields {
    std::uint64_t client_id;
    std::int32_t timeout_seconds;
    std::span<const Address> addresses;
    const Key& client_to_server_key;
    const Key& server_to_client_key;
    const UserData& user_data;
};

struct PublicFields {
    std::uint64_t protocol_id;
    std::uint64_t create_timestamp;
    std::uint64_t expire_timestamp;
    const ConnectTokenNonce& nonce;
    std::int32_t timeout_seconds;
    std::span<const Address> addresses;
    const Key& client_to_server_key;
    const Key& server_to_client_key;
};

/// Writes the private plaintext into the first 1008 bytes of `out`; the rest stays as it is.
void WritePrivate(std::span<std::uint8_t> out, const PrivateFields& fields) {
    ByteWriter writer(out.first(kPrivatePlaintextBytes));
    writer.U64(fields.client_id);
    writer.U32(static_cast<std::uint32_t>(fields.timeout_seconds));
    WriteAddresses(writer, fields.addresses);
    writer.Bytes(fields.client_to_server_key);
    writer.Bytes(fields.server_to_client_key);
    writer.Bytes(fields.user_data);
}

/// Writes every public field, skipping the 1024 bytes of the private token.
void WritePublicAround(ConnectTokenBytes& out, const PublicFields& fields) {
    ByteWriter writer(out);
    writer.Bytes(kVersionInfo);
    writer.U64(fields.protocol_id);
    writer.U64(fields.create_timestamp);
    writer.U64(fields.expire_timestamp);
    writer.Bytes(fields.nonce);
    writer.Skip(kPrivateConnectTokenBytes);
    writer.U32(static_cast<std::uint32_t>(fields.timeout_seconds));
    WriteAddresses(writer, fields.addresses);
    writer.Bytes(fields.client_to_server_key);
    writer.Bytes(fields.server_to_client_key);
}

}  // namespace

Result<PrivateConnectTokenBytes> WritePrivateConnectToken(const PrivateConnectToken& token) {
    if (auto status = CheckAddresses(token.server_addresses, "private token"); !status) {
        return common::Fail(status.error());
    }
    PrivateConnectTokenBytes bytes{};
    WritePrivate(bytes, {token.client_id, token.timeout_seconds, token.server_addresses, token.client_to_server_key,
                         token.server_to_client_key, token.user_data});
    return bytes;
}

Result<PrivateConnectToken> ReadPrivateConnectToken(std::span<const std::uint8_t> plaintext) {
    if (plaintext.size() < kPrivatePlaintextBytes) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("private connect token is {} bytes, needs {}",
                                                                  plaintext.size(), kPrivatePlaintextBytes));
    }
    ByteReader reader(plaintext.first(kPrivatePlaintextBytes));
    PrivateConnectToken token;
    token.client_id = reader.U64();
    token.timeout_seconds = static_cast<std::int32_t>(reader.U32());
    if (auto status = ReadAddresses(reader, token.server_addresses); !status) return common::Fail(status.error());
    reader.Bytes(token.client_to_server_key);
    reader.Bytes(token.server_to_client_key);
    reader.Bytes(token.user_data);
    if (!reader.ok()) return MakeError(ErrorCode::kInvalidArgument, "private connect token is truncated");
    return token;
}

void EncryptPrivateConnectToken(PrivateConnectTokenBytes& buffer, std::uint64_t protocol_id,
                                std::uint64_t expire_timestamp, const ConnectTokenNonce& nonce, const Key& key) {
    detail::SealXChaCha(buffer, PrivateTokenAd(protocol_id, expire_timestamp), nonce, key);
}

Status DecryptPrivateConnectToken(std::span<std::uint8_t, kPrivateConnectTokenBytes> buffer, std::uint64_t protocol_id,
                                  std::uint64_t expire_timestamp, const ConnectTokenNonce& nonce, const Key& key) {
    if (!detail::OpenXChaCha(buffer, PrivateTokenAd(protocol_id, expire_timestamp), nonce, key)) {
        return MakeError(ErrorCode::kUnauthenticated,
                         "private connect token does not decrypt (wrong key, protocol id or expiry, or tampered)");
    }
    return common::Ok();
}

Result<ConnectTokenBytes> WriteConnectToken(const ConnectToken& token) {
    if (auto status = CheckAddresses(token.server_addresses, "public token"); !status) {
        return common::Fail(status.error());
    }
    ConnectTokenBytes bytes{};
    WritePublicAround(
        bytes, {token.protocol_id, token.create_timestamp, token.expire_timestamp, token.nonce, token.timeout_seconds,
                token.server_addresses, token.client_to_server_key, token.server_to_client_key});
    std::copy(token.private_token.begin(), token.private_token.end(), bytes.begin() + kPrivateTokenOffset);
    return bytes;
}

Result<ConnectToken> ReadConnectToken(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != kConnectTokenBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("connect token is {} bytes, must be {}", bytes.size(), kConnectTokenBytes));
    }
    ByteReader reader(bytes);
    std::array<std::uint8_t, kVersionInfo.size()> version{};
    reader.Bytes(version);
    if (version != kVersionInfo) {
        return MakeError(ErrorCode::kInvalidArgument, "connect token does not start with \"NETCODE 1.02\"");
    }
    ConnectToken token;
    token.protocol_id = reader.U64();
    token.create_timestamp = reader.U64();
    token.expire_timestamp = reader.U64();
    if (token.create_timestamp > token.expire_timestamp) {
        return MakeError(ErrorCode::kInvalidArgument, "connect token was created after it expires");
    }
    reader.Bytes(token.nonce);
    reader.Bytes(token.private_token);
    token.timeout_seconds = static_cast<std::int32_t>(reader.U32());
    if (auto status = ReadAddresses(reader, token.server_addresses); !status) return common::Fail(status.error());
    reader.Bytes(token.client_to_server_key);
    reader.Bytes(token.server_to_client_key);
    if (!reader.ok()) return MakeError(ErrorCode::kInvalidArgument, "connect token is truncated");
    return token;
}

Result<ConnectTokenBytes> GenerateConnectToken(const ConnectTokenParams& params, std::uint64_t now_unix_seconds) {
    const auto& internal =
        params.internal_server_addresses.empty() ? params.public_server_addresses : params.internal_server_addresses;
    if (auto status = CheckAddresses(params.public_server_addresses, "public"); !status) {
        return common::Fail(status.error());
    }
    if (auto status = CheckAddresses(internal, "internal"); !status) return common::Fail(status.error());
    if (auto status = Initialize(); !status) return common::Fail(status.error());

    // One draw for the nonce and both keys, and everything written straight into the token:
    // generation is on the matchmaker's hot path and should cost little more than the encryption.
    struct Secrets {
        ConnectTokenNonce nonce;
        Key client_to_server_key;
        Key server_to_client_key;
    } secrets;
    static_assert(sizeof(Secrets) == kConnectTokenNonceBytes + 2 * kKeyBytes);
    RandomBytes({reinterpret_cast<std::uint8_t*>(&secrets), sizeof(secrets)});
    const std::uint64_t expire = ExpireTimestamp(now_unix_seconds, params.expire_seconds);

    ConnectTokenBytes bytes{};
    auto private_token = std::span(bytes).subspan<kPrivateTokenOffset, kPrivateConnectTokenBytes>();
    WritePrivate(private_token, {params.client_id, params.timeout_seconds, internal, secrets.client_to_server_key,
                                 secrets.server_to_client_key, params.user_data});
    detail::SealXChaCha(private_token, PrivateTokenAd(params.protocol_id, expire), secrets.nonce, params.private_key);
    WritePublicAround(bytes,
                      {params.protocol_id, now_unix_seconds, expire, secrets.nonce, params.timeout_seconds,
                       params.public_server_addresses, secrets.client_to_server_key, secrets.server_to_client_key});
    sodium_memzero(&secrets, sizeof(secrets));
    return bytes;
}

std::string EncodeConnectTokenBase64(const ConnectTokenBytes& token) {
    constexpr std::size_t kEncodedBytes = sodium_base64_ENCODED_LEN(kConnectTokenBytes, sodium_base64_VARIANT_ORIGINAL);
    static_assert(kEncodedBytes == kConnectTokenBase64Chars + 1);
    std::string text(kEncodedBytes, '\0');
    sodium_bin2base64(text.data(), text.size(), token.data(), token.size(), sodium_base64_VARIANT_ORIGINAL);
    text.resize(kConnectTokenBase64Chars);
    return text;
}

Result<ConnectTokenBytes> DecodeConnectTokenBase64(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    text = first == std::string_view::npos ? std::string_view{}
                                           : text.substr(first, text.find_last_not_of(kSpace) - first + 1);
    if (text.size() != kConnectTokenBase64Chars) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("base64 connect token is {} characters, must be {}",
                                                                  text.size(), kConnectTokenBase64Chars));
    }
    ConnectTokenBytes token{};
    std::size_t decoded_bytes = 0;
    const char* end = nullptr;
    if (sodium_base642bin(token.data(), token.size(), text.data(), text.size(), nullptr, &decoded_bytes, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size() || decoded_bytes != kConnectTokenBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "connect token is not valid standard base64");
    }
    return token;
}

}  // namespace gapkit::netcode
