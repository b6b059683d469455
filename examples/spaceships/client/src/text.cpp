#include "text.hpp"

#include <string>

namespace spaceships::client {

SDL_Point DrawText(SDL_Renderer* renderer, TTF_Font* font, std::string_view text, SDL_Point at, SDL_Color colour,
                   Align align) {
    if (text.empty()) return {0, 0};
    // Text changes every frame (ping, progress), so it is rasterised each time; a few short lines
    // per frame cost far less than a frame.
    SDL_Surface* surface = TTF_RenderUTF8_Blended(font, std::string(text).c_str(), colour);
    if (surface == nullptr) return {0, 0};
    SDL_Texture* texture = SDL_CreateTextureFromSurface(renderer, surface);
    SDL_Rect target{at.x, at.y, surface->w, surface->h};
    SDL_FreeSurface(surface);
    if (texture == nullptr) return {0, 0};
    if (align == Align::kCenter) target.x -= target.w / 2;
    if (align == Align::kRight) target.x -= target.w;
    SDL_RenderCopy(renderer, texture, nullptr, &target);
    SDL_DestroyTexture(texture);
    return {target.w, target.h};
}

}  // namespace spaceships::client
