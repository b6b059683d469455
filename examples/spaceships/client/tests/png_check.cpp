// Checks a spaceships-client screenshot: spaceships_client_png_check <file.png> <width> <height>.
// Passes (exit 0) when the PNG has that size, most of it is the arena's colour (so the game screen
// was showing, not the title) and enough pixels are saturated ship colours to hold a ship.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <SDL.h>
#include <SDL_image.h>

namespace {

// The arena fill of render.cpp.
constexpr Uint8 kArenaRed = 18, kArenaGreen = 22, kArenaBlue = 40;
// A ship triangle is about 24 x 18 units, so some 200 pixels at 1x; the flag allows half a ship.
constexpr long kMinShipPixels = 100;

struct Counts {
    long arena = 0;
    long ship = 0;
};

Counts CountPixels(SDL_Surface* surface) {
    Counts counts;
    for (int y = 0; y < surface->h; ++y) {
        const auto* row = static_cast<const Uint32*>(surface->pixels) + y * (surface->pitch / 4);
        for (int x = 0; x < surface->w; ++x) {
            Uint8 r = 0, g = 0, b = 0;
            SDL_GetRGB(row[x], surface->format, &r, &g, &b);
            if (r == kArenaRed && g == kArenaGreen && b == kArenaBlue) ++counts.arena;
            const int high = std::max({r, g, b});
            const int low = std::min({r, g, b});
            if (high > 150 && high - low > 100) ++counts.ship;
        }
    }
    return counts;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <file.png> <width> <height>\n", argv[0]);
        return 2;
    }
    const int width = std::atoi(argv[2]);
    const int height = std::atoi(argv[3]);
    SDL_Surface* loaded = IMG_Load(argv[1]);
    if (loaded == nullptr) {
        std::fprintf(stderr, "cannot load %s: %s\n", argv[1], IMG_GetError());
        return 1;
    }
    SDL_Surface* surface = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(loaded);
    if (surface == nullptr) {
        std::fprintf(stderr, "cannot convert %s: %s\n", argv[1], SDL_GetError());
        return 1;
    }
    const Counts counts = CountPixels(surface);
    const long total = static_cast<long>(surface->w) * surface->h;
    std::printf("%s: %dx%d, arena pixels %ld of %ld, ship-coloured pixels %ld\n", argv[1], surface->w, surface->h,
                counts.arena, total, counts.ship);
    const bool ok =
        surface->w == width && surface->h == height && counts.arena * 2 > total && counts.ship >= kMinShipPixels;
    SDL_FreeSurface(surface);
    if (!ok)
        std::fprintf(stderr, "screenshot check failed (want %dx%d, arena > 50%%, >= %ld ship pixels)\n", width, height,
                     kMinShipPixels);
    return ok ? 0 : 1;
}
