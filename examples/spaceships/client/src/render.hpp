#pragma once

/// @file
/// Drawing the three screens with an SDL_Renderer: the title with its Play button, the
/// matchmaking progress, and the arena (dark background, ships as triangles coloured by id with a
/// flame when thrusting, the player's own ship outlined, bullets, the score board and a status
/// line). Game-loop thread only; nothing here owns SDL objects.

#include <string>

#include <SDL.h>

#include "app.hpp"
#include "interpolation.hpp"
#include "window.hpp"

namespace spaceships::client {

/// Where the arena lands in the window: uniformly scaled to fit and centred.
struct ArenaView {
    float scale = 1;  ///< Pixels per world unit.
    float left = 0;   ///< Pixel position of world (0, 0).
    float top = 0;
};

/// The largest arena view that fits `output` (pixels) without distortion.
ArenaView FitArena(SDL_Point output);

/// The Play button's rectangle on the title screen for a window of `output` pixels (for clicks).
SDL_Rect PlayButtonRect(SDL_Point output);

/// The colour of ship `id` (a fixed palette of kMaxShips colours, repeating beyond).
SDL_Color ShipColour(std::uint8_t id);

/// Extra facts for the status line while playing.
struct StatusInfo {
    std::string server_address;       ///< "1.2.3.4:port".
    double snapshot_age_seconds = 0;  ///< Since the newest snapshot arrived.
};

/// Clears the window and draws the screen `app` is on. Does not present.
void DrawTitle(const Window& window, const App& app);
void DrawMatchmaking(const Window& window, const App& app);
void DrawPlaying(const Window& window, const Frame& frame, const StatusInfo& status);

}  // namespace spaceships::client
