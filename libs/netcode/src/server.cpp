#include "gapkit/netcode/server.hpp"

#include <algorithm>
#include <deque>
#include <optional>

#include <fmt/core.h>

#include "encryption_manager.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/packet.hpp"
#include "gapkit/netcode/replay_protection.hpp"
#include "token_history.hpp"
#include "udp_socket.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;

// Bounds one Update's work under a datagram flood; the rest waits for the next tick.
constexpr int kMaxDatagramsPerUpdate = 4096;

struct Slot {
    bool connected = false;
    bool confirmed = false;  // The client has sent something since we assigned the slot.
    std::uint64_t client_id = 0;
    Address address;
    Key send_key{};
    Key receive_key{};
    std::uint64_t sequence = 0;
    int timeout_seconds = 0;
    double last_send_seconds = 0;
    double last_receive_seconds = 0;
    ReplayProtection replay;
    UserData user_data{};
};

}  // namespace

struct Server::Impl {
    explicit Impl(ServerConfig server_config) : config(std::move(server_config)) {}

    const ServerConfig config;
    std::optional<detail::UdpSocket> socket;
    std::vector<Slot> slots;
    detail::EncryptionManager pending;
    detail::TokenHistory token_history;
    std::deque<ServerEvent> events;
    Key challenge_key{};
    std::uint64_t challenge_sequence = 0;
    std::uint64_t global_sequence = 0;
    double now_seconds = 0;

    // --- sending ---
    void SendTo(const Address& to, const Packet& packet, std::uint64_t sequence, const Key& key) {
        std::array<std::uint8_t, kMaxPacketBytes> buffer;
        auto size = WritePacket(packet, sequence, key, config.protocol_id, buffer);
        if (size) (void)socket->SendTo(to, std::span(buffer).first(*size));
    }
    void SendGlobal(const Address& to, const Packet& packet, const Key& key) {
        SendTo(to, packet, global_sequence++, key);
    }
    void SendToSlot(Slot& slot, const Packet& packet) {
        SendTo(slot.address, packet, slot.sequence++, slot.send_key);
        slot.last_send_seconds = now_seconds;
    }
    void SendKeepAlive(int index) {
        SendToSlot(slots[index],
                   KeepAlivePacket{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(config.max_clients)});
    }

    // --- slots ---
    int FindSlot(auto predicate) const {
        for (int i = 0; i < static_cast<int>(slots.size()); ++i) {
            if (slots[i].connected && predicate(slots[i])) return i;
        }
        return -1;
    }
    int FindByAddress(const Address& address) const {
        return FindSlot([&](const Slot& s) { return s.address == address; });
    }
    int FindByClientId(std::uint64_t client_id) const {
        return FindSlot([&](const Slot& s) { return s.client_id == client_id; });
    }
    int NumConnected() const {
        return static_cast<int>(std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.connected; }));
    }
    bool IsOurAddress(const Address& address) const {
        return address == socket->local_address() ||
               std::find(config.advertised_addresses.begin(), config.advertised_addresses.end(), address) !=
                   config.advertised_addresses.end();
    }

    void ConnectClient(int index, const Address& from, const ChallengeToken& token,
                       const detail::EncryptionEntry& keys);
    void FreeSlot(int index, DisconnectReason reason, bool send_disconnects);

    // --- receiving ---
    void ProcessDatagram(std::span<std::uint8_t> datagram, const Address& from, std::uint64_t now_unix_seconds);
    void OnRequest(ConnectionRequestPacket& request, const Address& from);
    void OnResponse(const ConnectionResponsePacket& response, const Address& from);
    void OnSlotPacket(int index, const Packet& packet);
    void ReceivePackets(std::uint64_t now_unix_seconds);
    void SendKeepAlives();
    void CheckTimeouts();
};

void Server::Impl::ConnectClient(int index, const Address& from, const ChallengeToken& token,
                                 const detail::EncryptionEntry& keys) {
    Slot& slot = slots[index];
    slot = Slot{};
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
    Slot& slot = slots[index];
    if (send_disconnects) {
        for (int i = 0; i < kNumDisconnectPackets; ++i) SendToSlot(slot, DisconnectPacket{});
    }
    GAPKIT_LOG_INFO("netcode", "client {} in slot {} disconnected: {}", slot.client_id, index, ToString(reason));
    ServerEvent event{ServerEventType::kClientDisconnected, index, slot.client_id, slot.address};
    event.reason = reason;
    events.push_back(std::move(event));
    slot = Slot{};
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
    auto free_slot = std::find_if(slots.begin(), slots.end(), [](const Slot& s) { return !s.connected; });
    if (free_slot == slots.end()) {
        SendGlobal(from, ConnectionDeniedPacket{}, keys.send_key);
        return;
    }
    ConnectClient(static_cast<int>(free_slot - slots.begin()), from, token, keys);
}

void Server::Impl::OnSlotPacket(int index, const Packet& packet) {
    Slot& slot = slots[index];
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
        const Slot& slot = slots[i];
        if (slot.connected && slot.timeout_seconds > 0 &&
            slot.last_receive_seconds + slot.timeout_seconds <= now_seconds) {
            FreeSlot(i, DisconnectReason::kTimedOut, false);
        }
    }
}

