#pragma once

/// @file
/// One line of text onto an SDL renderer. Game-loop thread only.

#include <string_view>

#include <SDL.h>
#include <SDL_ttf.h>

namespace spaceships::client {

enum class Align { kLeft, kCenter, kRight };

/// Draws `text` (UTF-8) in `font` and `colour` with its top edge at `at.y` and its left edge, centre
/// or right edge at `at.x`. Returns the drawn size (0 x 0 for empty text or when SDL_ttf fails,
/// which only costs the text, never the frame).
SDL_Point DrawText(SDL_Renderer* renderer, TTF_Font* font, std::string_view text, SDL_Point at, SDL_Color colour,
                   Align align = Align::kLeft);

}  // namespace spaceships::client
