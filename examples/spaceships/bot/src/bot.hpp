#pragma once

/// @file
/// One headless player: finds a server (or connects directly), plays with `Steer` for the set
/// time, disconnects, and reports how it went. `RunBots` runs several in one process.
///
/// Threads: a `Bot` belongs to the thread that calls `Update` (its GameClient's rule). `RunBots`
/// runs every bot on the calling thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "gapkit/client/game_client.hpp"
#include "options.hpp"
#include "spaceships/messages.hpp"

namespace spaceships::bot {

/// How one bot's run ended.
struct BotReport {
    bool succeeded = false;       ///< Connected, saw its ship, played the full time, left by itself.
    std::string failure;          ///< Why not, for people (the client's PlayerText where it has one).
    std::string server_address;   ///< "ip:port" once known, else "".
    std::uint64_t snapshots = 0;  ///< Snapshots received.
    int score = 0;                ///< Own score in the last snapshot.
    double seconds_played = 0;    ///< From Connected to leaving.
};

class Bot {
  public:
    /// A bot numbered `number` (for output) that prints its progress to `out` unless quiet. It
    /// keeps references to `options` and `out`, which must outlive it.
    static gapkit::common::Result<std::unique_ptr<Bot>> Create(int number, const BotOptions& options,
                                                               std::ostream& out);

    /// Starts matchmaking (or the direct connection) at monotonic time `now_seconds`.
    void Start(double now_seconds);
    /// Drives the client one frame and sends input; true once the bot has finished either way.
    bool Update(double now_seconds);
    /// Leaves now (a signal): disconnects and records `why` as the failure.
    void Abort(std::string_view why);

    bool finished() const { return finished_; }
    const BotReport& report() const { return report_; }

  private:
    Bot(int number, const BotOptions& options, std::ostream& out, std::unique_ptr<gapkit::client::GameClient> client);
    void Handle(const gapkit::client::ClientEvent& event, double now_seconds);
    void OnSnapshot(const std::vector<std::uint8_t>& payload);
    void Play(double now_seconds);
    void Fail(std::string why);
    void Say(std::string_view text);

    const int number_;
    const BotOptions& options_;
    std::ostream& out_;
    std::unique_ptr<gapkit::client::GameClient> client_;
    double started_seconds_ = 0;
    double now_seconds_ = 0;         // of the latest Start/Update
    double connected_seconds_ = -1;  // < 0 until Connected
    bool saw_own_ship_ = false;
    bool finished_ = false;
    Snapshot latest_;
    BotReport report_;
};

/// Runs `options.bots` bots until each has finished, or `stop_requested` turns true (every bot then
/// disconnects and fails with "interrupted"). Prints one summary line per bot to `out` and the
/// failures to `err`. Returns 0 when every bot succeeded, else 1.
int RunBots(const BotOptions& options, const std::atomic<bool>& stop_requested, std::ostream& out, std::ostream& err);

}  // namespace spaceships::bot
