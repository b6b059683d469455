#pragma once

// What the server and the client of this game agree on. Rename the game here (and in
// CMakeLists.txt); the names must match the Edgegap app and version the matchmaker serves.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace my_game {

/// The Edgegap app name and version the client asks the matchmaker for (`^[A-Za-z0-9_-]{1,30}$`).
inline constexpr const char* kGameName = "my-game";
inline constexpr const char* kGameVersion = "1";

/// The netcode protocol id: any number 1..2^63-1 of your choosing, the same in the matchmaker
/// (GAPKIT_PROTOCOL_ID), the server and the client. It keeps clients of another game, or of an
/// incompatible build, away from your servers: change it when the payload format changes.
inline constexpr std::uint64_t kProtocolId = 424242;

/// The template's one message, "ping <n>", which the server echoes. Payloads are datagrams:
/// unreliable, unordered, 1..1200 bytes each (docs/server-library.md, "Payloads").
inline std::vector<std::uint8_t> Ping(int number) {
    const std::string text = "ping " + std::to_string(number);
    return {text.begin(), text.end()};
}

inline std::string_view AsText(const std::vector<std::uint8_t>& payload) {
    return {reinterpret_cast<const char*>(payload.data()), payload.size()};
}

}  // namespace my_game
