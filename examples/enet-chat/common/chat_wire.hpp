#pragma once

// What the enet-chat server and client say to each other over ENet (one reliable channel), and the
// ENet helpers both use. The wire, after the client's first packet (the 1078-byte gapkit connection
// request, docs/own-transport.md), is one UTF-8 line of text per packet:
//   server -> client  "welcome <client id> players <n>"   the client joined (its session is known)
//                     "+ <client id> players <n>"         another player joined
//                     "- <client id> players <n>"         a player left
//                     "<client id>: <text>"               a chat line
//   client -> server  "<text>"                            a chat line, 1..kMaxLineBytes bytes
// Threads: the functions touch only what they are given.

#include <enet/enet.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"

namespace enet_chat {

/// Longest chat line either side sends or accepts, in bytes.
inline constexpr std::size_t kMaxLineBytes = 400;
/// Longest ENet packet either side accepts: the connection request is the largest.
inline constexpr std::size_t kMaxPacketBytes = 2048;

/// Sends `bytes` reliably on channel 0.
void Send(ENetPeer* peer, std::span<const std::uint8_t> bytes);
void SendText(ENetPeer* peer, std::string_view text);

/// The packet's bytes as text with control characters replaced by '?', cut at `kMaxLineBytes`.
std::string CleanLine(std::span<const std::uint8_t> bytes);

/// An IPv4 netcode address as ENet's; ENet 1.3 speaks IPv4 only.
gapkit::common::Result<ENetAddress> ToEnetAddress(const gapkit::netcode::Address& address);

/// "welcome", "+" and "-" notices: the player count they carry.
std::optional<int> PlayersIn(std::string_view line);

}  // namespace enet_chat
