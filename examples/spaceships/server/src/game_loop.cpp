#include "game_loop.hpp"

#include <chrono>
#include <random>
#include <thread>

#include "gapkit/common/log.hpp"

namespace spaceships::server {
namespace {

using gapkit::server::ServerEvent;
using gapkit::server::ServerEventType;
using Steady = std::chrono::steady_clock;

constexpr auto kTickPeriod = std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(kTickSeconds));
constexpr auto kOverrunLogInterval = std::chrono::seconds(10);

double Seconds(Steady::time_point time) { return std::chrono::duration<double>(time.time_since_epoch()).count(); }

}  // namespace

gapkit::common::Result<std::unique_ptr<GameLoop>> GameLoop::Start(const ServerConfig& config, int argc,
                                                                  const char* const* argv) {
    auto server = gapkit::server::GameServer::Start(config.ToGameServerConfig(), argc, argv);
    if (!server) return gapkit::common::Fail(server.error().WithContext("starting the game server"));
    const std::uint32_t seed = config.seed != 0 ? config.seed : std::random_device{}();
    GAPKIT_LOG_INFO("spaceships", "serving in {} mode, UDP port {}, advertised as {}, {} player slots, seed {}",
                    (*server)->on_edgegap() ? "Edgegap" : "local", (*server)->bound_port(),
                    (*server)->advertised_address().ToString(), config.max_players, seed);
    return std::unique_ptr<GameLoop>(new GameLoop(std::move(*server), seed));
}

GameLoop::GameLoop(std::unique_ptr<gapkit::server::GameServer> server, std::uint32_t seed)
    : server_(std::move(server)), world_(seed) {}

void GameLoop::Tick(double now_seconds) {
    server_->Update(now_seconds);
    ServerEvent event;
    while (server_->Poll(event)) Apply(event);
    world_.Step();
    SendSnapshots();
    ++stats_.ticks;
}

void GameLoop::Apply(const ServerEvent& event) {
    const auto id = static_cast<std::uint8_t>(event.client_index);
    switch (event.type) {
        case ServerEventType::kPlayerJoined:
            ++stats_.joins;
            world_.AddShip(id);
            GAPKIT_LOG_INFO("spaceships", "player joined: ship {}, client id {}, session '{}'", event.client_index,
                            event.client_id, event.session_id);
            break;
        case ServerEventType::kPlayerLeft:
            ++stats_.leaves;
            world_.RemoveShip(id);
            GAPKIT_LOG_INFO("spaceships", "player left: ship {}, client id {}, session '{}', {}", event.client_index,
                            event.client_id, event.session_id, gapkit::server::ToString(event.reason));
            break;
        case ServerEventType::kPayload:
            if (auto input = DecodeInput(event.payload)) {
                world_.SetInput(id, *input);
            } else {
                ++stats_.bad_payloads;  // a broken or hostile client must not stop the game
                GAPKIT_LOG_DEBUG("spaceships", "ship {}: dropped payload: {}", event.client_index,
                                 input.error().message());
            }
            break;
        case ServerEventType::kSelfStopping:
            // The deployment is being deleted; Edgegap (or the simulator) sends SIGTERM next.
            GAPKIT_LOG_INFO("spaceships", "no players for a while: asked Edgegap to stop this deployment");
            break;
    }
}

void GameLoop::SendSnapshots() {
    for (std::uint8_t id = 0; id < kMaxShips; ++id) {
        if (!world_.HasShip(id)) continue;
        world_.FillSnapshot(id, snapshot_);
        bytes_.clear();
        EncodeSnapshotInto(snapshot_, bytes_);
        if (!server_->SendPayload(id, bytes_)) ++stats_.send_failures;
    }
}

void GameLoop::Run(const std::function<bool()>& stop_requested) {
    Steady::time_point next_tick = Steady::now();
    Steady::time_point last_overrun_log{};
    while (!stop_requested()) {
        const Steady::time_point now = Steady::now();
        if (now - next_tick > kTickPeriod) {
            // Late by more than a tick (a stall, a slow machine): drop the missed ticks rather than
            // running them back to back, which would only make the next tick late too.
            ++stats_.overruns;
            if (now - last_overrun_log >= kOverrunLogInterval) {
                GAPKIT_LOG_WARN("spaceships", "tick ran {} ms late; skipping ahead ({} overruns so far)",
                                std::chrono::duration_cast<std::chrono::milliseconds>(now - next_tick).count(),
                                stats_.overruns);
                last_overrun_log = now;
            }
            next_tick = now;
        }
        Tick(Seconds(now));
        next_tick += kTickPeriod;
        std::this_thread::sleep_until(next_tick);
    }
    Stop();
}

void GameLoop::Stop() { server_->Stop(); }

}  // namespace spaceships::server
