#include "render.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/core.h>

#include "spaceships/constants.hpp"
#include "text.hpp"

namespace spaceships::client {
namespace {

constexpr SDL_Color kBackground{8, 10, 20, 255};
constexpr SDL_Color kArenaColour{18, 22, 40, 255};
constexpr SDL_Color kArenaBorder{60, 70, 110, 255};
constexpr SDL_Color kTextColour{220, 225, 240, 255};
constexpr SDL_Color kDimText{140, 150, 175, 255};
constexpr SDL_Color kFlame{255, 160, 40, 255};
constexpr SDL_Color kOutline{255, 255, 255, 255};
constexpr Uint8 kGhostAlpha = 120;
constexpr std::array<SDL_Color, 6> kPalette{{
    {235, 80, 80, 255},
    {90, 200, 110, 255},
    {90, 150, 255, 255},
    {240, 210, 70, 255},
    {210, 100, 230, 255},
    {70, 215, 220, 255},
}};

// Ship outline in world units, nose first, pointing along +x.
// About kShipRadius (16) across, so what collides is what is drawn.
constexpr std::array<SDL_FPoint, 3> kShipShape{{{18, 0}, {-13, 12}, {-13, -12}}};
// The white ring around the player's own ship, a few units outside the hull.
constexpr std::array<SDL_FPoint, 3> kOwnRingShape{{{26, 0}, {-18, 17}, {-18, -17}}};
constexpr std::array<SDL_FPoint, 3> kFlameShape{{{-14, 6}, {-14, -6}, {-30, 0}}};
constexpr float kBulletSize = 5;

void SetColour(SDL_Renderer* renderer, SDL_Color colour) {
    SDL_SetRenderDrawColor(renderer, colour.r, colour.g, colour.b, colour.a);
}

void Clear(SDL_Renderer* renderer) {
    SetColour(renderer, kBackground);
    SDL_RenderClear(renderer);
}

// Screen y grows downwards, so counter-clockwise angles turn the shape with -sin.
std::array<SDL_FPoint, 3> Place(const std::array<SDL_FPoint, 3>& shape, const ShipView& ship, const ArenaView& view) {
    const float c = std::cos(ship.angle_radians);
    const float s = std::sin(ship.angle_radians);
    std::array<SDL_FPoint, 3> points{};
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const float x = ship.x + shape[i].x * c + shape[i].y * s;
        const float y = ship.y - shape[i].x * s + shape[i].y * c;
        points[i] = {view.left + x * view.scale, view.top + y * view.scale};
    }
    return points;
}

void FillTriangle(SDL_Renderer* renderer, const std::array<SDL_FPoint, 3>& points, SDL_Color colour) {
    std::array<SDL_Vertex, 3> vertices{};
    for (std::size_t i = 0; i < points.size(); ++i) vertices[i] = {points[i], colour, {0, 0}};
    SDL_RenderGeometry(renderer, nullptr, vertices.data(), static_cast<int>(vertices.size()), nullptr, 0);
}

void OutlineTriangle(SDL_Renderer* renderer, const std::array<SDL_FPoint, 3>& points, SDL_Color colour) {
    const std::array<SDL_FPoint, 4> closed{points[0], points[1], points[2], points[0]};
    SetColour(renderer, colour);
    SDL_RenderDrawLinesF(renderer, closed.data(), static_cast<int>(closed.size()));
}

void DrawShip(SDL_Renderer* renderer, const ShipView& ship, bool own, std::uint32_t tick, const ArenaView& view) {
    const auto hull = Place(kShipShape, ship, view);
    const SDL_Color colour = ShipColour(ship.id);
    if (ship.alive) {
        if (ship.thrusting && tick % 4 != 0) FillTriangle(renderer, Place(kFlameShape, ship, view), kFlame);
        FillTriangle(renderer, hull, colour);
    } else {  // respawning: a faint ghost
        OutlineTriangle(renderer, hull, {colour.r, colour.g, colour.b, kGhostAlpha});
    }
    if (own) {
        OutlineTriangle(renderer, Place(kOwnRingShape, ship, view),
                        {kOutline.r, kOutline.g, kOutline.b, ship.alive ? kOutline.a : kGhostAlpha});
    }
}

// A ship crossing an edge is also drawn where it re-enters on the far side, as the wrapping world
// has it: a copy shifted by the arena size on each axis it is close to (the clip hides the rest).
void DrawShipWrapped(SDL_Renderer* renderer, const ShipView& ship, bool own, std::uint32_t tick,
                     const ArenaView& view) {
    constexpr float kReach = 32;  // farther than any point of the ship and its flame from its centre
    const float dx = ship.x < kReach ? kArenaWidth : (ship.x > kArenaWidth - kReach ? -kArenaWidth : 0);
    const float dy = ship.y < kReach ? kArenaHeight : (ship.y > kArenaHeight - kReach ? -kArenaHeight : 0);
    const std::array<SDL_FPoint, 4> shifts{{{0, 0}, {dx, 0}, {0, dy}, {dx, dy}}};
    const std::array<bool, 4> wanted{true, dx != 0, dy != 0, dx != 0 && dy != 0};
    for (std::size_t i = 0; i < shifts.size(); ++i) {
        if (!wanted[i]) continue;
        ShipView copy = ship;
        copy.x += shifts[i].x;
        copy.y += shifts[i].y;
        DrawShip(renderer, copy, own, tick, view);
    }
}

void DrawBullets(SDL_Renderer* renderer, const Frame& frame, const ArenaView& view) {
    const float size = std::max(2.0f, kBulletSize * view.scale);
    for (const auto& bullet : frame.bullets) {
        SDL_Color colour = ShipColour(bullet.owner);
        colour = {static_cast<Uint8>((colour.r + 255) / 2), static_cast<Uint8>((colour.g + 255) / 2),
                  static_cast<Uint8>((colour.b + 255) / 2), 255};
        SetColour(renderer, colour);
        const SDL_FRect rect{view.left + bullet.x * view.scale - size / 2, view.top + bullet.y * view.scale - size / 2,
                             size, size};
        SDL_RenderFillRectF(renderer, &rect);
    }
}

void DrawScores(const Window& window, const Frame& frame, const ArenaView& view) {
    std::vector<ShipView> ships = frame.ships;
    std::sort(ships.begin(), ships.end(), [](const ShipView& a, const ShipView& b) { return a.id < b.id; });
    SDL_Point at{static_cast<int>(view.left) + 12, static_cast<int>(view.top) + 8};
    for (const auto& ship : ships) {
        const auto line =
            fmt::format("Player {}: {}{}", ship.id + 1, ship.score, ship.id == frame.your_id ? "  (you)" : "");
        at.y += DrawText(window.renderer(), window.small_font(), line, at, ShipColour(ship.id)).y;
    }
}

void DrawStatus(const Window& window, const Frame& frame, const StatusInfo& status) {
    const SDL_Point output = window.OutputSize();
    const auto line =
        fmt::format("server {}   tick {}   last snapshot {:.0f} ms ago   arrows/WASD, Space fires, Esc leaves",
                    status.server_address, frame.tick, status.snapshot_age_seconds * 1000);
    DrawText(window.renderer(), window.small_font(), line, {8, output.y - 26}, kDimText);
}

}  // namespace

