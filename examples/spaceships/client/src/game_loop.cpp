#include "game_loop.hpp"

#include <chrono>

#include "gapkit/common/log.hpp"
#include "render.hpp"

namespace spaceships::client {
namespace {

constexpr const char* kLog = "spaceships-client";
constexpr double kFrameSeconds = 1.0 / 60;

double SteadySeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

GameLoop::GameLoop(const Options& options, const Window& window, gapkit::client::GameClient& client)
    : options_(options), window_(window), client_(client) {}

int GameLoop::Run() {
    now_seconds_ = SteadySeconds();
    if (options_.autoplay) Execute(app_.PressPlay());
    while (running_) {
        const double frame_start = SteadySeconds();
        now_seconds_ = frame_start;
        HandleSdlEvents();
        UpdateClient();
        SendInput();
        Draw();
        TakeScreenshotIfDue();
        SDL_RenderPresent(window_.renderer());
        CheckExit();
        // Vsync paces the loop when the display has it; under Xvfb or without it, this does.
        const double spent = SteadySeconds() - frame_start;
        if (spent < kFrameSeconds) SDL_Delay(static_cast<Uint32>((kFrameSeconds - spent) * 1000));
    }
    client_.Disconnect();
    return ExitCode();
}

void GameLoop::HandleSdlEvents() {
    SDL_Event event;
    while (SDL_PollEvent(&event) != 0) {
        if (event.type == SDL_QUIT) {
            running_ = false;
        } else if (event.type == SDL_KEYDOWN && event.key.repeat == 0) {
            HandleKey(event.key.keysym.sym);
        } else if (event.type == SDL_MOUSEBUTTONDOWN && event.button.button == SDL_BUTTON_LEFT) {
            const SDL_Point click{event.button.x, event.button.y};
            const SDL_Rect button = PlayButtonRect(window_.OutputSize());
            if (SDL_PointInRect(&click, &button)) Execute(app_.PressPlay());
        }
    }
}

void GameLoop::HandleKey(SDL_Keycode key) {
    if (key == SDLK_ESCAPE) {
        Execute(app_.PressEscape());
    } else if ((key == SDLK_RETURN || key == SDLK_KP_ENTER) && app_.screen() == Screen::kTitle) {
        Execute(app_.PressPlay());
    }
}

void GameLoop::Execute(Command command) {
    switch (command) {
        case Command::kNone:
            return;
        case Command::kStart: {
            input_sender_.Reset();
            auto started =
                options_.direct_address.empty()
                    ? client_.FindServer(options_.game, options_.version)
                    : client_.ConnectDirect(options_.direct_address, options_.protocol_id, options_.direct_key);
            if (!started) app_.StartFailed(started.error().message());
            return;
        }
        case Command::kCancel:
            client_.Cancel();
            return;
        case Command::kDisconnect:
            client_.Disconnect();
            return;
        case Command::kQuit:
            running_ = false;
            return;
    }
}

void GameLoop::UpdateClient() {
    client_.Update(now_seconds_);
    gapkit::client::ClientEvent event;
    while (client_.Poll(event)) {
        if (event.type == gapkit::client::ClientEventType::kStateChanged) {
            GAPKIT_LOG_INFO(kLog, "{}: {}", gapkit::client::ToString(event.state), event.text);
        }
        const Screen before = app_.screen();
        app_.OnClientEvent(event, now_seconds_);
        // With --autoplay the program is a one-game run: back on the title means it is over.
        if (options_.autoplay && before != Screen::kTitle && app_.screen() == Screen::kTitle) running_ = false;
    }
}

void GameLoop::SendInput() {
    if (app_.screen() != Screen::kPlaying) return;
    int key_count = 0;
    const Uint8* keys = SDL_GetKeyboardState(&key_count);
    auto message = input_sender_.Next(InputFromKeyboard(keys, key_count), now_seconds_);
    if (!message) return;
    if (auto sent = client_.SendPayload(*message); !sent) {
        GAPKIT_LOG_DEBUG(kLog, "input not sent: {}", sent.error().message());
    }
}

void GameLoop::Draw() {
    switch (app_.screen()) {
        case Screen::kTitle:
            DrawTitle(window_, app_);
            return;
        case Screen::kMatchmaking:
            DrawMatchmaking(window_, app_);
            return;
        case Screen::kPlaying:
            break;
    }
    Frame frame;
    app_.snapshots().Sample(now_seconds_ - kInterpolationDelaySeconds, frame);
    StatusInfo status{client_.server_address().ToString(),
                      app_.snapshots().empty() ? 0 : now_seconds_ - app_.snapshots().newest_receive_seconds()};
    DrawPlaying(window_, frame, status);
}

void GameLoop::TakeScreenshotIfDue() {
    const auto since = app_.connected_since_seconds();
    if (options_.screenshot_path.empty() || screenshot_taken_ || !since ||
        now_seconds_ - *since < options_.screenshot_after_seconds) {
        return;
    }
    screenshot_taken_ = true;
    if (auto saved = window_.SaveScreenshot(options_.screenshot_path); !saved) {
        screenshot_failed_ = true;
        GAPKIT_LOG_ERROR(kLog, "screenshot failed: {}", saved.error().message());
        return;
    }
    GAPKIT_LOG_INFO(kLog, "screenshot saved to {}", options_.screenshot_path);
}

void GameLoop::CheckExit() {
    const auto since = app_.connected_since_seconds();
    if (options_.exit_after_seconds > 0 && since && now_seconds_ - *since >= options_.exit_after_seconds) {
        GAPKIT_LOG_INFO(kLog, "--exit-after-seconds {} reached; leaving", options_.exit_after_seconds);
        running_ = false;
    }
}

int GameLoop::ExitCode() const {
    if (!options_.autoplay) return kExitOk;
    const bool screenshot_ok = options_.screenshot_path.empty() || (screenshot_taken_ && !screenshot_failed_);
    return app_.ever_connected() && screenshot_ok ? kExitOk : kExitAutoplayFailed;
}

}  // namespace spaceships::client
