// my-game-server: the dedicated server of your game, on gapkit::server (docs/server-library.md).
// A starting point: it echoes every payload to its sender; your game's rules go where the
// comments say.
//
//   ./my-game-server                  local mode: UDP 6420, the public development key, no bus
//   under Edgegap or `make run`       the ARBITRIUM_*, NATS_* and GAPKIT_* variables configure it
//                                     (.env.example); SIGTERM stops it gracefully.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <gapkit/server/game_server.hpp>

#include "game.hpp"

namespace {

using gapkit::server::GameServer;
using gapkit::server::ServerEvent;
using gapkit::server::ServerEventType;

// Set by SIGTERM (Edgegap and edgegap-sim stop a deployment with it) and SIGINT (Ctrl-C). A lock-free
// atomic may be written from a signal handler, on whichever thread the signal lands.
std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

struct Options {
    std::uint64_t protocol_id = my_game::kProtocolId;
    std::uint16_t port = 6420;
    int max_players = 16;
    double empty_stop_seconds = 0;
    int tick_hz = 30;
    std::string ca_contents;
};

void AddOptions(CLI::App& app, Options& options) {
    app.add_option("--protocol-id", options.protocol_id, "netcode protocol id, the matchmaker's")
        ->envname("GAPKIT_PROTOCOL_ID")
        ->capture_default_str();
    app.add_option("--port", options.port, "Local mode: UDP port (on Edgegap: the app version's port)")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    // At least the app version's session sockets, or Edgegap sends players that cannot get in.
    app.add_option("--max-players", options.max_players, "Player slots")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app.add_option("--empty-stop-seconds", options.empty_stop_seconds,
                   "On Edgegap: stop the deployment after this long without players (0: never; "
                   "Edgegap's empty time to live applies anyway)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--tick-hz", options.tick_hz, "Game ticks per second")
        ->capture_default_str()
        ->check(CLI::Range(1, 240));
    // Declared so the parser accepts it; GameServer::Start reads it from argv itself.
    app.add_option("--ca_contents", options.ca_contents, "The NATS CA (PEM), as Edgegap passes it");
    // What the library reads by itself (docs/server-library.md, "Environment and flags").
    app.footer(
        "Environment read by gapkit::server:\n"
        "  GAPKIT_PRIVATE_KEY_FILE or GAPKIT_PRIVATE_KEY: the matchmaker's netcode key (required on\n"
        "    Edgegap; in local mode without either, the public development key)\n"
        "  NATS_HOST, NATS_USER, NATS_PASSWORD, NATS_CA: the bus (required on Edgegap)\n"
        "  ARBITRIUM_*: set by Edgegap; their presence selects Edgegap mode");
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One event from the library; false once the server should stop.
bool Handle(GameServer& server, const ServerEvent& event) {
    switch (event.type) {
        case ServerEventType::kPlayerJoined:
            // Your game: spawn the player. `session_id` is the Edgegap session ("" without a bus).
            std::printf("player %llu joined (slot %d, session '%s'); %d playing\n",
                        static_cast<unsigned long long>(event.client_id), event.client_index, event.session_id.c_str(),
                        server.num_players());
            return true;
        case ServerEventType::kPlayerLeft:
            // Your game: remove the player. The library has told the matchmaker already.
            std::printf("player %llu left (%s); %d playing\n", static_cast<unsigned long long>(event.client_id),
                        std::string(gapkit::server::ToString(event.reason)).c_str(), server.num_players());
            return true;
        case ServerEventType::kPayload:
            // Your game: apply the player's input. The template echoes it.
            if (auto sent = server.SendPayload(event.client_index, event.payload); !sent)
                std::printf("echo to slot %d: %s\n", event.client_index, sent.error().ToString().c_str());
            return true;
        case ServerEventType::kSelfStopping:
            std::printf("empty for --empty-stop-seconds: the deployment stops\n");
            return false;
    }
    return true;
}

int Run(const Options& options, int argc, char** argv) {
    gapkit::server::GameServerConfig config;
    config.protocol_id = options.protocol_id;
    config.local_port = options.port;
    config.max_clients = options.max_players;
    config.self_stop_after_empty_seconds = options.empty_stop_seconds;
    // The key stays unset: Start reads GAPKIT_PRIVATE_KEY_FILE or GAPKIT_PRIVATE_KEY, or in local
    // mode takes the public development key. Never put a key on the command line.
    auto started = GameServer::Start(config, argc, argv);
    if (!started) {
        std::fprintf(stderr, "my-game-server: %s\n", started.error().ToString().c_str());
        return 1;
    }
    GameServer& server = **started;
    std::printf("serving %s on %s (%s)\n", my_game::kGameName, server.advertised_address().ToString().c_str(),
                server.on_edgegap() ? "Edgegap" : "local mode");

    const auto start = std::chrono::steady_clock::now();
    const auto tick = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / options.tick_hz));
    auto next_tick = start;
    bool running = true;
    while (running && !g_stop_requested.load()) {
        server.Update(SecondsSince(start));
        ServerEvent event;
        while (server.Poll(event)) running = Handle(server, event) && running;
        // Your game: advance the simulation one tick and send each player its state here.
        next_tick += tick;
        std::this_thread::sleep_until(next_tick);
    }
    std::printf("stopping with %d players\n", server.num_players());
    return 0;  // ~GameServer disconnects everyone and tells the matchmaker they left
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line by line into the deployment's log
    CLI::App app{"my-game-server: the dedicated server of my-game (gapkit::server)"};
    Options options;
    AddOptions(app, options);
    CLI11_PARSE(app, argc, argv);
    std::signal(SIGTERM, [](int) { g_stop_requested.store(true); });
    std::signal(SIGINT, [](int) { g_stop_requested.store(true); });
    return Run(options, argc, argv);
}
