#pragma once

/// @file
/// The client's screens and how player keys and `GameClient` events move between them:
///
///     Title --Play--> Matchmaking --kConnected--> Playing
///     Matchmaking --Esc--> (Cancel) --kIdle--> Title
///     Matchmaking --kFailed--> Title showing the reason
///     Playing --Esc--> (Disconnect) --kDisconnected--> Title showing the reason
///     Playing --server left / timed out--> Title showing the reason
///     Title --Esc--> quit
///
/// Pure logic: the app never calls the `GameClient` itself; it returns a `Command` that the game
/// loop carries out, so tests drive it with synthetic events. Game-loop thread only.

#include <cstddef>
#include <optional>
#include <string>

#include "gapkit/client/events.hpp"
#include "interpolation.hpp"

namespace spaceships::client {

enum class Screen {
    kTitle,        ///< The "Play" button, and why the last game ended.
    kMatchmaking,  ///< Progress text while finding and connecting to a server.
    kPlaying,      ///< The arena.
};

/// What the game loop should do with its `GameClient` after a key press.
enum class Command {
    kNone,
    kStart,       ///< `FindServer` (or `ConnectDirect` in direct mode).
    kCancel,      ///< `Cancel`: abandon matchmaking or connecting.
    kDisconnect,  ///< `Disconnect`: leave the game.
    kQuit,        ///< Close the window and exit.
};

class App {
  public:
    /// Play (button, Enter or Space on the title): to Matchmaking. Ignored on other screens.
    Command PressPlay();
    /// Esc: quits from the title, cancels matchmaking, leaves a game.
    Command PressEscape();
    /// `kStart` was refused at once (`FindServer` returned an error): back to the title with it.
    void StartFailed(const std::string& message);
    /// Applies one `GameClient` event received at `now_seconds`: state changes move between
    /// screens, progress updates the text, payloads are decoded into the snapshot buffer (a
    /// payload that is not a valid snapshot is counted and dropped).
    void OnClientEvent(const gapkit::client::ClientEvent& event, double now_seconds);

    Screen screen() const { return screen_; }
    /// On the title: why the last attempt or game ended ("" at first). While matchmaking: the
    /// latest progress text.
    const std::string& message() const { return message_; }
    /// Snapshots of the current game (cleared when a new game starts).
    const SnapshotBuffer& snapshots() const { return snapshots_; }
    /// When the current game reached Connected (the game loop's clock); empty when not playing.
    std::optional<double> connected_since_seconds() const { return connected_since_seconds_; }
    /// True once any game reached Connected.
    bool ever_connected() const { return ever_connected_; }
    /// Payloads that did not decode as a snapshot in this run.
    std::size_t bad_payloads() const { return bad_payloads_; }

  private:
    void OnStateChanged(const gapkit::client::ClientEvent& event, double now_seconds);
    void ToTitle(std::string message);

    Screen screen_ = Screen::kTitle;
    std::string message_;
    SnapshotBuffer snapshots_;
    std::optional<double> connected_since_seconds_;
    bool ever_connected_ = false;
    std::size_t bad_payloads_ = 0;
};

}  // namespace spaceships::client
