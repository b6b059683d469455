#pragma once

/// @file
/// Keyboard to `PlayerInput`, and when to send it.
///
/// Keys: Left/A and Right/D turn, Up/W thrusts, Space fires. Game-loop thread only.

#include <cstdint>
#include <optional>
#include <vector>

#include "spaceships/messages.hpp"

namespace spaceships::client {

/// The longest time between two input messages (seconds), even when nothing changed, so a lost
/// packet is repaired quickly.
inline constexpr double kInputResendSeconds = 0.1;

/// Reads the controls from SDL's keyboard state array (`SDL_GetKeyboardState`), indexed by
/// SDL_Scancode, `key_count` entries long.
PlayerInput InputFromKeyboard(const std::uint8_t* keys, int key_count);

/// Decides which frames send the input: when it changed, and at least every
/// `kInputResendSeconds`.
class InputSender {
  public:
    /// The encoded message to send now for `input` at `now_seconds`, or nothing this frame.
    std::optional<std::vector<std::uint8_t>> Next(const PlayerInput& input, double now_seconds);

    /// Forgets the last input sent (a new connection starts over: the next `Next` sends).
    void Reset();

  private:
    std::optional<PlayerInput> last_sent_;
    double last_sent_seconds_ = 0;
};

}  // namespace spaceships::client
