#pragma once

// The server's state and packet handling behind `Server`'s pImpl. Private to the library; the
// threading and ownership rules are those of `Server` (one thread, the server owns everything).

#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

#include "encryption_manager.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/packet.hpp"
#include "gapkit/netcode/replay_protection.hpp"
#include "gapkit/netcode/server.hpp"
#include "token_history.hpp"
#include "udp_socket.hpp"

namespace gapkit::netcode {

namespace detail {

// One client slot: who holds it and the per-connection crypto, sequence and timing state.
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

}  // namespace detail

struct Server::Impl {
    explicit Impl(ServerConfig server_config) : config(std::move(server_config)) {}

    const ServerConfig config;
    std::optional<detail::UdpSocket> socket;
    std::vector<detail::Slot> slots;
    detail::EncryptionManager pending;
    detail::TokenHistory token_history;
    std::deque<ServerEvent> events;
    Key challenge_key{};
    std::uint64_t challenge_sequence = 0;
    std::uint64_t global_sequence = 0;
    double now_seconds = 0;
    PacketLink* link = nullptr;  // Not owned; see Server::SetLink.

    // --- sending ---
    void SendTo(const Address& to, const Packet& packet, std::uint64_t sequence, const Key& key) {
        std::array<std::uint8_t, kMaxPacketBytes> buffer;
        auto size = WritePacket(packet, sequence, key, config.protocol_id, buffer);
        if (!size) return;
        if (link != nullptr && link->Serves(to)) {
            link->Send(to, std::span<const std::uint8_t>(buffer).first(*size));
        } else {
            (void)socket->SendTo(to, std::span(buffer).first(*size));
        }
    }
    void SendGlobal(const Address& to, const Packet& packet, const Key& key) {
        SendTo(to, packet, global_sequence++, key);
    }
    void SendToSlot(detail::Slot& slot, const Packet& packet) {
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
        return FindSlot([&](const detail::Slot& s) { return s.address == address; });
    }
    int FindByClientId(std::uint64_t client_id) const {
        return FindSlot([&](const detail::Slot& s) { return s.client_id == client_id; });
    }
    int NumConnected() const {
        return static_cast<int>(
            std::count_if(slots.begin(), slots.end(), [](const detail::Slot& s) { return s.connected; }));
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

}  // namespace gapkit::netcode
