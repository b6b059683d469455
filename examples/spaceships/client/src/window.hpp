#pragma once

/// @file
/// The SDL side of the client: SDL, SDL_ttf and SDL_image set up once, one window with a
/// renderer, the fonts, and PNG screenshots of what was rendered.
///
/// Game-loop thread only (SDL's video functions belong to the thread that initialised them).
/// `Window` owns every SDL object it creates and releases them, then shuts SDL down, when destroyed.

#include <filesystem>
#include <memory>
#include <string>

#include <SDL.h>
#include <SDL_ttf.h>

#include "gapkit/common/result.hpp"

namespace spaceships::client {

class Window {
  public:
    /// Opens a resizable `width` x `height` window titled `title` with a vsync'd renderer (software
    /// when no GPU is available) and loads `font_path` in the sizes the screens use. The error says
    /// which step failed and SDL's reason; a missing font names the path and the way to change it.
    static gapkit::common::Result<std::unique_ptr<Window>> Open(const std::string& title, int width, int height,
                                                                const std::filesystem::path& font_path);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    SDL_Renderer* renderer() const { return renderer_; }
    TTF_Font* small_font() const { return small_font_; }  ///< Status line and scores.
    TTF_Font* large_font() const { return large_font_; }  ///< Titles and the Play button.
    /// The renderer's output size in pixels (follows window resizes).
    SDL_Point OutputSize() const;

    /// Writes the current back buffer (call after drawing, before `SDL_RenderPresent`) to `path`
    /// as PNG.
    gapkit::common::Status SaveScreenshot(const std::filesystem::path& path) const;

  private:
    Window() = default;
    gapkit::common::Status Init(const std::string& title, int width, int height,
                                const std::filesystem::path& font_path);

    bool sdl_ready_ = false;
    bool ttf_ready_ = false;
    bool image_ready_ = false;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    TTF_Font* small_font_ = nullptr;
    TTF_Font* large_font_ = nullptr;
};

}  // namespace spaceships::client
