#include "gapkit/netcode/server.hpp"

#include <algorithm>
#include <array>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "server_impl.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;

}  // namespace

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
    impl_->slots.assign(impl_->config.max_clients, detail::Slot{});
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

void Server::SetLink(PacketLink* link) { impl_->link = link; }

void Server::ReceiveFromLink(const Address& from, std::span<const std::uint8_t> packet,
                             std::uint64_t now_unix_seconds) {
    if (!impl_->socket || packet.size() <= 1 || packet.size() > kMaxPacketBytes) return;
    // Reading a packet decrypts it in place.
    std::array<std::uint8_t, kMaxPacketBytes> buffer;
    std::copy(packet.begin(), packet.end(), buffer.begin());
    impl_->ProcessDatagram(std::span(buffer).first(packet.size()), from, now_unix_seconds);
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
