#include "app.hpp"

#include <utility>

#include "gapkit/common/log.hpp"

namespace spaceships::client {

using gapkit::client::ClientEvent;
using gapkit::client::ClientEventType;
using gapkit::client::ClientState;

Command App::PressPlay() {
    if (screen_ != Screen::kTitle) return Command::kNone;
    screen_ = Screen::kMatchmaking;
    message_ = "Looking for a server...";
    snapshots_.Clear();
    return Command::kStart;
}

Command App::PressEscape() {
    switch (screen_) {
        case Screen::kTitle:
            return Command::kQuit;
        case Screen::kMatchmaking:
            return Command::kCancel;
        case Screen::kPlaying:
            return Command::kDisconnect;
    }
    return Command::kNone;
}

void App::StartFailed(const std::string& message) { ToTitle(message); }

void App::OnClientEvent(const ClientEvent& event, double now_seconds) {
    switch (event.type) {
        case ClientEventType::kStateChanged:
            OnStateChanged(event, now_seconds);
            return;
        case ClientEventType::kProgress:
            if (screen_ == Screen::kMatchmaking) message_ = event.text;
            return;
        case ClientEventType::kPayload:
            break;
    }
    if (screen_ != Screen::kPlaying) return;
    auto snapshot = DecodeSnapshot(event.payload);
    if (!snapshot) {
        ++bad_payloads_;
        GAPKIT_LOG_DEBUG("spaceships-client", "dropped a payload: {}", snapshot.error().message());
        return;
    }
    snapshots_.Push(std::move(*snapshot), now_seconds);
}

void App::OnStateChanged(const ClientEvent& event, double now_seconds) {
    switch (event.state) {
        case ClientState::kMatchmaking:
        case ClientState::kConnecting:
            if (screen_ == Screen::kTitle) return;  // a late event of an abandoned attempt
            screen_ = Screen::kMatchmaking;
            if (!event.text.empty()) message_ = event.text;
            return;
        case ClientState::kConnected:
            screen_ = Screen::kPlaying;
            message_.clear();
            snapshots_.Clear();
            connected_since_seconds_ = now_seconds;
            ever_connected_ = true;
            return;
        case ClientState::kIdle:
            ToTitle(event.text.empty() ? "Matchmaking cancelled." : event.text);
            return;
        case ClientState::kDisconnected:
        case ClientState::kFailed:
            ToTitle(event.text.empty() ? std::string(gapkit::client::PlayerText(event.reason)) : event.text);
            return;
        case ClientState::kServerFound:  // only with own_transport, which this game leaves off
            return;
    }
}

void App::ToTitle(std::string message) {
    screen_ = Screen::kTitle;
    message_ = std::move(message);
    connected_since_seconds_.reset();
}

}  // namespace spaceships::client
