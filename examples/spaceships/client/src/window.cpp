#include "window.hpp"

#include <system_error>

#include <SDL_image.h>
#include <fmt/core.h>

namespace spaceships::client {
namespace {

using gapkit::common::ErrorCode;
using gapkit::common::MakeError;

constexpr int kSmallFontPoints = 18;
constexpr int kLargeFontPoints = 44;

gapkit::common::Status SdlFailure(std::string_view step) {
    return MakeError(ErrorCode::kInternal, fmt::format("{}: {}", step, SDL_GetError()));
}

gapkit::common::Status CheckFont(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) return gapkit::common::Ok();
    return MakeError(ErrorCode::kNotFound, fmt::format("font file '{}' not found (install fonts-dejavu-core, or "
                                                       "choose another with --font or SPACESHIPS_FONT)",
                                                       path.string()));
}

}  // namespace

gapkit::common::Result<std::unique_ptr<Window>> Window::Open(const std::string& title, int width, int height,
                                                             const std::filesystem::path& font_path) {
    std::unique_ptr<Window> window(new Window());
    if (auto ok = window->Init(title, width, height, font_path); !ok) return gapkit::common::Fail(ok.error());
    return window;
}

gapkit::common::Status Window::Init(const std::string& title, int width, int height,
                                    const std::filesystem::path& font_path) {
    if (auto ok = CheckFont(font_path); !ok) return ok;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) return SdlFailure("SDL_Init");
    sdl_ready_ = true;
    if (TTF_Init() != 0) return SdlFailure("TTF_Init");
    ttf_ready_ = true;
    if ((IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) == 0) return SdlFailure("IMG_Init");
    image_ready_ = true;
    window_ = SDL_CreateWindow(title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height,
                               SDL_WINDOW_RESIZABLE);
    if (window_ == nullptr) return SdlFailure("SDL_CreateWindow");
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_PRESENTVSYNC);
    if (renderer_ == nullptr) return SdlFailure("SDL_CreateRenderer");
    SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_BLEND);
    small_font_ = TTF_OpenFont(font_path.c_str(), kSmallFontPoints);
    large_font_ = TTF_OpenFont(font_path.c_str(), kLargeFontPoints);
    if (small_font_ == nullptr || large_font_ == nullptr) {
        return SdlFailure(fmt::format("TTF_OpenFont '{}'", font_path.string()));
    }
    return gapkit::common::Ok();
}

Window::~Window() {
    if (small_font_ != nullptr) TTF_CloseFont(small_font_);
    if (large_font_ != nullptr) TTF_CloseFont(large_font_);
    if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
    if (window_ != nullptr) SDL_DestroyWindow(window_);
    if (image_ready_) IMG_Quit();
    if (ttf_ready_) TTF_Quit();
    if (sdl_ready_) SDL_Quit();
}

SDL_Point Window::OutputSize() const {
    SDL_Point size{0, 0};
    SDL_GetRendererOutputSize(renderer_, &size.x, &size.y);
    return size;
}

gapkit::common::Status Window::SaveScreenshot(const std::filesystem::path& path) const {
    const SDL_Point size = OutputSize();
    SDL_Surface* surface = SDL_CreateRGBSurfaceWithFormat(0, size.x, size.y, 32, SDL_PIXELFORMAT_ARGB8888);
    if (surface == nullptr) return SdlFailure("SDL_CreateRGBSurfaceWithFormat");
    gapkit::common::Status status = gapkit::common::Ok();
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ARGB8888, surface->pixels, surface->pitch) != 0) {
        status = SdlFailure("SDL_RenderReadPixels");
    } else if (IMG_SavePNG(surface, path.c_str()) != 0) {
        status = SdlFailure(fmt::format("IMG_SavePNG '{}'", path.string()));
    }
    SDL_FreeSurface(surface);
    return status;
}

}  // namespace spaceships::client
