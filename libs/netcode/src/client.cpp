#include "gapkit/netcode/client.hpp"

#include <deque>
#include <optional>

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/packet.hpp"
#include "gapkit/netcode/replay_protection.hpp"
#include "udp_socket.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;

// A game that stops polling must not grow the queue without bound; later payloads are dropped.
constexpr std::size_t kMaxQueuedPayloads = 256;
constexpr int kMaxDatagramsPerUpdate = 1024;

}  // namespace

struct Client::Impl {
    ConnectToken token;
    ClientState state = ClientState::kDisconnected;
    std::optional<ClientState> should_disconnect;
    std::size_t server_index = 0;
    std::optional<detail::UdpSocket> socket;
    ClientLink* link = nullptr;
    std::uint64_t sequence = 0;  // Never reset between servers: each server gets fresh nonces.
    double now_seconds = 0;
    double connect_start_seconds = 0;
    double last_send_seconds = 0;
    double last_receive_seconds = 0;
    ChallengeBody challenge;
    ReplayProtection replay;
    int client_index = -1;
    int max_clients = 0;
    std::deque<std::vector<std::uint8_t>> payloads;
    std::vector<std::uint8_t> link_packet;  // Reused: one allocation for the client's life.

    const Address& server() const { return token.server_addresses[server_index]; }

    void Send(const Packet& packet) {
        std::array<std::uint8_t, kMaxPacketBytes> buffer;
        auto size = WritePacket(packet, sequence++, token.client_to_server_key, token.protocol_id, buffer);
        if (!size) return;
        if (link != nullptr) {
            link->Send(std::span(buffer).first(*size));
        } else {
            (void)socket->SendTo(server(), std::span(buffer).first(*size));
        }
        last_send_seconds = now_seconds;
    }

    Status StartAttempt();
    bool ConnectToNextServer();
    void Reset(ClientState new_state);
    void OnPacket(const Packet& packet);
    void ReceivePackets();
    void SendPackets();
    void CheckTimeouts();
};

Status Client::Impl::StartAttempt() {
    if (link == nullptr && (!socket || socket->local_address().type != server().type)) {
        const Address any = server().type == AddressType::kIpv6 ? Address::Ipv6({}, 0) : Address::Ipv4(0, 0, 0, 0, 0);
        auto opened = detail::UdpSocket::Open(any);
        if (!opened) return common::Fail(opened.error());
        socket = std::move(*opened);
    }
    connect_start_seconds = now_seconds;
    last_send_seconds = now_seconds - 1;
    last_receive_seconds = now_seconds;
    should_disconnect.reset();
    challenge = ChallengeBody{};
    replay.Reset();
    state = ClientState::kSendingConnectionRequest;
    GAPKIT_LOG_DEBUG("netcode", "connecting to {}", server().ToString());
    return common::Ok();
}

bool Client::Impl::ConnectToNextServer() {
    if (server_index + 1 >= token.server_addresses.size()) return false;
    ++server_index;
    return StartAttempt().has_value();
}

void Client::Impl::Reset(ClientState new_state) {
    if (new_state != state) GAPKIT_LOG_INFO("netcode", "client: {} -> {}", ToString(state), ToString(new_state));
    state = new_state;
    should_disconnect.reset();
    client_index = -1;
    max_clients = 0;
    payloads.clear();
}

void Client::Impl::OnPacket(const Packet& packet) {
    const PacketType type = TypeOf(packet);
    if (type == PacketType::kConnectionDenied &&
        (state == ClientState::kSendingConnectionRequest || state == ClientState::kSendingConnectionResponse)) {
        should_disconnect = ClientState::kConnectionDenied;
    } else if (type == PacketType::kConnectionChallenge && state == ClientState::kSendingConnectionRequest) {
        challenge = std::get<ConnectionChallengePacket>(packet);
        state = ClientState::kSendingConnectionResponse;
    } else if (type == PacketType::kKeepAlive && state == ClientState::kSendingConnectionResponse) {
        const auto& keep_alive = std::get<KeepAlivePacket>(packet);
        client_index = static_cast<int>(keep_alive.client_index);
        max_clients = static_cast<int>(keep_alive.max_clients);
        state = ClientState::kConnected;
        GAPKIT_LOG_INFO("netcode", "client connected to {} in slot {}", server().ToString(), client_index);
    } else if (type == PacketType::kPayload && state == ClientState::kConnected) {
        const auto& data = std::get<PayloadPacket>(packet).data;
        if (payloads.size() < kMaxQueuedPayloads) payloads.emplace_back(data.begin(), data.end());
    } else if (type == PacketType::kDisconnect && state == ClientState::kConnected) {
        should_disconnect = ClientState::kDisconnected;
    } else if (type != PacketType::kKeepAlive || state != ClientState::kConnected) {
        return;
    }
    last_receive_seconds = now_seconds;
}