Status ServerConfig::Validate() const {
    if (max_clients < 1 || max_clients > kMaxClients) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("max_clients {} is outside 1..256", max_clients));
    }
    if (bind_address.type == AddressType::kNone) {
        return MakeError(ErrorCode::kInvalidArgument, "bind_address is not set");
    }
    if (std::all_of(private_key.begin(), private_key.end(), [](std::uint8_t b) { return b == 0; })) {
        return MakeError(ErrorCode::kInvalidArgument, "private_key is all zeros");
    }
    return common::Ok();
}

std::string_view ToString(ServerEventType type) {
    switch (type) {
        case ServerEventType::kClientConnected:
            return "client connected";
        case ServerEventType::kClientDisconnected:
            return "client disconnected";
        case ServerEventType::kPayload:
            return "payload";
    }
    return "unknown";
}

std::string_view ToString(DisconnectReason reason) {
    switch (reason) {
        case DisconnectReason::kClientDisconnected:
            return "client disconnected";
        case DisconnectReason::kTimedOut:
            return "timed out";
        case DisconnectReason::kServerDisconnected:
            return "disconnected by the server";
        case DisconnectReason::kServerStopped:
            return "server stopped";
    }
    return "unknown";
}

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
    Stop();
    if (auto status = impl_->config.Validate(); !status)
        return common::Fail(status.error().WithContext("netcode server config"));
    if (auto status = Initialize(); !status) return status;
    auto socket = detail::UdpSocket::Open(impl_->config.bind_address);
    if (!socket) return common::Fail(socket.error());
    impl_->socket = std::move(*socket);
    impl_->slots.assign(impl_->config.max_clients, Slot{});
    impl_->challenge_key = GenerateKey();
    impl_->challenge_sequence = 0;
    impl_->global_sequence = kServerGlobalSequenceStart;
    GAPKIT_LOG_INFO("netcode", "server listening on {} for {} clients", impl_->socket->local_address().ToString(),
                    impl_->config.max_clients);
    const Address& bound = impl_->socket->local_address();
    if (impl_->config.advertised_addresses.empty() && bound.ipv4 == decltype(bound.ipv4){} &&
        bound.ipv6 == decltype(bound.ipv6){}) {
        // Tokens name a real address, never 0.0.0.0 or ::, so this server would admit nobody.
        GAPKIT_LOG_WARN("netcode", "bound to the wildcard {} with no advertised addresses: no token can match",
                        bound.ToString());
    }
    return common::Ok();
}

void Server::Stop() {
    if (!impl_->socket) return;
    for (int i = 0; i < static_cast<int>(impl_->slots.size()); ++i) {
        if (impl_->slots[i].connected) impl_->FreeSlot(i, DisconnectReason::kServerStopped, true);
    }
    impl_->socket.reset();
    impl_->slots.clear();
    impl_->pending.Clear();
    impl_->token_history.Clear();
    impl_->challenge_key = Key{};
    impl_->challenge_sequence = 0;
    impl_->global_sequence = 0;
}

bool Server::running() const { return impl_->socket.has_value(); }

void Server::Update(double now_seconds, std::uint64_t now_unix_seconds) {
    if (!impl_->socket) return;
    impl_->now_seconds = now_seconds;
    impl_->ReceivePackets(now_unix_seconds);
    impl_->SendKeepAlives();
    impl_->CheckTimeouts();
}

bool Server::Poll(ServerEvent& event) {
    if (impl_->events.empty()) return false;
    event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return true;
}

Status Server::SendPayload(int client_index, std::span<const std::uint8_t> payload) {
    if (!ClientConnected(client_index)) {
        return MakeError(ErrorCode::kFailedPrecondition, fmt::format("no client connected in slot {}", client_index));
    }
    if (payload.empty() || payload.size() > kMaxPayloadBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("payload of {} bytes, 1..1200 allowed", payload.size()));
    }
    // Until the client has answered, a keep-alive must arrive first so it learns it is connected.
    if (!impl_->slots[client_index].confirmed) impl_->SendKeepAlive(client_index);
    impl_->SendToSlot(impl_->slots[client_index], PayloadPacket{payload});
    return common::Ok();
}

void Server::DisconnectClient(int client_index) {
    if (ClientConnected(client_index)) impl_->FreeSlot(client_index, DisconnectReason::kServerDisconnected, true);
}

int Server::num_connected_clients() const { return impl_->NumConnected(); }
int Server::max_clients() const { return impl_->config.max_clients; }

bool Server::ClientConnected(int client_index) const {
    return client_index >= 0 && client_index < static_cast<int>(impl_->slots.size()) &&
           impl_->slots[client_index].connected;
}

std::uint64_t Server::ClientId(int client_index) const {
    return ClientConnected(client_index) ? impl_->slots[client_index].client_id : 0;
}

const UserData& Server::ClientUserData(int client_index) const {
    static const UserData kNone{};
    return ClientConnected(client_index) ? impl_->slots[client_index].user_data : kNone;
}

Address Server::bound_address() const { return impl_->socket ? impl_->socket->local_address() : Address{}; }

std::uint64_t Server::global_sequence() const { return impl_->global_sequence; }

}  // namespace gapkit::netcode
