#include "gapkit/netcode/connection_request.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "gapkit/netcode/packet.hpp"

namespace gapkit::netcode {

using common::ErrorCode;
using common::MakeError;

Result<ConnectionRequestBytes> MakeConnectionRequest(const ConnectTokenBytes& token) {
    auto parsed = ReadConnectToken(token);
    if (!parsed) return common::Fail(parsed.error());
    ConnectionRequestBytes bytes{};
    // The request is plaintext: the key and sequence WritePacket takes are not used for type 0.
    auto written = WritePacket(ConnectionRequestPacket{parsed->expire_timestamp, parsed->nonce, parsed->private_token},
                               0, Key{}, parsed->protocol_id, bytes);
    if (!written) return common::Fail(written.error());
    return bytes;
}

Result<OpenedConnectionRequest> OpenConnectionRequest(std::span<const std::uint8_t> bytes, std::uint64_t protocol_id,
                                                      const Key& private_key, std::uint64_t now_unix_seconds,
                                                      std::span<const Address> own_addresses) {
    if (bytes.size() != kConnectionRequestPacketBytes) {
        return MakeError(ErrorCode::kProtocol, fmt::format("connection request of {} bytes, not {}", bytes.size(),
                                                           kConnectionRequestPacketBytes));
    }
    // ReadPacket decrypts in place; the caller's bytes stay untouched.
    ConnectionRequestBytes buffer;
    std::copy(bytes.begin(), bytes.end(), buffer.begin());
    const PacketReadContext context{protocol_id, now_unix_seconds, &private_key, nullptr, nullptr, 1u};
    auto read = ReadPacket(buffer, context);
    if (!read) return common::Fail(read.error());
    auto& request = std::get<ConnectionRequestPacket>(read->packet);
    auto token = ReadPrivateConnectToken(request.private_token);
    if (!token) return common::Fail(token.error());
    const bool ours =
        std::any_of(token->server_addresses.begin(), token->server_addresses.end(), [&](const Address& a) {
            return std::find(own_addresses.begin(), own_addresses.end(), a) != own_addresses.end();
        });
    if (!ours) return MakeError(ErrorCode::kPermissionDenied, "the connect token names another server");
    OpenedConnectionRequest opened{std::move(*token), request.expire_timestamp, {}};
    std::copy(request.private_token.end() - kMacBytes, request.private_token.end(), opened.mac.begin());
    return opened;
}

Status SpentConnectTokens::Spend(const Mac& mac, std::uint64_t expire_timestamp, std::uint64_t now_unix_seconds) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_unix_seconds) {
        spent_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
    if (spent_.contains(mac)) return MakeError(ErrorCode::kAlreadyExists, "the connect token was used before");
    if (spent_.size() >= max_entries_) {
        return MakeError(ErrorCode::kResourceExhausted,
                         fmt::format("{} unexpired connect tokens are remembered already", max_entries_));
    }
    spent_.insert(mac);
    by_expiry_.emplace(expire_timestamp, mac);
    return common::Ok();
}

}  // namespace gapkit::netcode
