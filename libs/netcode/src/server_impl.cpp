#include "server_impl.hpp"

#include "gapkit/common/log.hpp"

namespace gapkit::netcode {

namespace {

// Bounds one Update's work under a datagram flood; the rest waits for the next tick.
constexpr int kMaxDatagramsPerUpdate = 4096;

}  // namespace

void Server::Impl::ConnectClient(int index, const Address& from, const ChallengeToken& token,
                                 const detail::EncryptionEntry& keys) {
    detail::Slot& slot = slots[index];
    slot = detail::Slot{};
    slot.connected = true;
    slot.client_id = token.client_id;
    slot.address = from;
    slot.send_key = keys.send_key;
    slot.receive_key = keys.receive_key;
    slot.timeout_seconds = keys.timeout_seconds;
    slot.last_receive_seconds = now_seconds;
    slot.user_data = token.user_data;
    pending.Remove(from);
    SendKeepAlive(index);
    GAPKIT_LOG_INFO("netcode", "client {} connected from {} in slot {}", token.client_id, from.ToString(), index);
    events.push_back(ServerEvent{ServerEventType::kClientConnected, index, token.client_id, from, token.user_data});
}

void Server::Impl::FreeSlot(int index, DisconnectReason reason, bool send_disconnects) {
    detail::Slot& slot = slots[index];
    if (send_disconnects) {
        for (int i = 0; i < kNumDisconnectPackets; ++i) SendToSlot(slot, DisconnectPacket{});
    }
    GAPKIT_LOG_INFO("netcode", "client {} in slot {} disconnected: {}", slot.client_id, index, ToString(reason));
    ServerEvent event{ServerEventType::kClientDisconnected, index, slot.client_id, slot.address};
    event.reason = reason;
    events.push_back(std::move(event));
    slot = detail::Slot{};
}

void Server::Impl::OnRequest(ConnectionRequestPacket& request, const Address& from) {
    auto token = ReadPrivateConnectToken(request.private_token);
    if (!token) return;
    if (std::none_of(token->server_addresses.begin(), token->server_addresses.end(),
                     [&](const Address& a) { return IsOurAddress(a); })) {
        GAPKIT_LOG_DEBUG("netcode", "ignored a connect token for another server from {}", from.ToString());
        return;
    }
    if (FindByAddress(from) >= 0 || FindByClientId(token->client_id) >= 0) return;
    Mac mac;
    std::copy(request.private_token.end() - kMacBytes, request.private_token.end(), mac.begin());
    if (!token_history.FindOrAdd(mac, from, now_seconds)) {
        // Debug, not warn: a captured token replayed from many addresses must not flood the log.
        GAPKIT_LOG_DEBUG("netcode", "ignored a connect token replayed from another address ({})", from.ToString());
        return;
    }
    if (NumConnected() == config.max_clients) {
        SendGlobal(from, ConnectionDeniedPacket{}, token->server_to_client_key);
        return;
    }
    const double expire = token->timeout_seconds >= 0 ? now_seconds + token->timeout_seconds : -1;
    if (!pending.Add({from, token->server_to_client_key, token->client_to_server_key, now_seconds, expire,
                      token->timeout_seconds},
                     now_seconds)) {
        return;
    }
    ConnectionChallengePacket challenge;
    challenge.challenge_sequence = challenge_sequence++;
    challenge.challenge_token = WriteChallengeToken({token->client_id, token->user_data});
    EncryptChallengeToken(challenge.challenge_token, challenge.challenge_sequence, challenge_key);
    SendGlobal(from, challenge, token->server_to_client_key);
}

void Server::Impl::OnResponse(const ConnectionResponsePacket& response, const Address& from) {
    const detail::EncryptionEntry* entry = pending.Find(from, now_seconds);
    if (entry == nullptr) return;
    const detail::EncryptionEntry keys = *entry;  // a copy: ConnectClient removes the entry
    ChallengeTokenBytes sealed = response.challenge_token;
    if (!DecryptChallengeToken(sealed, response.challenge_sequence, challenge_key)) return;
    const ChallengeToken token = ReadChallengeToken(sealed);
    if (FindByAddress(from) >= 0 || FindByClientId(token.client_id) >= 0) return;
    auto free_slot = std::find_if(slots.begin(), slots.end(), [](const detail::Slot& s) { return !s.connected; });
    if (free_slot == slots.end()) {
        SendGlobal(from, ConnectionDeniedPacket{}, keys.send_key);
        return;
    }
    ConnectClient(static_cast<int>(free_slot - slots.begin()), from, token, keys);
}

void Server::Impl::OnSlotPacket(int index, const Packet& packet) {
    detail::Slot& slot = slots[index];
    if (const auto* payload = std::get_if<PayloadPacket>(&packet)) {
        ServerEvent event{ServerEventType::kPayload, index, slot.client_id, slot.address};
        event.payload.assign(payload->data.begin(), payload->data.end());
        events.push_back(std::move(event));
    } else if (std::holds_alternative<DisconnectPacket>(packet)) {
        FreeSlot(index, DisconnectReason::kClientDisconnected, false);
        return;
    } else if (!std::holds_alternative<KeepAlivePacket>(packet)) {
        return;
    }
    slot.last_receive_seconds = now_seconds;
    slot.confirmed = true;
}

void Server::Impl::ProcessDatagram(std::span<std::uint8_t> datagram, const Address& from,
                                   std::uint64_t now_unix_seconds) {
    const int index = FindByAddress(from);
    const detail::EncryptionEntry* entry = index < 0 ? pending.Find(from, now_seconds) : nullptr;
    PacketReadContext context{config.protocol_id,   now_unix_seconds, &config.private_key, nullptr, nullptr,
                              kServerAllowedPackets};
    if (index >= 0) {
        context.read_key = &slots[index].receive_key;
        context.replay = &slots[index].replay;
    } else if (entry != nullptr) {
        context.read_key = &entry->receive_key;
    }
    auto read = ReadPacket(datagram, context);
    if (!read) {
        GAPKIT_LOG_TRACE("netcode", "dropped a datagram from {}: {}", from.ToString(), read.error().message());
        return;
    }
    if (auto* request = std::get_if<ConnectionRequestPacket>(&read->packet)) {
        OnRequest(*request, from);
    } else if (const auto* response = std::get_if<ConnectionResponsePacket>(&read->packet)) {
        OnResponse(*response, from);
    } else if (index >= 0) {
        OnSlotPacket(index, read->packet);
    }
}

void Server::Impl::ReceivePackets(std::uint64_t now_unix_seconds) {
    std::array<std::uint8_t, kMaxPacketBytes> buffer;
    Address from;
    for (int i = 0; i < kMaxDatagramsPerUpdate; ++i) {
        const auto size = socket->ReceiveFrom(buffer, from);
        if (!size) return;
        // The reference ignores 1-byte datagrams; oversized ones were truncated and cannot be valid.
        if (*size <= 1 || *size > buffer.size()) continue;
        if (link != nullptr && link->Serves(from)) continue;  // Only the link speaks for its clients.
        ProcessDatagram(std::span(buffer).first(*size), from, now_unix_seconds);
    }
}

void Server::Impl::SendKeepAlives() {
    for (int i = 0; i < static_cast<int>(slots.size()); ++i) {
        if (slots[i].connected && slots[i].last_send_seconds + kPacketSendRateSeconds <= now_seconds) SendKeepAlive(i);
    }
}

void Server::Impl::CheckTimeouts() {
    for (int i = 0; i < static_cast<int>(slots.size()); ++i) {
        const detail::Slot& slot = slots[i];
        if (slot.connected && slot.timeout_seconds > 0 &&
            slot.last_receive_seconds + slot.timeout_seconds <= now_seconds) {
            FreeSlot(i, DisconnectReason::kTimedOut, false);
        }
    }
}

}  // namespace gapkit::netcode
