#include "chat_wire.hpp"

#include <charconv>

#include <fmt/core.h>

namespace enet_chat {

void Send(ENetPeer* peer, std::span<const std::uint8_t> bytes) {
    ENetPacket* packet = enet_packet_create(bytes.data(), bytes.size(), ENET_PACKET_FLAG_RELIABLE);
    // ENet owns the packet once sent; a failed send leaves it to us.
    if (packet != nullptr && enet_peer_send(peer, 0, packet) != 0) enet_packet_destroy(packet);
}

void SendText(ENetPeer* peer, std::string_view text) {
    Send(peer, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string CleanLine(std::span<const std::uint8_t> bytes) {
    std::string line(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), kMaxLineBytes));
    for (char& c : line) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return line;
}

gapkit::common::Result<ENetAddress> ToEnetAddress(const gapkit::netcode::Address& address) {
    if (address.type != gapkit::netcode::AddressType::kIpv4) {
        return gapkit::common::MakeError(gapkit::common::ErrorCode::kInvalidArgument,
                                         fmt::format("ENet needs an IPv4 address, not {}", address.ToString()));
    }
    const auto& ip = address.ipv4;
    ENetAddress enet{};
    const std::string host = fmt::format("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
    enet_address_set_host_ip(&enet, host.c_str());
    enet.port = address.port;
    return enet;
}

std::optional<int> PlayersIn(std::string_view line) {
    if (!line.starts_with("welcome ") && !line.starts_with("+ ") && !line.starts_with("- ")) return std::nullopt;
    const auto at = line.rfind(" players ");
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view digits = line.substr(at + 9);
    int players = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), players);
    if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return players;
}

}  // namespace enet_chat