void Client::Impl::ReceivePackets() {
    std::array<std::uint8_t, kMaxPacketBytes> buffer;
    Address from;
    const PacketReadContext context{token.protocol_id,           0,       nullptr,
                                    &token.server_to_client_key, &replay, kClientAllowedPackets};
    if (link != nullptr) {
        for (int i = 0; i < kMaxDatagramsPerUpdate && link->Receive(link_packet); ++i) {
            if (link_packet.size() > kMaxPacketBytes) continue;
            auto read = ReadPacket(link_packet, context);
            if (read) OnPacket(read->packet);
        }
        return;
    }
    for (int i = 0; i < kMaxDatagramsPerUpdate; ++i) {
        const auto size = socket->ReceiveFrom(buffer, from);
        if (!size) return;
        if (*size > buffer.size() || from != server()) continue;
        auto read = ReadPacket(std::span(buffer).first(*size), context);
        if (read) OnPacket(read->packet);
    }
}

void Client::Impl::SendPackets() {
    if (last_send_seconds + kPacketSendRateSeconds > now_seconds) return;
    switch (state) {
        case ClientState::kSendingConnectionRequest:
            Send(ConnectionRequestPacket{token.expire_timestamp, token.nonce, token.private_token});
            break;
        case ClientState::kSendingConnectionResponse:
            Send(ConnectionResponsePacket{challenge});
            break;
        case ClientState::kConnected:
            Send(KeepAlivePacket{0, 0});
            break;
        default:
            break;
    }
}

void Client::Impl::CheckTimeouts() {
    const bool connecting =
        state == ClientState::kSendingConnectionRequest || state == ClientState::kSendingConnectionResponse;
    const double lifetime = static_cast<double>(token.expire_timestamp - token.create_timestamp);
    if (connecting && now_seconds - connect_start_seconds >= lifetime) return Reset(ClientState::kConnectTokenExpired);
    if (should_disconnect) {
        const ClientState target = *should_disconnect;
        if (!ConnectToNextServer()) Reset(target);
        return;
    }
    if (token.timeout_seconds <= 0 || last_receive_seconds + token.timeout_seconds >= now_seconds) return;
    if (state == ClientState::kConnected) return Reset(ClientState::kConnectionTimedOut);
    if (!connecting || ConnectToNextServer()) return;
    Reset(state == ClientState::kSendingConnectionRequest ? ClientState::kConnectionRequestTimedOut
                                                          : ClientState::kConnectionResponseTimedOut);
}

std::string_view ToString(ClientState state) {
    switch (state) {
        case ClientState::kConnectTokenExpired:
            return "connect token expired";
        case ClientState::kInvalidConnectToken:
            return "invalid connect token";
        case ClientState::kConnectionTimedOut:
            return "connection timed out";
        case ClientState::kConnectionResponseTimedOut:
            return "connection response timed out";
        case ClientState::kConnectionRequestTimedOut:
            return "connection request timed out";
        case ClientState::kConnectionDenied:
            return "connection denied";
        case ClientState::kDisconnected:
            return "disconnected";
        case ClientState::kSendingConnectionRequest:
            return "sending connection request";
        case ClientState::kSendingConnectionResponse:
            return "sending connection response";
        case ClientState::kConnected:
            return "connected";
    }
    return "unknown";
}

Client::Client() : impl_(std::make_unique<Impl>()) {}

Client::~Client() { Disconnect(); }

void Client::SetLink(ClientLink* link) { impl_->link = link; }

Status Client::Connect(std::span<const std::uint8_t> connect_token, double now_seconds) {
    Disconnect();
    impl_->now_seconds = now_seconds;
    auto token = ReadConnectToken(connect_token);
    if (!token) {
        impl_->Reset(ClientState::kInvalidConnectToken);
        return common::Fail(token.error());
    }
    if (auto status = Initialize(); !status) return status;
    impl_->token = std::move(*token);
    impl_->server_index = 0;
    impl_->sequence = 0;
    auto status = impl_->StartAttempt();
    if (!status) impl_->Reset(ClientState::kDisconnected);
    return status;
}

void Client::Update(double now_seconds) {
    impl_->now_seconds = now_seconds;
    if (static_cast<int>(impl_->state) <= 0) return;
    impl_->ReceivePackets();
    impl_->SendPackets();
    impl_->CheckTimeouts();
}

Status Client::SendPayload(std::span<const std::uint8_t> payload) {
    if (impl_->state != ClientState::kConnected) {
        return MakeError(ErrorCode::kFailedPrecondition, fmt::format("client is {}", ToString(impl_->state)));
    }
    if (payload.empty() || payload.size() > kMaxPayloadBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("payload of {} bytes, 1..1200 allowed", payload.size()));
    }
    impl_->Send(PayloadPacket{payload});
    return common::Ok();
}

bool Client::Poll(std::vector<std::uint8_t>& payload) {
    if (impl_->payloads.empty()) return false;
    payload = std::move(impl_->payloads.front());
    impl_->payloads.pop_front();
    return true;
}

void Client::Disconnect() {
    if (static_cast<int>(impl_->state) <= 0) return;
    for (int i = 0; i < kNumDisconnectPackets; ++i) impl_->Send(DisconnectPacket{});
    impl_->Reset(ClientState::kDisconnected);
}

ClientState Client::state() const { return impl_->state; }
int Client::client_index() const { return impl_->client_index; }
int Client::max_clients() const { return impl_->max_clients; }

Address Client::server_address() const { return impl_->token.server_addresses.empty() ? Address{} : impl_->server(); }

Address Client::local_address() const { return impl_->socket ? impl_->socket->local_address() : Address{}; }

}  // namespace gapkit::netcode
