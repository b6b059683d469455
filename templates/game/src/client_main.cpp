// my-game-client: the player's side, on gapkit::client (docs/client-library.md). A starting point:
// it finds a server through the matchmaker (or connects --direct to a local one), sends --count
// numbered pings and waits for each echo, printing every step. Exit 0 when all came back.
//
//   ./my-game-client                                  the matchmaker of `make run` (MATCHMAKER_URL)
//   ./my-game-client --direct 127.0.0.1:6420          a local-mode server, with the development key
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <gapkit/client/game_client.hpp>
#include <gapkit/netcode/private_key.hpp>

#include "game.hpp"

namespace {

using gapkit::client::ClientEvent;
using gapkit::client::ClientEventType;
using gapkit::client::ClientState;
using gapkit::client::GameClient;

std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

struct Options {
    std::string matchmaker_url = "ws://127.0.0.1:3000/matchmaker/ws";
    std::string game = my_game::kGameName;
    std::string version = my_game::kGameVersion;
    std::string direct;
    std::uint64_t protocol_id = my_game::kProtocolId;
    int count = 5;
    double timeout_seconds = 90;
};

void AddOptions(CLI::App& app, Options& options) {
    app.add_option("--matchmaker", options.matchmaker_url, "Matchmaker WebSocket URL (ws:// or wss://)")
        ->envname("MATCHMAKER_URL")
        ->capture_default_str();
    app.add_option("--game", options.game, "Edgegap app asked of the matchmaker")->capture_default_str();
    app.add_option("--version", options.version, "Edgegap app version asked of the matchmaker")->capture_default_str();
    app.add_option("--direct", options.direct,
                   "Development: connect to this local-mode server (host:port) without the matchmaker, "
                   "with GAPKIT_PRIVATE_KEY or the public development key");
    app.add_option("--protocol-id", options.protocol_id, "netcode protocol id, the server's")
        ->envname("GAPKIT_PROTOCOL_ID")
        ->capture_default_str();
    app.add_option("--count", options.count, "Pings to send, one after the other")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    // A cold deployment (a new server started for this player) can take a minute on Edgegap.
    app.add_option("--timeout-seconds", options.timeout_seconds, "Limit on the whole run")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 3600.0));
}

// The key of a --direct connection: the server's, which in local mode is the development key
// unless it was given GAPKIT_PRIVATE_KEY. Only for development: a shipped game holds no key.
gapkit::common::Result<gapkit::netcode::Key> DirectKey() {
    const char* text = std::getenv("GAPKIT_PRIVATE_KEY");
    if (text == nullptr || *text == '\0') return gapkit::netcode::DevPrivateKey();
    return gapkit::netcode::ParsePrivateKey(text);
}

gapkit::common::Status StartConnecting(GameClient& client, const Options& options) {
    if (options.direct.empty()) return client.FindServer(options.game, options.version);
    auto key = DirectKey();
    if (!key) return gapkit::common::Fail(key.error().WithContext("GAPKIT_PRIVATE_KEY"));
    return client.ConnectDirect(options.direct, options.protocol_id, *key);
}

// Payloads are unreliable: a ping is sent again every kResendSeconds until its echo arrives.
constexpr double kResendSeconds = 0.25;

class PingPong {
  public:
    explicit PingPong(int count) : count_(count) {}
    bool Done() const { return next_ > count_; }

    void Tick(GameClient& client, double now) {
        if (Done() || now - sent_at_ < kResendSeconds) return;
        if (auto sent = client.SendPayload(my_game::Ping(next_)); !sent)
            std::printf("send: %s\n", sent.error().ToString().c_str());
        if (first_sent_at_ < 0) first_sent_at_ = now;
        sent_at_ = now;
    }

    void Received(const ClientEvent& event, double now) {
        if (Done() || event.payload != my_game::Ping(next_)) return;  // a late duplicate of an older one
        std::printf("echo %d/%d: '%.*s' after %.0f ms\n", next_, count_, static_cast<int>(event.payload.size()),
                    my_game::AsText(event.payload).data(), (now - first_sent_at_) * 1000);
        ++next_;
        first_sent_at_ = sent_at_ = -1;
    }

  private:
    int count_;
    int next_ = 1;
    double sent_at_ = -1;
    double first_sent_at_ = -1;
};

// Prints what the player would see; false once the connection is over (failed or lost).
bool Show(const ClientEvent& event) {
    if (event.type == ClientEventType::kProgress) std::printf("matchmaker: %s\n", event.text.c_str());
    if (event.type != ClientEventType::kStateChanged) return true;
    std::printf("%s: %s\n", std::string(gapkit::client::ToString(event.state)).c_str(), event.text.c_str());
    return event.state != ClientState::kFailed && event.state != ClientState::kDisconnected;
}

int Run(const Options& options) {
    gapkit::client::GameClientConfig config;
    config.matchmaker_url = options.matchmaker_url;
    config.protocol_id = options.protocol_id;  // a token for another game fails at once
    auto created = GameClient::Create(config);
    if (!created) {
        std::fprintf(stderr, "my-game-client: %s\n", created.error().ToString().c_str());
        return 2;
    }
    GameClient& client = **created;
    if (auto started = StartConnecting(client, options); !started) {
        std::fprintf(stderr, "my-game-client: %s\n", started.error().ToString().c_str());
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    PingPong pings(options.count);
    while (!pings.Done() && !g_stop_requested.load()) {
        const double now = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (now > options.timeout_seconds) {
            std::printf("gave up after %.0f s in state %s\n", now, std::string(ToString(client.State())).c_str());
            return 1;
        }
        client.Update(now);
        ClientEvent event;
        while (client.Poll(event)) {
            if (!Show(event)) return 1;
            if (event.type == ClientEventType::kPayload) pings.Received(event, now);
        }
        if (client.State() == ClientState::kConnected) pings.Tick(client, now);
        std::this_thread::sleep_for(std::chrono::milliseconds(16));  // your game: render a frame
    }
    if (pings.Done())
        std::printf("all %d pings came back from %s\n", options.count, client.server_address().ToString().c_str());
    client.Disconnect();  // tells the server at once, so the matchmaker frees the seat
    return pings.Done() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    CLI::App app{"my-game-client: finds a my-game server and plays ping with it (gapkit::client)"};
    Options options;
    AddOptions(app, options);
    CLI11_PARSE(app, argc, argv);
    std::signal(SIGTERM, [](int) { g_stop_requested.store(true); });
    std::signal(SIGINT, [](int) { g_stop_requested.store(true); });
    return Run(options);
}
