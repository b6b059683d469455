#pragma once

/// @file
/// The client's frame loop: SDL events in, `GameClient::Update(now)` and its events, input out,
/// one screen drawn and presented per frame (vsync, else about 60 fps). Never blocks on the
/// network. Game-loop thread only; borrows the window and the client, which must outlive it.

#include <optional>

#include "app.hpp"
#include "gapkit/client/game_client.hpp"
#include "input.hpp"
#include "options.hpp"
#include "window.hpp"

namespace spaceships::client {

class GameLoop {
  public:
    GameLoop(const Options& options, const Window& window, gapkit::client::GameClient& client);

    /// Runs until the player quits, --exit-after-seconds passes, or (with --autoplay) the game
    /// ends; returns the process exit code (see options.hpp).
    int Run();

  private:
    void HandleSdlEvents();
    void HandleKey(SDL_Keycode key);
    void Execute(Command command);
    void UpdateClient();
    void SendInput();
    void Draw();
    void TakeScreenshotIfDue();
    void CheckExit();
    int ExitCode() const;

    const Options& options_;
    const Window& window_;
    gapkit::client::GameClient& client_;
    App app_;
    InputSender input_sender_;
    double now_seconds_ = 0;
    bool running_ = true;
    bool screenshot_taken_ = false;
    bool screenshot_failed_ = false;
};

}  // namespace spaceships::client
