#include "render.hpp"

#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "spaceships/constants.hpp"

namespace spaceships::client {
namespace {

TEST(SpaceshipsClientRenderTest, TheArenaFillsAWindowOfItsShape) {
    ArenaView view = FitArena({1280, 720});
    EXPECT_FLOAT_EQ(view.scale, 1);
    EXPECT_FLOAT_EQ(view.left, 0);
    EXPECT_FLOAT_EQ(view.top, 0);
    EXPECT_FLOAT_EQ(FitArena({1920, 1080}).scale, 1.5f);
}

TEST(SpaceshipsClientRenderTest, OtherShapesAreLetterboxedAndCentred) {
    ArenaView tall = FitArena({900, 600});
    EXPECT_FLOAT_EQ(tall.scale, 900 / kArenaWidth);
    EXPECT_FLOAT_EQ(tall.left, 0);
    EXPECT_FLOAT_EQ(tall.top, (600 - kArenaHeight * tall.scale) / 2);
    ArenaView wide = FitArena({2000, 720});
    EXPECT_FLOAT_EQ(wide.scale, 1);
    EXPECT_FLOAT_EQ(wide.left, 360);
    EXPECT_FLOAT_EQ(wide.top, 0);
}

TEST(SpaceshipsClientRenderTest, ThePlayButtonIsCentred) {
    SDL_Rect button = PlayButtonRect({1280, 720});
    EXPECT_EQ(button.x + button.w / 2, 640);
    EXPECT_EQ(button.y + button.h / 2, 360);
}

TEST(SpaceshipsClientRenderTest, EveryShipHasItsOwnColour) {
    std::set<std::tuple<int, int, int>> colours;
    for (int id = 0; id < kMaxShips; ++id) {
        SDL_Color colour = ShipColour(static_cast<std::uint8_t>(id));
        colours.emplace(colour.r, colour.g, colour.b);
    }
    EXPECT_EQ(colours.size(), static_cast<std::size_t>(kMaxShips));
}

}  // namespace
}  // namespace spaceships::client