ArenaView FitArena(SDL_Point output) {
    ArenaView view;
    view.scale = std::min(output.x / kArenaWidth, output.y / kArenaHeight);
    view.left = (output.x - kArenaWidth * view.scale) / 2;
    view.top = (output.y - kArenaHeight * view.scale) / 2;
    return view;
}

SDL_Rect PlayButtonRect(SDL_Point output) {
    constexpr int kWidth = 240;
    constexpr int kHeight = 80;
    return {output.x / 2 - kWidth / 2, output.y / 2 - kHeight / 2, kWidth, kHeight};
}

SDL_Color ShipColour(std::uint8_t id) { return kPalette[id % kPalette.size()]; }

void DrawTitle(const Window& window, const App& app) {
    SDL_Renderer* renderer = window.renderer();
    const SDL_Point output = window.OutputSize();
    Clear(renderer);
    DrawText(renderer, window.large_font(), "SPACESHIPS", {output.x / 2, output.y / 4}, kTextColour, Align::kCenter);
    const SDL_Rect button = PlayButtonRect(output);
    SetColour(renderer, kPalette[2]);
    SDL_RenderFillRect(renderer, &button);
    DrawText(renderer, window.large_font(), "Play", {output.x / 2, button.y + 14}, kTextColour, Align::kCenter);
    DrawText(renderer, window.small_font(), "Enter or click to play, Esc to quit",
             {output.x / 2, button.y + button.h + 20}, kDimText, Align::kCenter);
    DrawText(renderer, window.small_font(), app.message(), {output.x / 2, button.y + button.h + 60}, kFlame,
             Align::kCenter);
}

void DrawMatchmaking(const Window& window, const App& app) {
    SDL_Renderer* renderer = window.renderer();
    const SDL_Point output = window.OutputSize();
    Clear(renderer);
    DrawText(renderer, window.large_font(), "Finding a game", {output.x / 2, output.y / 3}, kTextColour,
             Align::kCenter);
    DrawText(renderer, window.small_font(), app.message(), {output.x / 2, output.y / 2}, kTextColour, Align::kCenter);
    DrawText(renderer, window.small_font(), "Esc cancels", {output.x / 2, output.y / 2 + 40}, kDimText, Align::kCenter);
}

void DrawPlaying(const Window& window, const Frame& frame, const StatusInfo& status) {
    SDL_Renderer* renderer = window.renderer();
    const ArenaView view = FitArena(window.OutputSize());
    Clear(renderer);
    const SDL_FRect arena{view.left, view.top, kArenaWidth * view.scale, kArenaHeight * view.scale};
    SetColour(renderer, kArenaColour);
    SDL_RenderFillRectF(renderer, &arena);
    SetColour(renderer, kArenaBorder);
    SDL_RenderDrawRectF(renderer, &arena);
    const SDL_Rect clip{static_cast<int>(arena.x), static_cast<int>(arena.y), static_cast<int>(arena.w),
                        static_cast<int>(arena.h)};
    SDL_RenderSetClipRect(renderer, &clip);
    DrawBullets(renderer, frame, view);
    for (const auto& ship : frame.ships) DrawShipWrapped(renderer, ship, ship.id == frame.your_id, frame.tick, view);
    SDL_RenderSetClipRect(renderer, nullptr);
    DrawScores(window, frame, view);
    DrawStatus(window, frame, status);
}

}  // namespace spaceships::client
