#include "input.hpp"

#include <array>

#include <SDL_scancode.h>
#include <gtest/gtest.h>

namespace spaceships::client {
namespace {

TEST(SpaceshipsClientInputTest, ArrowsAndWasdTurnAndThrustSpaceFires) {
    std::array<std::uint8_t, SDL_NUM_SCANCODES> keys{};
    PlayerInput none = InputFromKeyboard(keys.data(), static_cast<int>(keys.size()));
    EXPECT_FALSE(none.thrust || none.turn_left || none.turn_right || none.fire);

    keys[SDL_SCANCODE_W] = 1;
    keys[SDL_SCANCODE_LEFT] = 1;
    keys[SDL_SCANCODE_SPACE] = 1;
    PlayerInput input = InputFromKeyboard(keys.data(), static_cast<int>(keys.size()));
    EXPECT_TRUE(input.thrust);
    EXPECT_TRUE(input.turn_left);
    EXPECT_FALSE(input.turn_right);
    EXPECT_TRUE(input.fire);

    keys = {};
    keys[SDL_SCANCODE_D] = 1;
    keys[SDL_SCANCODE_UP] = 1;
    input = InputFromKeyboard(keys.data(), static_cast<int>(keys.size()));
    EXPECT_TRUE(input.turn_right);
    EXPECT_TRUE(input.thrust);
}

TEST(SpaceshipsClientInputTest, AShortKeyboardArrayIsReadSafely) {
    std::array<std::uint8_t, 4> keys{1, 1, 1, 1};
    PlayerInput input = InputFromKeyboard(keys.data(), static_cast<int>(keys.size()));
    EXPECT_FALSE(input.thrust || input.turn_left || input.turn_right || input.fire);
}

TEST(SpaceshipsClientInputSenderTest, SendsFirstOnChangeAndAtLeastEveryResendInterval) {
    InputSender sender;
    PlayerInput idle;
    PlayerInput firing;
    firing.fire = true;
    ASSERT_TRUE(sender.Next(idle, 10.0));
    EXPECT_FALSE(sender.Next(idle, 10.016));
    auto changed = sender.Next(firing, 10.032);
    ASSERT_TRUE(changed);
    EXPECT_EQ(*changed, EncodeInput(firing));
    EXPECT_FALSE(sender.Next(firing, 10.032 + kInputResendSeconds / 2));
    EXPECT_TRUE(sender.Next(firing, 10.033 + kInputResendSeconds));
    sender.Reset();
    EXPECT_TRUE(sender.Next(firing, 10.14));
}

}  // namespace
}  // namespace spaceships::client
