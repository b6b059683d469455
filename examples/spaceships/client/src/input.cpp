#include "input.hpp"

#include <initializer_list>

#include <SDL_scancode.h>

namespace spaceships::client {
namespace {

bool AnyDown(const std::uint8_t* keys, int key_count, std::initializer_list<SDL_Scancode> codes) {
    for (SDL_Scancode code : codes) {
        if (code < key_count && keys[code] != 0) return true;
    }
    return false;
}

}  // namespace

PlayerInput InputFromKeyboard(const std::uint8_t* keys, int key_count) {
    PlayerInput input;
    input.thrust = AnyDown(keys, key_count, {SDL_SCANCODE_UP, SDL_SCANCODE_W});
    input.turn_left = AnyDown(keys, key_count, {SDL_SCANCODE_LEFT, SDL_SCANCODE_A});
    input.turn_right = AnyDown(keys, key_count, {SDL_SCANCODE_RIGHT, SDL_SCANCODE_D});
    input.fire = AnyDown(keys, key_count, {SDL_SCANCODE_SPACE});
    return input;
}

std::optional<std::vector<std::uint8_t>> InputSender::Next(const PlayerInput& input, double now_seconds) {
    const bool due = !last_sent_ || *last_sent_ != input || now_seconds - last_sent_seconds_ >= kInputResendSeconds;
    if (!due) return std::nullopt;
    last_sent_ = input;
    last_sent_seconds_ = now_seconds;
    return EncodeInput(input);
}

void InputSender::Reset() { last_sent_.reset(); }

}  // namespace spaceships::client
